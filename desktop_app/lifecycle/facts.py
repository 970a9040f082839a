"""Gather project records for the pure rules: one query per table, grouped in Python."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from desktop_app.lifecycle.policy import load_profile
from desktop_app.lifecycle.rules import Context, Facts, past_cycle_unexplained
from desktop_app.lifecycle.workdays import WorkCalendar
from desktop_app.models.kinds import CHILD_KINDS

# kinds no rule reads: skipping them halves the rows `check` loads for a whole county
UNUSED_BY_RULES = frozenset({"expert_opinion", "co_builder", "rectification", "budget"})


def load_facts(store, project_ids: list[str] | None = None) -> list[Facts]:
    if project_ids is None:
        projects = store.all("SELECT * FROM projects ORDER BY code")
        where, params = "", ()
    else:
        marks = ",".join("?" for _ in project_ids)
        projects = store.all(f"SELECT * FROM projects WHERE id IN ({marks}) ORDER BY code", tuple(project_ids))
        where, params = f" WHERE project_id IN ({marks})", tuple(project_ids)
    by_id = {p["id"]: Facts(p, defaultdict(list)) for p in projects}
    for kind in CHILD_KINDS:
        if project_ids is None and kind.name in UNUSED_BY_RULES:
            continue  # a whole-county check; a single project's window gets every kind
        # rowid order is insertion order: records arrive in the order they happened
        cur = store.conn.execute(f"SELECT * FROM {kind.table}{where} ORDER BY rowid", params)
        cols = [c[0] for c in cur.description]
        pidx = cols.index("project_id")
        for row in cur:
            facts = by_id.get(row[pidx])
            if facts is not None:
                facts.records[kind.name].append(dict(zip(cols, row)))
    return list(by_id.values())


def load_context(store, today: dt.date | None = None) -> Context:
    today = today or dt.date.today()
    rows = store.all(
        "SELECT code, lead_org_id, status, planned_completion, delay_explanation FROM projects "
        "WHERE planned_completion IS NOT NULL AND planned_completion < ?", (today.isoformat(),)
    )
    unexplained: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if past_cycle_unexplained(r, today):
            unexplained[r["lead_org_id"]].append(r["code"])
    return Context(today, WorkCalendar.from_store(store), load_profile(store), dict(unexplained))
