"""Every rule on both sides of its boundary, as pure functions over hand-built records."""

import datetime as dt

import pytest

from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.policy import PolicyProfile
from desktop_app.lifecycle.workdays import WorkCalendar

D = dt.date


def facts(status="draft", records=None, **project):
    p = {"id": "p1", "code": "MY-2027-001", "status": status, "plan_year": 2027, "category": "new",
         "lead_org_id": "u1", "mlps_level": "2", "total_investment_fen": 100, **project}
    return R.Facts(p, {k: list(v) for k, v in (records or {}).items()})


def ctx(today, **kw):
    return R.Context(today, WorkCalendar(), PolicyProfile(), **kw)


def run(rule_id, f, today, **kw):
    return list(R.RULES_BY_ID[rule_id].fn(f, ctx(today, **kw)))


def states(rule_id, f, today, **kw):
    return [x.state for x in run(rule_id, f, today, **kw)]


def test_every_rule_cites_a_clause_and_ten_clauses_are_covered():
    clauses = {r.clause for r in R.RULES}
    assert clauses == {f"第{n}条" for n in "一二三四五六七八九十"}
    assert len({r.id for r in R.RULES}) == len(R.RULES)


# 第一条
def test_prohibited_needs_justification():
    assert states("R01-prohibited", facts(prohibited_types="website"), D(2026, 7, 1)) == [R.BLOCKED]
    assert states("R01-prohibited", facts(prohibited_types="website", prohibited_justification="上级统一要求"),
                  D(2026, 7, 1)) == [R.DONE]
    assert states("R01-prohibited", facts(), D(2026, 7, 1)) == []


# 第二条
def test_application_deadline_is_31_august_of_previous_year():
    f = facts()
    last_day = run("R02-deadline", f, D(2026, 8, 31))[0]
    assert last_day.state == R.UPCOMING and last_day.due.day == D(2026, 8, 31) and last_day.gate is None
    late = run("R02-deadline", f, D(2026, 9, 1))[0]
    assert late.state == R.OVERDUE and late.gate == "submit"
    assert states("R02-deadline", facts(status="submitted"), D(2026, 9, 1)) == []


def test_application_deadline_comes_from_the_profile():
    october = R.Context(D(2026, 9, 15), WorkCalendar(), PolicyProfile(application_month=10))
    [f] = R.r_deadline(facts(), october)
    assert f.due.day == D(2026, 10, 31) and f.state == R.PENDING


def test_open_plan_year_is_the_one_whose_deadline_has_not_passed():
    profile = PolicyProfile()
    assert R.open_plan_year(D(2026, 8, 31), profile) == 2027  # the deadline day itself is still open
    assert R.open_plan_year(D(2026, 9, 1), profile) == 2028
    assert R.open_plan_year(D(2026, 11, 26), profile) == 2028  # the case: 2027 closed on 08-31
    assert R.open_plan_year(D(2027, 1, 2), profile) == 2028
    # a project in the open year is not born overdue; one in the year before would be
    today = D(2026, 11, 26)
    assert states("R02-deadline", facts(plan_year=R.open_plan_year(today, profile)), today) == [R.PENDING]
    assert states("R02-deadline", facts(plan_year=2027), today) == [R.OVERDUE]
    # the deadline comes from the county's profile
    assert R.open_plan_year(D(2026, 11, 26), PolicyProfile(application_month=12)) == 2027
    assert R.open_plan_year(D(2026, 2, 1), PolicyProfile(application_month=1)) == 2028


def _materials(years=(2023, 2024, 2025), skip=None):
    mats = [{"material_type": c} for c in ("application_report", "plan", "budget", "history") if c != skip]
    return {"material": mats, "investment_history": [{"year": y} for y in years]}


def test_materials_complete():
    assert states("R02-materials", facts(records=_materials()), D(2026, 7, 1)) == []
    [f] = run("R02-materials", facts(records=_materials(skip="budget")), D(2026, 7, 1))
    assert f.state == R.BLOCKED and "投资预算" in f.message
    [f] = run("R02-materials", facts(records=_materials(years=(2024, 2025))), D(2026, 7, 1))
    assert "已填2年" in f.message


def test_consultation_required():
    assert states("R02-consult", facts(), D(2026, 7, 1)) == [R.BLOCKED]
    assert states("R02-consult", facts(records={"consultation": [{}]}), D(2026, 7, 1)) == []


# 第三条
def test_funding_needs_a_passing_review():
    funded = {"funding": [{"approved_fen": 1}]}
    assert states("R03-review-first", facts("planned", records=funded), D(2026, 11, 1)) == [R.VIOLATION]
    ok = {**funded, "review": [{"round": 1, "reviewed_on": "2026-09-01", "conclusion": "pass"}]}
    assert states("R03-review-first", facts("planned", records=ok), D(2026, 11, 1)) == []


def test_consent_before_applying_upward():
    def f(consent, applied):  # the consent is the county office's own record (第三条)
        return facts(higher_level=1, records={
            "higher_level_filing": [{"id": "h", "applied_upward_on": applied}],
            "upward_consent": [{"id": "c", "consent_on": consent}] if consent else []})
    assert states("R03-consent", f("2026-05-02", "2026-05-01"), D(2026, 7, 1)) == [R.VIOLATION]
    assert states("R03-consent", f("2026-05-01", "2026-05-01"), D(2026, 7, 1)) == [R.DONE]
    assert states("R03-consent", f(None, None), D(2026, 7, 1)) == [R.BLOCKED]
    assert states("R03-consent", facts(), D(2026, 7, 1)) == []


def test_filing_after_upper_approval():
    rec = {"id": "h", "upper_approved_on": "2026-11-02", "filed_on": None}
    f = facts("planned", higher_level=1, records={"higher_level_filing": [rec]})
    [due] = run("R03-filing", f, D(2026, 11, 2))
    assert due.due.day == D(2026, 11, 30)  # 20 working days
    assert states("R03-filing", f, D(2026, 11, 30)) == [R.UPCOMING]
    assert states("R03-filing", f, D(2026, 12, 1)) == [R.OVERDUE]
    rec["filed_on"] = "2026-11-20"
    assert states("R03-filing", f, D(2026, 12, 1)) == [R.DONE]


# 第四条
def _contract(filed=None, signed="2026-09-30"):
    return {"id": "c", "contract_no": "HT-1", "signed_on": signed, "filed_on": filed, "amount_fen": 50}


def test_contract_filing_five_working_days():
    f = facts("in_construction", records={"contract": [_contract()]})
    [x] = run("R04-contract", f, D(2026, 10, 13))
    assert x.due.day == D(2026, 10, 13) and x.state == R.UPCOMING
    assert states("R04-contract", f, D(2026, 10, 14)) == [R.OVERDUE]
    on_time = facts("in_construction", records={"contract": [_contract("2026-10-13")]})
    assert states("R04-contract", on_time, D(2026, 10, 20)) == [R.DONE]
    # filed one working day late: done, and the lateness is kept (it used to be a 违规)
    late = facts("in_construction", records={"contract": [_contract("2026-10-14")]})
    [x] = run("R04-contract", late, D(2026, 10, 20))
    assert x.state == R.DONE and x.late_workdays == 1 and x.state_text == "已完成（逾期1个工作日）"


def test_contract_filing_due_in_2027_is_tentative():
    f = facts("in_construction", records={"contract": [_contract(signed="2026-12-30")]})
    [x] = run("R04-contract", f, D(2026, 12, 30))
    assert x.due.tentative and "暂定" in x.message


def test_year_end_progress_report():
    f = facts("in_construction", plan_year=2026)
    assert states("R04-progress", f, D(2026, 12, 31)) == [R.UPCOMING]
    assert states("R04-progress", f, D(2027, 1, 1)) == [R.OVERDUE, R.PENDING]
    done = facts("in_construction", plan_year=2026, records={"progress_report": [{"year": 2026}]})
    assert states("R04-progress", done, D(2027, 1, 1))[0] == R.DONE
    assert states("R04-progress", facts("approved", plan_year=2026), D(2027, 1, 1)) == []


def _change(kind="major", implemented=0, delta=0):
    return {"id": "ch", "change_kind": kind, "submitted_on": "2026-10-01", "implemented_before_approval": implemented,
            "investment_delta_fen": delta}


def test_major_change_needs_finance_approval():
    pending = facts("in_construction", records={"change_request": [_change()]})
    assert states("R04-change", pending, D(2026, 11, 1)) == [R.PENDING]
    rogue = facts("in_construction", records={"change_request": [_change(implemented=1)]})
    assert states("R04-change", rogue, D(2026, 11, 1)) == [R.VIOLATION]
    county_only = {"change_request": [_change()], "change_decision": [
        {"change_request_id": "ch", "decider": "county_office", "decision": "approved"}]}
    assert states("R04-change", facts("in_construction", records=county_only), D(2026, 11, 1)) == [R.PENDING]
    county_only["change_decision"].append({"change_request_id": "ch", "decider": "finance", "decision": "approved"})
    assert states("R04-change", facts("in_construction", records=county_only), D(2026, 11, 1)) == [R.DONE]


def test_technical_change_decided_by_egov_office():
    recs = {"change_request": [_change("technical")], "change_decision": [
        {"change_request_id": "ch", "decider": "egov_office", "decision": "approved"}]}
    assert states("R04-change", facts("in_construction", records=recs), D(2026, 11, 1)) == [R.DONE]


def test_overspend_not_topped_up():
    recs = {"funding": [{"approved_fen": 100}], "contract": [_contract() | {"amount_fen": 100}]}
    assert states("R08-overspend", facts("in_construction", records=recs), D(2026, 11, 1)) == []
    recs["contract"].append(_contract() | {"amount_fen": 1})
    assert states("R08-overspend", facts("in_construction", records=recs), D(2026, 11, 1)) == [R.VIOLATION]
    # an approved major change raises the ceiling
    recs["change_request"] = [_change(delta=1)]
    recs["change_decision"] = [{"change_request_id": "ch", "decider": "finance", "decision": "approved"}]
    assert states("R08-overspend", facts("in_construction", records=recs), D(2026, 11, 1)) == []


def test_problem_reported_promptly():
    def f(reported):
        return facts("in_construction", records={"problem_report": [
            {"id": "x", "occurred_on": "2026-11-02", "reported_on": reported}]})
    assert states("R04-problem", f("2026-11-16"), D(2026, 12, 1)) == [R.DONE]  # 10th working day
    [late] = run("R04-problem", f("2026-11-17"), D(2026, 12, 1))  # reported late: done, lateness kept
    assert late.state == R.DONE and late.late_workdays == 1 and "逾期1个工作日" in late.message


def test_unfinished_unexplained_blocks_new_applications():
    late = facts("in_construction", planned_completion="2026-06-30")
    assert states("R04-cycle", late, D(2026, 6, 30)) == []
    assert states("R04-cycle", late, D(2026, 7, 1)) == [R.VIOLATION]
    explained = facts("in_construction", planned_completion="2026-06-30", delay_explanation="疫情影响，已报告")
    # the unit's own explanation is not enough: the county office must accept it (有效说明)
    assert states("R04-cycle", explained, D(2026, 7, 1)) == [R.VIOLATION]
    explained.records["delay_acceptance"] = [{"decision": "rejected", "decided_on": "2026-07-01"}]
    assert states("R04-cycle", explained, D(2026, 7, 1)) == [R.VIOLATION]
    explained.records["delay_acceptance"].append({"decision": "approved", "decided_on": "2026-07-02"})
    assert states("R04-cycle", explained, D(2026, 7, 3)) == []
    new = facts("draft", code="MY-2027-002")
    assert states("R04-cycle", new, D(2026, 7, 1), unexplained_by_org={"u1": ["MY-2025-001"]}) == [R.BLOCKED]
    assert states("R04-cycle", new, D(2026, 7, 1), unexplained_by_org={"u2": ["MY-2025-001"]}) == []


# 第五条
def _finding(rectify_by="2026-11-24", closed=None):
    return {"id": "f", "description": "未按合同进度实施", "rectify_by": rectify_by, "closed_on": closed}


def test_rectification_deadline_and_sanction_ladder():
    f = facts("in_construction", records={"finding": [_finding()]})
    assert states("R05-rectify", f, D(2026, 11, 24)) == [R.UPCOMING]
    [x] = run("R05-rectify", f, D(2026, 11, 25))
    assert x.state == R.OVERDUE and "建议下一步：通报批评" in x.message
    f.records["sanction"] = [{"sanction_kind": "reprimand", "lifted_on": None}]
    [x] = run("R05-rectify", f, D(2026, 11, 25))
    assert "建议下一步：暂缓拨付建设资金" in x.message
    closed = facts("in_construction", records={"finding": [_finding(closed="2026-11-20")]})
    assert states("R05-rectify", closed, D(2026, 11, 25)) == [R.DONE]


def test_withheld_funds_gate():
    held = facts("in_construction", records={"sanction": [{"sanction_kind": "withhold_funds", "lifted_on": None}]})
    assert states("R05-withheld", held, D(2026, 11, 1)) == [R.BLOCKED]
    lifted = facts("in_construction", records={"sanction": [{"sanction_kind": "withhold_funds",
                                                             "lifted_on": "2026-10-01"}]})
    assert states("R05-withheld", lifted, D(2026, 11, 1)) == []


# 第六条
def test_no_funds_after_cycle_without_acceptance():
    f = facts("in_construction", planned_completion="2026-10-31")
    assert states("R06-no-funds", f, D(2026, 10, 31)) == []
    assert states("R06-no-funds", f, D(2026, 11, 1)) == [R.BLOCKED]


def test_acceptance_due_or_extension():
    f = facts("in_construction", planned_completion="2026-05-31")  # + 6 months = 2026-11-30
    assert states("R06-apply", f, D(2026, 10, 1)) == []
    assert states("R06-apply", f, D(2026, 11, 30)) == [R.UPCOMING]
    assert states("R06-apply", f, D(2026, 12, 1)) == [R.OVERDUE]
    f.records["acceptance_extension"] = [{"id": "e", "new_date": "2027-03-31"}]
    assert states("R06-apply", f, D(2026, 12, 1)) == [R.OVERDUE]  # asked, not yet decided
    f.records["extension_decision"] = [{"extension_id": "e", "decision": "rejected", "decided_on": "2026-11-20"}]
    assert states("R06-apply", f, D(2026, 12, 1)) == [R.OVERDUE]
    f.records["extension_decision"].append({"extension_id": "e", "decision": "approved", "decided_on": "2026-11-25"})
    assert states("R06-apply", f, D(2026, 12, 1)) == []


def test_acceptance_report_filed():
    res = {"id": "a", "conclusion": "pass", "accepted_on": "2026-11-02", "report_filed_on": None}
    f = facts("accepted", records={"acceptance_result": [res]})
    [x] = run("R06-report", f, D(2026, 11, 2))
    assert x.due.day == D(2026, 11, 16)
    assert states("R06-report", f, D(2026, 11, 17)) == [R.OVERDUE]
    res["report_filed_on"] = "2026-11-10"
    assert states("R06-report", f, D(2026, 11, 17)) == [R.DONE]


def test_failed_acceptance_rectified_by_deadline():
    f = facts("failed", records={"acceptance_result": [{"conclusion": "fail", "rectify_by": "2026-12-31"}]})
    assert states("R06-failed", f, D(2026, 12, 31)) == [R.UPCOMING]
    assert states("R06-failed", f, D(2027, 1, 1)) == [R.OVERDUE]


def test_self_evaluation_window_12_to_24_months():
    acc = {"acceptance_result": [{"conclusion": "pass", "accepted_on": "2025-01-10"}]}
    f = facts("in_operation", records=acc)
    assert states("R06-self-eval", f, D(2026, 1, 9)) == [R.PENDING]
    assert states("R06-self-eval", f, D(2027, 1, 10)) == [R.UPCOMING]
    assert states("R06-self-eval", f, D(2027, 1, 11)) == [R.OVERDUE]
    done = facts("self_evaluated", records={**acc, "evaluation": [{"eval_kind": "self"}]})
    assert states("R06-self-eval", done, D(2027, 1, 11)) == [R.DONE]


def test_poor_performance_rectified():
    poor = {"id": "e", "grade": "poor", "rectify_by": "2026-12-31", "evaluated_on": "2026-06-01"}
    f = facts("self_evaluated", records={"evaluation": [poor]})
    assert states("R06-performance", f, D(2027, 1, 1)) == [R.OVERDUE]
    f.records["evaluation"].append({"id": "e2", "grade": "good", "evaluated_on": "2026-12-01"})
    assert states("R06-performance", f, D(2027, 1, 1))[0] == R.DONE


# 第七条
def test_sharing_gate_on_funds():
    f = facts("in_operation")
    [x] = run("R07-sharing", f, D(2026, 11, 1))
    assert x.state == R.BLOCKED and x.gate == "disburse"
    f.records = {"catalog_entry": [{}], "platform_connection": [{}]}
    assert states("R07-sharing", f, D(2026, 11, 1)) == [R.DONE]
    assert states("R07-sharing", facts("in_construction"), D(2026, 11, 1)) == []


# 第八条
def test_unplanned_project_gets_no_money():
    assert states("R08-unplanned", facts("submitted", records={"disbursement": [{}]}), D(2026, 11, 1)) == [R.VIOLATION]
    assert states("R08-unplanned", facts("planned", records={"disbursement": [{}], "funding": [{}]}),
                  D(2026, 11, 1)) == []


def test_surplus_returned():
    recs = {"acceptance_result": [{"conclusion": "pass", "accepted_on": "2026-06-30"}],
            "disbursement": [{"purpose": "construction", "amount_fen": 100}],
            "contract": [{"amount_fen": 90}]}
    f = facts("accepted", records=recs)
    [x] = run("R08-surplus", f, D(2026, 9, 30))
    assert x.due.day == D(2026, 9, 30) and x.state == R.UPCOMING
    assert states("R08-surplus", f, D(2026, 10, 1)) == [R.OVERDUE]
    recs["surplus_return"] = [{"amount_fen": 10}]
    assert states("R08-surplus", facts("accepted", records=recs), D(2026, 10, 1)) == [R.DONE]
    recs["contract"] = [{"amount_fen": 100}]
    assert states("R08-surplus", facts("accepted", records=recs), D(2026, 10, 1)) == []


def test_om_budget_for_large_projects():
    assert states("R08-om-budget", facts(large_project=1), D(2026, 7, 1)) == [R.BLOCKED]
    assert states("R08-om-budget", facts(large_project=1, om_estimate_fen=5), D(2026, 7, 1)) == []
    assert states("R08-om-budget", facts(large_project=0), D(2026, 7, 1)) == []


# 第九条
def test_mlps_level_fixed_before_approval():
    assert states("R09-mlps-level", facts(mlps_level=None), D(2026, 7, 1)) == [R.BLOCKED]
    assert states("R09-mlps-level", facts(), D(2026, 7, 1)) == []


@pytest.mark.parametrize("rule_id,kind", [("R09-mlps-testing", "mlps_testing"), ("R09-crypto", "crypto_assessment"),
                                          ("R09-risk-assessment", "risk_assessment")])
def test_security_after_go_live(rule_id, kind):
    acc = {"acceptance_result": [{"conclusion": "pass", "accepted_on": "2025-11-24"}]}
    f = facts("in_operation", mlps_level="3", records=dict(acc))  # level 3: tested yearly
    assert states(rule_id, f, D(2026, 11, 24)) == [R.UPCOMING]
    assert states(rule_id, f, D(2026, 11, 25)) == [R.OVERDUE]
    f.records["security_record"] = [{"security_kind": kind, "done_on": "2026-03-01"}]
    assert states(rule_id, f, D(2026, 11, 25)) == [R.DONE]
    f.records["security_record"] = [{"security_kind": kind, "done_on": "2025-03-01"}]  # before go-live
    assert states(rule_id, f, D(2026, 11, 25)) == [R.OVERDUE]


def test_level_one_needs_no_testing():
    acc = {"acceptance_result": [{"conclusion": "pass", "accepted_on": "2025-11-24"}]}
    assert states("R09-mlps-testing", facts("in_operation", mlps_level="1", records=acc), D(2026, 11, 25)) == []


def test_controllable_products_before_acceptance():
    assert states("R09-controllable", facts("in_construction"), D(2026, 7, 1)) == [R.BLOCKED]
    assert states("R09-controllable", facts("in_construction", records={"controllable_product": [{}]}),
                  D(2026, 7, 1)) == []


# 第十条
def test_classified_project_confirmed_by_secrecy_bureau():
    assert states("R10-classified", facts(classified=1), D(2026, 7, 1)) == [R.BLOCKED]
    assert states("R10-classified", facts(classified=1, records={"secrecy_confirmation": [{}]}),
                  D(2026, 7, 1)) == [R.DONE]
    assert states("R10-classified", facts("planned", classified=1), D(2026, 7, 1)) == [R.VIOLATION]
    assert states("R10-classified", facts(), D(2026, 7, 1)) == []


def test_county_rejection_ends_a_major_change():
    recs = {"change_request": [_change()], "change_decision": [
        {"change_request_id": "ch", "decider": "county_office", "decision": "rejected"}]}
    [x] = run("R04-change", facts("in_construction", records=recs), D(2026, 11, 1))
    assert x.state == R.DONE and "不予批准" in x.message
