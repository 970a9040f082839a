"""Centralised review (第三条): the scoring sheet, the panel's numbers on both sides of each boundary,
and a session's conclusion becoming the project's review through the lifecycle."""

from fractions import Fraction

import pytest

from desktop_app.errors import NotFound, Refused, ValidationError
from desktop_app.lifecycle import review_scoring as S
from desktop_app.lifecycle.policy import PolicyProfile, checked_profile
from desktop_app.services import operations as ops
from desktop_app.services import review_sessions as RS
from tests.core.builders import D, actor_for, submitted

SHEET = S.parse_sheet(S.DEFAULT_SHEET)
ALL = {i.name: 80 for i in SHEET}


# ---- the sheet ------------------------------------------------------------------------------------

def test_default_sheet_is_the_five_items_adding_up_to_100():
    assert [(i.name, i.weight) for i in SHEET] == [
        ("必要性", 25), ("可行性", 25), ("整合共享", 20), ("投资合理性", 15), ("安全保障", 15)]
    assert PolicyProfile().review_sheet == S.DEFAULT_SHEET


@pytest.mark.parametrize("text, says", [
    ("必要性:50；可行性:49", "之和须为100，现为99"),
    ("必要性:50；可行性:51", "之和须为100，现为101"),
    ("必要性:100；可行性:0", "权重须大于0"),
    ("必要性:50；必要性:50", "重复"),
    ("必要性50", "名称:权重"),
    ("", "至少要有一个"),
])
def test_a_bad_sheet_is_refused_in_chinese(text, says):
    with pytest.raises(S.SheetError, match=says):
        S.parse_sheet(text)


def test_the_profile_checks_and_normalises_the_sheet():
    after, changed = checked_profile(PolicyProfile(), {"review_sheet": "必要性：60; 可行性:40"})
    assert after.review_sheet == "必要性:60；可行性:40" and changed
    with pytest.raises(ValidationError) as e:
        checked_profile(PolicyProfile(), {"review_sheet": "必要性:60；可行性:30"})
    assert "之和须为100" in e.value.fields["review_sheet"]
    with pytest.raises(ValidationError):
        checked_profile(PolicyProfile(), {"review_outlier_points": 0})


# ---- the numbers ----------------------------------------------------------------------------------

def test_weighted_total_uses_the_weights():
    scores = {"必要性": 100, "可行性": 0, "整合共享": 0, "投资合理性": 0, "安全保障": 0}
    assert S.weighted_total(SHEET, scores) == 25
    scores = {"必要性": 90, "可行性": 80, "整合共享": 70, "投资合理性": 60, "安全保障": 100}
    # (90*25 + 80*25 + 70*20 + 60*15 + 100*15) / 100 = 80.5
    assert S.weighted_total(SHEET, scores) == Fraction(161, 2)
    assert S.points(Fraction(8525, 100)) == "85.3" and S.points(Fraction(8524, 100)) == "85.2"


@pytest.mark.parametrize("raw, ok", [(0, True), (100, True), (101, False), (-1, False), ("8.5", False)])
def test_each_score_is_a_whole_number_0_to_100(raw, ok):
    scores = {**ALL, "必要性": raw}
    if ok:
        assert S.check_scores(SHEET, scores)["必要性"] == int(raw)
    else:
        with pytest.raises(S.SheetError, match="0至100的整数"):
            S.check_scores(SHEET, scores)


def test_missing_and_unknown_items_are_named():
    with pytest.raises(S.SheetError, match="安全保障"):
        S.check_scores(SHEET, {k: v for k, v in ALL.items() if k != "安全保障"})
    with pytest.raises(S.SheetError, match="创新性"):
        S.check_scores(SHEET, {**ALL, "创新性": 5})


def test_average_median_spread():
    p = S.panel({"甲": Fraction(80), "乙": Fraction(90), "丙": Fraction(85)}, 15)
    assert (p.average, p.median, p.spread, p.outliers) == (85, 85, 10, frozenset())


def test_outlier_on_both_sides_of_the_threshold():
    at = S.panel({"甲": Fraction(80), "乙": Fraction(82), "丙": Fraction(65)}, 15)   # 丙 is 15 from 80
    assert at.outliers == frozenset()
    over = S.panel({"甲": Fraction(80), "乙": Fraction(82), "丙": Fraction(6499, 100)}, 15)  # 15.01
    assert over.outliers == {"丙"}
    high = S.panel({"甲": Fraction(80), "乙": Fraction(78), "丙": Fraction(9501, 100)}, 15)
    assert high.outliers == {"丙"}


def test_two_experts_are_never_outliers_however_far_apart():
    p = S.panel({"甲": Fraction(40), "乙": Fraction(95)}, 15)
    assert p.outliers == frozenset() and p.spread == 55 and p.average == Fraction(135, 2)


# ---- sessions through the operations ----------------------------------------------------------------

def _session(county, **kw):
    values = {"title": "2027年度第一次集中评审", "held_on": "2026-09-20", "venue": "县政府第三会议室",
              "method": "集中评审", **kw}
    return ops.add_review_session(county.store, county.county, values, today=D(2026, 9, 12))


def _ready(county):
    p = submitted(county)
    ops.transition(county.store, county.county, p["id"], "start_review", today=D(2026, 9, 10))
    s = _session(county)
    a = ops.add_review_expert(county.store, county.county, s["id"],
                              {"name": "王建国", "field": "信息化", "affiliation": "临沂大学 教授"})
    b = ops.add_review_expert(county.store, county.county, s["id"], {"name": "李秀英", "field": "财务"})
    ops.assign_to_review(county.store, county.county, s["id"], p["id"])
    return p, s, a, b


def test_only_the_county_office_holds_sessions(county):
    with pytest.raises(Refused, match="集中评审由县政府办公室组织"):
        ops.add_review_session(county.store, county.unit, {"title": "x", "held_on": "2026-09-20", "venue": "y",
                                                           "method": "central"})
    auditor = actor_for(county.store, "MYXZF", user_role="auditor")
    with pytest.raises(Refused, match="只读审计"):
        ops.add_review_session(county.store, auditor, {})


def test_bad_session_fields_are_named(county):
    with pytest.raises(ValidationError) as e:
        ops.add_review_session(county.store, county.county, {"title": "", "held_on": "九月", "venue": "会议室",
                                                             "method": "投票"})
    assert set(e.value.fields) == {"title", "held_on", "method"}


def test_a_project_is_assigned_only_while_under_review_and_to_one_session_at_a_time(county):
    p = submitted(county)
    s = _session(county)
    with pytest.raises(Refused, match="受理并组织评审"):
        ops.assign_to_review(county.store, county.county, s["id"], p["id"])
    ops.transition(county.store, county.county, p["id"], "start_review", today=D(2026, 9, 10))
    ops.assign_to_review(county.store, county.county, s["id"], p["id"])
    other = _session(county, title="另一次评审")
    with pytest.raises(Refused, match="尚未形成结论"):
        ops.assign_to_review(county.store, county.county, other["id"], p["id"])


def test_scores_replace_the_experts_earlier_entry_and_feed_the_panel(county):
    p, s, a, b = _ready(county)
    ops.score_review(county.store, county.county, s["id"], p["id"], a["id"], ALL, "必要，建议压缩硬件")
    ops.score_review(county.store, county.county, s["id"], p["id"], a["id"], {**ALL, "必要性": 100}, "必要")
    ops.score_review(county.store, county.county, s["id"], p["id"], b["id"], {**ALL, "安全保障": 0}, "补充密评")
    app = RS.load(county.store, s["id"]).applications[0]
    assert [e.total for e in app.experts] == [85, 68] and app.experts[0].opinion == "必要"
    assert app.panel.average == Fraction(153, 2) and app.panel.spread == 17 and app.all_scored
    with pytest.raises(ValidationError) as e:
        ops.score_review(county.store, county.county, s["id"], p["id"], b["id"], {**ALL, "必要性": 120}, "")
    assert set(e.value.fields) == {"scores", "opinion"}


def test_conclusion_waits_for_every_expert(county):
    p, s, a, _b = _ready(county)
    ops.score_review(county.store, county.county, s["id"], p["id"], a["id"], ALL, "同意")
    with pytest.raises(Refused, match="李秀英尚未对项目"):
        ops.conclude_review(county.store, county.county, s["id"], p["id"],
                            {"conclusion": "pass", "opinion": "同意", "approved_investment_fen": "100"},
                            today=D(2026, 9, 20))


def test_conclusion_becomes_the_projects_review_and_the_revise_loop_keeps_every_round(county):
    store = county.store
    p, s, a, b = _ready(county)
    for e in (a, b):
        ops.score_review(store, county.county, s["id"], p["id"], e["id"], ALL, f"{e['name']}：需细化方案")
    with pytest.raises(ValidationError, match="只有评审通过"):
        ops.conclude_review(store, county.county, s["id"], p["id"],
                            {"conclusion": "revise", "opinion": "修改", "approved_investment_fen": "90"},
                            today=D(2026, 9, 20))
    clerk = actor_for(store, "MYXZF", user_role="clerk")
    with pytest.raises(Refused, match="审核人"):
        ops.conclude_review(store, clerk, s["id"], p["id"], {"conclusion": "revise", "opinion": "修改"},
                            today=D(2026, 9, 20))
    out = ops.conclude_review(store, county.county, s["id"], p["id"],
                              {"conclusion": "修改后重新评审", "opinion": "细化建设方案后重新评审"},
                              today=D(2026, 9, 20))
    assert out["status"] == "revise" and out.changes.status
    review = store.for_project("review", p["id"])[0]
    assert (review["round"], review["reviewed_on"], review["method"]) == (1, "2026-09-20", "central")
    opinions = store.for_project("expert_opinion", p["id"])
    assert sorted(o["expert_name"] for o in opinions) == ["李秀英", "王建国"]
    assert {o["review_id"] for o in opinions} == {review["id"]}
    # the unit revises and resubmits; a second session passes it with an approved investment
    ops.transition(store, county.unit, p["id"], "resubmit", today=D(2026, 10, 8))
    ops.transition(store, county.county, p["id"], "start_review", today=D(2026, 10, 9))
    s2 = _session(county, title="2027年度第二次集中评审", held_on="2026-10-15")
    c = ops.add_review_expert(store, county.county, s2["id"], {"name": "赵敏"})
    ops.assign_to_review(store, county.county, s2["id"], p["id"])
    ops.score_review(store, county.county, s2["id"], p["id"], c["id"], ALL, "同意")
    with pytest.raises(ValidationError, match="核定投资"):
        ops.conclude_review(store, county.county, s2["id"], p["id"], {"conclusion": "pass", "opinion": "同意"},
                            today=D(2026, 10, 15))
    out = ops.conclude_review(store, county.county, s2["id"], p["id"],
                              {"conclusion": "pass", "opinion": "同意建设", "approved_investment_fen": "95"},
                              today=D(2026, 10, 15))
    assert out["status"] == "approved"
    assert [(r["title"], r["round"], r["conclusion"]) for r in RS.rounds(store, p["id"])] == [
        ("2027年度第一次集中评审", 1, "revise"), ("2027年度第二次集中评审", 2, "pass")]
    assert store.for_project("review", p["id"])[-1]["approved_investment_fen"] == 95_000_000
    with pytest.raises(Refused, match="已形成结论"):
        ops.score_review(store, county.county, s2["id"], p["id"], c["id"], ALL, "再改")


def test_a_refused_conclusion_writes_nothing(county):
    p, s, a, b = _ready(county)
    for e in (a, b):
        ops.score_review(county.store, county.county, s["id"], p["id"], e["id"], ALL, "同意")
    heads = county.store.one("SELECT COUNT(*) AS n FROM audit_log")["n"]
    with pytest.raises(ValidationError, match="晚于今天"):  # the session is on 9-20: not yet held
        ops.conclude_review(county.store, county.county, s["id"], p["id"],
                            {"conclusion": "reject", "opinion": "不予通过"}, today=D(2026, 9, 19))
    assert county.store.one("SELECT COUNT(*) AS n FROM audit_log")["n"] == heads
    assert county.store.for_project("review", p["id"]) == []
    assert county.store.get("project", p["id"])["status"] == "under_review"


def test_an_unknown_session_says_so(county):
    with pytest.raises(NotFound, match="评审会"):
        RS.find(county.store, "没有这个会")


# ---- one entry per write, removing an expert, withdrawing an application ----------------------------

def _entries(store):
    return store.all("SELECT operation, record_kind, project_id, before, after FROM audit_log ORDER BY seq")


def test_a_conclusion_is_one_audit_entry_holding_the_step_the_review_and_the_opinions(county):
    import json

    from desktop_app.services import audit

    store = county.store
    p, s, a, b = _ready(county)
    for e in (a, b):
        ops.score_review(store, county.county, s["id"], p["id"], e["id"], ALL, f"{e['name']}：同意")
    seen = len(_entries(store))
    ops.conclude_review(store, county.county, s["id"], p["id"],
                        {"conclusion": "pass", "opinion": "同意建设", "approved_investment_fen": "95"},
                        today=D(2026, 9, 20))
    new = _entries(store)[seen:]
    assert [e["operation"] for e in new] == ["评审会形成结论"]
    after = json.loads(new[0]["after"])
    assert json.loads(new[0]["before"]) == {"status": "under_review"} and after["status"] == "approved"
    assert after["review"]["approved_investment_fen"] == 95_000_000
    assert sorted(o["expert_name"] for o in after["expert_opinions"]) == ["李秀英", "王建国"]
    assert audit.verify(store) == []
    # nothing is left folded: the next write logs its own entry again
    ops.add_review_session(store, county.county, {"title": "下一次", "held_on": "2026-10-20", "venue": "会议室",
                                                  "method": "central"}, today=D(2026, 10, 1))
    assert _entries(store)[-1]["operation"] == "新建评审会"


def test_an_expert_with_no_scores_is_removed_in_one_entry(county):
    store = county.store
    _p, s, _a, b = _ready(county)
    seen = len(_entries(store))
    ops.remove_review_expert(store, county.county, s["id"], b["id"])
    assert [e["name"] for e in RS.load(store, s["id"]).experts] == ["王建国"]
    assert [e["operation"] for e in _entries(store)[seen:]] == ["移除评审专家"]
    with pytest.raises(NotFound):
        ops.remove_review_expert(store, county.county, s["id"], b["id"])


def test_an_expert_who_scored_an_open_application_goes_only_with_the_scores_confirmed(county):
    import json

    store = county.store
    p, s, a, b = _ready(county)
    ops.score_review(store, county.county, s["id"], p["id"], b["id"], ALL, "误录")
    seen = len(_entries(store))
    with pytest.raises(Refused, match="李秀英已对项目.*评分（尚未形成结论）"):
        ops.remove_review_expert(store, county.county, s["id"], b["id"])
    assert len(_entries(store)) == seen and len(RS.load(store, s["id"]).experts) == 2
    ops.remove_review_expert(store, county.county, s["id"], b["id"], discard_scores=True)
    entries = _entries(store)[seen:]
    assert [e["operation"] for e in entries] == ["移除评审专家"]
    assert json.loads(entries[0]["before"])["scores"][0]["opinion"] == "误录"  # the log keeps what went
    assert store.one("SELECT COUNT(*) AS n FROM review_scores")["n"] == 0
    # the remaining expert alone can now carry the conclusion
    ops.score_review(store, county.county, s["id"], p["id"], a["id"], ALL, "同意")
    ops.conclude_review(store, county.county, s["id"], p["id"], {"conclusion": "reject", "opinion": "不予通过"},
                        today=D(2026, 9, 20))


def test_an_expert_whose_scores_are_in_a_conclusion_stays(county):
    store = county.store
    p, s, a, b = _ready(county)
    for e in (a, b):
        ops.score_review(store, county.county, s["id"], p["id"], e["id"], ALL, "同意")
    ops.conclude_review(store, county.county, s["id"], p["id"], {"conclusion": "reject", "opinion": "不予通过"},
                        today=D(2026, 9, 20))
    late = ops.add_review_expert(store, county.county, s["id"], {"name": "赵敏"})
    for flag in (False, True):
        with pytest.raises(Refused, match="王建国的评分已用于项目.*评审结论，不能移除"):
            ops.remove_review_expert(store, county.county, s["id"], a["id"], discard_scores=flag)
    ops.remove_review_expert(store, county.county, s["id"], late["id"])  # added after, scored nothing
    assert [e["name"] for e in RS.load(store, s["id"]).experts] == ["王建国", "李秀英"]


def test_only_the_county_office_removes_or_withdraws(county):
    p, s, a, _b = _ready(county)
    with pytest.raises(Refused, match="县政府办公室"):
        ops.remove_review_expert(county.store, county.unit, s["id"], a["id"])
    with pytest.raises(Refused, match="县政府办公室"):
        ops.unassign_from_review(county.store, county.unit, s["id"], p["id"])


def test_a_withdrawn_application_stays_under_review_and_may_go_before_another_session(county):
    store = county.store
    p, s, _a, _b = _ready(county)
    seen = len(_entries(store))
    ops.unassign_from_review(store, county.county, s["id"], p["id"])
    assert RS.load(store, s["id"]).applications == []
    assert [e["operation"] for e in _entries(store)[seen:]] == ["撤出评审会"]
    assert store.get("project", p["id"])["status"] == "under_review"
    with pytest.raises(Refused, match="没有提交评审会"):
        ops.unassign_from_review(store, county.county, s["id"], p["id"])
    other = _session(county, title="另一次评审")
    ops.assign_to_review(store, county.county, other["id"], p["id"])


def test_a_scored_application_is_withdrawn_only_with_the_scores_confirmed(county):
    store = county.store
    p, s, a, _b = _ready(county)
    ops.score_review(store, county.county, s["id"], p["id"], a["id"], ALL, "同意")
    seen = len(_entries(store))
    with pytest.raises(Refused, match="王建国已对项目.*评分"):
        ops.unassign_from_review(store, county.county, s["id"], p["id"])
    assert len(_entries(store)) == seen and len(RS.load(store, s["id"]).applications) == 1
    ops.unassign_from_review(store, county.county, s["id"], p["id"], discard_scores=True)
    assert store.one("SELECT COUNT(*) AS n FROM review_scores")["n"] == 0
    assert len(_entries(store)) == seen + 1


def test_a_concluded_application_is_not_withdrawn(county):
    store = county.store
    p, s, a, b = _ready(county)
    for e in (a, b):
        ops.score_review(store, county.county, s["id"], p["id"], e["id"], ALL, "同意")
    ops.conclude_review(store, county.county, s["id"], p["id"], {"conclusion": "reject", "opinion": "不予通过"},
                        today=D(2026, 9, 20))
    with pytest.raises(Refused, match="已对项目.*形成第1轮评审结论，不能撤出"):
        ops.unassign_from_review(store, county.county, s["id"], p["id"], discard_scores=True)
