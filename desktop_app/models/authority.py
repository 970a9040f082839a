"""Who may set what, and when: the one authority declaration, beside the record-kind registry.

For every record kind (the project included) this says which roles write it, in which project
statuses a record may be added or changed, which fields the core fills itself, which fields are
fixed at creation, which lock after which transition, and which dates are plans (may lie ahead)
rather than events a person reports (may not). Every write path reads it through
`services.operations` (forms, the command line, records arriving in a package), the window reads it
to show locked fields read-only and to hide what a role can never do, and the exchange reads it to
decide who may carry what. Nothing else restates a list of fields or roles.

Open this file to answer "who may set this field?".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from desktop_app.models.fields import DATE
from desktop_app.models.kinds import COUNTY, FINANCE, KINDS, ROLES, UNIT
from desktop_app.models.statuses import BUILT, CLOSED, CONSTRUCTION, FUNDED, PRE_APPROVAL, STATUSES

ANY = frozenset(STATUSES)
DRAFTING = frozenset({"draft", "revise"})  # the unit's own application, before (re)submission
OPEN = ANY - CLOSED


@dataclass(frozen=True)
class FieldRule:
    """Exceptions for one field; a field not listed follows its kind."""

    roles: tuple[str, ...] | None = None   # who may set it (None: the kind's writers)
    core: bool = False                     # filled by the core from the action, never typed
    fixed: bool = False                    # set when the record is created, never changed after
    not_at_creation: bool = False          # empty when created; set later by its own step (解除日期)
    editable_in: frozenset[str] | None = None  # project statuses in which an edit may change it
    clause: str = ""                       # the clause a refusal cites
    why: str = ""                          # what to do instead, in Chinese


@dataclass(frozen=True)
class KindRule:
    writers: tuple[str, ...]               # roles whose organisation may create and edit these records
    add_in: frozenset[str] = ANY           # project statuses in which a record may be added
    edit_in: frozenset[str] = ANY          # project statuses in which an existing record may be edited
    via_action: tuple[str, ...] = ()       # written only by these lifecycle actions, never free-standing
    clause: str = ""                       # cited when a status refuses an add or edit
    fields: dict[str, FieldRule] = field(default_factory=dict)
    planned_dates: frozenset[str] = frozenset()  # date fields that are plans or deadlines (may be ahead)


_APPLICATION = FieldRule(editable_in=DRAFTING, clause="第四条",
                         why="项目申报后只能通过设计变更申请调整（由县政府办公室审核）")
_DECIDED = FieldRule(fixed=True, clause="第三条", why="它决定了项目的状态，如需改变请重新办理相应手续")

AUTHORITY: dict[str, KindRule] = {
    # ---- 第二条 application (the unit) -------------------------------------------------------
    "project": KindRule(
        writers=(UNIT, COUNTY), edit_in=OPEN, clause="第二条",
        planned_dates=frozenset({"planned_start", "planned_completion"}),
        fields={
            "code": FieldRule(fixed=True, why="项目编号建立后不能修改"),
            "lead_org_id": FieldRule(fixed=True, why="牵头单位建立后不能修改"),
            "name": _APPLICATION, "plan_year": _APPLICATION, "category": _APPLICATION,
            "total_investment_fen": _APPLICATION, "fiscal_share_fen": _APPLICATION,
            "om_estimate_fen": FieldRule(editable_in=DRAFTING, clause="第八条",
                                         why="运维经费概算随申报一并报审，申报后只能通过设计变更申请调整"),
            "large_project": _APPLICATION, "higher_level": _APPLICATION, "higher_level_tier": _APPLICATION,
            "prohibited_types": FieldRule(editable_in=DRAFTING, clause="第一条"),
            "prohibited_justification": FieldRule(editable_in=DRAFTING, clause="第一条"),
            "summary": _APPLICATION, "planned_start": _APPLICATION,
            "planned_completion": FieldRule(editable_in=DRAFTING, clause="第四条",
                                            why="申报后改变建设周期须提出设计变更申请，经县政府办公室审核同意"),
            "mlps_level": FieldRule(editable_in=DRAFTING, clause="第九条",
                                    why="申报后改变等级保护级别须提出设计变更申请，经县政府办公室审核同意"),
            "classified": FieldRule(editable_in=DRAFTING, clause="第十条",
                                    why="涉密属性申报后不能由申报单位自行改变"),
            "delay_explanation": FieldRule(roles=(UNIT,), editable_in=CONSTRUCTION, clause="第四条",
                                           why="未按期完成的说明在建设期内填写，由县政府办公室审核认定"),
        }),
    "material": KindRule((UNIT,), add_in=DRAFTING, edit_in=DRAFTING, clause="第二条"),
    "investment_history": KindRule((UNIT,), add_in=DRAFTING, edit_in=DRAFTING, clause="第二条"),
    "consultation": KindRule((UNIT,), add_in=DRAFTING, edit_in=DRAFTING, clause="第二条"),
    # a co-builder relation gives another unit write access to the project: the county office sets it
    "co_builder": KindRule((COUNTY,), add_in=OPEN, clause="第二条"),
    # ---- 第三条 review, funding, higher-level projects ----------------------------------------
    "review": KindRule((COUNTY,), add_in=frozenset(), via_action=("record_review",), clause="第三条",
                       fields={"round": FieldRule(core=True), "conclusion": _DECIDED,
                               "approved_investment_fen": _DECIDED}),
    "expert_opinion": KindRule((COUNTY,), clause="第三条"),  # the panel behind any conclusion, 不予通过 too
    "funding": KindRule((FINANCE,), add_in=frozenset(), via_action=("fund",), clause="第八条",
                        fields={"approved_fen": _DECIDED, "budget_year": _DECIDED}),
    "higher_level_filing": KindRule((UNIT,), add_in=OPEN, clause="第三条"),
    "upward_consent": KindRule((COUNTY,), add_in=OPEN, clause="第三条"),
    "secrecy_confirmation": KindRule((COUNTY,), add_in=OPEN, clause="第十条"),
    # ---- 第四条 construction ------------------------------------------------------------------
    "contract": KindRule((UNIT,), add_in=FUNDED - BUILT, edit_in=FUNDED, clause="第八条"),
    "progress_report": KindRule((UNIT,), add_in=FUNDED, edit_in=FUNDED, clause="第四条"),
    "change_request": KindRule((UNIT,), add_in=FUNDED, edit_in=FUNDED, clause="第四条",
                               planned_dates=frozenset({"new_planned_completion"})),
    "change_decision": KindRule((COUNTY, FINANCE), add_in=FUNDED, clause="第四条",
                                fields={"decision": _DECIDED, "decider": _DECIDED}),
    "problem_report": KindRule((UNIT,), add_in=FUNDED, edit_in=FUNDED, clause="第四条"),
    # ---- 第五条 supervision -------------------------------------------------------------------
    "inspection": KindRule((COUNTY, FINANCE), add_in=OPEN, clause="第五条"),
    "finding": KindRule((COUNTY, FINANCE), add_in=OPEN, clause="第五条",
                        planned_dates=frozenset({"rectify_by"})),
    "rectification": KindRule((UNIT,), add_in=OPEN, clause="第五条"),
    "sanction": KindRule((COUNTY, FINANCE), add_in=OPEN, via_action=("suspend", "terminate"), clause="第五条",
                         fields={"sanction_kind": _DECIDED,
                                 "lifted_on": FieldRule(not_at_creation=True, clause="第五条",
                                                        why="处理措施决定时不能同时解除；解除须另行办理")}),
    # ---- 第六条 acceptance and evaluation -----------------------------------------------------
    "acceptance_application": KindRule((UNIT,), add_in=frozenset(), via_action=("request_acceptance", "reapply_acceptance"),
                                       clause="第六条"),
    "acceptance_extension": KindRule((UNIT,), add_in=frozenset({"planned", "in_construction", "suspended"}),
                                     edit_in=frozenset({"planned", "in_construction", "suspended"}),
                                     clause="第六条", planned_dates=frozenset({"new_date"})),
    "extension_decision": KindRule((COUNTY,), add_in=CONSTRUCTION, clause="第六条",
                                   fields={"decision": _DECIDED}),
    "delay_acceptance": KindRule((COUNTY,), add_in=CONSTRUCTION, clause="第四条",
                                 fields={"decision": _DECIDED}),
    "acceptance_result": KindRule((COUNTY,), add_in=frozenset(), via_action=("record_acceptance",), clause="第六条",
                                  planned_dates=frozenset({"rectify_by"}),
                                  fields={"conclusion": _DECIDED, "controllable_ok": _DECIDED}),
    "evaluation": KindRule((UNIT, COUNTY), add_in=frozenset({"self_evaluated", "post_evaluated"}),
                           via_action=("self_evaluate", "post_evaluate"), clause="第六条",
                           planned_dates=frozenset({"rectify_by"}),
                           fields={"eval_kind": FieldRule(core=True),
                                   # computed from the indicator scores (lifecycle/indicators.py)
                                   "score": FieldRule(core=True), "grade": FieldRule(core=True)}),
    # ---- 第一条 集约建设: the duplicate-project check's finding is the county office's own record ----
    "duplicate_decision": KindRule((COUNTY,), add_in=OPEN, clause="第一条",
                                   fields={"level": _DECIDED}),
    # ---- 第七条 sharing -----------------------------------------------------------------------
    "catalog_entry": KindRule((UNIT,), add_in=OPEN, clause="第七条"),
    "platform_connection": KindRule((UNIT,), add_in=OPEN, clause="第七条"),
    # ---- 第八条 funds -------------------------------------------------------------------------
    "budget": KindRule((FINANCE,), add_in=FUNDED, clause="第八条"),
    "disbursement": KindRule((FINANCE,), add_in=FUNDED, clause="第八条",
                             fields={"amount_fen": _DECIDED, "budget_year": _DECIDED, "purpose": _DECIDED}),
    "surplus_return": KindRule((UNIT,), add_in=BUILT | CONSTRUCTION | CLOSED, clause="第八条"),
    # ---- 第九条 security ----------------------------------------------------------------------
    "security_record": KindRule((UNIT,), add_in=OPEN, clause="第九条"),
    "controllable_product": KindRule((UNIT,), add_in=OPEN, clause="第九条"),
}

# Installation-wide writes (no project): who may make them, the clause, and what the others do instead.
SETTINGS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "organisation": ((COUNTY,), "第十条", "登记单位由县政府办公室办理，随单位及密钥目录下发"),
    "trusted_key": ((COUNTY,), "第十条", "只有县政府办公室可以登记或注销单位的公钥；其他单位通过导入单位及密钥目录获得公钥"),
    "directory": ((COUNTY,), "第十条", "单位及密钥目录只能由县政府办公室发布"),
    "holidays": ((COUNTY,), "第十条", "节假日安排由县政府办公室录入，并随单位及密钥目录下发"),
    "policy": ((COUNTY,), "第十条", "县级政策参数只能由县政府办公室修改"),
    # 第二条/第十条: the county office announces the year's application round and closes 受理 (table
    # application_rounds, migration 14). A notice in the office's name: person right ROUND_RIGHT, not settings.
    "annual_round": ((COUNTY,), "第二条", "年度项目申报由县政府办公室组织，开启申报和截止受理只能由县政府办公室办理"),
    "indicators": ((COUNTY,), "第六条", "绩效评价指标体系只能由县政府办公室设置（县政府办公室牵头组织绩效评价）"),
    "own_key": ((UNIT, COUNTY, FINANCE), "", ""),
}

ROUND_RIGHT = "sign_off"   # opening or closing the round speaks for the office (its notice to every unit)
ROUND_TEXT_MAX = 200      # the notice's 文号 / title, the note

# What 编辑单位 may change on a registered organisation (SETTINGS["organisation"] says who may edit). The
# code names the organisation in every package and key, the role decides what it may write: both stay as
# registered (a different one is a new organisation). A code prefix stays once projects are numbered under it.
ORGANISATION_EDITABLE: dict[str, str] = {"name": "单位名称", "short_name": "简称", "code_prefix": "项目编号前缀"}
ORGANISATION_FIXED: dict[str, str] = {
    "code": "单位代码是该单位在数据包和公钥中的标识，登记后不能更改；如确需更改，请登记为新单位",
    "role": "单位角色决定其能填报什么，登记后不能更改；如确需更改，请登记为新单位",
}

# 导入原有台账: the county office keeps the full ledger (全口径备案台账, 第五条/第十条) and brings in the
# projects it kept in a spreadsheet before the program, on behalf of the units. Each project is owned by
# its unit (owner_org = the lead unit) though the county office writes it, and stays marked 由台账导入
# (table ledger_imports) until someone has checked it: while marked, a later import may update it; a
# project a unit entered itself is never overwritten by a ledger row.
LEDGER_IMPORT: tuple[tuple[str, ...], str, str] = (
    (COUNTY,), "第十条", "原有台账只能由县政府办公室导入（全口径备案台账由县政府办公室管理）")

# 集中评审 (第三条): the county office organises the review -- its sessions, experts, the applications it
# assigns and each expert's scores are its own records (tables review_sessions, review_experts,
# review_assignments, review_scores; not exchanged). A session's conclusion for a project becomes that
# project's `review` through the action record_review (so its sign-off right applies), and each expert's
# opinion an `expert_opinion` record under it. Projects are assigned while 评审中 (受理并组织评审 first).
REVIEW_PANEL: tuple[tuple[str, ...], str, str] = (
    (COUNTY,), "第三条", "集中评审由县政府办公室组织：评审会、评审专家和专家评分只能由县政府办公室录入")
REVIEW_ASSIGNABLE = frozenset({"under_review"})
# 风险评级 (table risk_ratings, migration 13): the program suggests a level from the records; the county
# office, which supervises every project (第五条), confirms it or sets another with a note. Its person
# right: a decision in the office's name (sign_off).
RISK_RATING: tuple[tuple[str, ...], str, str] = (
    (COUNTY,), "第五条", "风险评级由县政府办公室确认或调整（监督检查由县政府办公室组织）")
RISK_RATING_RIGHT = "sign_off"
RISK_NOTE_MAX = 500

# evaluation: a unit writes the self-evaluation, the county office the post-evaluation
EVAL_KIND_BY_ROLE = {UNIT: "self", COUNTY: "post"}

# what a lifecycle action fills in its own record from the action itself (None: counted by the core)
ACTION_FILLS: dict[str, dict[str, str | None]] = {
    "record_review": {"round": None},
    "self_evaluate": {"eval_kind": "self"}, "post_evaluate": {"eval_kind": "post"},
    "suspend": {"sanction_kind": "suspend"}, "terminate": {"sanction_kind": "terminate"},
}


def action_typed_fields(action: str, record_kind: str, role: str) -> list[str]:
    """The fields a person types into the record of a lifecycle action."""
    filled = ACTION_FILLS.get(action, {})
    return [f for f in typed_fields(record_kind, role, creating=True) if f not in filled]
PRE_APPROVAL_STATUSES = PRE_APPROVAL


def rule(kind_name: str) -> KindRule:
    return AUTHORITY[kind_name]


def hidden_fields(kind_name: str, shown: list[str]) -> set[str]:
    return {f.name for f in KINDS[kind_name].fields} - set(shown)


def writers(kind_name: str) -> tuple[str, ...]:
    return AUTHORITY[kind_name].writers


def writers_text(kind_name: str) -> str:
    return "、".join(ROLES[r] for r in AUTHORITY[kind_name].writers)


@cache  # the declaration is constant: every answer below is computed once
def field_rule(kind_name: str, field_name: str) -> FieldRule:
    return AUTHORITY[kind_name].fields.get(field_name, FieldRule())


def field_roles(kind_name: str, field_name: str) -> tuple[str, ...]:
    return field_rule(kind_name, field_name).roles or AUTHORITY[kind_name].writers


def is_event_date(kind_name: str, field_name: str) -> bool:
    """A date a person reports as having happened: it may not lie after today."""
    return KINDS[kind_name].field(field_name).type == DATE and field_name not in AUTHORITY[kind_name].planned_dates


@cache
def event_date_fields(kind_name: str) -> tuple[str, ...]:
    """The kind's event dates (see `is_event_date`), in field order."""
    return tuple(f.name for f in KINDS[kind_name].fields if is_event_date(kind_name, f.name))


@cache
def typed_field_set(kind_name: str, role: str, creating: bool) -> frozenset[str]:
    return frozenset(_typed_fields(kind_name, role, creating))


def typed_fields(kind_name: str, role: str, creating: bool) -> list[str]:
    """The fields a person of `role` may type into a new record (creating) or an edit form."""
    return list(_typed_fields(kind_name, role, creating))


@cache
def _typed_fields(kind_name: str, role: str, creating: bool) -> tuple[str, ...]:
    out = []
    for f in KINDS[kind_name].fields:
        fr = field_rule(kind_name, f.name)
        if fr.core or role not in field_roles(kind_name, f.name):
            continue
        if creating and fr.not_at_creation:
            continue
        if not creating and fr.fixed:
            continue
        out.append(f.name)
    return tuple(out)


def locked_fields(kind_name: str, role: str, status: str | None) -> dict[str, str]:
    """Fields an edit by `role` cannot change in project status `status`, with the reason (Chinese)."""
    return dict(_locked_fields(kind_name, role, status))


@cache
def _locked_fields(kind_name: str, role: str, status: str | None) -> tuple[tuple[str, str], ...]:
    out = {}
    for f in KINDS[kind_name].fields:
        fr = field_rule(kind_name, f.name)
        if fr.core or fr.fixed:
            out[f.name] = fr.why or "由系统根据办理结果填写，不能直接修改"
        elif role not in field_roles(kind_name, f.name):
            out[f.name] = f"「{f.label}」由{'、'.join(ROLES[r] for r in field_roles(kind_name, f.name))}填写"
        elif status is not None and fr.editable_in is not None and status not in fr.editable_in:
            clause = f"（依据：通知{fr.clause}）" if fr.clause else ""
            out[f.name] = f"项目已进入当前阶段，「{f.label}」不能再修改；{fr.why or '如需改变请办理相应手续'}{clause}"
    return tuple(out.items())


def check_registry() -> list[str]:
    """Problems between the declaration and the kind registry (a test asserts there are none)."""
    problems = [f"{k}: no authority declared" for k in KINDS if k not in AUTHORITY]
    problems += [f"{k}: declared but not a kind" for k in AUTHORITY if k not in KINDS]
    for name, r in AUTHORITY.items():
        if name not in KINDS:
            continue
        names = set(KINDS[name].columns)
        problems += [f"{name}.{f}: unknown field" for f in r.fields if f not in names]
        problems += [f"{name}.{f}: planned date is not a date field" for f in r.planned_dates
                     if f not in names or KINDS[name].field(f).type != DATE]
        problems += [f"{name}: unknown role {w}" for w in r.writers if w not in ROLES]
    return problems


# ---- people inside the organisation -------------------------------------------------------------
# The declarations above say what an organisation may write. Inside it, a unit's paper has a clerk
# draft and a reviewer or the head sign what leaves the unit; the audit bureau reads. This is that
# second line, checked by `services.authorize.check_person` in every write (window, CLI, packages).

ADMIN, CLERK, REVIEWER, AUDITOR = "admin", "clerk", "reviewer", "auditor"
USER_ROLES: dict[str, str] = {ADMIN: "管理员", CLERK: "经办人", REVIEWER: "审核人", AUDITOR: "只读审计"}


@dataclass(frozen=True)
class PersonRight:
    roles: frozenset[str]   # user roles that may do it
    label: str              # what it is, in Chinese (named in the refusal)
    why: str = ""           # why only these roles


PERSON_RIGHTS: dict[str, PersonRight] = {
    "draft": PersonRight(frozenset({ADMIN, REVIEWER, CLERK}), "录入或修改项目及记录",
                         "只读审计账户只能查看、打印和校验"),
    "sign_off": PersonRight(frozenset({ADMIN, REVIEWER}), "以本单位名义报出或作出决定",
                            "经办人起草，报出本单位的材料和本单位的决定须经审核人把关（第四条、第五条：责任到人）"),
    "export": PersonRight(frozenset({ADMIN, REVIEWER}), "导出数据包",
                          "数据包是离开本单位的正式报送，须经审核人把关"),
    "import": PersonRight(frozenset({ADMIN, REVIEWER, CLERK}), "导入数据包", "只读审计账户不能写入数据"),
    "settings": PersonRight(frozenset({ADMIN}), "管理单位目录、公钥、节假日和政策参数",
                            "本机设置影响所有人，由管理员负责"),
    "users": PersonRight(frozenset({ADMIN}), "管理用户账户", "添加、停用账户和重置密码由管理员负责"),
    "ledger_import": PersonRight(frozenset({ADMIN, REVIEWER}), "导入原有台账",
                                 "一次写入大批历史项目，须经审核人或管理员把关"),
}

# Lifecycle actions that speak for the organisation: a report or request that leaves the unit, or a
# decision another organisation must act on. Each needs the "sign_off" right; every other action
# (受理, 开工建设, 投入运行: facts the organisation records about itself) is drafting.
SIGN_OFF_ACTIONS: dict[str, str] = {
    "submit": "提交申报：申报材料报出本单位",
    "resubmit": "修改后重新提交：申报材料再次报出本单位",
    "request_acceptance": "申请验收：向县政府办公室报出验收申请",
    "reapply_acceptance": "整改后重新申请验收：再次报出验收申请",
    "self_evaluate": "报送绩效自评价：评价报告报出本单位",
    "record_review": "录入评审意见：县政府办公室的评审结论，决定项目能否安排资金",
    "fund": "资金审核：县财政局核定资金",
    "record_acceptance": "录入验收结论：县政府办公室的验收结论",
    "post_evaluate": "录入后评价：县政府办公室的评价结论",
    "suspend": "暂停建设：对建设单位的处理措施",
    "resume": "恢复建设：解除处理措施",
    "terminate": "终止项目：对建设单位的处理措施",
}


def person_right(action: str) -> str:
    """The right a lifecycle action needs: 'sign_off' for those above, else 'draft'."""
    return "sign_off" if action in SIGN_OFF_ACTIONS else "draft"


def person_refusal(user_role: str | None, right: str, what: str | None = None) -> str | None:
    """Why a person of `user_role` may not exercise `right` (Chinese, naming the role needed); None if
    allowed. `what` names the particular step (e.g. 「提交申报」)."""
    r = PERSON_RIGHTS[right]
    if user_role in r.roles:
        return None
    need = "或".join(USER_ROLES[x] for x in (REVIEWER, ADMIN, CLERK) if x in r.roles)
    mine = USER_ROLES.get(user_role or "", "未登录")
    return f"{what or r.label}须由{need}办理，当前账户为{mine}（{r.why}）"
