"""A small county for the project-window tests: one county-office database and Sessions that act
as the county office, the finance bureau and a unit (as their own installations would)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from desktop_app.services.session import Session
from tests.core.builders import TEST_PASSWORD

TODAY = dt.date(2026, 11, 24)


@dataclass
class Town:
    store: Store
    county: Session
    finance: Session
    unit: Session
    unit2: Session


def session_for(store: Store, code: str, today: dt.date = TODAY) -> Session:
    org = store.one("SELECT * FROM organisations WHERE code=?", (code,))
    return Session(store, ops.Actor(org["id"], org["code"], org["name"], org["role"], "clerk", "admin"),
                   today_override=today)


def make_town(path) -> Town:
    store = Store.open(path)
    county = ops.init_installation(store, "county_office", "MYXZF", "蒙阴县人民政府办公室",
                                  admin_password=TEST_PASSWORD)
    ops.add_organisation(store, county, "MYCZJ", "蒙阴县财政局", "finance")
    ops.add_organisation(store, county, "MYJYJ", "蒙阴县教育和体育局", "unit")
    ops.add_organisation(store, county, "MYWJJ", "蒙阴县卫生健康局", "unit")
    return Town(store, session_for(store, "MYXZF"), session_for(store, "MYCZJ"),
                session_for(store, "MYJYJ"), session_for(store, "MYWJJ"))


PROJECT = {
    "name": "县智慧教育云平台", "plan_year": "2028", "category": "new", "total_investment_fen": "120",
    "fiscal_share_fen": "100", "responsible_person": "张明", "contact": "0539-4271234", "mlps_level": "2",
    "planned_start": "2028-03-01", "planned_completion": "2028-12-31",
}


def draft(town: Town, **overrides) -> dict:
    return town.unit.create_project({**PROJECT, **overrides})


def add_materials(town: Town, pid: str) -> None:
    u = town.unit
    for code, title in (("application_report", "项目申请报告"), ("plan", "建设方案"), ("budget", "投资预算"),
                        ("history", "近三年情况")):
        u.add_record("material", pid, {"material_type": code, "title": title})
    for y in (2023, 2024, 2025):
        u.add_record("investment_history", pid, {"year": str(y), "investment_fen": "10"})
    u.add_record("consultation", pid, {"consulted_on": "2026-06-01", "advisor": "李华"})


def in_construction(town: Town, **overrides) -> dict:
    """A project driven through the core to 建设中 (for screenshots and quick tests)."""
    p = draft(town, **overrides)
    add_materials(town, p["id"])
    town.unit.transition(p["id"], "submit")
    town.county.transition(p["id"], "start_review")
    town.county.transition(p["id"], "record_review", {"reviewed_on": "2026-11-02", "method": "central",
                                                      "conclusion": "pass", "opinion": "同意建设"})
    town.finance.transition(p["id"], "fund", {"decided_on": "2026-11-10", "approved_fen": "100",
                                              "budget_year": "2028"})
    town.unit.transition(p["id"], "start_construction")
    return p
