"""Build a small county and drive projects through their stages with the real operations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from desktop_app.services.operations import Actor

D = dt.date
# the day the core tests are run on: what a write checks against (event dates, deadlines) never comes
# from the wall clock. A test that needs another day passes its own.
TODAY = D(2026, 11, 26)
# every test installation's administrator has this password; tests/conftest.py puts it in
# GOVIS_PASSWORD / GOVIS_NEW_PASSWORD so CLI commands sign in without a prompt
TEST_PASSWORD = "govis-test-2026"


@dataclass
class County:
    store: Store
    county: Actor
    finance: Actor
    unit: Actor
    unit2: Actor


def actor_for(store: Store, code: str, user: str = "clerk", user_role: str = "admin") -> Actor:
    """An actor of another organisation (its own installation, simulated here): by default its
    administrator, who may do everything that organisation may."""
    org = store.one("SELECT * FROM organisations WHERE code=?", (code,))
    return Actor(org["id"], org["code"], org["name"], org["role"], user, user_role)


def make_county(path) -> County:
    store = Store.open(path)
    county = ops.init_installation(store, "county_office", "MYXZF", "蒙阴县人民政府办公室",
                                  admin_password=TEST_PASSWORD)
    ops.add_organisation(store, county, "MYCZJ", "蒙阴县财政局", "finance")
    ops.add_organisation(store, county, "MYJYJ", "蒙阴县教育和体育局", "unit")
    ops.add_organisation(store, county, "MYWJJ", "蒙阴县卫生健康局", "unit")
    return County(store, county, actor_for(store, "MYCZJ"), actor_for(store, "MYJYJ"), actor_for(store, "MYWJJ"))


BASE = {
    "name": "县智慧教育云平台", "plan_year": "2027", "category": "new", "total_investment_fen": "120",
    "fiscal_share_fen": "100", "responsible_person": "张明", "contact": "0539-4271234", "mlps_level": "2",
    "planned_start": "2027-03-01", "planned_completion": "2027-12-31",
}


def new_project(c: County, actor: Actor | None = None, **overrides) -> dict:
    values = {**BASE, **overrides}
    return ops.create_project(c.store, actor or c.unit, values, today=TODAY)


def add_materials(c: County, pid: str, actor: Actor | None = None, years=(2023, 2024, 2025)) -> None:
    a = actor or c.unit
    for code, title in (("application_report", "项目申请报告"), ("plan", "建设方案"), ("budget", "投资预算"),
                        ("history", "近三年情况")):
        ops.add_record(c.store, a, "material", pid, {"material_type": code, "title": title}, today=TODAY)
    for y in years:
        ops.add_record(c.store, a, "investment_history", pid, {"year": str(y), "investment_fen": "10"}, today=TODAY)
    ops.add_record(c.store, a, "consultation", pid, {"consulted_on": "2026-06-01", "advisor": "李华"}, today=TODAY)


APPLIED_ON = D(2026, 7, 1)


def submitted(c: County, today=APPLIED_ON, **overrides) -> dict:
    p = new_project(c, **overrides)
    add_materials(c, p["id"])
    ops.transition(c.store, c.unit, p["id"], "submit", today=today)
    return p


def approved(c: County, **overrides) -> dict:
    p = submitted(c, **overrides)
    ops.transition(c.store, c.county, p["id"], "start_review", today=D(2026, 9, 10))
    ops.transition(c.store, c.county, p["id"], "record_review",
                   {"reviewed_on": "2026-09-15", "method": "central", "conclusion": "pass", "opinion": "同意建设"},
                   today=D(2026, 9, 15))
    return p


def in_construction(c: County, **overrides) -> dict:
    p = approved(c, **overrides)
    ops.transition(c.store, c.finance, p["id"], "fund",
                   {"decided_on": "2026-10-20", "approved_fen": "100", "budget_year": "2027"}, today=D(2026, 10, 20))
    ops.transition(c.store, c.unit, p["id"], "start_construction", today=D(2026, 10, 21))
    return p


def accepted(c: County, on="2027-11-30", **overrides) -> dict:
    p = in_construction(c, **overrides)
    ops.add_record(c.store, c.unit, "controllable_product", p["id"],
                   {"product": "国产服务器", "category": "服务器", "controllable": "是"}, today=TODAY)
    day = D.fromisoformat(on)
    ops.transition(c.store, c.unit, p["id"], "request_acceptance", {"applied_on": on}, today=day)
    ops.transition(c.store, c.county, p["id"], "record_acceptance",
                   {"accepted_on": on, "group_members": "王五、赵六", "conclusion": "pass", "controllable_ok": "pass"},
                   today=day)
    return p


def scores(total: int) -> str:
    """The indicator lines of a report whose computed 综合得分 is `total` (default indicator system)."""
    from desktop_app.lifecycle.indicators import IndicatorSystem
    from desktop_app.lifecycle.policy import DEFAULT_INDICATORS

    system = IndicatorSystem.from_data(DEFAULT_INDICATORS)
    return system.lines(system.spread(total))


def evaluation(on: str, total: int, **more) -> dict:
    """The typed values of an evaluation scoring `total` on `on`."""
    return {"evaluated_on": on, "indicators": scores(total), **more}
