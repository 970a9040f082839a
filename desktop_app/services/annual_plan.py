"""第八条 the 年度政务信息系统项目计划 and finance's budget compiled from it, read only.

A project is in the plan of year Y when its plan year is Y and its latest review passed (第三条: the
review opinion is the precondition for money), and it was neither rejected nor terminated. Its amount in
the plan is the investment the review approved (评审核定投资), or its total investment where the review
named no figure (the same ceiling `authorize.funding_gates` applies). Finance compiles the budget of year Y
from this plan: budget records of year Y, construction and O&M apart, each with its 轻重缓急 rank.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.facts import load_facts
from desktop_app.lifecycle.policy import PolicyProfile, load_profile
from desktop_app.lifecycle.states import CLOSED, PRE_APPROVAL, status_label
from desktop_app.models.fields import FEN_PER_WAN
from desktop_app.models.kinds import CATEGORY

CATEGORY_LABELS = dict(CATEGORY)
PLAN_KINDS = ("review", "funding", "budget", "acceptance_result", "sanction")


def in_plan(facts: R.Facts, year: int | None = None) -> bool:
    """The project is in the annual plan (of `year`, when given): plan year, a passed review, still alive."""
    p = facts.project
    if year is not None and p["plan_year"] != year:
        return False
    if p["status"] in CLOSED or p["status"] in PRE_APPROVAL:
        return False
    review = R.latest_review(facts)
    return review is not None and review["conclusion"] == "pass"


def approved_fen(facts: R.Facts) -> int:
    """The project's amount in the plan: what the review approved, else its total investment."""
    review = R.latest_review(facts)
    figure = review.get("approved_investment_fen") if review else None
    return figure if figure is not None else facts.project["total_investment_fen"]


def om_in_department_budget(project: dict, profile: PolicyProfile) -> bool:
    """第八条: a large project whose yearly O&M is high (its declared estimate at least the county's
    threshold) has its O&M budgeted in the unit's department budget; any other project's O&M comes from
    the unit's 公用经费 and gets no budget line of its own."""
    om = project.get("om_estimate_fen") or 0
    return bool(project.get("large_project")) and om > 0 and om >= profile.om_budget_threshold_wan * FEN_PER_WAN


@dataclass
class PlanItem:
    project_id: str
    code: str
    name: str
    unit: str
    category: str
    status: str
    total_investment_fen: int
    approved_fen: int                  # 评审核定投资 (the plan's amount)
    reviewed_on: str
    opinion_no: str
    funded_fen: int                    # 资金审核核定资金 for this budget year
    construction_fen: int              # budget of the year: construction
    om_fen: int                        # budget of the year: O&M (department budget line)
    priority: int | None               # 轻重缓急 (1 first); None: not ranked yet
    om_department: bool                # O&M of this project goes into the unit's department budget
    om_estimate_fen: int = 0
    budget_ids: list[str] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        return status_label(self.status)

    @property
    def category_text(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)


@dataclass
class OmLine:
    """An O&M budget line of the year: a running large project of any earlier plan, in its unit's department
    budget (第八条)."""

    code: str
    name: str
    unit: str
    plan_year: int
    amount_fen: int
    om_estimate_fen: int


@dataclass
class AnnualPlan:
    year: int
    items: list[PlanItem]
    om_lines: list[OmLine] = field(default_factory=list)

    @property
    def approved_total(self) -> int:
        return sum(i.approved_fen for i in self.items)

    @property
    def construction_total(self) -> int:
        return sum(i.construction_fen for i in self.items)

    @property
    def om_total(self) -> int:
        return sum(o.amount_fen for o in self.om_lines)

    def as_dict(self) -> dict:
        return {"year": self.year, "approved_total_fen": self.approved_total,
                "construction_total_fen": self.construction_total, "om_total_fen": self.om_total,
                "items": [{"code": i.code, "name": i.name, "unit": i.unit, "category": i.category,
                           "status": i.status, "total_investment_fen": i.total_investment_fen,
                           "approved_fen": i.approved_fen, "funded_fen": i.funded_fen,
                           "construction_fen": i.construction_fen, "om_fen": i.om_fen, "priority": i.priority,
                           "om_department": i.om_department} for i in self.items],
                "om_lines": [asdict(o) for o in self.om_lines]}


def annual_plan(store, year: int) -> AnnualPlan:
    profile = load_profile(store)
    ids = [r["id"] for r in store.all("SELECT id FROM projects WHERE plan_year=? AND status NOT IN "
                                      "('draft','submitted','under_review','revise','rejected','terminated')",
                                      (year,))]
    units = {o["id"]: o["name"] for o in store.all("SELECT id, name FROM organisations")}
    items = []
    for f in load_facts(store, ids, kinds=PLAN_KINDS) if ids else []:
        if not in_plan(f, year):
            continue
        p = f.project
        review = R.latest_review(f) or {}
        budgets = [b for b in f.of("budget") if b["year"] == year]
        ranks = [b["priority"] for b in budgets if b.get("priority")]
        items.append(PlanItem(
            p["id"], p["code"], p["name"], units.get(p["lead_org_id"], ""), p["category"], p["status"],
            p["total_investment_fen"], approved_fen(f), review.get("reviewed_on") or "",
            review.get("opinion_no") or "",
            sum(x["approved_fen"] for x in f.of("funding") if x["budget_year"] == year),
            sum(b["amount_fen"] for b in budgets if b["budget_kind"] == "construction"),
            sum(b["amount_fen"] for b in budgets if b["budget_kind"] == "om"),
            min(ranks) if ranks else None, om_in_department_budget(p, profile), p.get("om_estimate_fen") or 0,
            [b["id"] for b in budgets]))
    items.sort(key=lambda i: (i.priority is None, i.priority or 0, i.code))
    om = store.all("SELECT p.code, p.name, p.lead_org_id, p.plan_year, p.om_estimate_fen, SUM(b.amount_fen) AS amount "
                   "FROM budgets b JOIN projects p ON p.id = b.project_id WHERE b.year=? AND b.budget_kind='om' "
                   "GROUP BY p.id ORDER BY p.code", (year,))
    lines = [OmLine(r["code"], r["name"], units.get(r["lead_org_id"], ""), r["plan_year"], r["amount"],
                    r["om_estimate_fen"] or 0) for r in om]
    return AnnualPlan(year, items, lines)


def wan(fen: int | None) -> float | None:
    return None if fen is None else fen / FEN_PER_WAN


PLAN_HEADERS = ["序号", "项目编号", "项目名称", "建设单位", "建设类型", "总投资（万元）", "评审核定投资（万元）",
                "资金审核核定（万元）", "预算建设资金（万元）", "轻重缓急", "状态"]
PLAN_COLUMN_KINDS = ["int", "text", "text", "text", "text", "money", "money", "money", "money", "int", "text"]
OM_HEADERS = ["序号", "项目编号", "项目名称", "建设单位", "计划年度", "运维经费概算（每年，万元）",
              "预算运维经费（万元）", "列入"]
OM_COLUMN_KINDS = ["int", "text", "text", "text", "int", "money", "money", "text"]


def plan_rows(plan: AnnualPlan) -> list[list]:
    """The plan as spreadsheet rows (the window's xlsx and `govis plan --xlsx`)."""
    return [[n, i.code, i.name, i.unit, i.category_text, wan(i.total_investment_fen), wan(i.approved_fen),
             wan(i.funded_fen), wan(i.construction_fen), i.priority, i.status_text]
            for n, i in enumerate(plan.items, 1)]


def om_rows(plan: AnnualPlan) -> list[list]:
    return [[n, o.code, o.name, o.unit, o.plan_year, wan(o.om_estimate_fen), wan(o.amount_fen), f"{o.unit}部门预算"]
            for n, o in enumerate(plan.om_lines, 1)]


def xlsx_sheets(plan: AnnualPlan) -> list[tuple[str, list[str], list[list], list[str]]]:
    """(title, headers, rows, kinds) for `services.xlsx_export.save_workbook`."""
    return [(f"{plan.year}年度项目计划", PLAN_HEADERS, plan_rows(plan), PLAN_COLUMN_KINDS),
            (f"{plan.year}年度运维经费预算", OM_HEADERS, om_rows(plan), OM_COLUMN_KINDS)]
