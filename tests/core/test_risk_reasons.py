"""queries.risk_findings / risk_reasons: why the ledger's 风险 column flags a project (no Qt)."""

import datetime as dt

from desktop_app.lifecycle import rules as R
from desktop_app.services import queries
from tests.core.builders import make_county, new_project

LATE = dt.date(2026, 9, 10)  # after the 31 August application deadline for plan year 2027


def test_reasons_are_what_the_column_counts(tmp_path):
    c = make_county(tmp_path / "c.db")
    p = new_project(c, prohibited_types="website")  # a draft: late for 2027 and needing a justification
    calm = new_project(c, name="次年项目", plan_year="2028", planned_start="2028-03-01",
                       planned_completion="2028-12-31")
    queries.refresh_deadlines(c.store, LATE)
    row = {r["id"]: r for r in queries.ledger(c.store)}[p["id"]]
    found = queries.risk_findings(c.store, LATE, p["id"])
    assert sum(f.state in (R.OVERDUE, R.VIOLATION) for f in found) == row["overdue"] >= 1
    assert sum(f.state == R.BLOCKED for f in found) == row["blocked"] >= 1
    assert [f.state for f in found] == sorted((f.state for f in found), key=lambda s: queries.RISK_ORDER[s])
    lines = queries.risk_reasons(c.store, LATE, p["id"])
    assert lines[0].startswith("【逾期】第二条 ") and any(line.startswith("【受限】第一条 ") for line in lines)
    # a plan-2028 draft is not late, only blocked (its materials are missing): no 逾期 line
    calm_lines = queries.risk_reasons(c.store, LATE, calm["id"])
    calm_row = {r["id"]: r for r in queries.ledger(c.store)}[calm["id"]]
    assert calm_row["overdue"] == 0 and len(calm_lines) == calm_row["blocked"]
    assert all(line.startswith("【受限】") for line in calm_lines)
    c.store.close()
