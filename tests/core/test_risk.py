"""Risk ratings: the suggested level on both sides of every threshold with its reasons, the county
office's confirmation or override (a note required for another level), 已过期 after the profile's days."""

import datetime as dt

import pytest

from desktop_app.errors import Refused, ValidationError
from desktop_app.services import operations as ops
from desktop_app.services import risk
from desktop_app.services.risk import RiskFacts, suggest
from tests.core import builders as B
from tests.core.dbstate import snapshot

D = dt.date
WAN = 1_000_000


def test_no_finding_is_low_risk():
    assert suggest(RiskFacts("in_construction", 100 * WAN)) == (5, [])


@pytest.mark.parametrize("facts, level", [
    (RiskFacts("in_construction", overdue=1), 4),
    (RiskFacts("in_construction", overdue=2), 4),
    (RiskFacts("in_construction", overdue=3), 3),                         # 3 or more: two points
    (RiskFacts("in_construction", open_findings=1), 4),
    (RiskFacts("in_construction", open_findings=1, overdue_findings=1), 3),
    (RiskFacts("in_construction", changes=2), 5),
    (RiskFacts("in_construction", changes=3), 4),
    (RiskFacts("in_construction", 100 * WAN, change_delta_fen=10 * WAN - 1), 5),
    (RiskFacts("in_construction", 100 * WAN, change_delta_fen=10 * WAN), 4),
    (RiskFacts("in_construction", approved_fen=100 * WAN, disbursed_fen=100 * WAN), 5),
    (RiskFacts("in_construction", approved_fen=100 * WAN, disbursed_fen=100 * WAN + 1), 3),
    (RiskFacts("suspended"), 3),
    (RiskFacts("post_evaluated", last_grade="fair"), 5),
    (RiskFacts("post_evaluated", last_grade="poor"), 3),
    # points 3 and 4 → 2, 5 or more → 1
    (RiskFacts("suspended", overdue=1), 2),
    (RiskFacts("suspended", overdue=3), 2),
    (RiskFacts("suspended", overdue=3, open_findings=1), 1),
])
def test_level_on_both_sides_of_each_threshold(facts, level):
    assert suggest(facts)[0] == level


def test_reasons_are_listed_worst_first():
    level, reasons = suggest(RiskFacts("suspended", 100 * WAN, overdue=1, changes=3, last_grade="poor",
                                       approved_fen=50 * WAN, disbursed_fen=60 * WAN))
    assert level == 1
    assert reasons[:3] == ["项目暂停建设", "最近一次绩效评价为“差”", "拨付建设资金60.00万元，超出核定资金50.00万元的20%"]
    assert set(reasons[3:]) == {"1项义务逾期或违规", "设计变更3次"}


def _changes(c, p, n, delta="0"):
    for i in range(n):
        ops.add_record(c.store, c.unit, "change_request", p["id"],
                       {"change_kind": "technical", "submitted_on": "2027-01-10", "reason": f"调整{i}",
                        "content": "接口调整", "investment_delta_fen": delta}, today=D(2027, 1, 10))


def test_ratings_read_the_records(county):
    c = county
    draft = B.new_project(c)
    p = B.in_construction(c)              # total investment 120 万元, approved 100 万元
    _changes(c, p, 3, delta="6")          # 18 万元 = 15 % of the total
    [r] = risk.ratings(c.store, D(2027, 1, 11))
    assert r.project_id == p["id"] and draft["id"] != p["id"]      # drafts are not active projects
    assert r.suggested == 3 and "设计变更3次" in r.reasons
    assert "设计变更增加投资18.00万元，占总投资的15%" in r.reasons
    assert r.text == "建议3 中等风险（未确认）" and r.needs_attention


def test_confirm_and_override_and_stale_after_90_days(county):
    c = county
    p = B.in_construction(c)
    ops.rate_risk(c.store, c.county, p["id"], 5, rated_on="2027-01-10", today=D(2027, 1, 10))
    r = risk.rating(c.store, D(2027, 4, 10), p["id"])              # 90 days later: still valid
    assert (r.level, r.stale, r.text) == (5, False, "5 低风险")
    assert not r.needs_attention
    r = risk.rating(c.store, D(2027, 4, 11), p["id"])              # 91 days: 已过期
    assert r.stale and r.text == "5 低风险（已过期）" and r.needs_attention
    # another level than the suggestion needs a note; with one it is kept, suggestion and all
    before = snapshot(c.store)
    with pytest.raises(ValidationError) as e:
        ops.rate_risk(c.store, c.county, p["id"], 3, today=D(2027, 4, 11))
    assert "理由" in e.value.fields["note"]
    assert snapshot(c.store) == before
    ops.rate_risk(c.store, c.county, p["id"], 3, note="监理报告显示进度滞后", today=D(2027, 4, 11))
    r = risk.rating(c.store, D(2027, 4, 11), p["id"])
    assert (r.level, r.suggested, r.stale) == (3, 5, False)
    assert r.confirmed["note"] == "监理报告显示进度滞后" and r.confirmed["reasons"] == "未发现风险事项"
    audit = c.store.one("SELECT operation, summary FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert audit["operation"] == "调整风险评级" and "系统建议5 低风险" in audit["summary"]


@pytest.mark.parametrize("level, rated_on, field", [("6", None, "level"), ("0", None, "level"),
                                                    ("x", None, "level"), ("5", "2027-01-11", "rated_on")])
def test_bad_input_is_refused_in_chinese_and_nothing_written(county, level, rated_on, field):
    c = county
    p = B.in_construction(c)
    before = snapshot(c.store)
    with pytest.raises(ValidationError) as e:
        ops.rate_risk(c.store, c.county, p["id"], level, rated_on=rated_on, today=D(2027, 1, 10))
    assert field in e.value.fields
    assert snapshot(c.store) == before


def test_only_the_county_office_rates_and_only_active_projects(county):
    c = county
    p = B.in_construction(c)
    with pytest.raises(Refused, match="县政府办公室"):
        ops.rate_risk(c.store, c.unit, p["id"], 5, today=D(2027, 1, 10))
    clerk = B.actor_for(c.store, "MYXZF", user_role="clerk")
    with pytest.raises(Refused, match="审核人"):
        ops.rate_risk(c.store, clerk, p["id"], 5, today=D(2027, 1, 10))
    draft = B.new_project(c)
    with pytest.raises(Refused, match="评审通过后"):
        ops.rate_risk(c.store, c.county, draft["id"], 5, today=D(2027, 1, 10))


def test_summary_counts_levels_unconfirmed_and_stale(county):
    c = county
    p = B.in_construction(c)
    q = B.in_construction(c, name="县卫生健康信息平台")
    ops.rate_risk(c.store, c.county, p["id"], 5, rated_on="2027-01-01", today=D(2027, 1, 1))
    items = risk.ratings(c.store, D(2027, 6, 1))
    s = risk.summary(items)
    assert s["total"] == 2 and s["unconfirmed"] == 1 and s["stale"] == 1 and s["by_level"][5] == 2
    assert q["id"] in {r.project_id for r in items}
