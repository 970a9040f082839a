"""Read-side queries the ledger, the workbench and the CLI share. No writes except the derived
deadline cache, which is not a state change (it is recomputed from the records at any time)."""

from __future__ import annotations

import datetime as dt

from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.facts import load_context, load_facts
from desktop_app.lifecycle.states import status_label
from desktop_app.models.store import Store

LEDGER_SQL = """
SELECT p.id, p.code, p.name, o.name AS unit, o.code AS unit_code, p.plan_year, p.status,
       p.total_investment_fen, COALESCE(dl.disbursed_fen, 0) AS disbursed_fen, p.responsible_person,
       dl.next_due, COALESCE(dl.next_due_tentative, 0) AS next_due_tentative, dl.next_message,
       COALESCE(dl.overdue, 0) AS overdue, COALESCE(dl.blocked, 0) AS blocked,
       COALESCE(dl.late_done, 0) AS late_done, rr.level AS risk_level, rr.rated_on AS risk_rated_on
FROM projects p
JOIN organisations o ON o.id = p.lead_org_id
LEFT JOIN project_deadlines dl ON dl.project_id = p.id
LEFT JOIN (SELECT project_id, level, MAX(rated_on || created_at) AS _newest, rated_on FROM risk_ratings
           GROUP BY project_id) rr ON rr.project_id = p.id
{where}
ORDER BY p.code
"""


def ledger(store: Store, project_ids: list[str] | None = None, today: dt.date | None = None) -> list[dict]:
    """The ledger rows of every project, or of the given ones (to refresh a changed row); `risk_rating`
    is the county office's confirmed risk level as of `today` (已过期 when too old), blank if none."""
    from desktop_app.lifecycle.policy import load_profile
    from desktop_app.services.risk import confirmed_text

    today = today or dt.date.today()
    valid = load_profile(store).risk_rating_valid_days
    if project_ids is None:
        rows = store.all(LEDGER_SQL.format(where=""))
    else:
        marks = ",".join("?" for _ in project_ids)
        rows = store.all(LEDGER_SQL.format(where=f"WHERE p.id IN ({marks})"), tuple(project_ids))
    for r in rows:
        r["status_label"] = status_label(r["status"])
        r["risk_rating"] = confirmed_text(r["risk_level"], r["risk_rated_on"], today, valid) if r["risk_level"] else ""
    return rows


def check(store: Store, today: dt.date | None = None, project_ids: list[str] | None = None) -> list[R.Finding]:
    ctx = load_context(store, today)
    out: list[R.Finding] = []
    for facts in load_facts(store, project_ids):
        out.extend(R.evaluate(facts, ctx))
    return out


def refresh_deadlines(store: Store, today: dt.date | None = None, project_ids: list[str] | None = None) -> int:
    """Recompute the ledger's next-deadline column from the rules (all projects, or some), with the
    counts of overdue/violation, blocked and late-met (已完成（逾期）) obligations per project."""
    today = today or dt.date.today()
    findings = check(store, today, project_ids)
    summary: dict[str, dict] = {}
    for f in findings:
        s = summary.setdefault(f.project_id, {"next": None, "msg": None, "tent": 0, "overdue": 0, "blocked": 0,
                                              "late": 0})
        if f.late_workdays:
            s["late"] += 1
        if f.state in (R.OVERDUE, R.VIOLATION):
            s["overdue"] += 1
        if f.state == R.BLOCKED:
            s["blocked"] += 1
        if f.due and f.state in (R.OVERDUE, R.UPCOMING, R.PENDING) and (s["next"] is None or f.due.day < s["next"]):
            s["next"], s["msg"], s["tent"] = f.due.day, f.message, int(f.due.tentative)
    if project_ids is None:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM projects")]
        paid = dict(store.conn.execute("SELECT project_id, SUM(amount_fen) FROM disbursements GROUP BY project_id"))
    else:
        ids = project_ids
        marks = ",".join("?" for _ in ids)
        paid = dict(store.conn.execute(f"SELECT project_id, SUM(amount_fen) FROM disbursements "
                                       f"WHERE project_id IN ({marks}) GROUP BY project_id", tuple(ids)))
    rows = []
    for pid in ids:
        s = summary.get(pid, {"next": None, "msg": None, "tent": 0, "overdue": 0, "blocked": 0, "late": 0})
        rows.append((pid, s["next"].isoformat() if s["next"] else None, s["tent"], s["msg"], s["overdue"],
                     s["blocked"], today.isoformat(), paid.get(pid) or 0, s["late"]))
    with store.tx():
        if project_ids is None:
            store.conn.execute("DELETE FROM project_deadlines")
        store.conn.executemany(
            "INSERT OR REPLACE INTO project_deadlines (project_id, next_due, next_due_tentative, next_message, "
            "overdue, blocked, computed_for, disbursed_fen, late_done) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        store.set_setting("deadlines_computed_for", today.isoformat())
    return len(rows)


def ensure_deadlines_fresh(store: Store, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    if store.get_setting("deadlines_computed_for") == today.isoformat():
        return False
    if store.writes_refused:  # read-only or damaged: show the cached column rather than write the cache
        return False
    refresh_deadlines(store, today)
    return True


def ledger_import_mark(store, project_id: str) -> dict | None:
    """The 由台账导入 mark of a project not yet checked against the paper file (source, sheet row, what the
    import assumed), or None."""
    return store.one("SELECT * FROM ledger_imports WHERE project_id=? AND reviewed_at IS NULL", (project_id,))


# ---- why the ledger flags a project (its 风险 column) ------------------------------------------------
RISK_ORDER = {R.OVERDUE: 0, R.VIOLATION: 0, R.BLOCKED: 1}  # the states the ledger counts as 逾期 / 受限


def risk_findings(store: Store, today: dt.date, project_id: str) -> list[R.Finding]:
    """The findings behind a project's 风险 column (overdue, in violation, blocking a step), worst and
    oldest first: the same rules refresh_deadlines counts, for one project (a few milliseconds)."""
    found = [f for f in check(store, today, [project_id]) if f.state in RISK_ORDER]
    return sorted(found, key=lambda f: (RISK_ORDER[f.state], f.due.day if f.due else dt.date.max, f.clause))


def risk_reasons(store: Store, today: dt.date, project_id: str) -> list[str]:
    """The same, one line each as the clerk reads it: 【逾期】第四条 …message…"""
    return [f"【{R.STATE_LABELS[f.state]}】{f.clause} {f.message}" for f in risk_findings(store, today, project_id)]
