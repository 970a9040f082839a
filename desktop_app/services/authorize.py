"""The checks every write passes, in the order they run: role, ownership, project status, fields
(who may set them, which are locked), dates (an event may not lie in the future) and the record rules
of the notice. They read the declaration in `models.authority`; `services.operations` calls them for
every write, whether typed in the window, given on the command line or arriving in a package.
Each check raises `Refused` / `ValidationError` with a Chinese message citing the clause.
"""

from __future__ import annotations

import datetime as dt
import re

from desktop_app.errors import Refused, StatusRefused, ValidationError
from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.facts import load_context, load_facts
from desktop_app.lifecycle.policy import load_profile
from desktop_app.lifecycle.states import FUNDED, status_label
from desktop_app.models import authority as A
from desktop_app.models.fields import fen_to_wan_text
from desktop_app.models.kinds import COUNTY, FINANCE, KINDS, ROLES, UNIT, Kind
from desktop_app.services import annual_plan as AP

CODE_RE = re.compile(r"^([A-Z]{1,6})-(\d{4})-(\d{1,6})$")


def role_label(role: str) -> str:
    return ROLES.get(role, role)


# ---- role and ownership ---------------------------------------------------------------------

def check_person(actor, right: str, incoming=None, what: str | None = None) -> None:
    """The signed-in person may exercise `right` (models.authority.PERSON_RIGHTS). A record arriving in
    a package is written as its owner organisation; the person checked then is the one importing it."""
    if incoming is not None:
        actor, right, what = incoming.recorder, "import", None
    why = A.person_refusal(getattr(actor, "user_role", None), right, what)
    if why:
        raise Refused(why)


def person_reason(actor, right: str, what: str | None = None) -> str | None:
    """The same rule as a reason to show (a disabled button's tooltip); None if allowed."""
    return A.person_refusal(getattr(actor, "user_role", None), right, what)


def check_setting(actor, what: str) -> None:
    """An installation-wide write (单位, 公钥, 目录, 节假日, 政策参数): its role, from the declaration;
    inside the organisation, only an administrator makes it."""
    roles, clause, why = A.SETTINGS[what]
    if actor.role not in roles:
        raise Refused(f"{why}（本机为{role_label(actor.role)}）", clause or None)
    check_person(actor, "settings")


def check_role(actor, kind_name: str) -> None:
    if actor.role not in A.writers(kind_name):
        kind = KINDS[kind_name]
        raise Refused(f"「{kind.label}」由{A.writers_text(kind_name)}填报，{actor.org_name}为{role_label(actor.role)}，"
                      "不能填报", A.rule(kind_name).clause or None)


def is_co_builder(store, project_id: str, org_id: str) -> bool:
    """A co-builder relation counts only when the county office set it (第二条)."""
    return store.one("SELECT 1 FROM project_co_builders c JOIN organisations o ON o.id = c.owner_org "
                     "WHERE c.project_id=? AND c.org_id=? AND o.role='county_office'",
                     (project_id, org_id)) is not None


def check_ownership(store, actor, project: dict, what: str = "填报该项目的记录") -> None:
    """A unit writes only for projects it leads, or co-builds by the county office's record."""
    if actor.role != UNIT or project["lead_org_id"] == actor.org_id:
        return
    if is_co_builder(store, project["id"], actor.org_id):
        return
    raise Refused(f"项目 {project['code']} 不是{actor.org_name}牵头的项目，县政府办公室也未登记其为共建单位，"
                  f"不能{what}", "第二条")


# ---- status ---------------------------------------------------------------------------------

def check_status(kind_name: str, project: dict, adding: bool) -> None:
    r = A.rule(kind_name)
    allowed = r.add_in if adding else r.edit_in
    if project["status"] not in allowed:
        kind = KINDS[kind_name]
        verb = "添加" if adding else "修改"
        raise StatusRefused(f"项目 {project['code']} 当前状态为「{status_label(project['status'])}」，不能{verb}{kind.label}",
                      r.clause or None)


# ---- fields ---------------------------------------------------------------------------------

NEW_PROJECT_STATUS = "draft"  # what a project is when its first save creates it


def draft_locks(role: str) -> dict[str, str]:
    """Fields `role` may type into a project, but not into the draft a new project is: e.g. 未按期完成的
    说明 (第四条), which belongs to a project past its completion date. For the form and the core alike."""
    kind = KINDS["project"]
    out = {}
    for name in A.locked_fields("project", role, NEW_PROJECT_STATUS):
        fr = A.field_rule("project", name)
        if fr.fixed or fr.core or role not in A.field_roles("project", name):
            continue  # never typed by this role at all: check_fields says so in its own words
        clause = f"（依据：通知{fr.clause}）" if fr.clause else ""
        out[name] = (f"新建的项目为「{status_label(NEW_PROJECT_STATUS)}」，「{kind.field(name).label}」现在不能填写"
                     + (f"；{fr.why}" if fr.why else "") + clause)
    return out


def check_fields(kind_name: str, role: str, given: dict, *, creating: bool, status: str | None,
                 new_draft: bool = True) -> None:
    """Refuse any field this role may not type now. `given`: field -> value actually set or changed.
    `new_draft=False`: a project arriving in a package is created with its fields as they are at its sender,
    then replayed to its status; the draft's locks are not its own."""
    kind = KINDS[kind_name]
    allowed = A.typed_field_set(kind_name, role, creating)
    if not creating:
        locked = A.locked_fields(kind_name, role, status)
    elif kind_name == "project" and new_draft:  # a value given for a field the new draft locks (an empty one is no value)
        locked = {n: why for n, why in draft_locks(role).items() if given.get(n) not in (None, "")}
    else:
        locked = {}
    errors = {}
    for name, value in given.items():
        if name not in kind.column_set:
            continue  # validate() names unknown fields
        fr = A.field_rule(kind_name, name)
        if name in locked:
            errors[name] = locked[name]
        elif name not in allowed:
            if creating and fr.not_at_creation and value in (None, ""):
                continue
            if fr.core and value in (None, ""):
                continue
            if creating and fr.not_at_creation:
                errors[name] = f"「{kind.field(name).label}」{fr.why or '不能在建立记录时填写'}"
            elif fr.core:
                errors[name] = f"「{kind.field(name).label}」由系统根据办理结果填写，不能直接填写"
            else:
                who = "、".join(role_label(r) for r in A.field_roles(kind_name, name))
                errors[name] = f"「{kind.field(name).label}」由{who}填写"
    if errors:
        raise ValidationError(errors)


def check_event_dates(kind_name: str, row: dict, today: dt.date, source: str = "今天") -> None:
    """A date a person reports as having happened (签订、报送、检查…) may not lie after `today`."""
    day = today.isoformat()
    errors = {}
    for name in A.event_date_fields(kind_name):
        v = row.get(name)
        if v and str(v) > day:
            errors[name] = f"「{KINDS[kind_name].field(name).label}」{v} 晚于{source}（{day}），不能填写将来的日期"
    if errors:
        raise ValidationError(errors)


# ---- project codes ----------------------------------------------------------------------------

def default_code_prefix(role: str, org_code: str) -> str:
    """County-level installations number MY-2026-017; a unit uses its own code so that project codes
    made at different units never clash when their packages meet at the county office."""
    if role != UNIT:
        return "MY"
    letters = re.sub(r"[^A-Za-z]", "", org_code or "").upper()[:6]
    return letters or "MY"


def org_prefix(org: dict) -> str:
    return org.get("code_prefix") or default_code_prefix(org["role"], org["code"])


def check_project_code(store, code: str, plan_year: int, lead: dict, *, claim: bool, name: str = "") -> str | None:
    """A code prefix belongs to one organisation: its own projects are numbered under it (第二条).
    Returns the prefix the lead unit claims with this, its first project (the operation records it)."""
    m = CODE_RE.match(code or "")
    if not m:
        raise ValidationError({"code": f"项目编号「{code}」格式不对，应为 前缀-年度-序号，如 {org_prefix(lead)}-{plan_year}-001"})
    prefix = m.group(1)
    holders = [o for o in store.all("SELECT * FROM organisations") if org_prefix(o) == prefix]
    others = [o for o in holders if o["id"] != lead["id"]]
    if others:
        other = others[0]
        example = store.one("SELECT code, name FROM projects WHERE code LIKE ? ORDER BY code LIMIT 1", (prefix + "-%",))
        shown = f"（如 {example['code']} {example['name']}）" if example else ""
        raise Refused(f"项目「{name}」的编号「{code}」使用的前缀「{prefix}」属于{other['name']}{shown}，"
                      f"{lead['name']}的项目应以「{org_prefix(lead)}」编号", "第二条")
    if not holders and (not claim or lead.get("code_prefix")):
        raise Refused(f"项目编号「{code}」的前缀「{prefix}」不是{lead['name']}的编号前缀「{org_prefix(lead)}」",
                      "第二条")
    clash = store.one("SELECT code, name FROM projects WHERE code=?", (code,))
    if clash:
        raise Refused(f"项目「{name}」的编号「{code}」已被本机项目「{clash['name']}」使用，两个项目不能同一编号")
    return prefix if not holders else None


# ---- record rules of the notice ---------------------------------------------------------------

def check_record_rules(store, actor, kind: Kind, project: dict, row: dict, today: dt.date,
                       creating: bool = True, gates: bool = True) -> None:
    """Kind-specific rules of the notice that refuse a record outright. `gates=False` only for a record
    the county office relays from its owner: the money gates were checked where it was written."""
    status = project["status"]
    if kind.name == "change_decision":
        ch = store.get("change_request", row["change_request_id"])
        allowed = {FINANCE: {"finance"}, COUNTY: {"county_office", "egov_office"}}.get(actor.role, set())
        if row["decider"] not in allowed:
            raise Refused("只能以本单位名义录入审核意见")
        if ch["change_kind"] == "technical" and row["decider"] == "finance":
            raise Refused("技术性调整由县政府电子政务办公室审核把关，无需县财政局审批", "第四条")
        if ch["change_kind"] == "major" and row["decider"] == "finance":
            county_ok = store.one("SELECT 1 FROM change_decisions WHERE change_request_id=? AND "
                                  "decider='county_office' AND decision='approved'", (ch["id"],))
            if not county_ok and row["decision"] == "approved":
                raise Refused("重大调整须先由县政府办公室提出审核意见，再由县财政局审批", "第四条")
    if kind.name == "change_request" and row.get("new_mlps_level") \
            and row["new_mlps_level"] == project.get("mlps_level"):
            raise ValidationError({"new_mlps_level": "调整后的等级保护级别与现定级别相同"})
    if kind.name == "evaluation":
        want = A.EVAL_KIND_BY_ROLE.get(actor.role)
        if row.get("eval_kind") != want:
            raise Refused("申报单位只能报送绩效自评价，后评价由县政府办公室组织", "第六条")
    if kind.name == "sanction" and row["sanction_kind"] in ("suspend", "terminate") and creating:
        action = "暂停建设" if row["sanction_kind"] == "suspend" else "终止项目"
        raise Refused(f"{action}须通过“{action}”办理，项目状态随之改变", "第五条")
    if kind.name == "disbursement" and creating and gates:
        disbursement_gates(store, project, row, today)
    if kind.name == "budget":
        budget_gates(store, project, row, creating and gates)
    if kind.name == "security_record" and row["security_kind"] == "mlps_filing" and not project.get("mlps_level"):
        raise Refused("须先在基本信息中明确等级保护级别", "第九条")
    if kind.name == "higher_level_filing" and not project.get("higher_level"):
        raise Refused("该项目不是上级部门组织申报的项目，无需填报上级项目申报与备案", "第三条")
    if kind.name == "higher_level_filing" and row.get("applied_upward_on"):
        consent = store.one("SELECT MIN(consent_on) AS d FROM upward_consents WHERE project_id=?", (project["id"],))
        if not consent or not consent["d"] or consent["d"] > row["applied_upward_on"]:
            raise Refused("向上级申报前须取得县政府办公室同意申报的审核意见", "第三条")
    if row.get("attachment_id"):
        att = store.one("SELECT project_id FROM attachments WHERE id=?", (row["attachment_id"],))
        if not att or att["project_id"] != project["id"]:
            raise ValidationError({"attachment_id": "所选附件不属于本项目"})
    for f in kind.fields:
        if f.type == "ref" and f.ref_kind not in ("organisation", "attachment") and row.get(f.name):
            parent = store.find(f.ref_kind, row[f.name])
            if parent is None or parent["project_id"] != project["id"]:
                raise ValidationError({f.name: f"所选{KINDS[f.ref_kind].label}不存在或不属于本项目"})
    if kind.name == "co_builder" and row.get("org_id") == project["lead_org_id"]:
        raise ValidationError({"org_id": "牵头单位不能同时登记为共建单位"})
    del status


def unjustified_duplicate(facts: R.Facts) -> dict | None:
    """第一条: the county office's latest finding, when it says 重复 and records no justification."""
    decisions = sorted(facts.of("duplicate_decision"), key=lambda d: d["decided_on"])  # stable: rowid ties
    latest = decisions[-1] if decisions else None
    if latest and latest["level"] == "duplicate" and not (latest.get("justification") or "").strip():
        return latest
    return None


def funding_gates(facts: R.Facts, row: dict) -> None:
    """第八条: finance funds no more than the review approved, in a budget year the plan allows;
    第一条: never a project the county office found to repeat another without a recorded justification."""
    dup = unjustified_duplicate(facts)
    if dup is not None:
        similar = f"（与{dup['similar_codes']}重复）" if dup.get("similar_codes") else ""
        raise Refused(f"县政府办公室于{dup['decided_on']}认定本项目属重复建设{similar}，且未记录确需建设的理由，"
                      "不得安排资金。如确需建设，请县政府办公室补录审查意见并写明理由", "第一条")
    review = R.latest_review(facts)
    approved = review.get("approved_investment_fen") if review else None
    ceiling = approved if approved is not None else facts.project["total_investment_fen"]
    already = R.approved_funding_fen(facts)
    year = facts.project["plan_year"]
    if row["budget_year"] != year:
        raise Refused(f"项目列入{year}年度政务信息系统项目计划，资金只能列入{year}年度预算；"
                      f"未列入{row['budget_year']}年度建设计划的项目不予安排资金", "第八条")
    if already + row["approved_fen"] > ceiling:
        what = "评审核定投资" if approved is not None else "项目总投资"
        raise Refused(f"核定资金合计将达{fen_to_wan_text(already + row['approved_fen'])}万元，超过{what}"
                      f"{fen_to_wan_text(ceiling)}万元", "第八条")


def budget_gates(store, project: dict, row: dict, gates: bool) -> None:
    """第八条: finance budgets money only for a project of that year's plan, no more than was approved;
    O&M only for a large project with high O&M, in its unit's department budget, once it runs. A rank of
    轻重缓急 belongs to one project of the year (checked on edits too; the money gates when created)."""
    if row.get("priority"):
        clash = store.one("SELECT p.code, p.name FROM budgets b JOIN projects p ON p.id = b.project_id "
                          "WHERE b.year=? AND b.priority=? AND b.project_id != ?",
                          (row["year"], row["priority"], project["id"]))
        if clash:
            raise ValidationError({"priority": f"{row['year']}年度轻重缓急排序第{row['priority']}位已给了项目"
                                               f"{clash['code']} {clash['name']}，请另选序号"})
    if not gates:
        return
    facts = load_facts(store, [project["id"]])[0]
    year, kind, amount = row["year"], row["budget_kind"], row["amount_fen"]
    if kind == "construction":
        funded = [f for f in facts.of("funding") if f["budget_year"] == year]
        if not AP.in_plan(facts) or not funded:
            raise Refused(f"项目 {project['code']} 未列入{year}年度建设计划（计划年度{project['plan_year']}），"
                          "所需资金原则上不予安排", "第八条")
        ceiling = sum(f["approved_fen"] for f in funded) + R.approved_increase_fen(facts)
        have = sum(b["amount_fen"] for b in facts.of("budget") if b["year"] == year and b["budget_kind"] == kind)
        if have + amount > ceiling:
            raise Refused(f"{year}年度建设资金预算合计将达{fen_to_wan_text(have + amount)}万元，超过核定资金"
                          f"{fen_to_wan_text(ceiling)}万元；超支原则上不补", "第八条")
        return
    profile = load_profile(store)
    p = facts.project
    if not AP.om_in_department_budget(p, profile):
        raise Refused(f"项目 {p['code']} 不是运维费用较高的大型项目（须为大型项目，且申报时报审的运维经费概算不低于"
                      f"每年{profile.om_budget_threshold_wan}万元），日常运行维护费用从本单位公用经费中解决，"
                      "不单独安排预算", "第八条")
    if not R.passed_acceptance(facts):
        raise Refused("项目投入运行后，运行维护经费才能经县财政局审核列入部门年度预算；该项目尚未通过竣工验收",
                      "第八条")
    have = sum(b["amount_fen"] for b in facts.of("budget") if b["year"] == year and b["budget_kind"] == kind)
    if have + amount > p["om_estimate_fen"]:
        raise Refused(f"{year}年度运行维护经费预算合计将达{fen_to_wan_text(have + amount)}万元，超过申报时报审的运维经费概算"
                      f"（每年{fen_to_wan_text(p['om_estimate_fen'])}万元）", "第八条")


def disbursement_gates(store, project: dict, row: dict, today: dt.date) -> None:
    facts = load_facts(store, [project["id"]])[0]
    ctx = load_context(store, today)
    if project["status"] not in FUNDED or not facts.of("funding"):
        raise Refused("项目未经资金审核列入年度建设计划，不予安排资金", "第八条")
    if project["status"] == "terminated":
        raise Refused("项目已终止，不得拨付资金", "第五条")
    if R.funds_withheld(facts):
        raise Refused("项目被暂缓拨付建设资金（或暂停、终止），解除前不得拨付", "第五条")
    funded_years = sorted({f["budget_year"] for f in facts.of("funding")})
    if row["budget_year"] not in funded_years:
        raise Refused(f"预算年度{row['budget_year']}没有该项目的资金安排（已列入预算年度："
                      f"{'、'.join(map(str, funded_years))}），不予拨付", "第八条")
    accepted = R.passed_acceptance(facts)
    if row["purpose"] == "om":
        if not accepted:
            raise Refused("项目未经竣工验收，不得拨付运行维护经费", "第六条")
        if not facts.project.get("om_estimate_fen"):
            raise Refused("项目申报时未填报运行维护经费概算并经审核，不得拨付运行维护经费", "第八条")
    blocked = R.gates(facts, ctx, "disburse")
    if blocked:
        raise Refused(blocked[0].message, blocked[0].clause)
    if row["purpose"] == "construction":
        ceiling = R.approved_funding_fen(facts) + R.approved_increase_fen(facts)
        paid = sum(d["amount_fen"] for d in facts.of("disbursement") if d["purpose"] == "construction")
        if paid + row["amount_fen"] > ceiling:
            raise Refused(f"累计拨付将达{fen_to_wan_text(paid + row['amount_fen'])}万元，超过核定资金"
                          f"{fen_to_wan_text(ceiling)}万元；超支原则上不补", "第八条")
