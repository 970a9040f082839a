"""第九条 定期评估: the crypto assessment recurs — each one starts the next period; one assessment is not
done forever. Fixed dates, both sides of each boundary."""

import datetime as dt

from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.policy import PolicyProfile
from desktop_app.lifecycle.workdays import WorkCalendar

D = dt.date
ACCEPTED = "2025-03-02"


def facts(*assessed_on, status="in_operation"):
    return R.Facts(
        {"id": "p1", "code": "MY-2025-001", "status": status, "plan_year": 2025, "category": "new",
         "lead_org_id": "u1", "mlps_level": "3", "total_investment_fen": 100},
        {"acceptance_result": [{"conclusion": "pass", "accepted_on": ACCEPTED}],
         "security_record": [{"security_kind": "crypto_assessment", "done_on": d} for d in assessed_on]
         + [{"security_kind": "mlps_testing", "done_on": "2027-01-05"}]})  # another kind never counts


def crypto(f, today, **profile) -> R.Finding:
    [x] = R.r_crypto(f, R.Context(today, WorkCalendar(), PolicyProfile(**profile)))
    return x


def test_first_assessment_due_one_period_after_go_live():
    x = crypto(facts(), D(2026, 3, 2))
    assert (x.state, x.due.day) == (R.UPCOMING, D(2026, 3, 2)) and "首次" in x.message
    assert crypto(facts(), D(2026, 3, 3)).state == R.OVERDUE


def test_next_assessment_due_one_period_after_the_last():
    f = facts("2026-02-10")
    far = crypto(f, D(2026, 6, 1))
    assert far.state == R.DONE and far.due.day == D(2027, 2, 10)
    assert "下次应于2027年2月10日前完成" in far.message and far.late_workdays is None
    assert crypto(f, D(2027, 2, 10)).state == R.UPCOMING   # the due day itself is not late
    late = crypto(f, D(2027, 2, 11))
    assert late.state == R.OVERDUE and late.due.day == D(2027, 2, 10)


def test_each_assessment_restarts_the_period():
    f = facts("2026-02-10", "2027-01-20")
    x = crypto(f, D(2027, 2, 11))  # overdue under the first assessment alone, not after the second
    assert x.state == R.DONE and x.due.day == D(2028, 1, 20)
    assert crypto(f, D(2028, 1, 21)).state == R.OVERDUE


def test_period_comes_from_the_profile():
    f = facts("2026-02-10")
    assert crypto(f, D(2026, 8, 10), crypto_assessment_months=6).state == R.UPCOMING
    x = crypto(f, D(2026, 8, 11), crypto_assessment_months=6)
    assert x.state == R.OVERDUE and x.due.day == D(2026, 8, 10) and "每6个月定期评估" in x.message
    assert crypto(f, D(2026, 8, 11)).state == R.DONE  # the default period is 12 months


def test_a_late_assessment_keeps_its_lateness_and_restarts_from_its_own_date():
    # the first was due 2026-03-02 (Mon) and came on 2026-03-04: two working days late
    x = crypto(facts("2026-03-04"), D(2026, 6, 1))
    assert x.state == R.DONE and x.late_workdays == 2 and x.state_text == "已完成（逾期2个工作日）"
    assert x.due.day == D(2027, 3, 4)
    # the second is measured against the first's date plus a period
    y = crypto(facts("2026-03-04", "2027-03-04"), D(2027, 6, 1))
    assert y.state == R.DONE and y.late_workdays is None and y.due.day == D(2028, 3, 4)


def test_nothing_before_acceptance_and_assessments_before_go_live_do_not_count():
    assert list(R.r_crypto(R.Facts({"id": "p", "code": "c", "status": "in_construction"}, {}),
                           R.Context(D(2026, 6, 1), WorkCalendar(), PolicyProfile()))) == []
    x = crypto(facts("2025-01-10"), D(2026, 3, 3))
    assert x.state == R.OVERDUE and "首次" in x.message
