"""Lateness is kept: an obligation met after its deadline is 已完成（逾期N个工作日）, for every deadline rule,
counted in working days with the official calendar, and counted in 统计分析 and the ledger."""

import datetime as dt

import pytest

from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.policy import PolicyProfile
from desktop_app.lifecycle.workdays import DueDate, WorkCalendar
from desktop_app.services import operations as ops
from desktop_app.services import queries, stats
from tests.core import builders as B

D = dt.date
TODAY = D(2026, 12, 15)  # after every date below
# 2026-09-30 (Wed) is the last working day before the National Day holiday (1-7 October 2026); the next
# working days are Thu 8, Fri 9 and Sat 10 October (a make-up working day), then Mon 12 October.
DUE = D(2026, 9, 30)
AFTER_HOLIDAY = [("2026-09-30", None), ("2026-10-08", 1), ("2026-10-03", 1), ("2026-10-10", 3), ("2026-10-12", 4)]


def facts(status, records, **project):
    p = {"id": "p1", "code": "MY-2025-001", "status": status, "plan_year": 2025, "category": "new",
         "lead_org_id": "u1", "mlps_level": "2", "total_investment_fen": 100, **project}
    return R.Facts(p, {k: list(v) for k, v in records.items()})


def ctx(today=TODAY):
    return R.Context(today, WorkCalendar(), PolicyProfile())


# Each obligation: how the records look when it was met on `met` (ISO date). Start dates are chosen so
# every due date is 2026-09-30 (checked below); the progress report's due date is 31 December.
def contract(met):  # 第四条: 5 working days after signing (25 September 2026 is 中秋节)
    return facts("in_construction", {"contract": [
        {"id": "c", "contract_no": "HT-1", "signed_on": "2026-09-22", "filed_on": met, "amount_fen": 50}]})


def problem(met):  # 第四条: 10 working days (county interpretation of 及时)
    return facts("in_construction", {"problem_report": [
        {"id": "x", "occurred_on": "2026-09-16", "reported_on": met}]})


def higher_filing(met):  # 第三条: 20 working days after the upper level approves
    return facts("planned", {"higher_level_filing": [
        {"id": "h", "upper_approved_on": "2026-09-02", "filed_on": met}]}, higher_level=1)


def rectify(met):  # 第五条: closed by the date set
    return facts("in_construction", {"finding": [
        {"id": "f", "description": "未按合同进度实施", "rectify_by": "2026-09-30", "closed_on": met}]})


def acceptance_report(met):  # 第六条: 10 working days after acceptance
    return facts("accepted", {"acceptance_result": [
        {"id": "a", "conclusion": "pass", "accepted_on": "2026-09-16", "report_filed_on": met}]})


def self_eval(met):  # 第六条: within 24 months of acceptance
    return facts("self_evaluated", {
        "acceptance_result": [{"id": "a", "conclusion": "pass", "accepted_on": "2024-09-30"}],
        "evaluation": [{"id": "e", "eval_kind": "self", "evaluated_on": met, "grade": "good"}]})


def performance(met):  # 第六条: poor performance rectified by the date set (a later, better evaluation)
    return facts("self_evaluated", {"evaluation": [
        {"id": "e", "eval_kind": "post", "grade": "poor", "rectify_by": "2026-09-30", "evaluated_on": "2026-06-01"},
        {"id": "e2", "eval_kind": "post", "grade": "good", "evaluated_on": met}]})


def security(kind):  # 第九条: 12 months after go-live (a level-3 system for the MLPS test)
    def build(met):
        return facts("in_operation", {
            "acceptance_result": [{"id": "a", "conclusion": "pass", "accepted_on": "2025-09-30"}],
            "security_record": [{"security_kind": kind, "done_on": met}]}, mlps_level="3")
    return build


def surplus(met):  # 第八条: 3 months after acceptance; met when the returns add up to the surplus
    return facts("accepted", {
        "acceptance_result": [{"id": "a", "conclusion": "pass", "accepted_on": "2026-06-30"}],
        "disbursement": [{"purpose": "construction", "amount_fen": 100}], "contract": [{"amount_fen": 90}],
        "surplus_return": [{"amount_fen": 4, "returned_on": "2026-08-03"}, {"amount_fen": 6, "returned_on": met}]})


OBLIGATIONS = {
    "R04-contract": contract, "R04-problem": problem, "R03-filing": higher_filing, "R05-rectify": rectify,
    "R06-report": acceptance_report, "R06-self-eval": self_eval, "R06-performance": performance,
    "R09-mlps-testing": security("mlps_testing"), "R09-crypto": security("crypto_assessment"),
    "R09-risk-assessment": security("risk_assessment"),
    "R08-surplus": surplus,
}
NEXT_DUE = {r: D(2027, 9, 30) for r in R.RECURRING}


def one(rule_id, f, today=TODAY) -> R.Finding:
    [x] = R.RULES_BY_ID[rule_id].fn(f, ctx(today))
    return x


@pytest.mark.parametrize("rule_id", OBLIGATIONS)
def test_met_on_the_due_date_is_done_and_not_late(rule_id):
    x = one(rule_id, OBLIGATIONS[rule_id]("2026-09-30"))
    # a recurring obligation (定期评估) carries the next cycle's due date: one period after this one
    assert x.due.day == NEXT_DUE.get(rule_id, DUE) and not x.due.tentative
    assert x.state == R.DONE and x.late_workdays is None
    assert x.state_text == "已完成" and "逾期" not in x.message


@pytest.mark.parametrize("rule_id", OBLIGATIONS)
def test_met_one_working_day_late_is_done_with_the_lateness_kept(rule_id):
    x = one(rule_id, OBLIGATIONS[rule_id]("2026-10-08"))  # eight calendar days, one working day
    assert x.state == R.DONE and x.late_workdays == 1
    assert x.state_text == "已完成（逾期1个工作日）"
    assert "逾期1个工作日" in x.message and "2026-10-08" in x.message
    d = x.as_dict()
    assert d["late_workdays"] == 1 and d["state_text"] == "已完成（逾期1个工作日）"
    assert d["state"] == "done" and d["state_label"] == "已完成"  # the old keys keep their meaning


@pytest.mark.parametrize("rule_id", ["R04-contract", "R05-rectify", "R06-report", "R08-surplus"])
@pytest.mark.parametrize("met,late", AFTER_HOLIDAY)
def test_lateness_counts_official_working_days_only(rule_id, met, late):
    # holidays do not count, the Saturday make-up day does; a date on a holiday counts as the next working day
    assert one(rule_id, OBLIGATIONS[rule_id](met)).late_workdays == late


def test_weekend_is_not_counted():
    x = one("R05-rectify", facts("in_construction", {"finding": [
        {"id": "f", "description": "问题", "rectify_by": "2026-11-20", "closed_on": "2026-11-23"}]}))
    assert x.late_workdays == 1  # Friday due, Monday closed


def test_progress_report_late_across_new_year():
    # due 31 December 2025; 1-3 January 2026 are holidays and Sunday 4 January a make-up working day
    def f(reported_on):
        return facts("in_construction", {"progress_report": [{"year": 2025, "reported_on": reported_on}]},
                     plan_year=2025)
    on_time = one_progress(f("2025-12-31"))
    assert on_time.state == R.DONE and on_time.late_workdays is None and on_time.due.day == D(2025, 12, 31)
    late = one_progress(f("2026-01-04"))
    assert late.state == R.DONE and late.late_workdays == 1 and late.state_text == "已完成（逾期1个工作日）"
    assert one_progress(f("2026-01-02")).late_workdays == 1
    assert one_progress(f("2026-01-05")).late_workdays == 2


def one_progress(f):
    return next(x for x in R.r_progress(f, ctx(D(2026, 3, 1))) if x.due.day.year == 2025)


def test_progress_report_counts_the_first_report_of_the_year():
    f = facts("in_construction", {"progress_report": [{"year": 2025, "reported_on": "2026-01-05"},
                                                      {"year": 2025, "reported_on": "2025-12-30"}]}, plan_year=2025)
    assert one_progress(f).late_workdays is None


def test_not_yet_met_is_overdue_not_late():
    x = one("R04-contract", contract(None))
    assert x.state == R.OVERDUE and x.late_workdays is None and x.state_text == "逾期"
    # part of the surplus returned after the due date: still overdue, nothing is "met late" yet
    f = surplus("2026-10-08")
    f.records["surplus_return"][1]["amount_fen"] = 5
    x = one("R08-surplus", f)
    assert x.state == R.OVERDUE and x.late_workdays is None


def test_security_record_before_go_live_does_not_count():
    f = security("mlps_testing")("2026-10-08")
    f.records["security_record"].insert(0, {"security_kind": "mlps_testing", "done_on": "2025-03-01"})
    assert one("R09-mlps-testing", f).late_workdays == 1


def test_met_late_helper():
    c = ctx()
    due = DueDate(DUE, False)
    assert R.met_late(c, due, None) is None
    assert R.met_late(c, due, D(2026, 9, 29)) is None
    assert R.met_late(c, due, DUE) is None
    assert R.met_late(c, due, D(2026, 10, 1)) == 1
    assert R.met_late(c, due, D(2026, 10, 9)) == 2


def test_late_contract_filing_is_no_longer_a_violation():
    x = one("R04-contract", contract("2026-10-12"))
    assert x.state == R.DONE and not x.open and x.late_workdays == 4
    assert "已于2026-10-12备案，逾期4个工作日" in x.message


# ---- 统计分析 ----------------------------------------------------------------------------------

def _finding(rule_id, clause, state, project="p1", late=None):
    return R.Finding(rule_id, clause, project, project, state, "", late_workdays=late)


def test_stats_count_late_obligations_per_clause_and_unit():
    rows = [{"id": "p1", "unit": "蒙阴县教育和体育局"}, {"id": "p2", "unit": "蒙阴县卫生健康局"}]
    findings = [
        _finding("R04-contract", "第四条", R.DONE, "p1", 2),
        _finding("R04-contract", "第四条", R.DONE, "p2", 1),
        _finding("R04-contract", "第四条", R.DONE, "p2"),  # on time: not counted
        _finding("R04-contract", "第四条", R.OVERDUE, "p2"),
        _finding("R06-report", "第六条", R.DONE, "p1", 5),
        _finding("R04-progress", "第四条", R.OVERDUE, "p1"),
    ]
    by_rule = {row[1]: row[2:] for row in stats.overdue_by_rule(findings).rows}
    assert by_rule == {"签订采购合同5个工作日内报备案": [1, 2], "验收完成后验收报告报县政府办公室备案": [0, 1],
                       "每年年底前报告建设进度和预算执行情况": [1, 0]}
    t = stats.late_by_unit(rows, findings)
    assert t.headers == ["建设单位", "逾期事项数", "逾期完成数"]
    assert t.rows == [["蒙阴县教育和体育局", 1, 2], ["蒙阴县卫生健康局", 1, 1]]
    ledger_rows = [dict(r, plan_year=2026, status="planned", total_investment_fen=0, disbursed_fen=0) for r in rows]
    assert [t.key for t in stats.figures(ledger_rows, findings)] == [
        "by_year", "by_unit", "by_status", "overdue_by_rule", "late_by_unit", "by_risk"]


# ---- the ledger --------------------------------------------------------------------------------

def _contract(c, pid, no, signed, filed, today):
    ops.add_record(c.store, c.unit, "contract", pid, {
        "contract_no": no, "title": "软件", "supplier": "某公司", "procurement_method": "open_tender",
        "amount_fen": "10", "signed_on": signed, "filed_on": filed}, today=today)


def test_ledger_counts_obligations_met_late(county):
    c = county
    p = B.in_construction(c)
    today = D(2026, 11, 20)
    _contract(c, p["id"], "HT-1", "2026-10-21", "2026-10-28", today)  # due 28 October: on time
    _contract(c, p["id"], "HT-2", "2026-10-21", "2026-10-29", today)  # one working day late
    ops.add_record(c.store, c.unit, "problem_report", p["id"], {
        "problem_kind": "delay", "occurred_on": "2026-10-22", "reported_on": "2026-11-19",
        "description": "工期严重滞后"}, today=today)  # due 5 November: ten working days late
    [row] = queries.ledger(c.store, [p["id"]])
    assert row["late_done"] == 2  # the operation refreshed this project's cache row
    queries.refresh_deadlines(c.store, today)
    [row] = queries.ledger(c.store, [p["id"]])
    assert row["late_done"] == 2 and row["overdue"] == 0
    lates = sorted(f.late_workdays for f in queries.check(c.store, today, [p["id"]]) if f.late_workdays)
    assert lates == [1, 10]
    other = B.new_project(c, c.unit2)
    assert queries.ledger(c.store, [other["id"]])[0]["late_done"] == 0


def test_migration_5_adds_the_late_count_and_recomputes_the_cache(tmp_path, monkeypatch):
    import desktop_app.models.store as store_mod
    from desktop_app.models.migrations import MIGRATIONS

    monkeypatch.setattr(store_mod, "MIGRATIONS", [m for m in MIGRATIONS if m[0] <= 3])
    s = store_mod.Store.open(tmp_path / "old.db")  # a file from before version 5
    s.set_setting("deadlines_computed_for", "2026-11-20")
    s.close()
    monkeypatch.setattr(store_mod, "MIGRATIONS", MIGRATIONS)
    s = store_mod.Store.open(tmp_path / "old.db")
    assert 5 in {r[0] for r in s.conn.execute("SELECT version FROM schema_migrations")}
    assert "late_done" in {r[1] for r in s.conn.execute("PRAGMA table_info(project_deadlines)")}
    assert s.get_setting("deadlines_computed_for") == ""  # stale: the next read recomputes every row
    s.close()
