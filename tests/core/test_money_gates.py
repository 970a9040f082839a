"""第八条 money gates, on both sides of each boundary: funding within what the review approved, money
only against a funded budget year, O&M money only where an O&M estimate was declared and approved."""

import datetime as dt

import pytest

from desktop_app.errors import Refused
from desktop_app.services import operations as ops
from tests.core import builders as B

D = dt.date
FUND = {"decided_on": "2026-10-20", "budget_year": "2027"}


def _review(c, approved_wan: str | None, **overrides):
    p = B.submitted(c, **overrides)
    ops.transition(c.store, c.county, p["id"], "start_review", today=D(2026, 9, 10))
    review = {"reviewed_on": "2026-09-15", "method": "central", "conclusion": "pass", "opinion": "同意"}
    if approved_wan is not None:
        review["approved_investment_fen"] = approved_wan
    ops.transition(c.store, c.county, p["id"], "record_review", review, today=D(2026, 9, 15))
    return p


def test_funding_may_not_exceed_the_approved_investment(county):
    c = county
    p = _review(c, "90")
    with pytest.raises(Refused, match="超过评审核定投资90") as e:
        ops.transition(c.store, c.finance, p["id"], "fund", {**FUND, "approved_fen": "90.000001"},
                       today=D(2026, 10, 20))
    assert e.value.clause == "第八条"
    ops.transition(c.store, c.finance, p["id"], "fund", {**FUND, "approved_fen": "90"}, today=D(2026, 10, 20))


def test_without_an_approved_figure_the_total_investment_is_the_ceiling(county):
    c = county
    p = _review(c, None)  # BASE: 总投资 120 万元
    with pytest.raises(Refused, match="超过项目总投资120"):
        ops.transition(c.store, c.finance, p["id"], "fund", {**FUND, "approved_fen": "121"}, today=D(2026, 10, 20))
    ops.transition(c.store, c.finance, p["id"], "fund", {**FUND, "approved_fen": "120"}, today=D(2026, 10, 20))


def test_disbursement_only_against_a_funded_budget_year(county):
    c = county
    p = B.in_construction(c)  # funded for budget year 2027
    pay = {"paid_on": "2026-11-02", "amount_fen": "1", "purpose": "construction"}
    for year in ("2026", "2028", "2030"):
        with pytest.raises(Refused, match=f"预算年度{year}没有该项目的资金安排"):
            ops.add_record(c.store, c.finance, "disbursement", p["id"], {**pay, "budget_year": year},
                           today=D(2026, 11, 2))
    ops.add_record(c.store, c.finance, "disbursement", p["id"], {**pay, "budget_year": "2027"}, today=D(2026, 11, 2))


def _built(c, **overrides):
    p = B.accepted(c, on="2027-11-30", **overrides)
    ops.add_record(c.store, c.unit, "catalog_entry", p["id"], {
        "resource_name": "学籍", "source": "教育局", "data_format": "JSON", "update_cycle": "daily",
        "sharing_type": "conditional", "opening_type": "closed"}, today=D(2027, 12, 1))
    ops.add_record(c.store, c.unit, "platform_connection", p["id"], {"platform": "sharing", "connected_on": "2027-12-01"},
                   today=D(2027, 12, 1))
    return p


OM = {"paid_on": "2028-01-10", "amount_fen": "1", "purpose": "om", "budget_year": "2027"}


def test_om_money_needs_a_declared_om_estimate(county):
    c = county
    p = _built(c)  # BASE declares no 运维经费概算
    with pytest.raises(Refused, match="未填报运行维护经费概算") as e:
        ops.add_record(c.store, c.finance, "disbursement", p["id"], OM, today=D(2028, 1, 10))
    assert e.value.clause == "第八条"


def test_om_money_with_a_declared_estimate_is_paid(county):
    c = county
    p = _built(c, om_estimate_fen="8")
    ops.add_record(c.store, c.finance, "disbursement", p["id"], OM, today=D(2028, 1, 10))
