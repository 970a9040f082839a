"""The policy profile's numbers: every value's range checked on both sides, the day in its month, a
window's bounds; a change is one audited operation and the rules use it at once."""

import datetime as dt
from dataclasses import replace

import pytest

from desktop_app.errors import ValidationError
from desktop_app.lifecycle import policy as P
from desktop_app.lifecycle.policy import POLICY_FIELDS, PolicyProfile, checked_profile
from desktop_app.services import operations as ops
from desktop_app.services import queries
from tests.core import builders as B
from tests.core.dbstate import snapshot

# a profile whose window is as wide as the ranges allow, so each bound is tested alone
WIDE = PolicyProfile(self_eval_min_months=0, self_eval_max_months=60,
                     partial_threshold_pct=1, duplicate_threshold_pct=100)
NUMBERS = [f for f in POLICY_FIELDS.values() if not f.is_text]


def refusal(changes, before=WIDE) -> dict:
    with pytest.raises(ValidationError) as exc:
        checked_profile(before, changes)
    return exc.value.fields


def test_every_number_is_described_with_clause_or_basis():
    P.check_registry()
    for f in POLICY_FIELDS.values():
        assert f.label and f.says, f.name
        assert f.clause or f.basis == P.REMINDER or f.is_text, f.name
    county = {f.name for f in POLICY_FIELDS.values() if f.basis == P.COUNTY_RULE}
    # the notice says 及时 / gives no number exactly there
    assert county == {"problem_report_workdays", "higher_filing_workdays", "acceptance_grace_months",
                      "acceptance_report_workdays", "mlps_testing_months", "mlps2_testing_months",
                      "mlps4_testing_months", "crypto_assessment_months", "risk_assessment_months",
                      "surplus_return_months", "duplicate_threshold_pct", "partial_threshold_pct",
                      "review_sheet", "review_outlier_points",
                      "om_budget_threshold_wan", "poor_rectify_months"}
    assert POLICY_FIELDS["application_month"].clause == "第二条"
    assert POLICY_FIELDS["contract_filing_workdays"].basis == P.NOTICE_RULE


@pytest.mark.parametrize("meta", NUMBERS, ids=lambda f: f.name)
def test_each_range_is_checked_on_both_sides(meta):
    for ok in (meta.low, meta.high):
        after, _ = checked_profile(WIDE, {meta.name: str(ok)})
        assert getattr(after, meta.name) == ok
    for bad in (meta.low - 1, meta.high + 1):
        fields = refusal({meta.name: str(bad)})
        assert list(fields) == [meta.name]
        assert f"「{meta.label}」" in fields[meta.name] and f"{meta.low}至{meta.high}" in fields[meta.name]


@pytest.mark.parametrize("raw", ["", "abc", "1.5", "十", True])
def test_a_number_must_be_a_whole_number(raw):
    fields = refusal({"contract_filing_workdays": raw})
    assert "「合同及采购文件备案期限」必须是整数" in fields["contract_filing_workdays"]


def test_full_width_digits_and_spaces_are_read():
    after, _ = checked_profile(WIDE, {"contract_filing_workdays": " １０ "})
    assert after.contract_filing_workdays == 10


@pytest.mark.parametrize(("month", "day", "ok"), [
    (2, 28, True), (2, 29, False), (4, 30, True), (4, 31, False), (8, 31, True), (11, 31, False), (10, 31, True)])
def test_the_day_must_exist_in_the_month(month, day, ok):
    for m_name, d_name in P.MONTH_DAYS:
        changes = {m_name: month, d_name: day}
        if ok:
            after, _ = checked_profile(WIDE, changes)
            assert (getattr(after, m_name), getattr(after, d_name)) == (month, day)
        else:
            fields = refusal(changes)
            assert list(fields) == [d_name]
            assert f"「{POLICY_FIELDS[d_name].label}」" in fields[d_name]
            assert ("2月29日并非每年都有" if (month, day) == (2, 29) else f"{month}月没有{day}日") in fields[d_name]


def test_changing_only_the_month_is_checked_against_the_stored_day():
    fields = refusal({"application_month": "9"}, PolicyProfile())  # stored day 31: September has 30
    assert "application_month" in fields and "9月没有31日" in fields["application_month"]


def test_a_window_lower_bound_must_lie_below_its_upper_bound():
    base = PolicyProfile()  # 12 to 24 months
    assert checked_profile(base, {"self_eval_min_months": 23})[0].self_eval_min_months == 23
    for bad in (24, 25):
        fields = refusal({"self_eval_min_months": bad}, base)
        assert "「绩效自评价最早（验收后）」" in fields["self_eval_min_months"] and "必须小于" in fields["self_eval_min_months"]
    assert checked_profile(base, {"self_eval_max_months": 13})[0].self_eval_max_months == 13
    fields = refusal({"self_eval_max_months": 12}, base)
    assert "self_eval_max_months" in fields


def test_text_values_and_unknown_names():
    assert "不能为空" in refusal({"county_name": "  "})["county_name"]
    assert "不超过40个字" in refusal({"notice_no": "字" * 41})["notice_no"]
    assert "没有名为「no_such」的政策参数" in refusal({"no_such": 1})["no_such"]
    assert checked_profile(WIDE, {"county_name": "平邑县"})[0].county_name == "平邑县"


def test_only_values_that_differ_count_as_changed():
    after, changed = checked_profile(PolicyProfile(), {"application_month": "8", "contract_filing_workdays": 7})
    assert changed == {"contract_filing_workdays": 7}
    assert replace(PolicyProfile(), contract_filing_workdays=7) == after


def audit_count(store):
    return store.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]


def test_a_change_is_one_audited_operation_and_a_refusal_changes_nothing(county):
    c = county
    before, n = snapshot(c.store), audit_count(c.store)
    with pytest.raises(ValidationError):
        ops.set_policy(c.store, c.county, {"application_month": "2", "application_day": "30"})
    assert snapshot(c.store) == before
    row = ops.set_policy(c.store, c.county, {"application_month": "10", "application_day": "31"})
    assert row["application_month"] == 10 and row.changes.settings
    assert audit_count(c.store) == n + 1
    entry = c.store.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert entry["operation"] == "修改政策参数" and "application_month" in entry["summary"]
    assert "application_day" not in entry["summary"]  # 31 was already stored
    again = ops.set_policy(c.store, c.county, {"application_month": "10"})
    assert not again.changes.settings and audit_count(c.store) == n + 1


def test_the_rules_use_a_new_value_at_once(county):
    c = county
    p = B.in_construction(c)
    today = dt.date(2026, 11, 24)
    ops.add_record(c.store, c.unit, "contract", p["id"], {
        "contract_no": "HT-2026-11", "title": "平台软件开发", "supplier": "山东某信息技术有限公司",
        "procurement_method": "open_tender", "amount_fen": "68.5", "signed_on": "2026-11-20"}, today=today)

    def contract_due():
        found = [f for f in queries.check(c.store, today, [p["id"]]) if f.due and "HT-2026-11" in f.message]
        return found[0].due.day

    assert contract_due() == dt.date(2026, 11, 27)  # 5 working days after Friday 20 November
    ops.set_policy(c.store, c.county, {"contract_filing_workdays": "3"})
    assert contract_due() == dt.date(2026, 11, 25)
