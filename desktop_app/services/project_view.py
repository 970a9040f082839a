"""Read model of one project for the project window (no Qt): its records, findings, actions,
the choices of reference fields and a few derived sums. Reads only, through the Session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop_app.lifecycle import machine
from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.policy import load_profile
from desktop_app.lifecycle.states import status_label
from desktop_app.lifecycle.workdays import DueDate
from desktop_app.models import authority as A
from desktop_app.models.fields import Field, Kind, fen_to_wan_text
from desktop_app.models.kinds import FINANCE, KINDS, ROLES, UNIT
from desktop_app.services import authorize as Z
from desktop_app.services import operations as ops

# tab key -> Chinese title, in window order
TABS: dict[str, str] = {
    "basic": "基本信息", "materials": "申报材料", "similar": "相似项目", "review": "评审与资金", "construction": "建设与合同",
    "changes": "设计变更", "problems": "问题与监督", "acceptance": "验收", "evaluation": "绩效评价",
    "sharing": "资源共享", "funds": "资金", "security": "网络安全", "attachments": "附件",
    "history": "操作记录",
}

# tab key -> record kinds shown on it, in order
TAB_KINDS: dict[str, tuple[str, ...]] = {
    "materials": ("material", "investment_history", "consultation", "co_builder"),
    "similar": ("duplicate_decision",),  # above it, the check itself (ui/similar_projects.py)
    "review": ("review", "expert_opinion", "funding", "upward_consent", "higher_level_filing", "secrecy_confirmation"),
    "construction": ("contract", "progress_report", "delay_acceptance"),
    "changes": ("change_request", "change_decision"),
    "problems": ("problem_report", "inspection", "finding", "rectification", "sanction"),
    "acceptance": ("acceptance_application", "acceptance_extension", "extension_decision", "acceptance_result"),
    "evaluation": ("evaluation",),
    "sharing": ("catalog_entry", "platform_connection"),
    "funds": ("budget", "disbursement", "surplus_return"),
    "security": ("security_record", "controllable_product"),
}


@dataclass
class ProjectView:
    project: dict
    records: dict[str, list[dict]]
    findings: list[R.Finding]
    actions: list[tuple[machine.Transition, str | None]]
    organisations: list[dict] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.project["id"]

    @property
    def title(self) -> str:
        p = self.project
        return f"{p['code']}　{p['name']}"

    @property
    def status_text(self) -> str:
        return status_label(self.project["status"])

    def of(self, kind: str) -> list[dict]:
        return list(self.records.get(kind, []))

    def open_findings(self, tab: str) -> list[R.Finding]:
        """Open obligations and gates for one tab: violations and overdue first, then by due date."""
        order = {R.VIOLATION: 0, R.OVERDUE: 1, R.BLOCKED: 2, R.UPCOMING: 3, R.PENDING: 4}
        found = [f for f in self.findings if f.tab == tab and f.open]
        return sorted(found, key=lambda f: (order.get(f.state, 9), f.due.day if f.due else _FAR))

    def recurring_findings(self, tab: str) -> list[R.Finding]:
        """Periodic obligations met for now (已完成), each with its next due date: not open, still to come."""
        return [f for f in self.findings if f.tab == tab and f.rule_id in R.RECURRING and not f.open]

    def finding_for(self, record_id: str, rule_id: str) -> R.Finding | None:
        for f in self.findings:
            if f.record_id == record_id and f.rule_id == rule_id:
                return f
        return None

    def due_for(self, record_id: str, rule_id: str) -> DueDate | None:
        f = self.finding_for(record_id, rule_id)
        return f.due if f else None

    def due_text(self, record_id: str, rule_id: str) -> str:
        """'2026-11-27（暂定）　即将到期' for a record's deadline, '' if it has none."""
        f = self.finding_for(record_id, rule_id)
        if f is None or f.due is None:
            return ""
        return f"{f.due.text()}　{f.state_text}"

    def org_name(self, org_id: str | None) -> str:
        for o in self.organisations:
            if o["id"] == org_id:
                return o["name"]
        return org_id or ""


_FAR = dt.date.max


def load(session, project_id: str) -> ProjectView:
    facts = session.facts(project_id)
    return ProjectView(
        project=dict(facts.project),
        records={k: list(v) for k, v in facts.records.items()},
        findings=session.findings([project_id]),
        actions=session.actions(project_id),
        organisations=session.organisations(),
        attachments=session.attachments(project_id),
    )


def finding_text(f: R.Finding) -> str:
    due = f"；期限：{f.due.text()}" if f.due else ""
    return f"【{f.state_text}】{f.message}（依据：通知{f.clause}{due}）"


# ---- a new project ---------------------------------------------------------------------------

def default_plan_year(session) -> int:
    """The plan year a new project starts in: the one still open for application today (第二条)."""
    return R.open_plan_year(session.today, load_profile(session.store))


def proposed_code(session, plan_year) -> str:
    """The code the first save will give a project of `plan_year` ('' if the year is not a number)."""
    try:
        return ops.next_project_code(session.store, int(plan_year))
    except (TypeError, ValueError):
        return ""


# ---- who may write what ----------------------------------------------------------------------

def write_refusal(actor, kind: Kind, project: dict | None = None) -> str | None:
    """Why this installation cannot add records of `kind` now (None = it can), from the authority."""
    mine = Z.person_reason(actor, "draft")  # the signed-in person (a 只读审计 account writes nothing)
    if mine:
        return mine
    rule = A.rule(kind.name)
    if actor.role not in rule.writers:
        return f"「{kind.label}」由{A.writers_text(kind.name)}填报，本机（{ROLES.get(actor.role, actor.role)}）只能查看"
    if project is not None and project["status"] not in rule.add_in:
        if rule.via_action:
            labels = "或".join(f"“{machine.TRANSITIONS[a].label}”" for a in rule.via_action)
            return f"「{kind.label}」通过上方{labels}办理"
        return f"项目当前状态为「{status_label(project['status'])}」，不能添加{kind.label}（依据：通知{rule.clause}）"
    if project is None and rule.via_action and not rule.add_in:
        labels = "或".join(f"“{machine.TRANSITIONS[a].label}”" for a in rule.via_action)
        return f"「{kind.label}」通过上方{labels}办理"
    return None


def locked_note(actor, project: dict | None) -> str:
    """One line under the project form naming what the current status locks (from the authority)."""
    if project is None:
        return ""
    kind = KINDS["project"]
    locked = [n for n, _ in edit_locks(actor, "project", project).items()
              if not A.field_rule("project", n).fixed]
    if not locked:
        return ""
    order = "一二三四五六七八九十"
    clauses = sorted({A.field_rule("project", n).clause for n in locked if A.field_rule("project", n).clause},
                     key=lambda c: order.index(c[1]) if len(c) > 1 and c[1] in order else 99)
    return (f"项目当前为「{status_label(project['status'])}」，" + "、".join(kind.field(n).label for n in locked)
            + "已锁定；如需改变，请提出设计变更申请，经县政府办公室审核同意"
            + (f"（依据：通知{'、'.join(clauses)}）" if clauses else "") + "。")


def edit_locks(actor, kind_name: str, project: dict | None) -> dict[str, str]:
    """Fields this installation cannot change in an edit now, with the reason (for read-only editors)."""
    return A.locked_fields(kind_name, actor.role, project["status"] if project else None)


NEW_PROJECT_STATUS = Z.NEW_PROJECT_STATUS
FILLED_ON_CREATE = frozenset({"code"})  # ops.create_project numbers a new project saved without a code


def create_locks(actor) -> dict[str, str]:
    """Fields a new project's form cannot take, with why (for read-only editors): what this role never
    types, and what the draft a new project becomes locks (`authorize.draft_locks`, which the core
    checks too). 编号 and 牵头单位 are fixed *at* creation, so they stay open here."""
    out = {n: why for n, why in A.locked_fields("project", actor.role, None).items()
           if not A.field_rule("project", n).fixed}
    for name, why in Z.draft_locks(actor.role).items():
        out.setdefault(name, why)
    return out


def typed_fields(actor, kind_name: str, creating: bool) -> list[str]:
    """Fields a form shows for typing (the others the core fills or another party sets)."""
    return A.typed_fields(kind_name, actor.role, creating)


def project_edit_refusal(actor, project: dict | None) -> str | None:
    mine = Z.person_reason(actor, "draft")
    if mine:
        return mine
    if actor.role == FINANCE:
        return "县财政局不能修改项目申报信息，本页只能查看"
    if project and actor.role == UNIT and project["lead_org_id"] != actor.org_id:
        return "只有项目牵头单位才能修改项目信息，本页只能查看"
    if project and project.get("owner_org") != actor.org_id:
        return "项目申报信息由填报单位维护，本机只能查看"
    return None


# ---- deleting --------------------------------------------------------------------------------

def _reason(why: tuple[str, str | None] | None) -> str | None:
    return None if why is None else why[0] + (f"（依据：通知{why[1]}）" if why[1] else "")


DELETABLE_PROJECT_STATUSES = ops.DELETABLE_PROJECT_STATUSES


def may_ever_delete_project(actor) -> bool:
    """Whether this installation ever deletes projects (the roles that write them): else no button."""
    return actor.role in A.rule("project").writers


def project_delete_refusal(session, project: dict) -> str | None:
    """Why this project cannot be deleted now (the same rule ops.delete_project applies); None if it can."""
    return _reason(ops.project_delete_refusal(session.store, session.actor, project))


def may_ever_delete(actor, kind_name: str) -> bool:
    """Whether this installation ever deletes records of this kind: it writes them, and not through a
    lifecycle action (those records moved the project's status)."""
    rule = A.rule(kind_name)
    return actor.role in rule.writers and not rule.via_action


def record_delete_refusal(session, kind_name: str, record: dict, project: dict) -> str | None:
    return _reason(ops.record_delete_refusal(session.store, session.actor, kind_name, record, project))


# ---- reference fields ------------------------------------------------------------------------

def _review_label(r: dict) -> str:
    concl = KINDS["review"].field("conclusion").choice_label(r["conclusion"])
    return f"第{r['round']}轮评审（{r['reviewed_on']}，{concl}）"


def ref_choices(view: ProjectView | None, f: Field, organisations: list[dict], actor=None) -> list[tuple[str, str]]:
    """(id, 中文) choices for a reference field."""
    kind = f.ref_kind
    if kind == "organisation":
        units = [o for o in organisations if o["role"] == UNIT]
        if f.name == "org_id" and view is not None:  # a co-builder: any unit but the lead
            units = [o for o in units if o["id"] != view.project["lead_org_id"]]
        return [(o["id"], o["name"]) for o in units]
    if view is None:
        return []
    if kind == "attachment":
        return [(a["id"], a["filename"]) for a in view.attachments]
    if kind == "review":
        return [(r["id"], _review_label(r)) for r in view.of("review")]
    if kind == "change_request":
        ck = KINDS["change_request"].field("change_kind")
        return [(c["id"], f"{c['submitted_on']} {ck.choice_label(c['change_kind'])}：{c['content'][:20]}")
                for c in view.of("change_request")]
    if kind == "inspection":
        return [(i["id"], f"{i['inspected_on']} 监督检查") for i in view.of("inspection")]
    if kind == "finding":
        return [(x["id"], f"{x['description'][:24]}（整改期限{x['rectify_by']}）") for x in view.of("finding")]
    return []


# ---- funds -----------------------------------------------------------------------------------

def fund_totals(view: ProjectView) -> dict[str, int]:
    """Money sums in fen for the 资金 tab."""
    facts = R.Facts(view.project, view.records)
    disb = view.of("disbursement")
    return {
        "total_investment": view.project.get("total_investment_fen") or 0,
        "approved": R.approved_funding_fen(facts),
        "approved_increase": R.approved_increase_fen(facts),
        "budgeted": sum(b["amount_fen"] for b in view.of("budget")),
        "contracted": sum(c["amount_fen"] for c in view.of("contract")),
        "paid_construction": sum(d["amount_fen"] for d in disb if d["purpose"] == "construction"),
        "paid_om": sum(d["amount_fen"] for d in disb if d["purpose"] == "om"),
        "returned": sum(r["amount_fen"] for r in view.of("surplus_return")),
    }


def fund_summary(view: ProjectView) -> str:
    t = fund_totals(view)
    w = fen_to_wan_text
    ceiling = t["approved"] + t["approved_increase"]
    parts = [f"总投资 {w(t['total_investment'])} 万元", f"核定资金 {w(t['approved'])} 万元"]
    if t["approved_increase"]:
        parts.append(f"批准追加 {w(t['approved_increase'])} 万元")
    parts += [f"预算安排 {w(t['budgeted'])} 万元", f"合同总额 {w(t['contracted'])} 万元",
              f"已拨建设资金 {w(t['paid_construction'])} 万元", f"已拨运维经费 {w(t['paid_om'])} 万元",
              f"尚可拨付建设资金 {w(max(ceiling - t['paid_construction'], 0))} 万元",
              f"结余退回 {w(t['returned'])} 万元"]
    return "；".join(parts)
