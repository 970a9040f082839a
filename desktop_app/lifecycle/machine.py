"""The project state machine: who may move a project where, on what conditions, citing which clause."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.states import CLOSED, TERMINABLE, status_label
from desktop_app.lifecycle.workdays import add_months
from desktop_app.models.kinds import COUNTY, FINANCE, ROLES, UNIT


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str  # for outcome-dependent actions the target is chosen by `outcome_target`
    roles: tuple[str, ...]
    clause: str
    record_kind: str | None = None
    gate: str | None = None


def _t(action, label, sources, target, roles, clause, record_kind=None, gate=None):
    return Transition(action, label, frozenset(sources), target, tuple(roles), clause, record_kind, gate)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("submit", "提交申报", {"draft"}, "submitted", [UNIT], "第二条", gate="submit"),
    _t("resubmit", "修改后重新提交", {"revise"}, "submitted", [UNIT], "第三条", gate="submit"),
    _t("start_review", "受理并组织评审", {"submitted"}, "under_review", [COUNTY], "第三条"),
    _t("record_review", "录入评审意见", {"under_review"}, "approved", [COUNTY], "第三条", "review"),
    _t("fund", "资金审核", {"approved"}, "planned", [FINANCE], "第三条", "funding"),
    _t("start_construction", "开工建设", {"planned"}, "in_construction", [UNIT], "第四条"),
    _t("suspend", "暂停建设", {"in_construction"}, "suspended", [COUNTY], "第四条", "sanction"),
    _t("resume", "恢复建设", {"suspended"}, "in_construction", [COUNTY], "第四条"),
    _t("request_acceptance", "申请验收", {"in_construction"}, "acceptance_requested", [UNIT], "第六条",
       "acceptance_application", gate="request_acceptance"),
    _t("reapply_acceptance", "整改后重新申请验收", {"failed"}, "acceptance_requested", [UNIT], "第六条",
       "acceptance_application", gate="request_acceptance"),
    _t("record_acceptance", "录入验收结论", {"acceptance_requested"}, "accepted", [COUNTY], "第六条",
       "acceptance_result"),
    _t("go_live", "投入运行", {"accepted"}, "in_operation", [UNIT], "第六条"),
    _t("self_evaluate", "报送绩效自评价", {"in_operation"}, "self_evaluated", [UNIT], "第六条", "evaluation"),
    _t("post_evaluate", "录入后评价", {"self_evaluated"}, "post_evaluated", [COUNTY], "第六条", "evaluation"),
    _t("terminate", "终止项目", TERMINABLE, "terminated", [COUNTY], "第五条", "sanction"),
)}


def outcome_target(t: Transition, record: dict | None) -> str:
    if t.action == "record_review":
        return {"pass": "approved", "revise": "revise", "reject": "rejected"}[record["conclusion"]]
    if t.action == "record_acceptance":
        return "accepted" if record["conclusion"] == "pass" else "failed"
    return t.target


def refusal(t: Transition, facts: R.Facts, ctx: R.Context, actor, record: dict | None = None,
            check_gates: bool = True) -> tuple[str, str] | None:
    """Why `actor` may not take `t` now, as (Chinese reason, clause); None if allowed.

    `check_gates=False` only for a step the county office relays from another party, whose gates
    were checked where that party's package arrived."""
    p = facts.project
    if actor.role not in t.roles:
        who = "、".join(ROLES[r] for r in t.roles)
        return f"「{t.label}」只能由{who}办理，本机为{ROLES.get(actor.role, actor.role)}", t.clause
    if p["status"] not in t.sources:
        return (f"项目当前状态为「{status_label(p['status'])}」，不能{t.label}"
                + ("（项目已结束）" if p["status"] in CLOSED else ""), t.clause)
    if actor.role == UNIT and p["lead_org_id"] != actor.org_id:
        # the action is named by its button or command; the reason says only why
        return f"只有项目牵头单位才能办理，{actor.org_name}不是本项目的牵头单位", t.clause
    if not check_gates:
        return None
    if t.gate:
        blocking = R.gates(facts, ctx, t.gate)
        if blocking:
            return blocking[0].message, blocking[0].clause
    if t.action == "record_review" and record and record.get("conclusion") == "pass":
        blocking = R.gates(facts, ctx, "approve")
        if blocking:
            return blocking[0].message, blocking[0].clause
    if t.action == "fund":
        review = R.latest_review(facts)
        if not review or review["conclusion"] != "pass":
            return "没有通过评审的县政府办公室审核意见，不能安排资金", "第三条"
    if t.action == "start_construction" and not (p.get("responsible_person") or "").strip():
        return "开工前须确定项目责任人（在基本信息中填写）", "第四条"
    if t.action == "record_acceptance" and record and record.get("conclusion") == "pass" \
            and record.get("controllable_ok") != "pass":
        return "软硬件产品安全可控情况不符合要求，不能通过验收", "第九条"
    if t.action == "self_evaluate":
        start = R.in_use_from(facts)
        if start:
            opens = add_months(start, ctx.profile.self_eval_min_months)
            if ctx.today < opens:
                return (f"绩效自评价应在竣工验收并投入使用12个月后开展（{opens.isoformat()}起）",
                        "第六条")
    return None


def available(facts: R.Facts, ctx: R.Context, actor) -> list[tuple[Transition, str | None]]:
    """Every transition from the current status with its refusal reason (None = allowed)."""
    out = []
    for t in TRANSITIONS.values():
        if facts.project["status"] in t.sources:
            why = refusal(t, facts, ctx, actor)
            out.append((t, None if why is None else f"{why[0]}（依据：通知{why[1]}）"))
    return out
