"""第九条 as obligations: the risk assessment and the MLPS test recur like the crypto assessment (one
helper), the MLPS period by level, counted from go-live. Fixed dates, both sides of each boundary."""

import datetime as dt
import json

import pytest

from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.policy import PolicyProfile
from desktop_app.lifecycle.workdays import WorkCalendar

D = dt.date
ACCEPTED = "2025-03-02"


def facts(kind, *done_on, status="in_operation", level="3", went_live=None, others=()):
    return R.Facts(
        {"id": "p1", "code": "MY-2025-001", "status": status, "plan_year": 2025, "category": "new",
         "lead_org_id": "u1", "mlps_level": level, "total_investment_fen": 100, "went_live_on": went_live},
        {"acceptance_result": [{"id": "a", "conclusion": "pass", "accepted_on": ACCEPTED}],
         "security_record": [{"security_kind": kind, "done_on": d} for d in done_on]
         + [{"security_kind": k, "done_on": "2026-01-05"} for k in others]})


def found(rule_id, f, today, **profile) -> list[R.Finding]:
    return list(R.RULES_BY_ID[rule_id].fn(f, R.Context(today, WorkCalendar(), PolicyProfile(**profile))))


def one(rule_id, f, today, **profile) -> R.Finding:
    [x] = found(rule_id, f, today, **profile)
    return x


# ---- the risk assessment -----------------------------------------------------------------------

def test_first_risk_assessment_due_one_period_after_go_live():
    f = facts("risk_assessment", others=("crypto_assessment", "mlps_testing"))  # other kinds never count
    x = one("R09-risk-assessment", f, D(2026, 3, 2))
    assert (x.state, x.due.day, x.clause) == (R.UPCOMING, D(2026, 3, 2), "第九条")
    assert "首次网络与信息安全风险评估" in x.message and x.tab == "security"
    assert one("R09-risk-assessment", f, D(2026, 3, 3)).state == R.OVERDUE
    # far off: pending; within the reminder window: upcoming
    assert one("R09-risk-assessment", f, D(2026, 1, 5)).state == R.PENDING


def test_risk_assessment_recurs_from_the_last_one():
    f = facts("risk_assessment", "2026-02-10")
    x = one("R09-risk-assessment", f, D(2026, 6, 1))
    assert x.state == R.DONE and x.due.day == D(2027, 2, 10)
    assert "每12个月评估一次，下次应于2027年2月10日前完成" in x.message
    assert one("R09-risk-assessment", f, D(2027, 2, 10)).state == R.UPCOMING
    assert one("R09-risk-assessment", f, D(2027, 2, 11)).state == R.OVERDUE
    f2 = facts("risk_assessment", "2026-02-10", "2027-01-20")
    assert one("R09-risk-assessment", f2, D(2027, 2, 11)).due.day == D(2028, 1, 20)


def test_risk_assessment_period_comes_from_the_profile():
    f = facts("risk_assessment", "2026-02-10")
    assert one("R09-risk-assessment", f, D(2026, 8, 10), risk_assessment_months=6).state == R.UPCOMING
    x = one("R09-risk-assessment", f, D(2026, 8, 11), risk_assessment_months=6)
    assert x.state == R.OVERDUE and "每6个月评估一次" in x.message


def test_a_late_risk_assessment_keeps_its_lateness():
    x = one("R09-risk-assessment", facts("risk_assessment", "2026-03-04"), D(2026, 6, 1))
    assert x.state == R.DONE and x.late_workdays == 2 and x.state_text == "已完成（逾期2个工作日）"


def test_before_acceptance_a_reminder_never_a_gate():
    building = facts("risk_assessment", status="in_construction")
    x = one("R09-risk-assessment", building, D(2026, 6, 1))
    assert x.state == R.PENDING and x.gate is None and "申请竣工验收前" in x.message
    building.records["controllable_product"] = [{}]
    assert R.gates(building, R.Context(D(2026, 6, 1), WorkCalendar(), PolicyProfile()), "request_acceptance") \
        == []
    # one done during construction: the reminder goes; a failed acceptance asks again only if none exists
    assert found("R09-risk-assessment", facts("risk_assessment", "2024-10-01", status="in_construction"),
                 D(2026, 6, 1)) == []
    assert one("R09-risk-assessment", facts("risk_assessment", status="failed"), D(2026, 6, 1)).state == R.PENDING
    # requested or not yet built: nothing to remind
    assert found("R09-risk-assessment", facts("risk_assessment", status="acceptance_requested"), D(2026, 6, 1)) == []
    assert found("R09-risk-assessment", facts("risk_assessment", status="planned"), D(2026, 6, 1)) == []


def test_an_assessment_during_construction_does_not_start_the_periodic_cycle():
    x = one("R09-risk-assessment", facts("risk_assessment", "2024-10-01"), D(2026, 3, 3))
    assert x.state == R.OVERDUE and "首次" in x.message


# ---- counted from go-live (the later of acceptance and went_live_on, as 第六条's self-evaluation) ----

@pytest.mark.parametrize("rule_id,kind", [("R09-risk-assessment", "risk_assessment"),
                                          ("R09-crypto", "crypto_assessment"), ("R09-mlps-testing", "mlps_testing")])
def test_first_due_counts_from_a_later_go_live(rule_id, kind):
    f = facts(kind, went_live="2025-05-20")
    assert one(rule_id, f, D(2026, 5, 20)).state == R.UPCOMING
    x = one(rule_id, f, D(2026, 5, 21))
    assert x.state == R.OVERDUE and x.due.day == D(2026, 5, 20)
    # a test between acceptance and going live counts as the first (done before the system went out)
    y = one(rule_id, facts(kind, "2025-04-01", went_live="2025-05-20"), D(2026, 3, 1))
    assert y.state == R.DONE and y.due.day == D(2026, 4, 1)


def test_every_recurring_rule_is_declared():
    assert R.RECURRING == {"R09-crypto", "R09-mlps-testing", "R09-risk-assessment"}


# ---- MLPS testing by level ------------------------------------------------------------------------

@pytest.mark.parametrize("level,months,due,words", [
    ("2", 24, D(2027, 3, 2), "第二级系统每24个月测评一次"),
    ("3", 12, D(2026, 3, 2), "第三级系统每12个月测评一次"),
    ("4", 6, D(2025, 9, 2), "第四级系统每6个月测评一次"),
])
def test_mlps_first_test_due_by_level(level, months, due, words):
    f = facts("mlps_testing", level=level)
    assert one("R09-mlps-testing", f, due).state == R.UPCOMING
    x = one("R09-mlps-testing", f, due + dt.timedelta(days=1))
    assert x.state == R.OVERDUE and x.due.day == due and words in x.message


@pytest.mark.parametrize("level,next_due", [("2", D(2028, 1, 10)), ("3", D(2027, 1, 10)), ("4", D(2026, 7, 10))])
def test_mlps_next_test_by_level(level, next_due):
    f = facts("mlps_testing", "2026-01-10", level=level)
    before = next_due - dt.timedelta(days=40)
    x = one("R09-mlps-testing", f, before)
    assert x.state == R.DONE and x.due.day == next_due
    assert one("R09-mlps-testing", f, next_due).state == R.UPCOMING
    assert one("R09-mlps-testing", f, next_due + dt.timedelta(days=1)).state == R.OVERDUE


def test_level_one_and_unset_have_no_testing_obligation():
    for level in ("1", None, ""):
        assert found("R09-mlps-testing", facts("mlps_testing", level=level), D(2030, 1, 1)) == []


def test_mlps_periods_come_from_the_profile():
    f = facts("mlps_testing", "2026-01-10", level="2")
    assert one("R09-mlps-testing", f, D(2027, 1, 11), mlps2_testing_months=12).state == R.OVERDUE
    f4 = facts("mlps_testing", "2026-01-10", level="4")
    assert one("R09-mlps-testing", f4, D(2026, 7, 11), mlps4_testing_months=12).state == R.DONE


def test_an_old_stored_profile_keeps_its_values_and_gains_the_new_periods():
    old = json.dumps({"mlps_testing_months": 18, "crypto_assessment_months": 24, "upcoming_workdays": 5})
    p = PolicyProfile.from_json(old)
    assert (p.mlps_testing_months, p.crypto_assessment_months, p.upcoming_workdays) == (18, 24, 5)
    assert (p.mlps2_testing_months, p.mlps4_testing_months, p.risk_assessment_months) == (24, 6, 12)
