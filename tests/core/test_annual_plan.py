"""第八条 the annual plan and the budget, on both sides of each boundary: which projects are in the plan and
with what amount; no money outside the plan; construction budget within the approved funds; 轻重缓急 ranks
unique in a year; O&M budget only for a large project with high O&M, once it runs, within its estimate."""

import datetime as dt

import pytest

from desktop_app.errors import Refused, ValidationError
from desktop_app.services import annual_plan as AP
from desktop_app.services import operations as ops
from tests.core import builders as B

D = dt.date
FUND = {"decided_on": "2026-10-20", "approved_fen": "100"}
BUDGET_DAY = D(2026, 12, 1)


def _reviewed(c, conclusion="pass", approved=None, **overrides):
    p = B.submitted(c, **overrides)
    ops.transition(c.store, c.county, p["id"], "start_review", today=D(2026, 9, 10))
    review = {"reviewed_on": "2026-09-15", "method": "central", "conclusion": conclusion, "opinion": "意见"}
    if approved is not None:
        review["approved_investment_fen"] = approved
    ops.transition(c.store, c.county, p["id"], "record_review", review, today=D(2026, 9, 15))
    return p


def codes(c, year):
    return [i.code for i in AP.annual_plan(c.store, year).items]


def test_the_plan_holds_approved_projects_of_its_year_with_the_approved_amount(county):
    c = county
    waiting = B.submitted(c, name="尚在评审的项目")
    passed = _reviewed(c, approved="90", name="县智慧教育云平台")
    no_figure = _reviewed(c, name="县教育资源公共服务平台")
    rejected = _reviewed(c, conclusion="reject", name="不予通过的项目")
    later = _reviewed(c, plan_year="2028", planned_start="2028-03-01", planned_completion="2028-12-31",
                      name="下一年度的项目")
    plan = AP.annual_plan(c.store, 2027)
    assert {i.code for i in plan.items} == {passed["code"], no_figure["code"]}
    amounts = {i.code: i.approved_fen for i in plan.items}
    assert amounts == {passed["code"]: 90_000_000, no_figure["code"]: 120_000_000}  # no figure: total investment
    assert plan.approved_total == 210_000_000
    assert codes(c, 2028) == [later["code"]]
    assert waiting["code"] not in codes(c, 2027) and rejected["code"] not in codes(c, 2027)
    ops.transition(c.store, c.county, no_figure["id"], "terminate", {"imposed_on": "2026-10-01", "reason": "撤销"},
                   today=D(2026, 10, 1))
    assert codes(c, 2027) == [passed["code"]]


def test_money_only_in_the_budget_of_the_projects_plan_year(county):
    c = county
    p = _reviewed(c)  # plan year 2027
    for year in ("2026", "2028"):
        with pytest.raises(Refused, match=f"资金只能列入2027年度预算；未列入{year}年度建设计划") as e:
            ops.transition(c.store, c.finance, p["id"], "fund", {**FUND, "budget_year": year}, today=D(2026, 10, 20))
        assert e.value.clause == "第八条"
    ops.transition(c.store, c.finance, p["id"], "fund", {**FUND, "budget_year": "2027"}, today=D(2026, 10, 20))
    [item] = AP.annual_plan(c.store, 2027).items
    assert item.funded_fen == 100_000_000 and item.status == "planned"


def _budget(c, p, year="2027", kind="construction", amount="100", priority=None, today=BUDGET_DAY):
    values = {"year": year, "budget_kind": kind, "amount_fen": amount}
    if priority is not None:
        values["priority"] = priority
    return ops.add_record(c.store, c.finance, "budget", p["id"], values, today=today)


def test_construction_budget_within_the_funded_amount_of_a_planned_year(county):
    c = county
    p = B.in_construction(c)  # funded 100 万元 for 2027
    with pytest.raises(Refused, match="未列入2028年度建设计划") as e:
        _budget(c, p, year="2028", amount="1")
    assert e.value.clause == "第八条"
    with pytest.raises(Refused, match="超过核定资金100"):
        _budget(c, p, amount="100.000001")
    _budget(c, p, amount="60")
    with pytest.raises(Refused, match="合计将达100.01万元"):
        _budget(c, p, amount="40.01")
    _budget(c, p, amount="40", priority="1")
    [item] = AP.annual_plan(c.store, 2027).items
    assert (item.construction_fen, item.om_fen, item.priority) == (100_000_000, 0, 1)


def test_a_rank_belongs_to_one_project_of_the_year_and_orders_the_plan(county):
    c = county
    first = B.in_construction(c, name="县智慧教育云平台")
    second = B.in_construction(c, name="县中小学安全监管平台")
    _budget(c, second, amount="50", priority="1")
    with pytest.raises(ValidationError) as e:
        _budget(c, first, amount="50", priority="1")
    assert "第1位已给了项目" in e.value.fields["priority"] and second["code"] in e.value.fields["priority"]
    _budget(c, first, amount="50", priority="2")
    assert codes(c, 2027) == [second["code"], first["code"]]  # 轻重缓急, not the code order
    _budget(c, second, year="2027", amount="10", priority="1")  # the same project may hold its rank again


LARGE = {"large_project": "1", "total_investment_fen": "120"}


def test_om_budget_only_for_a_large_project_with_high_om(county):
    c = county
    small = B.accepted(c, name="小项目", om_estimate_fen="30")
    large_low = B.accepted(c, name="运维费用不高的大型项目", om_estimate_fen="19.999999", **LARGE)
    large_high = B.accepted(c, name="运维费用较高的大型项目", om_estimate_fen="20", **LARGE)
    for p in (small, large_low):
        with pytest.raises(Refused, match="从本单位公用经费中解决") as e:
            _budget(c, p, year="2028", kind="om", amount="1", today=D(2027, 12, 10))
        assert e.value.clause == "第八条"
    _budget(c, large_high, year="2028", kind="om", amount="20", today=D(2027, 12, 10))
    [line] = AP.annual_plan(c.store, 2028).om_lines  # the 2028 budget: O&M of a project of the 2027 plan
    assert (line.code, line.plan_year, line.amount_fen) == (large_high["code"], 2027, 20_000_000)
    item = {i.code: i for i in AP.annual_plan(c.store, 2027).items}[large_high["code"]]
    assert item.om_department and not {i.code: i for i in AP.annual_plan(c.store, 2027).items}[small["code"]].om_department


def test_om_threshold_is_the_countys_setting(county):
    c = county
    p = B.accepted(c, om_estimate_fen="15", **LARGE)
    with pytest.raises(Refused, match="不低于每年20万元"):
        _budget(c, p, year="2028", kind="om", amount="15", today=D(2027, 12, 10))
    ops.set_policy(c.store, c.county, {"om_budget_threshold_wan": 15})
    _budget(c, p, year="2028", kind="om", amount="15", today=D(2027, 12, 10))


def test_om_budget_once_the_project_runs_and_within_its_estimate(county):
    c = county
    building = B.in_construction(c, om_estimate_fen="30", **LARGE)
    with pytest.raises(Refused, match="尚未通过竣工验收"):
        _budget(c, building, year="2028", kind="om", amount="1")
    running = B.accepted(c, name="已验收的大型项目", om_estimate_fen="30", **LARGE)
    _budget(c, running, year="2028", kind="om", amount="25", today=D(2027, 12, 10))
    with pytest.raises(Refused, match="合计将达30.01万元，超过申报时报审的运维经费概算"):
        _budget(c, running, year="2028", kind="om", amount="5.01", today=D(2027, 12, 10))
    _budget(c, running, year="2028", kind="om", amount="5", today=D(2027, 12, 10))


def test_govis_plan_json_and_xlsx(county, tmp_path, capsys):
    import json

    import openpyxl

    from desktop_app.cli import main

    c = county
    p = B.in_construction(c)
    _budget(c, p, amount="100", priority="1")
    db = c.store.path
    c.store.close()
    out_file = tmp_path / "计划.xlsx"
    code = main(["plan", "2027", "--json", "--xlsx", str(out_file), "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    [item] = data["items"]
    assert (item["code"], item["approved_fen"], item["construction_fen"], item["priority"]) == (
        p["code"], 120_000_000, 100_000_000, 1)
    wb = openpyxl.load_workbook(out_file, read_only=True)
    rows = list(wb["2027年度项目计划"].iter_rows(values_only=True))
    wb.close()
    assert rows[0][:3] == ("序号", "项目编号", "项目名称") and rows[1][1] == p["code"] and rows[1][6] == 120.0
    assert main(["plan", "2027", "--db", str(db)]) == 0
    assert "评审核定投资合计 120.00 万元" in capsys.readouterr().out
