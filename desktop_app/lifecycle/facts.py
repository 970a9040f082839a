"""Gather project records for the pure rules: one query per table, grouped in Python."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from desktop_app.lifecycle.policy import load_profile
from desktop_app.lifecycle.rules import (
    Context,
    Facts,
    change_approved,
    explanation_accepted,
    past_cycle_unexplained,
)
from desktop_app.lifecycle.workdays import WorkCalendar
from desktop_app.models.kinds import CHILD_KINDS, KINDS

# kinds no rule reads: skipping them halves the rows `check` loads for a whole county
UNUSED_BY_RULES = frozenset({"expert_opinion", "co_builder", "rectification", "budget"})


def load_facts(store, project_ids: list[str] | None = None, kinds: tuple[str, ...] | None = None) -> list[Facts]:
    """Each project with its records (`kinds`: only these, for a check that needs no more)."""
    if project_ids is None:
        projects = store.all("SELECT * FROM projects ORDER BY code")
        where, params = "", ()
    else:
        marks = ",".join("?" for _ in project_ids)
        projects = store.all(f"SELECT * FROM projects WHERE id IN ({marks}) ORDER BY code", tuple(project_ids))
        where, params = f" WHERE project_id IN ({marks})", tuple(project_ids)
    by_id = {p["id"]: Facts(p, defaultdict(list)) for p in projects}
    for kind in CHILD_KINDS:
        if kinds is not None and kind.name not in kinds:
            continue
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
    out = list(by_id.values())
    for facts in out:
        if facts.records.get("change_request"):
            facts.project = effective_project(facts)
    return out


# project fields an approved change request replaces after approval (第四条, 第九条)
CHANGED_BY_REQUEST = {"new_planned_completion": "planned_completion", "new_mlps_level": "mlps_level"}


def effective_project(facts: Facts) -> dict:
    """The project as the rules see it: its application, with approved changes applied in order."""
    project = dict(facts.project)
    for ch in sorted(facts.of("change_request"), key=lambda c: (c["submitted_on"], c.get("created_at") or "")):
        if any(ch.get(f) for f in CHANGED_BY_REQUEST) and change_approved(facts, ch):
            for src, dst in CHANGED_BY_REQUEST.items():
                if ch.get(src):
                    project[dst] = ch[src]
    return project


def load_context(store, today: dt.date | None = None) -> Context:
    today = today or dt.date.today()
    rows = store.all(
        "SELECT * FROM projects WHERE planned_completion IS NOT NULL AND planned_completion < ? "
        "AND status IN ('planned', 'in_construction', 'suspended', 'failed')", (today.isoformat(),)
    )
    unexplained: dict[str, list[str]] = defaultdict(list)
    if rows:
        # only the records that can move the deadline or accept the explanation: cheap for a county
        by_id = {r["id"]: Facts(r, defaultdict(list)) for r in rows}
        for kind in ("change_request", "change_decision", "delay_acceptance"):
            for rec in store.all(f"SELECT * FROM {KINDS[kind].table} WHERE project_id IN "
                                 "(SELECT id FROM projects WHERE planned_completion < ?) ORDER BY rowid",
                                 (today.isoformat(),)):
                if rec["project_id"] in by_id:
                    by_id[rec["project_id"]].records[kind].append(rec)
        for facts in by_id.values():
            p = effective_project(facts) if facts.records.get("change_request") else facts.project
            if past_cycle_unexplained(p, today, explanation_accepted(facts.of("delay_acceptance"))):
                unexplained[p["lead_org_id"]].append(p["code"])
    return Context(today, WorkCalendar.from_store(store), load_profile(store), dict(unexplained))
