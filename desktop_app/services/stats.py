"""Read-only figures for the window: one ledger row, installation facts, chart tables.

No Qt, no writes. Chart tables are computed from the ledger rows and findings the window already
has, so the statistics page costs no extra pass over the rules.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.policy import PolicyProfile, load_profile
from desktop_app.lifecycle.states import STATUS_LABELS, status_label
from desktop_app.models.fields import FEN_PER_WAN
from desktop_app.models.kinds import ROLES
from desktop_app.models.store import Store
from desktop_app.services import queries


def ledger_row(store: Store, project_id: str, today=None) -> dict | None:
    """The ledger row of one project (same columns as queries.ledger), or None if it is gone."""
    rows = queries.ledger(store, [project_id], today)
    return rows[0] if rows else None


@dataclass(frozen=True)
class InstallationInfo:
    org_id: str
    org_code: str
    org_name: str
    role: str
    role_label: str
    username: str
    user_display: str
    county_name: str
    code_prefix: str
    profile: PolicyProfile


def installation_info(store: Store, username: str) -> InstallationInfo:
    org_id = store.get_setting("installation_org_id")
    org = store.one("SELECT * FROM organisations WHERE id=?", (org_id,)) or {}
    user = store.one("SELECT * FROM users WHERE username=? AND org_id=?", (username, org_id)) or {}
    role = org.get("role", "")
    return InstallationInfo(
        org_id or "", org.get("code", ""), org.get("name", ""), role, ROLES.get(role, role), username,
        user.get("display_name") or username, store.get_setting("county_name", "") or "",
        store.get_setting("project_code_prefix", "") or "", load_profile(store))


def holiday_years(store: Store) -> list[dict]:
    """Years the county office entered by hand: year, holidays, make-up working days."""
    return store.all("SELECT substr(day, 1, 4) AS year, SUM(is_workday = 0) AS holidays, "
                     "SUM(is_workday = 1) AS workdays, MAX(source) AS source FROM holidays "
                     "GROUP BY substr(day, 1, 4) ORDER BY year")


def holidays_of_year(store: Store, year: int) -> tuple[list[str], list[str]]:
    rows = store.all("SELECT day, is_workday FROM holidays WHERE day LIKE ? ORDER BY day", (f"{year}-%",))
    return [r["day"] for r in rows if not r["is_workday"]], [r["day"] for r in rows if r["is_workday"]]


# ---- chart tables -----------------------------------------------------------------------------

@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]  # first column is the category label; the rest are numbers


def wan(fen: int | None) -> float:
    """Fen -> 万元 as a number for charts and spreadsheets: the exact amount (a spreadsheet cell shows it with
    2 decimals but keeps it whole, so sums over the column are right); text goes through fen_to_wan_text."""
    return float(Decimal(fen or 0) / FEN_PER_WAN)


def by_plan_year(rows: list[dict]) -> Table:
    inv: dict[int, int] = defaultdict(int)
    paid: dict[int, int] = defaultdict(int)
    count: Counter = Counter()
    for r in rows:
        y = r["plan_year"]
        inv[y] += r["total_investment_fen"] or 0
        paid[y] += r["disbursed_fen"] or 0
        count[y] += 1
    return Table("by_year", "按计划年度的投资规模", ["计划年度", "项目数", "总投资(万元)", "已拨付(万元)"],
                 [[f"{y}年", count[y], wan(inv[y]), wan(paid[y])] for y in sorted(inv)])


def by_unit(rows: list[dict], top: int = 15) -> Table:
    inv: dict[str, int] = defaultdict(int)
    count: Counter = Counter()
    for r in rows:
        inv[r["unit"]] += r["total_investment_fen"] or 0
        count[r["unit"]] += 1
    ranked = sorted(inv, key=lambda u: (-inv[u], u))[:top]
    return Table("by_unit", f"建设单位总投资（前{top}名）", ["建设单位", "项目数", "总投资(万元)"],
                 [[u, count[u], wan(inv[u])] for u in ranked])


def by_status(rows: list[dict]) -> Table:
    count = Counter(r["status"] for r in rows)
    order = [s for s in STATUS_LABELS if count[s]] + sorted(s for s in count if s not in STATUS_LABELS)
    return Table("by_status", "项目状态分布", ["状态", "项目数"], [[status_label(s), count[s]] for s in order])


def overdue_by_rule(findings: list[R.Finding]) -> Table:
    """Per clause and rule: obligations overdue today, and obligations met late (已完成（逾期N个工作日）)."""
    titles = {r.id: r.title for r in R.RULES}
    count = Counter((f.clause, f.rule_id) for f in findings if f.state == R.OVERDUE)
    late = Counter((f.clause, f.rule_id) for f in findings if f.late_workdays)
    keys = set(count) | set(late)
    ranked = sorted(keys, key=lambda k: (-count[k], -late[k], k))
    return Table("overdue_by_rule", "逾期义务（按条款和规则）", ["条款", "规则", "逾期事项数", "逾期完成数"],
                 [[clause, titles.get(rule_id, rule_id), count[(clause, rule_id)], late[(clause, rule_id)]]
                  for clause, rule_id in ranked])


def late_by_unit(rows: list[dict], findings: list[R.Finding]) -> Table:
    """Per unit: obligations overdue today and obligations met late, most first."""
    unit_of = {r["id"]: r["unit"] for r in rows}
    count: Counter = Counter()
    late: Counter = Counter()
    for f in findings:
        unit = unit_of.get(f.project_id)
        if unit is None:
            continue
        if f.state == R.OVERDUE:
            count[unit] += 1
        if f.late_workdays:
            late[unit] += 1
    ranked = sorted(set(count) | set(late), key=lambda u: (-count[u] - late[u], -late[u], u))
    return Table("late_by_unit", "逾期义务（按建设单位）", ["建设单位", "逾期事项数", "逾期完成数"],
                 [[u, count[u], late[u]] for u in ranked])


def by_risk(summary: dict | None) -> Table:
    """Active projects per risk level (high first): confirmed by the county office, or only suggested."""
    from desktop_app.services.risk import level_text

    rows = [] if not summary or not summary["total"] else [
        [level_text(lv), *summary["rows"][lv]] for lv in sorted(summary["rows"])]
    return Table("by_risk", "风险等级分布（在建及已建项目）", ["风险等级", "已确认", "未确认（按系统建议）", "其中已过期"], rows)


def figures(rows: list[dict], findings: list[R.Finding], risk: dict | None = None) -> list[Table]:
    """`risk`: services.risk.summary of the active projects' ratings."""
    return [by_plan_year(rows), by_unit(rows), by_status(rows), overdue_by_rule(findings),
            late_by_unit(rows, findings), by_risk(risk)]
