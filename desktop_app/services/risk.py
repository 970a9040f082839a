"""Risk ratings of active projects (as on the U.S. federal IT Dashboard: 5 = low risk … 1 = high risk).

The program suggests a level from the project's records with the reasons listed (`suggest`, pure over
`RiskFacts`); the county office confirms it or sets another with a date and a note
(`operations.rate_risk`); a confirmation older than the profile's `risk_rating_valid_days` is 已过期 —
the Dashboard's known weakness is ratings nobody looks at again. `ratings` reads every active project
with one query per table (10,000 projects well under the 2 s of the benchmark).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop_app.lifecycle.policy import load_profile
from desktop_app.models.fields import fen_to_wan_text
from desktop_app.models.statuses import BUILT, CONSTRUCTION

ACTIVE = frozenset({"approved"}) | CONSTRUCTION | BUILT
LEVEL_LABELS = {5: "低风险", 4: "较低风险", 3: "中等风险", 2: "较高风险", 1: "高风险"}
# how far each finding moves the level down (points), and where a count or a share starts to count
OVERDUE_MANY = 3            # overdue obligations: 1-2 one point, 3 or more two
CHANGES_MANY = 3            # design changes: 3 or more one point
CHANGE_SHARE = 0.10         # investment added by changes: 10 % of the total investment or more, one point


def level_text(level: int) -> str:
    return f"{level} {LEVEL_LABELS[level]}"


@dataclass(frozen=True)
class RiskFacts:
    """What the suggestion reads of one project (all amounts in fen)."""

    status: str
    total_investment_fen: int = 0
    overdue: int = 0                 # overdue obligations and violations (the ledger's 逾期 count)
    approved_fen: int = 0            # funding approved (资金审核)
    disbursed_fen: int = 0           # construction funds paid
    open_findings: int = 0           # inspection findings not closed
    overdue_findings: int = 0        # of which past their rectification deadline
    changes: int = 0                 # design change requests
    change_delta_fen: int = 0        # investment they add
    last_grade: str | None = None    # the latest evaluation's grade


def suggest(f: RiskFacts) -> tuple[int, list[str]]:
    """(level 1-5, the reasons in Chinese, worst first). No reason: 5 低风险."""
    found: list[tuple[int, str]] = []
    if f.status == "suspended":
        found.append((2, "项目暂停建设"))
    if f.last_grade == "poor":
        found.append((2, "最近一次绩效评价为“差”"))
    if f.overdue:
        found.append((2 if f.overdue >= OVERDUE_MANY else 1, f"{f.overdue}项义务逾期或违规"))
    if f.approved_fen and f.disbursed_fen > f.approved_fen:
        over = (f.disbursed_fen - f.approved_fen) / f.approved_fen
        paid, approved = fen_to_wan_text(f.disbursed_fen), fen_to_wan_text(f.approved_fen)
        found.append((2, f"拨付建设资金{paid}万元，超出核定资金{approved}万元的{over:.0%}"))
    if f.open_findings:
        found.append((1, f"{f.open_findings}个检查发现问题尚未整改完毕"))
    if f.overdue_findings:
        found.append((1, f"其中{f.overdue_findings}个已超过整改期限"))
    if f.changes >= CHANGES_MANY:
        found.append((1, f"设计变更{f.changes}次"))
    if f.total_investment_fen and f.change_delta_fen >= CHANGE_SHARE * f.total_investment_fen:
        share = f.change_delta_fen / f.total_investment_fen
        found.append((1, f"设计变更增加投资{fen_to_wan_text(f.change_delta_fen)}万元，占总投资的{share:.0%}"))
    points = sum(p for p, _ in found)
    level = 5 if points == 0 else 4 if points == 1 else 3 if points == 2 else 2 if points <= 4 else 1
    return level, [text for _, text in sorted(found, key=lambda x: -x[0])]


@dataclass(frozen=True)
class Rating:
    project_id: str
    code: str
    name: str
    suggested: int
    reasons: tuple[str, ...]
    confirmed: dict | None       # the newest risk_ratings row, or None
    stale: bool                  # confirmed longer ago than the profile allows: 已过期

    @property
    def level(self) -> int:
        """The level that counts: the county office's, else the suggestion."""
        return self.confirmed["level"] if self.confirmed else self.suggested

    @property
    def text(self) -> str:
        """As the ledger shows it: 2 较高风险 / 2 较高风险（已过期） / 建议3 中等风险（未确认）."""
        if not self.confirmed:
            return f"建议{level_text(self.suggested)}（未确认）"
        return level_text(self.level) + ("（已过期）" if self.stale else "")

    @property
    def needs_attention(self) -> bool:
        """Not confirmed, 已过期, or the records suggest another level than when it was confirmed."""
        return not self.confirmed or self.stale or self.confirmed["suggested_level"] != self.suggested


def is_stale(rated_on: str, today: dt.date, valid_days: int) -> bool:
    return (today - dt.date.fromisoformat(rated_on)).days > valid_days


def confirmed_text(level: int | None, rated_on: str | None, today: dt.date, valid_days: int) -> str:
    """The ledger's 风险等级 cell: 2 较高风险, 2 较高风险（已过期）, or blank when never confirmed."""
    if not level:
        return ""
    return level_text(level) + ("（已过期）" if is_stale(rated_on, today, valid_days) else "")


def _grouped(store, sql: str, params=()) -> dict:
    return {r[0]: r[1:] for r in store.conn.execute(sql, params)}


def ratings(store, today: dt.date, project_ids: list[str] | None = None) -> list[Rating]:
    """The rating of every active project (or of the given ones), in code order."""
    where, params = "", ()
    if project_ids is not None:
        where = f" AND id IN ({','.join('?' for _ in project_ids)})"
        params = tuple(project_ids)
    marks = ",".join(f"'{s}'" for s in sorted(ACTIVE))
    projects = store.conn.execute(
        f"SELECT id, code, name, status, total_investment_fen FROM projects WHERE status IN ({marks}){where} "
        "ORDER BY code", params).fetchall()
    overdue = _grouped(store, "SELECT project_id, overdue FROM project_deadlines")
    approved = _grouped(store, "SELECT project_id, SUM(approved_fen) FROM funding_decisions GROUP BY project_id")
    paid = _grouped(store, "SELECT project_id, SUM(amount_fen) FROM disbursements WHERE purpose='construction' "
                           "GROUP BY project_id")
    findings = _grouped(store, "SELECT project_id, COUNT(*), SUM(rectify_by < ?) FROM findings "
                               "WHERE closed_on IS NULL GROUP BY project_id", (today.isoformat(),))
    changes = _grouped(store, "SELECT project_id, COUNT(*), SUM(COALESCE(investment_delta_fen, 0)) "
                              "FROM change_requests GROUP BY project_id")
    grades = _grouped(store, "SELECT project_id, grade FROM evaluations ORDER BY evaluated_on, rowid")
    confirmed = {r["project_id"]: r for r in store.all(
        "SELECT * FROM risk_ratings ORDER BY rated_on, created_at")}
    valid = load_profile(store).risk_rating_valid_days
    out = []
    for pid, code, name, status, total in projects:
        fnd = findings.get(pid, (0, 0))
        chg = changes.get(pid, (0, 0))
        facts = RiskFacts(status, total or 0, (overdue.get(pid) or (0,))[0] or 0,
                          (approved.get(pid) or (0,))[0] or 0, (paid.get(pid) or (0,))[0] or 0,
                          fnd[0] or 0, fnd[1] or 0, chg[0] or 0, chg[1] or 0, (grades.get(pid) or (None,))[0])
        level, reasons = suggest(facts)
        row = confirmed.get(pid)
        out.append(Rating(pid, code, name, level, tuple(reasons), row,
                          bool(row) and is_stale(row["rated_on"], today, valid)))
    return out


def rating(store, today: dt.date, project_id: str) -> Rating | None:
    found = ratings(store, today, [project_id])
    return found[0] if found else None


def summary(items: list[Rating]) -> dict:
    """Counts for 工作台 and 统计分析: per level that counts, unconfirmed and 已过期."""
    by_level = {lv: 0 for lv in LEVEL_LABELS}
    rows = {lv: [0, 0, 0] for lv in LEVEL_LABELS}  # confirmed, unconfirmed (as suggested), of which 已过期
    for r in items:
        by_level[r.level] += 1
        rows[r.level][0 if r.confirmed else 1] += 1
        rows[r.level][2] += r.stale
    return {"by_level": by_level, "rows": rows, "unconfirmed": sum(not r.confirmed for r in items),
            "stale": sum(r.stale for r in items), "total": len(items)}
