"""Every state change is one function here: check role and rules, write in one transaction, append
one audit entry. The CLI and the UI call these very functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from desktop_app.errors import NotFound, Refused, ValidationError
from desktop_app.lifecycle import machine
from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.facts import load_context, load_facts
from desktop_app.lifecycle.policy import PolicyProfile
from desktop_app.lifecycle.states import FUNDED, status_label
from desktop_app.models.fields import fen_to_wan_text, parse_date, parse_value
from desktop_app.models.kinds import COUNTY, FINANCE, KINDS, PROHIBITED, ROLES, UNIT, Kind
from desktop_app.models.store import Store, new_id, now_iso
from desktop_app.services import audit, queries

INSTALL_ROLES = (UNIT, COUNTY, FINANCE)
MAX_ATTACHMENT = 50 * 1024 * 1024


@dataclass(frozen=True)
class Actor:
    """Who acts: the installation's organisation and the signed-in user."""

    org_id: str
    org_code: str
    org_name: str
    role: str
    user: str


# ---- validation ---------------------------------------------------------------------------------

# (earlier, later, message) pairs checked on every write of a kind
DATE_ORDER: dict[str, list[tuple[str, str, str]]] = {
    "project": [("planned_start", "planned_completion", "设计建设周期截止日期不能早于计划开工日期")],
    "problem_report": [("occurred_on", "reported_on", "报告日期不能早于问题发生日期")],
    "acceptance_extension": [("requested_on", "new_date", "拟验收日期不能早于申请日期")],
    "higher_level_filing": [("consent_on", "filed_on", "备案日期不能早于同意申报日期"),
                            ("upper_approved_on", "filed_on", "备案日期不能早于上级审批日期")],
    "contract": [("signed_on", "filed_on", "备案日期不能早于合同签订日期")],
    "acceptance_result": [("accepted_on", "report_filed_on", "验收报告备案日期不能早于验收日期")],
}


def validate(kind: Kind, values: dict, partial: bool = False) -> dict:
    """Parse raw values (strings from a form or the command line) into stored values.

    Raises ValidationError naming every bad field, in Chinese; returns only the given fields when
    `partial` (an edit), else every field of the kind.
    """
    known = {f.name: f for f in kind.fields}
    errors: dict[str, str] = {}
    for name in values:
        if name not in known:
            errors[name] = f"{kind.label}没有「{name}」这一项"
    clean: dict = {}
    for f in kind.fields:
        if partial and f.name not in values:
            continue
        try:
            clean[f.name] = parse_value(f, values.get(f.name))
        except ValueError as exc:
            errors[f.name] = str(exc)
    if kind.name == "project" and clean.get("prohibited_types"):
        allowed = dict(PROHIBITED)
        bad = [c for c in re.split(r"[,，、\s]+", clean["prohibited_types"]) if c and c not in allowed
               and c not in allowed.values()]
        if bad:
            errors["prohibited_types"] = f"「{'、'.join(bad)}」不是通知第一条所列类型"
        else:
            by_label = {v: k for k, v in allowed.items()}
            codes = [by_label.get(c, c) for c in re.split(r"[,，、\s]+", clean["prohibited_types"]) if c]
            clean["prohibited_types"] = ",".join(codes)
    if errors:
        raise ValidationError(errors)
    return clean


def _check_dates(kind: Kind, row: dict) -> None:
    errors = {}
    for early, late, msg in DATE_ORDER.get(kind.name, []):
        if row.get(early) and row.get(late) and row[late] < row[early]:
            errors[late] = msg
    if errors:
        raise ValidationError(errors)


def _public(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "content"}


# ---- installation ---------------------------------------------------------------------------------

def is_initialised(store: Store) -> bool:
    return store.get_setting("installation_org_id") is not None


def init_installation(store: Store, role: str, org_code: str, org_name: str, county_name: str = "蒙阴县",
                      admin_username: str = "admin", admin_name: str = "系统管理员",
                      code_prefix: str | None = None) -> Actor:
    errors = {}
    if not code_prefix:
        code_prefix = default_code_prefix(role, org_code)
    if role not in INSTALL_ROLES:
        errors["role"] = f"角色「{role}」不对，只能是 unit（申报单位）、county_office（县政府办公室）或 finance（县财政局）"
    if not re.fullmatch(r"[A-Za-z0-9_-]{2,30}", org_code or ""):
        errors["org_code"] = "单位代码只能由 2-30 位字母、数字、下划线或短横线组成"
    if not (org_name or "").strip():
        errors["org_name"] = "单位名称不能为空"
    if not (admin_username or "").strip():
        errors["admin_username"] = "管理员用户名不能为空"
    if not re.fullmatch(r"[A-Z]{1,6}", code_prefix or ""):
        errors["code_prefix"] = "项目编号前缀只能是 1-6 位大写字母，如 MY"
    if errors:
        raise ValidationError(errors)
    if is_initialised(store):
        raise Refused("该数据库已经初始化，不能重复初始化。如需新建，请指定另一个数据库文件（--db）。")
    now = now_iso()
    org_id = new_id()
    actor = Actor(org_id, org_code, org_name.strip(), role, admin_username.strip())
    with store.tx():
        store.insert("organisations", {"id": org_id, "code": org_code, "name": org_name.strip(), "role": role,
                                       "created_at": now, "updated_at": now})
        store.insert("users", {"id": new_id(), "org_id": org_id, "username": admin_username.strip(),
                               "display_name": admin_name.strip() or admin_username, "is_admin": 1,
                               "created_at": now})
        store.set_setting("installation_org_id", org_id)
        store.set_setting("county_name", county_name)
        store.set_setting("project_code_prefix", code_prefix)
        store.set_setting("policy_profile", PolicyProfile(county_name=county_name).to_json())
        audit.append(store, actor, "初始化", "organisation", org_id, None,
                     f"建立本机数据库：{org_name}（{ROLES[role]}）", after={"code": org_code, "role": role})
    return actor


def default_code_prefix(role: str, org_code: str) -> str:
    """County-level installations number MY-2026-017; a unit uses its own code so that project codes
    made at different units never clash when their packages meet at the county office."""
    if role != UNIT:
        return "MY"
    letters = re.sub(r"[^A-Za-z]", "", org_code or "").upper()[:6]
    return letters or "MY"


def installation_actor(store: Store, username: str | None = None) -> Actor:
    org_id = store.get_setting("installation_org_id")
    if not org_id:
        raise Refused("数据库尚未初始化。请先运行 govis init，或在程序中完成初始设置。")
    org = store.one("SELECT * FROM organisations WHERE id=?", (org_id,))
    if username:
        user = store.one("SELECT * FROM users WHERE username=? AND org_id=?", (username, org_id))
        if not user:
            raise Refused(f"本机没有用户「{username}」")
    else:
        user = store.one("SELECT * FROM users WHERE org_id=? ORDER BY is_admin DESC, created_at LIMIT 1", (org_id,))
    return Actor(org["id"], org["code"], org["name"], org["role"], user["username"] if user else "admin")


def add_organisation(store: Store, actor: Actor, code: str, name: str, role: str = UNIT,
                     short_name: str | None = None) -> str:
    if actor.role != COUNTY:
        raise Refused("只有县政府办公室可以登记单位", "第十条")
    if not re.fullmatch(r"[A-Za-z0-9_-]{2,30}", code or ""):
        raise ValidationError({"code": "单位代码只能由 2-30 位字母、数字、下划线或短横线组成"})
    if not (name or "").strip():
        raise ValidationError({"name": "单位名称不能为空"})
    if role not in ("unit", "county_office", "finance", "audit", "secrecy"):
        raise ValidationError({"role": f"单位角色「{role}」不对"})
    if store.one("SELECT 1 FROM organisations WHERE code=?", (code,)):
        raise Refused(f"单位代码「{code}」已被使用")
    org_id, now = new_id(), now_iso()
    row = {"id": org_id, "code": code, "name": name.strip(), "role": role, "short_name": short_name,
           "created_at": now, "updated_at": now}
    with store.tx():
        store.insert("organisations", row)
        audit.append(store, actor, "登记单位", "organisation", org_id, None, f"登记单位：{name}", after=row)
    return org_id


def org_by_code(store: Store, code: str) -> dict:
    org = store.one("SELECT * FROM organisations WHERE code=? OR name=?", (code, code))
    if not org:
        raise NotFound(f"找不到单位「{code}」。请先登记该单位。")
    return org


# ---- projects -----------------------------------------------------------------------------------

def next_project_code(store: Store, plan_year: int) -> str:
    prefix = store.get_setting("project_code_prefix", "MY")
    like = f"{prefix}-{plan_year}-%"
    n = 0
    for (code,) in store.conn.execute("SELECT code FROM projects WHERE code LIKE ?", (like,)):
        tail = code.rsplit("-", 1)[-1]
        if tail.isdigit():
            n = max(n, int(tail))
    return f"{prefix}-{plan_year}-{n + 1:03d}"


def project_by_code(store: Store, code: str) -> dict:
    p = store.one("SELECT * FROM projects WHERE code=? OR id=?", (code, code))
    if not p:
        raise NotFound(f"找不到编号为「{code}」的项目")
    return p


def _may_edit_project(actor: Actor, project: dict) -> None:
    if actor.role == UNIT and project["lead_org_id"] != actor.org_id:
        raise Refused("只有项目牵头单位才能修改项目信息")
    if actor.role == FINANCE:
        raise Refused("县财政局不能修改项目申报信息")


def create_project(store: Store, actor: Actor, values: dict, today: dt.date | None = None) -> dict:
    values = dict(values)
    if actor.role == FINANCE:
        raise Refused("县财政局不能新建项目申报")
    if actor.role == UNIT:
        lead = values.get("lead_org_id") or actor.org_code
        if lead not in (actor.org_id, actor.org_code, actor.org_name):
            raise Refused("申报单位只能以本单位名义新建项目")
        values["lead_org_id"] = actor.org_id
    elif values.get("lead_org_id"):
        values["lead_org_id"] = org_by_code(store, values["lead_org_id"])["id"] \
            if not store.one("SELECT 1 FROM organisations WHERE id=?", (values["lead_org_id"],)) \
            else values["lead_org_id"]
    if not values.get("code"):
        try:
            year = int(str(values.get("plan_year", "")).strip())
            values["code"] = next_project_code(store, year)
        except ValueError:
            values["code"] = "待定"
    kind = KINDS["project"]
    row = validate(kind, values)
    _check_dates(kind, row)
    if store.one("SELECT 1 FROM projects WHERE code=?", (row["code"],)):
        raise ValidationError({"code": f"项目编号「{row['code']}」已存在"})
    if (row.get("fiscal_share_fen") or 0) > row["total_investment_fen"]:
        raise ValidationError({"fiscal_share_fen": "财政资金不能大于总投资"})
    now = now_iso()
    row.update(id=new_id(), owner_org=actor.org_id, rev=1, created_at=now, updated_at=now,
               status="draft", status_since=(today or dt.date.today()).isoformat())
    with store.tx():
        store.insert("projects", row)
        audit.append(store, actor, "新建项目", "project", row["id"], row["id"],
                     f"新建项目 {row['code']} {row['name']}", after=row)
        queries.refresh_deadlines(store, today, [row["id"]])
    return row


def update_project(store: Store, actor: Actor, project_id: str, values: dict, today: dt.date | None = None) -> dict:
    before = store.get("project", project_id)
    _may_edit_project(actor, before)
    kind = KINDS["project"]
    values = {k: v for k, v in values.items() if k not in ("code", "lead_org_id")}
    changes = validate(kind, values, partial=True)
    locked = {"plan_year", "category", "total_investment_fen", "fiscal_share_fen"}
    if before["status"] not in ("draft", "revise") and locked & {k for k, v in changes.items() if v != before[k]}:
        raise Refused("项目已申报，年度、类型和投资额只能通过设计变更申请调整", "第四条")
    after = {**before, **changes}
    _check_dates(kind, after)
    if (after.get("fiscal_share_fen") or 0) > after["total_investment_fen"]:
        raise ValidationError({"fiscal_share_fen": "财政资金不能大于总投资"})
    changed = {k: v for k, v in changes.items() if v != before[k]}
    if not changed:
        return before
    changed.update(rev=before["rev"] + 1, updated_at=now_iso())
    with store.tx():
        store.update("projects", project_id, changed)
        audit.append(store, actor, "修改项目", "project", project_id, project_id,
                     f"修改项目 {before['code']}：" + "、".join(kind.field(k).label for k in changed
                                                            if k not in ("rev", "updated_at")),
                     before={k: before[k] for k in changed}, after=changed)
        queries.refresh_deadlines(store, today, [project_id])
    return {**before, **changed}


# ---- records ------------------------------------------------------------------------------------

# fields that decided a project's status: changing them needs a new decision, not an edit
DECIDING_FIELDS = {
    "review": {"conclusion", "round"}, "acceptance_result": {"conclusion", "controllable_ok"},
    "evaluation": {"eval_kind"}, "sanction": {"sanction_kind"}, "funding": {"approved_fen", "budget_year"},
}

# kinds that are written only by a lifecycle action, never added free-standing
ACTION_KINDS = {"review": "record_review", "funding": "fund", "acceptance_result": "record_acceptance",
                "acceptance_application": "request_acceptance"}


def _check_record_role(store: Store, actor: Actor, kind: Kind, project: dict) -> None:
    if actor.role not in kind.owner_roles:
        who = "、".join(ROLES[r] for r in kind.owner_roles)
        raise Refused(f"「{kind.label}」由{who}填报，本机为{ROLES.get(actor.role, actor.role)}")
    if actor.role == UNIT and project["lead_org_id"] != actor.org_id:
        co = store.one("SELECT 1 FROM project_co_builders WHERE project_id=? AND org_id=?",
                       (project["id"], actor.org_id))
        if not co:
            raise Refused("只有项目牵头单位或共建单位才能填报该项目的记录")


def _record_checks(store: Store, actor: Actor, kind: Kind, project: dict, row: dict, today: dt.date) -> None:
    """Kind-specific rules of the notice that refuse a record outright."""
    status = project["status"]
    if kind.name == "contract" and status not in FUNDED:
        raise Refused("项目尚未经资金审核列入计划，不能签订采购合同", "第八条")
    if kind.name in ("progress_report", "change_request", "problem_report") and status not in FUNDED:
        raise Refused(f"项目尚未列入建设计划，不能填报{kind.label}", "第四条")
    if kind.name == "disbursement":
        _disbursement_gates(store, project, row, today)
    if kind.name == "change_decision":
        ch = store.get("change_request", row["change_request_id"])
        if ch["project_id"] != project["id"]:
            raise ValidationError({"change_request_id": "该变更申请不属于本项目"})
        allowed = {FINANCE: {"finance"}, COUNTY: {"county_office", "egov_office"}}[actor.role]
        if row["decider"] not in allowed:
            raise Refused("只能以本单位名义录入审核意见")
        if ch["change_kind"] == "technical" and row["decider"] == "finance":
            raise Refused("技术性调整由县政府电子政务办公室审核把关，无需县财政局审批", "第四条")
        if ch["change_kind"] == "major" and row["decider"] == "finance":
            county_ok = store.one("SELECT 1 FROM change_decisions WHERE change_request_id=? AND "
                                  "decider='county_office' AND decision='approved'", (ch["id"],))
            if not county_ok and row["decision"] == "approved":
                raise Refused("重大调整须先由县政府办公室提出审核意见，再由县财政局审批", "第四条")
    if kind.name == "evaluation":
        want = "self" if actor.role == UNIT else "post"
        if row["eval_kind"] != want:
            raise Refused("申报单位只能报送绩效自评价，后评价由县政府办公室组织", "第六条")
        if status not in ("self_evaluated", "post_evaluated"):
            action = "报送绩效自评价" if want == "self" else "录入后评价"
            raise Refused(f"首次{KINDS['evaluation'].field('eval_kind').choice_label(want)}须通过“{action}”办理",
                          "第六条")
    if kind.name == "sanction" and row["sanction_kind"] in ("suspend", "terminate"):
        action = "暂停建设" if row["sanction_kind"] == "suspend" else "终止项目"
        raise Refused(f"{action}须通过“{action}”办理，项目状态随之改变", "第五条")
    if row.get("attachment_id"):
        att = store.one("SELECT project_id FROM attachments WHERE id=?", (row["attachment_id"],))
        if not att or att["project_id"] != project["id"]:
            raise ValidationError({"attachment_id": "所选附件不属于本项目"})
    for parent_kind, col in (("review", "review_id"), ("inspection", "inspection_id"), ("finding", "finding_id")):
        if row.get(col):
            parent = store.get(parent_kind, row[col])
            if parent["project_id"] != project["id"]:
                raise ValidationError({col: f"所选{KINDS[parent_kind].label}不属于本项目"})
    if kind.name == "security_record" and row["security_kind"] == "mlps_filing" and not project.get("mlps_level"):
        raise Refused("须先在基本信息中明确等级保护级别", "第九条")


def _disbursement_gates(store: Store, project: dict, row: dict, today: dt.date) -> None:
    facts = load_facts(store, [project["id"]])[0]
    ctx = load_context(store, today)
    if project["status"] not in FUNDED or not facts.of("funding"):
        raise Refused("项目未经资金审核列入年度建设计划，不予安排资金", "第八条")
    if project["status"] == "terminated":
        raise Refused("项目已终止，不得拨付资金", "第五条")
    if R.funds_withheld(facts):
        raise Refused("项目被暂缓拨付建设资金（或暂停、终止），解除前不得拨付", "第五条")
    accepted = R.passed_acceptance(facts)
    if row["purpose"] == "om" and not accepted:
        raise Refused("项目未经竣工验收，不得拨付运行维护经费", "第六条")
    blocked = [f for f in R.gates(facts, ctx, "disburse")]
    if blocked:
        raise Refused(blocked[0].message, blocked[0].clause)
    if row["purpose"] == "construction":
        ceiling = R.approved_funding_fen(facts) + R.approved_increase_fen(facts)
        paid = sum(d["amount_fen"] for d in facts.of("disbursement") if d["purpose"] == "construction")
        if paid + row["amount_fen"] > ceiling:
            raise Refused(f"累计拨付将达{fen_to_wan_text(paid + row['amount_fen'])}万元，超过核定资金"
                          f"{fen_to_wan_text(ceiling)}万元；超支原则上不补", "第八条")


def add_record(store: Store, actor: Actor, kind_name: str, project_id: str, values: dict,
               today: dt.date | None = None) -> dict:
    kind = KINDS.get(kind_name)
    if kind is None or not kind.project_scoped:
        raise ValidationError({"kind": f"未知的记录类型「{kind_name}」"})
    if kind_name in ACTION_KINDS:
        label = machine.TRANSITIONS[ACTION_KINDS[kind_name]].label
        raise Refused(f"「{kind.label}」须通过“{label}”办理，不能单独添加")
    project = store.get("project", project_id)
    _check_record_role(store, actor, kind, project)
    row = validate(kind, values)
    _check_dates(kind, row)
    _record_checks(store, actor, kind, project, row, today or dt.date.today())
    now = now_iso()
    row.update(id=new_id(), owner_org=actor.org_id, rev=1, created_at=now, updated_at=now, project_id=project_id)
    with store.tx():
        store.insert(kind.table, row)
        audit.append(store, actor, f"添加{kind.label}", kind.name, row["id"], project_id,
                     f"{project['code']} 添加{kind.label}", after=row)
        queries.refresh_deadlines(store, today, [project_id])
    return row


def update_record(store: Store, actor: Actor, kind_name: str, record_id: str, values: dict,
                  today: dt.date | None = None) -> dict:
    kind = KINDS[kind_name]
    before = store.get(kind, record_id)
    project = store.get("project", before["project_id"])
    _check_record_role(store, actor, kind, project)
    if before["owner_org"] != actor.org_id:
        raise Refused(f"这条{kind.label}由其他单位填报，本单位不能修改")
    changes = validate(kind, values, partial=True)
    after = {**before, **changes}
    _check_dates(kind, after)
    changed = {k: v for k, v in changes.items() if v != before[k]}
    locked = DECIDING_FIELDS.get(kind_name, set()) & set(changed)
    if locked:
        labels = "、".join(kind.field(k).label for k in sorted(locked))
        raise Refused(f"「{labels}」决定了项目的状态，不能直接修改；如需改变，请重新办理相应手续")
    if not changed:
        return before
    changed.update(rev=before["rev"] + 1, updated_at=now_iso())
    with store.tx():
        store.update(kind.table, record_id, changed)
        audit.append(store, actor, f"修改{kind.label}", kind.name, record_id, project["id"],
                     f"{project['code']} 修改{kind.label}", before={k: before[k] for k in changed}, after=changed)
        queries.refresh_deadlines(store, today, [project["id"]])
    return {**before, **changed}


# ---- lifecycle ----------------------------------------------------------------------------------

def transition(store: Store, actor: Actor, project_id: str, action: str, values: dict | None = None,
               today: dt.date | None = None) -> dict:
    t = machine.TRANSITIONS.get(action)
    if t is None:
        allowed = "、".join(f"{a}（{x.label}）" for a, x in machine.TRANSITIONS.items())
        raise ValidationError({"action": f"未知的操作「{action}」。可用操作：{allowed}"})
    today = today or dt.date.today()
    facts = load_facts(store, [project_id])
    if not facts:
        raise NotFound(f"找不到项目（{project_id}）")
    facts = facts[0]
    project = facts.project
    record = None
    values = dict(values or {})
    if t.record_kind:
        kind = KINDS[t.record_kind]
        if action == "record_review" and "round" not in values:
            values["round"] = str(len(facts.of("review")) + 1)
        if action in ("self_evaluate", "post_evaluate"):
            values["eval_kind"] = "self" if action == "self_evaluate" else "post"
        if action in ("terminate", "suspend"):
            values["sanction_kind"] = action
            values.setdefault("imposed_on", today.isoformat())
        record = validate(kind, values)
        _check_dates(kind, record)
    elif values:
        raise ValidationError({"values": f"“{t.label}”不需要填写记录"})
    why = machine.refusal(t, facts, load_context(store, today), actor, record)
    if why:
        raise Refused(why[0], why[1])
    target = machine.outcome_target(t, record)
    now = now_iso()
    changes = {"status": target, "status_since": today.isoformat(), "rev": project["rev"] + 1, "updated_at": now}
    with store.tx():
        if record is not None:
            record.update(id=new_id(), owner_org=actor.org_id, rev=1, created_at=now, updated_at=now,
                          project_id=project_id)
            store.insert(KINDS[t.record_kind].table, record)
        store.update("projects", project_id, changes)
        if action == "resume":  # resuming lifts the suspension that stopped the works
            store.conn.execute("UPDATE sanctions SET lifted_on=?, rev=rev+1, updated_at=? WHERE project_id=? AND "
                               "sanction_kind='suspend' AND lifted_on IS NULL", (today.isoformat(), now, project_id))
        audit.append(store, actor, t.label, "project", project_id, project_id,
                     f"{project['code']} {t.label}：{status_label(project['status'])} → {status_label(target)}",
                     before={"status": project["status"]},
                     after={"status": target, **({"record": record} if record else {})})
        queries.refresh_deadlines(store, today, [project_id])
    return {**project, **changes}


# ---- calendar and attachments -------------------------------------------------------------------

def set_holidays(store: Store, actor: Actor, year: int, holidays: list[str], workdays: list[str],
                 source: str = "国务院办公厅通知") -> int:
    """Enter one year's official holidays and make-up working days (the State Council notice)."""
    if actor.role != COUNTY:
        raise Refused("节假日安排由县政府办公室录入，并随单位目录数据包下发")
    rows, errors = {}, {}
    for label, days, is_work in (("holidays", holidays, 0), ("workdays", workdays, 1)):
        for text in days:
            try:
                day = parse_date(text)
            except ValueError as exc:
                errors[label] = str(exc)
                continue
            if int(day[:4]) != year:
                errors[label] = f"日期 {day} 不在 {year} 年"
            elif day in rows:
                errors[label] = f"日期 {day} 重复出现"
            rows[day] = is_work
    if not holidays:
        errors["holidays"] = "请至少录入一个法定节假日"
    if errors:
        raise ValidationError(errors)
    now = now_iso()
    with store.tx():
        store.conn.execute("DELETE FROM holidays WHERE day LIKE ?", (f"{year}-%",))
        for day, is_work in sorted(rows.items()):
            store.insert("holidays", {"day": day, "is_workday": is_work, "source": source, "created_at": now})
        audit.append(store, actor, "录入节假日", "holiday", str(year), None,
                     f"录入{year}年节假日安排：放假{len(holidays)}天，调休上班{len(workdays)}天",
                     after={"year": year, "holidays": sorted(holidays), "workdays": sorted(workdays)})
        store.set_setting("deadlines_computed_for", "")  # every due date may move with the new calendar
    return len(rows)


def attach_file(store: Store, actor: Actor, project_id: str, path: str | Path, record_kind: str,
                record_id: str) -> dict:
    """Attach a file to an existing record of the project: record_kind/record_id of a record whose
    project is `project_id`, or record_kind='project', record_id=project_id for a file about the
    project as a whole. The name is cleaned, the extension must be allowed and the content must fit
    it (`attachment_files.check_attachment`); the stored media type is derived from the extension."""
    from desktop_app.services import attachment_files as AF

    project = store.get("project", project_id)
    if actor.role == UNIT and project["lead_org_id"] != actor.org_id and not store.one(
            "SELECT 1 FROM project_co_builders WHERE project_id=? AND org_id=?", (project_id, actor.org_id)):
        raise Refused("只有项目牵头单位或共建单位才能为该项目添加附件")
    try:
        AF.bound_record(store, project_id, record_kind, record_id)
    except ValueError as exc:
        raise ValidationError({"record_id": str(exc)}) from None
    p = Path(path)
    if not p.is_file():
        raise ValidationError({"file": f"找不到文件：{p}"})
    size = p.stat().st_size
    if size > MAX_ATTACHMENT:
        raise ValidationError({"file": f"文件过大（{size // 1024 // 1024} MB），单个附件不超过 50 MB，请压缩或分拆"})
    content = p.read_bytes()
    try:
        filename, _ext, media_type = AF.check_attachment(p.name, None, content)
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from None
    now = now_iso()
    row = {"id": new_id(), "owner_org": actor.org_id, "rev": 1, "created_at": now, "updated_at": now,
           "project_id": project_id, "record_kind": record_kind, "record_id": record_id, "filename": filename,
           "media_type": media_type, "size": size,
           "sha256": hashlib.sha256(content).hexdigest(), "content": content}
    with store.tx():
        store.insert("attachments", row)
        audit.append(store, actor, "添加附件", "attachment", row["id"], project_id,
                     f"{project['code']} 添加附件 {filename}", after=_public(row))
    return _public(row)



def set_policy(store: Store, actor: Actor, changes: dict) -> PolicyProfile:
    """Change numbers of the county policy profile (e.g. an October application deadline)."""
    if actor.role != COUNTY:
        raise Refused("县级政策参数只能由县政府办公室修改", "第十条")
    from dataclasses import asdict
    from dataclasses import fields as dc_fields

    from desktop_app.lifecycle.policy import load_profile

    before = load_profile(store)
    types = {f.name: f.type for f in dc_fields(PolicyProfile)}
    errors, clean = {}, {}
    for key, raw in changes.items():
        if key not in types:
            errors[key] = f"没有名为「{key}」的政策参数"
            continue
        if types[key] in (int, "int"):
            try:
                clean[key] = int(str(raw).strip())
            except ValueError:
                errors[key] = f"参数「{key}」必须是整数，现为「{raw}」"
                continue
            if clean[key] < 0:
                errors[key] = f"参数「{key}」不能为负数"
        else:
            clean[key] = str(raw).strip()
    after_dict = {**asdict(before), **clean}
    try:
        dt.date(2025, after_dict["application_month"], after_dict["application_day"])
    except ValueError:
        errors["application_day"] = "申报截止月、日组成的日期不存在"
    if after_dict["self_eval_min_months"] > after_dict["self_eval_max_months"]:
        errors["self_eval_min_months"] = "自评价起始月数不能大于截止月数"
    if errors:
        raise ValidationError(errors)
    after = PolicyProfile(**after_dict)
    with store.tx():
        store.set_setting("policy_profile", after.to_json())
        audit.append(store, actor, "修改政策参数", "policy", None, None,
                     "修改县级政策参数：" + "、".join(clean), before={k: asdict(before)[k] for k in clean},
                     after=clean)
        store.set_setting("deadlines_computed_for", "")
    return after
