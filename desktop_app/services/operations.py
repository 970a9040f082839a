"""Every state change is one function here: check role and rules, write in one transaction, append
one audit entry. The CLI and the UI call these very functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from desktop_app.errors import NotFound, Refused, StatusRefused, ValidationError
from desktop_app.lifecycle import indicators as IND
from desktop_app.lifecycle import machine
from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.facts import load_context, load_facts
from desktop_app.lifecycle.policy import PolicyProfile, load_indicators
from desktop_app.lifecycle.states import status_label
from desktop_app.models import authority as A
from desktop_app.models.fields import parse_date, parse_value
from desktop_app.models.kinds import COUNTY, FINANCE, KINDS, PROHIBITED, ROLES, UNIT, Kind
from desktop_app.models.store import Store, new_id, now_iso
from desktop_app.services import audit, queries
from desktop_app.services import authorize as Z
from desktop_app.services import passwords as PW

INSTALL_ROLES = (UNIT, COUNTY, FINANCE)
MAX_ATTACHMENT = 50 * 1024 * 1024


@dataclass(frozen=True)
class Actor:
    """Who acts: the installation's organisation (`role`: its role in the county) and the signed-in
    person (`user`, and `user_role`: 管理员/经办人/审核人/只读审计, see models.authority.USER_ROLES)."""

    org_id: str
    org_code: str
    org_name: str
    role: str
    user: str
    user_role: str
    display_name: str = ""


# ---- validation ---------------------------------------------------------------------------------

# (earlier, later, message) pairs checked on every write of a kind
DATE_ORDER: dict[str, list[tuple[str, str, str]]] = {
    "project": [("planned_start", "planned_completion", "设计建设周期截止日期不能早于计划开工日期")],
    "problem_report": [("occurred_on", "reported_on", "报告日期不能早于问题发生日期")],
    "acceptance_extension": [("requested_on", "new_date", "拟验收日期不能早于申请日期")],
    "higher_level_filing": [("applied_upward_on", "upper_approved_on", "上级审批日期不能早于向上级申报日期"),
                            ("upper_approved_on", "filed_on", "备案日期不能早于上级审批日期")],
    "contract": [("signed_on", "filed_on", "备案日期不能早于合同签订日期")],
    "acceptance_result": [("accepted_on", "report_filed_on", "验收报告备案日期不能早于验收日期")],
}


def validate(kind: Kind, values: dict, partial: bool = False) -> dict:
    """Parse raw values (strings from a form or the command line) into stored values.

    Raises ValidationError naming every bad field, in Chinese; returns only the given fields when
    `partial` (an edit), else every field of the kind.
    """
    clean, errors = parse_fields(kind, values, partial)
    if errors:
        raise ValidationError(errors)
    return clean


def parse_fields(kind: Kind, values: dict, partial: bool = False) -> tuple[dict, dict[str, str]]:
    """`validate` without raising: (the fields that parsed, field -> Chinese message for the others)."""
    known = kind.column_set
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
            del clean["prohibited_types"]
        else:
            by_label = {v: k for k, v in allowed.items()}
            codes = [by_label.get(c, c) for c in re.split(r"[,，、\s]+", clean["prohibited_types"]) if c]
            clean["prohibited_types"] = ",".join(codes)
    return clean, errors


def date_order_errors(kind: Kind, row: dict, skip=()) -> dict[str, str]:
    """DATE_ORDER broken by `row`; pairs with a field in `skip` (already wrong) are not judged."""
    errors = {}
    for early, late, msg in DATE_ORDER.get(kind.name, []):
        if early in skip or late in skip:
            continue
        if row.get(early) and row.get(late) and row[late] < row[early]:
            errors[late] = msg
    return errors


def _check_dates(kind: Kind, row: dict) -> None:
    errors = date_order_errors(kind, row)
    if errors:
        raise ValidationError(errors)


class FieldErrors(dict):
    """Every field error of every check stage of one write, so a form shows them all at once; the
    first stage's message for a field wins. Refusals that are not about a field still raise at once."""

    def add(self, found: dict[str, str]) -> None:
        for name, msg in found.items():
            self.setdefault(name, msg)

    def catch(self, check, *args, **kw) -> None:
        try:
            check(*args, **kw)
        except ValidationError as exc:
            self.add(exc.fields)

    def raise_any(self, kind: Kind) -> None:
        if self:
            order = {f.name: i for i, f in enumerate(kind.fields)}  # the form's order: focus goes to the first
            raise ValidationError(dict(sorted(self.items(), key=lambda kv: order.get(kv[0], -1))))


def _money_errors(row: dict, skip=()) -> dict[str, str]:
    """The project's money relation (财政资金 within 总投资), judged when both amounts are readable."""
    if "fiscal_share_fen" in skip or "total_investment_fen" in skip or row.get("total_investment_fen") is None:
        return {}
    if (row.get("fiscal_share_fen") or 0) > row["total_investment_fen"]:
        return {"fiscal_share_fen": "财政资金不能大于总投资"}
    return {}


check_date_order = _check_dates  # the ledger import's preview runs the same check on each row


def _public(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "content"}


# ---- installation ---------------------------------------------------------------------------------

def is_initialised(store: Store) -> bool:
    return store.get_setting("installation_org_id") is not None


def init_installation(store: Store, role: str, org_code: str, org_name: str, county_name: str = "蒙阴县",
                      admin_username: str = "admin", admin_name: str = "系统管理员",
                      code_prefix: str | None = None, admin_password: str | None = None) -> Actor:
    """Create this installation's organisation and its first administrator. `admin_password` None
    leaves the administrator to set one on first use (the window asks; the CLI says how)."""
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
    if admin_password is not None and PW.check_rule(admin_password):
        errors["admin_password"] = PW.check_rule(admin_password)
    if errors:
        raise ValidationError(errors)
    if is_initialised(store):
        raise Refused("该数据库已经初始化，不能重复初始化。如需新建，请指定另一个数据库文件（--db）。")
    now = now_iso()
    org_id = new_id()
    display = admin_name.strip() or admin_username.strip()
    actor = Actor(org_id, org_code, org_name.strip(), role, admin_username.strip(), A.ADMIN, display)
    password_hash = PW.hash_password(admin_password) if admin_password is not None else None
    with store.tx():
        store.insert("organisations", {"id": org_id, "code": org_code, "name": org_name.strip(), "role": role,
                                       "created_at": now, "updated_at": now})
        store.insert("users", {"id": new_id(), "org_id": org_id, "username": admin_username.strip(),
                               "display_name": display, "is_admin": 1, "role": A.ADMIN,
                               "password_hash": password_hash, "password_changed_at": now if password_hash else None,
                               "created_at": now})
        store.conn.execute("UPDATE organisations SET code_prefix=? WHERE id=?", (code_prefix, org_id))
        store.set_setting("installation_org_id", org_id)
        store.set_setting("county_name", county_name)
        store.set_setting("project_code_prefix", code_prefix)
        store.set_setting("policy_profile", PolicyProfile(county_name=county_name).to_json())
        audit.append(store, actor, "初始化", "organisation", org_id, None,
                     f"建立本机数据库：{org_name}（{ROLES[role]}）", after={"code": org_code, "role": role})
    return actor


default_code_prefix = Z.default_code_prefix


def installation_actor(store: Store, username: str | None = None) -> Actor:
    """The Actor for a user of this installation (default: the first enabled administrator). It does
    not authenticate: the window and the CLI do that first (services.accounts.authenticate)."""
    org_id = store.get_setting("installation_org_id")
    if not org_id:
        raise Refused("数据库尚未初始化。请先运行 govis init，或在程序中完成初始设置。")
    org = store.one("SELECT * FROM organisations WHERE id=?", (org_id,))
    if username:
        user = store.one("SELECT * FROM users WHERE username=? AND org_id=?", (username, org_id))
        if not user:
            raise Refused(f"本机没有用户「{username}」。用户列表：govis users list")
    else:
        user = store.one("SELECT * FROM users WHERE org_id=? AND disabled=0 ORDER BY role='admin' DESC, "
                         "created_at LIMIT 1", (org_id,))
        if not user:
            raise Refused("本机没有可用的用户账户")
    return Actor(org["id"], org["code"], org["name"], org["role"], user["username"], user["role"],
                 user["display_name"])


def add_organisation(store: Store, actor: Actor, code: str, name: str, role: str = UNIT,
                     short_name: str | None = None) -> str:
    Z.check_setting(actor, "organisation")
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


def update_organisation(store: Store, actor: Actor, code: str, changes: dict) -> Row:
    """编辑单位 (county office administrator): name, short name and project code prefix only
    (`authority.ORGANISATION_EDITABLE`); the next directory package carries the change to the units."""
    Z.check_setting(actor, "organisation")
    org = store.one("SELECT * FROM organisations WHERE code=?", (code,))
    if org is None:
        raise NotFound(f"找不到单位代码为「{code}」的单位。单位列表：govis org list")
    errors = {f: A.ORGANISATION_FIXED.get(f, f"「{f}」不是单位的可修改项") for f in changes
              if f not in A.ORGANISATION_EDITABLE}
    values = {}
    if "name" in changes:
        values["name"] = (changes["name"] or "").strip()
        if not values["name"]:
            errors["name"] = "单位名称不能为空"
        elif store.one("SELECT 1 FROM organisations WHERE name=? AND code!=?", (values["name"], code)):
            errors["name"] = f"单位名称「{values['name']}」已被另一单位使用"
    if "short_name" in changes:
        values["short_name"] = (changes["short_name"] or "").strip() or None
    if "code_prefix" in changes:
        prefix = (changes["code_prefix"] or "").strip().upper()
        old = Z.org_prefix(org)
        if not re.fullmatch(r"[A-Z]{1,6}", prefix):
            errors["code_prefix"] = "项目编号前缀只能是 1-6 位大写字母，如 JY"
        elif prefix != old:
            holder = next((o for o in store.all("SELECT * FROM organisations WHERE code!=?", (code,))
                           if Z.org_prefix(o) == prefix), None)
            # whoever leads them: a project numbered under a prefix ties the prefix to its holder (第二条)
            numbered = store.one("SELECT code FROM projects WHERE code LIKE ? LIMIT 1", (old + "-%",))
            if holder:
                errors["code_prefix"] = f"项目编号前缀「{prefix}」已属于{holder['name']}，不能重复使用"
            elif numbered:
                errors["code_prefix"] = (f"{org['name']}已有项目以「{old}」编号（如 {numbered['code']}），"
                                         "前缀不能再更改，否则这些项目将无法确认归属（第二条）")
        values["code_prefix"] = prefix
    if errors:
        raise ValidationError(errors)
    before = {f: org[f] for f in values}
    if "code_prefix" in before:
        before["code_prefix"] = Z.org_prefix(org)
    changed = {f: v for f, v in values.items() if v != before[f]}
    if not changed:
        raise Refused("没有需要修改的内容。")
    own = store.get_setting("installation_org_id") == org["id"]
    with store.tx():
        store.conn.execute(f"UPDATE organisations SET {', '.join(f'{f}=?' for f in changed)}, rev=rev+1, updated_at=? "
                           "WHERE id=?", (*changed.values(), now_iso(), org["id"]))
        if own and "code_prefix" in changed:
            store.set_setting("project_code_prefix", changed["code_prefix"])
        labels = "、".join(f"{A.ORGANISATION_EDITABLE[f]}“{before[f] or '（无）'}”→“{v or '（无）'}”"
                          for f, v in changed.items())
        audit.append(store, actor, "修改单位", "organisation", org["id"], None, f"修改单位 {code}：{labels}",
                     before={f: before[f] for f in changed}, after=changed)
    return _row(store.one("SELECT * FROM organisations WHERE id=?", (org["id"],)), OpChanges(settings=True))


def org_by_code(store: Store, code: str) -> dict:
    org = store.one("SELECT * FROM organisations WHERE code=? OR name=?", (code, code))
    if not org:
        raise NotFound(f"找不到单位「{code}」。请先登记该单位。")
    return org


# ---- what a write changed -----------------------------------------------------------------------

@dataclass(frozen=True)
class OpChanges:
    """What one write changed, so the window refreshes only that (as Anki's OpChanges)."""

    project_ids: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    record_ids: frozenset[str] = frozenset()
    status: bool = False      # a project's status moved
    settings: bool = False    # directory, calendar or policy: everything may look different


class Row(dict):
    """A written row, carrying `.changes` (an OpChanges)."""

    changes: OpChanges = OpChanges()


def _row(data: dict, changes: OpChanges) -> Row:
    out = Row(data)
    out.changes = changes
    return out


@dataclass(frozen=True)
class Incoming:
    """A record arriving in a package: its identity as the sender wrote it, and who imports it.

    `actor` of the operation is then the record's owner organisation (its role and ownership are
    checked); `recorder` is the person at this PC, named in the audit entry."""

    id: str
    rev: int
    created_at: str
    updated_at: str
    recorder: Actor
    package: str                 # 第N号数据包（发送单位）: named in the audit entry
    day: dt.date                 # the package's creation date: no reported event may be later
    relayed: bool = False        # the county office passes on another party's record (checked where it arrived)
    history: bool = False        # made before the project reached its status here: its stage has passed


def _today(today: dt.date | None, incoming: Incoming | None) -> dt.date:
    return incoming.day if incoming else (today or dt.date.today())


def _clock(today: dt.date | None) -> str:
    """The time of a write: now, or -- when the operation runs on a given day (a demo county, a test) --
    that day at the present time of day, so a record's times never contradict its dates."""
    if today is None or today == dt.date.today():
        return now_iso()
    return dt.datetime.combine(today, dt.datetime.now().time()).astimezone().isoformat(timespec="seconds")


def _stamp(row: dict, actor: Actor, incoming: Incoming | None, today: dt.date | None = None) -> None:
    if incoming is None:
        now = _clock(today)
        row.update(id=new_id(), owner_org=actor.org_id, rev=1, created_at=now, updated_at=now)
    else:
        row.update(id=incoming.id, owner_org=actor.org_id, rev=incoming.rev, created_at=incoming.created_at,
                   updated_at=incoming.updated_at)


def _bump(changed: dict, before: dict, incoming: Incoming | None, today: dt.date | None = None) -> None:
    """An edit's new version: the next rev here, or the sender's rev and time for a package's copy."""
    if incoming is None:
        changed.update(rev=before["rev"] + 1, updated_at=_clock(today))
    else:
        changed.update(rev=incoming.rev, updated_at=incoming.updated_at)


# While set, the writes an operation makes through other operations (a conclusion's transition and records)
# hand their entries here instead of the log: the outer operation writes the one entry for the whole write.
_FOLDED: ContextVar[list[dict] | None] = ContextVar("folded_audit_entries", default=None)


def _audit(store, actor: Actor, incoming: Incoming | None, op: str, kind: str, rid, pid, summary: str, **kw):
    folded = _FOLDED.get()
    if folded is not None and incoming is None:
        folded.append({"operation": op, "record_kind": kind, "record_id": rid, "summary": summary, **kw})
        return
    if incoming is None:
        audit.append(store, actor, op, kind, rid, pid, summary, **kw)
    else:
        audit.append(store, incoming.recorder, f"导入{op}", kind, rid, pid,
                     f"{summary}（{actor.org_name}填报，{incoming.package}）", **kw)


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


def create_project(store: Store, actor: Actor, values: dict, today: dt.date | None = None, *,
                   incoming: Incoming | None = None) -> Row:
    values = dict(values)
    Z.check_person(actor, "draft", incoming)
    Z.check_role(actor, "project")
    if actor.role == UNIT:
        lead = values.get("lead_org_id") or actor.org_code
        if lead not in (actor.org_id, actor.org_code, actor.org_name):
            raise Refused("申报单位只能以本单位名义新建项目", "第二条")
        values["lead_org_id"] = actor.org_id
    elif values.get("lead_org_id"):
        values["lead_org_id"] = org_by_code(store, values["lead_org_id"])["id"] \
            if not store.one("SELECT 1 FROM organisations WHERE id=?", (values["lead_org_id"],)) \
            else values["lead_org_id"]
    if not values.get("code") and incoming is None:
        try:
            year = int(str(values.get("plan_year", "")).strip())
            values["code"] = next_project_code(store, year)
        except ValueError:
            values["code"] = "待定"
    kind = KINDS["project"]
    row, found = parse_fields(kind, values)
    errors = FieldErrors(found)
    errors.add(date_order_errors(kind, row, skip=errors))
    errors.catch(Z.check_fields, "project", actor.role,
                 {k: v for k, v in values.items() if k not in ("code", "lead_org_id")}, creating=True, status=None,
                 new_draft=incoming is None)
    day = _today(today, incoming)
    errors.catch(Z.check_event_dates, "project", row, day)
    errors.add(_money_errors(row, skip=errors))
    if row.get("lead_org_id") and not store.one("SELECT 1 FROM organisations WHERE id=?", (row["lead_org_id"],)):
        errors.add({"lead_org_id": "牵头单位不在本机单位目录中"})
    errors.raise_any(kind)
    _stamp(row, actor, incoming, today)
    # a project arriving in a package has been a draft since its sender created it
    row.update(status="draft", status_since=incoming.created_at[:10] if incoming else day.isoformat())
    with store.tx():
        if incoming is None:  # numbered here, under this installation's own prefix
            own = store.get_setting("project_code_prefix", "MY")
            if not (row["code"] or "").startswith(own + "-"):
                raise ValidationError({"code": f"本机项目编号以「{own}-」开头，如 {own}-{row['plan_year']}-001"})
            if store.one("SELECT 1 FROM projects WHERE code=?", (row["code"],)):
                raise ValidationError({"code": f"项目编号「{row['code']}」已存在"})
        elif incoming.relayed:  # the county office's ledger numbered it; only a clash is refused here
            clash = store.one("SELECT code, name FROM projects WHERE code=?", (row["code"],))
            if clash:
                raise Refused(f"项目「{row['name']}」的编号「{row['code']}」已被本机项目「{clash['name']}」使用，"
                              "两个项目不能同一编号")
        else:  # numbered by its owner: the prefix must be the owner's (第二条)
            owner = store.one("SELECT * FROM organisations WHERE id=?", (actor.org_id,))
            claimed = Z.check_project_code(store, row["code"], row["plan_year"], owner, claim=True, name=row["name"])
            if claimed:
                store.write("UPDATE organisations SET code_prefix=? WHERE id=?", (claimed, owner["id"]))
        store.insert("projects", row)
        _audit(store, actor, incoming, "新建项目", "project", row["id"], row["id"],
               f"新建项目 {row['code']} {row['name']}", after=row)
        if incoming is None:
            queries.refresh_deadlines(store, today, [row["id"]])
    return _row(row, OpChanges(frozenset({row["id"]}), frozenset({"project"}), frozenset({row["id"]})))


def update_project(store: Store, actor: Actor, project_id: str, values: dict, today: dt.date | None = None, *,
                   incoming: Incoming | None = None) -> Row:
    Z.check_person(actor, "draft", incoming)
    before = store.get("project", project_id)
    Z.check_role(actor, "project")
    if actor.role == UNIT and before["lead_org_id"] != actor.org_id:
        raise Refused("只有项目牵头单位才能修改项目信息", "第二条")
    if before["owner_org"] != actor.org_id:  # owner wins: another's edit would be lost at the owner
        raise Refused(f"项目 {before['code']} 由其他单位填报，{actor.org_name}不能修改其申报信息", "第二条")
    if not (incoming and incoming.history):
        Z.check_status("project", before, adding=False)  # the declaration's edit_in: a closed project stays as it closed
    kind = KINDS["project"]
    changes, found = parse_fields(kind, values, partial=True)
    errors = FieldErrors(found)
    changed = {k: v for k, v in changes.items() if v != before[k]}
    errors.catch(Z.check_fields, "project", actor.role, changed, creating=False, status=before["status"])
    errors.catch(Z.check_event_dates, "project", changed, _today(today, incoming))
    after = {**before, **changes}
    errors.add(date_order_errors(kind, after, skip=errors))
    errors.add(_money_errors(after, skip=errors))
    errors.raise_any(kind)
    if not changed and incoming is None:
        return _row(before, OpChanges())
    _bump(changed, before, incoming, today)
    with store.tx():
        store.update("projects", project_id, changed)
        _audit(store, actor, incoming, "修改项目", "project", project_id, project_id,
               f"修改项目 {before['code']}：" + ("、".join(kind.field(k).label for k in changed
                                                       if k not in ("rev", "updated_at")) or "版本"),
               before={k: before[k] for k in changed}, after=changed)
        if incoming is None:
            queries.refresh_deadlines(store, today, [project_id])
    return _row({**before, **changed}, OpChanges(frozenset({project_id}), frozenset({"project"}),
                                                 frozenset({project_id})))


# ---- the old Excel ledger (台账) -------------------------------------------------------------------

def import_ledger_rows(store: Store, actor: Actor, rows: list, source: str, today: dt.date | None = None) -> OpChanges:
    """Write the new and updated rows of a previewed ledger import (`services.ledger_import.plan.PlanRow`)
    in ONE transaction with one audit entry per project. The county office writes on behalf of the units:
    each project is owned by its lead unit, gets the status its dates imply, its contract as a contract
    record, and is marked 由台账导入 (ledger_imports) until reviewed. An update touches only a project
    still so marked; if anything changed since the preview, nothing is written."""
    Z.check_person(actor, "ledger_import")
    roles, clause, why = A.LEDGER_IMPORT
    if actor.role not in roles:
        raise Refused(f"{why}（本机为{Z.role_label(actor.role)}）", clause)
    day = today or dt.date.today()
    now = _clock(today)
    project_kind, contract_kind = KINDS["project"], KINDS["contract"]
    project_names = {f.name for f in project_kind.fields}
    prefix = store.get_setting("project_code_prefix", "MY")
    numbers: dict[int, int] = {}
    ids: list[str] = []
    changed_status = False
    stale = "台账预览之后项目「{}」已被修改，请重新预览后再导入"
    with store.tx(), store.batch():
        for r in rows:
            if r.action == "new":
                p = dict(r.project)
                if not p.get("code"):
                    year = p["plan_year"]
                    if year not in numbers:
                        numbers[year] = int(next_project_code(store, year).rsplit("-", 1)[-1]) - 1
                    numbers[year] += 1
                    p["code"] = f"{prefix}-{year}-{numbers[year]:03d}"
                if store.one("SELECT 1 FROM projects WHERE code=?", (p["code"],)) or store.one(
                        "SELECT 1 FROM projects WHERE name=? AND lead_org_id=? AND plan_year=?",
                        (p["name"], p["lead_org_id"], p["plan_year"])):
                    raise Refused(stale.format(p["name"]) + f"（编号 {p['code']} 或同名项目已存在）")
                row = {f.name: p.get(f.name) for f in project_kind.fields}
                pid = new_id()
                row.update(id=pid, owner_org=p["lead_org_id"], rev=1, created_at=now, updated_at=now,
                           status=r.status, status_since=r.status_since)
                Z.check_event_dates("project", row, day)
                store.insert("projects", row)
                contract = None
                if r.contract:
                    contract = _ledger_contract(r.contract, row, now)
                    Z.check_event_dates("contract", contract, day)
                    store.insert(contract_kind.table, contract)
                store.insert("ledger_imports", {
                    "project_id": pid, "source": source, "sheet_row": r.row, "imported_at": now,
                    "imported_by": actor.user, "remark": r.remark, "assumed": "；".join(r.assumed) or None})
                audit.append(store, actor, "导入台账项目", "project", pid, pid,
                             f"由台账导入项目 {row['code']} {row['name']}（{source} 第{r.row}行，"
                             f"{status_label(r.status)}）", after={**row, "contract": contract})
                ids.append(pid)
                changed_status = True
            elif r.action == "update":
                before = store.get("project", r.project_id)
                mark = store.one("SELECT 1 FROM ledger_imports WHERE project_id=? AND reviewed_at IS NULL",
                                 (r.project_id,))
                if before["rev"] != r.rev or not mark:
                    raise Refused(stale.format(before["name"]))
                changed = {k: after for k, (_, after) in r.changes.items() if k in project_names}
                if "status" in r.changes:
                    changed.update(status=r.status, status_since=r.status_since)
                    changed_status = True
                if changed:
                    _bump(changed, before, None, today)
                    store.update("projects", r.project_id, changed)
                contract_before, contract_after = None, None
                if r.contract and r.contract_id:
                    contract_before = store.get("contract", r.contract_id)
                    contract_after = {k: after for k, (_, after) in r.changes.items() if k.startswith("contract.")}
                    contract_after = {k.split(".", 1)[1]: v for k, v in contract_after.items()}
                    if contract_after:
                        _bump(contract_after, contract_before, None, today)
                        Z.check_event_dates("contract", contract_after, day)
                        store.update(contract_kind.table, r.contract_id, contract_after)
                elif r.contract and "contract" in r.changes:
                    contract_after = _ledger_contract(r.contract, {**before, **changed}, now)
                    Z.check_event_dates("contract", contract_after, day)
                    store.insert(contract_kind.table, contract_after)
                store.write("UPDATE ledger_imports SET source=?, sheet_row=?, remark=COALESCE(?, remark) "
                            "WHERE project_id=?", (source, r.row, r.remark, r.project_id))
                audit.append(store, actor, "台账更新项目", "project", r.project_id, r.project_id,
                             f"按台账更新项目 {before['code']} {before['name']}（{source} 第{r.row}行）",
                             before={k: before[k] for k in changed} | ({"contract": contract_before}
                                                                       if contract_before else {}),
                             after=changed | ({"contract": contract_after} if contract_after else {}))
                ids.append(r.project_id)
    if ids:
        queries.refresh_deadlines(store, today, ids)
    return OpChanges(frozenset(ids), frozenset({"project", "contract"}), frozenset(ids), status=changed_status)


def _ledger_contract(values: dict, project: dict, now: str) -> dict:
    """A contract record from a ledger row: owned by the project's unit, titled after the project."""
    row = {f.name: values.get(f.name) for f in KINDS["contract"].fields}
    row["title"] = row.get("title") or project["name"]
    row.update(id=new_id(), owner_org=project["owner_org"], rev=1, created_at=now, updated_at=now, project_id=project["id"])
    return row


def review_ledger_import(store: Store, actor: Actor, project_id: str) -> OpChanges:
    """Someone has checked an imported project against the paper file: the mark 由台账导入 is cleared, and
    later ledger imports no longer change the project."""
    Z.check_person(actor, "ledger_import")
    roles, clause, why = A.LEDGER_IMPORT
    if actor.role not in roles:
        raise Refused(f"{why}（本机为{Z.role_label(actor.role)}）", clause)
    project = store.get("project", project_id)
    if not store.one("SELECT 1 FROM ledger_imports WHERE project_id=? AND reviewed_at IS NULL", (project_id,)):
        raise Refused(f"项目 {project['code']} 不是待核对的台账导入项目")
    with store.tx():
        store.write("UPDATE ledger_imports SET reviewed_at=?, reviewed_by=? WHERE project_id=?",
                    (now_iso(), actor.user, project_id))
        audit.append(store, actor, "核对台账导入项目", "project", project_id, project_id,
                     f"已核对由台账导入的项目 {project['code']} {project['name']}")
    return OpChanges(frozenset({project_id}), frozenset({"project"}))


# ---- records ------------------------------------------------------------------------------------

def _scored_evaluation(store: Store, values: dict, typed: dict, incoming: Incoming | None) -> tuple[dict, dict]:
    """第六条: an evaluation's 综合得分 and 评价等级 are computed from its indicator scores, never typed
    (a typed one stays in `typed`, which check_fields refuses). A record arriving in a package keeps the
    total and grade its sender's installation computed under the sender's indicator system."""
    if incoming is not None and values.get("score") not in (None, ""):
        return values, {k: v for k, v in typed.items() if k not in ("score", "grade")}
    try:
        lines, total, grade = IND.scored(load_indicators(store), values.get("indicators"))
    except ValueError as exc:
        raise ValidationError({"indicators": f"指标得分：{exc}"}) from None
    return {**values, "indicators": lines, "score": str(total), "grade": grade}, typed


def _action_label(kind_name: str) -> str:
    return "或".join(f"“{machine.TRANSITIONS[a].label}”" for a in A.rule(kind_name).via_action)


def add_record(store: Store, actor: Actor, kind_name: str, project_id: str, values: dict,
               today: dt.date | None = None, *, incoming: Incoming | None = None, check_gates: bool = True,
               project: dict | None = None, parsed: bool = False) -> Row:
    """`project`: its current row, when the caller (an import) already holds it; else it is read.
    `parsed`: the values are already `validate`d stored values, every field given (an import parses each
    row before anything is written); every other check runs as for a form."""
    kind = KINDS.get(kind_name)
    if kind is None or not kind.project_scoped:
        raise ValidationError({"kind": f"未知的记录类型「{kind_name}」"})
    Z.check_person(actor, "draft", incoming)
    if project is None or project["id"] != project_id:
        project = store.get("project", project_id)
    Z.check_role(actor, kind_name)
    Z.check_ownership(store, actor, project)
    rule = A.rule(kind_name)
    if rule.via_action and project["status"] not in rule.add_in:
        raise StatusRefused(f"「{kind.label}」须通过{_action_label(kind_name)}办理，不能单独添加", rule.clause or None)
    if not (incoming and incoming.history):  # a record of an earlier stage arriving late is history
        Z.check_status(kind_name, project, adding=True)
    values = dict(values)
    typed = {k: v for k, v in values.items() if k != "eval_kind"}
    if kind_name == "evaluation":
        values.setdefault("eval_kind", A.EVAL_KIND_BY_ROLE.get(actor.role))
        values, typed = _scored_evaluation(store, values, typed, incoming)
    if parsed:
        row, errors = {f.name: values.get(f.name) for f in kind.fields}, FieldErrors()
    else:
        row, found = parse_fields(kind, values)
        errors = FieldErrors(found)
    errors.add(date_order_errors(kind, row, skip=errors))
    errors.catch(Z.check_fields, kind_name, actor.role, typed, creating=True, status=project["status"])
    day = _today(today, incoming)
    errors.catch(Z.check_event_dates, kind_name, row, day)
    errors.raise_any(kind)
    Z.check_record_rules(store, actor, kind, project, row, day, gates=check_gates)
    _stamp(row, actor, incoming, today)
    row["project_id"] = project_id
    with store.tx():
        store.insert(kind.table, row)
        _audit(store, actor, incoming, f"添加{kind.label}", kind.name, row["id"], project_id,
               f"{project['code']} 添加{kind.label}", after=row)
        if incoming is None:
            queries.refresh_deadlines(store, today, [project_id])
    return _row(row, OpChanges(frozenset({project_id}), frozenset({kind_name}), frozenset({row["id"]})))


def update_record(store: Store, actor: Actor, kind_name: str, record_id: str, values: dict,
                  today: dt.date | None = None, *, incoming: Incoming | None = None) -> Row:
    Z.check_person(actor, "draft", incoming)
    kind = KINDS[kind_name]
    before = store.get(kind, record_id)
    project = store.get("project", before["project_id"])
    Z.check_role(actor, kind_name)
    Z.check_ownership(store, actor, project)
    if before["owner_org"] != actor.org_id:
        raise Refused(f"这条{kind.label}由其他单位填报，{actor.org_name}不能修改")
    changes, found = parse_fields(kind, values, partial=True)
    errors = FieldErrors(found)
    changed = {k: v for k, v in changes.items() if v != before[k]}
    if changed:
        Z.check_status(kind_name, project, adding=False)
    locked = A.locked_fields(kind_name, actor.role, project["status"])
    bad = {k: locked[k] for k in changed if k in locked}
    if bad:
        labels = "、".join(kind.field(k).label for k in sorted(bad))
        raise Refused(f"「{labels}」不能修改：" + "；".join(sorted(set(bad.values()))), A.rule(kind_name).clause or None)
    errors.catch(Z.check_fields, kind_name, actor.role, changed, creating=False, status=project["status"])
    if kind_name == "evaluation" and "indicators" in changed and incoming is None:
        rescored, _ = _scored_evaluation(store, {"indicators": changed["indicators"]}, {}, None)
        rescored = {"indicators": rescored["indicators"], "score": int(rescored["score"]), "grade": rescored["grade"]}
        changes.update(rescored)
        changed = {k: v for k, v in changes.items() if v != before[k]}
    day = _today(today, incoming)
    errors.catch(Z.check_event_dates, kind_name, changed, day)
    after = {**before, **changes}
    errors.add(date_order_errors(kind, after, skip=errors))
    errors.raise_any(kind)
    Z.check_record_rules(store, actor, kind, project, after, day, creating=False)
    if not changed and incoming is None:
        return _row(before, OpChanges())
    _bump(changed, before, incoming, today)
    with store.tx():
        store.update(kind.table, record_id, changed)
        _audit(store, actor, incoming, f"修改{kind.label}", kind.name, record_id, project["id"],
               f"{project['code']} 修改{kind.label}", before={k: before[k] for k in changed}, after=changed)
        if incoming is None:
            queries.refresh_deadlines(store, today, [project["id"]])
    return _row({**before, **changed}, OpChanges(frozenset({project["id"]}), frozenset({kind_name}),
                                                 frozenset({record_id})))


# ---- risk ratings -------------------------------------------------------------------------------

def rate_risk(store: Store, actor: Actor, project_id: str, level, note: str = "", rated_on: str | None = None,
              today: dt.date | None = None) -> Row:
    """The county office confirms the suggested risk level (services/risk.py) or sets another; another
    level needs a note saying why. The suggestion and its reasons are kept as they were that day."""
    from desktop_app.services import risk

    Z.check_person(actor, A.RISK_RATING_RIGHT, what="确认风险评级")
    roles, clause, why = A.RISK_RATING
    if actor.role not in roles:
        raise Refused(f"{why}（本机为{Z.role_label(actor.role)}）", clause)
    project = store.get("project", project_id)
    day = today or dt.date.today()
    errors = {}
    text = str(level).strip()
    if not text.isdigit() or not 1 <= int(text) <= 5:
        errors["level"] = f"风险等级应为1至5（5为低风险，1为高风险），现为「{level}」"
    note = (note or "").strip()
    if len(note) > A.RISK_NOTE_MAX:
        errors["note"] = f"说明不超过{A.RISK_NOTE_MAX}个字，现为{len(note)}个字"
    try:
        on = parse_date(rated_on) if rated_on else day.isoformat()
        if on > day.isoformat():
            errors["rated_on"] = f"评级日期{on}晚于今天，请填写实际确认的日期"
    except ValueError as exc:
        errors["rated_on"] = str(exc)
    current = risk.rating(store, day, project_id)
    if current is None:
        raise Refused(f"项目 {project['code']} 当前状态为「{status_label(project['status'])}」，"
                      "只对评审通过后、未终止的项目评定风险等级")
    if not errors and int(text) != current.suggested and not note:
        errors["note"] = (f"确认的等级与系统建议的{risk.level_text(current.suggested)}不同，"
                          "请在说明中写明调整的理由")
    if errors:
        raise ValidationError(errors)
    row = {"id": new_id(), "project_id": project_id, "owner_org": actor.org_id, "rated_on": on,
           "suggested_level": current.suggested, "level": int(text),
           "reasons": "\n".join(current.reasons) or "未发现风险事项", "note": note or None,
           "rated_by": actor.user, "created_at": _clock(today)}
    verb = "确认" if row["level"] == current.suggested else "调整"
    with store.tx():
        store.insert("risk_ratings", row)
        audit.append(store, actor, f"{verb}风险评级", "risk_rating", row["id"], project_id,
                     f"{project['code']} 风险等级{verb}为{risk.level_text(row['level'])}"
                     f"（系统建议{risk.level_text(current.suggested)}）", after=row)
    return _row(row, OpChanges(frozenset({project_id}), frozenset({"risk_rating"}), frozenset({row["id"]})))


# ---- 年度申报: the round the county office opens and closes (第二条) --------------------------------

def application_round(store: Store, year: int) -> dict | None:
    return store.one("SELECT * FROM application_rounds WHERE plan_year=?", (year,))


def _round_actor(actor: Actor, what: str) -> None:
    Z.check_person(actor, A.ROUND_RIGHT, what=what)
    roles, clause, why = A.SETTINGS["annual_round"]
    if actor.role not in roles:
        raise Refused(f"{why}（本机为{Z.role_label(actor.role)}）", clause)


def _round_texts(values: dict, names: tuple[str, ...]) -> dict:
    labels = {"notice": "通知文号或标题", "note": "备注"}
    unknown = {k: f"没有「{k}」这一项" for k in values if k not in names}
    if unknown:
        raise ValidationError(unknown)
    out, errors = {}, {}
    for name in names:
        text = str(values.get(name) or "").strip()
        if len(text) > A.ROUND_TEXT_MAX:
            errors[name] = f"{labels[name]}不超过{A.ROUND_TEXT_MAX}个字，现为{len(text)}个字"
        out[name] = text or None
    if errors:
        raise ValidationError(errors)
    return out


def _plan_year(year) -> int:
    text = str(year).strip()
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationError({"year": f"计划年度应为四位年份，例如2028，现为「{year}」"})
    return int(text)


def open_round(store: Store, actor: Actor, year, values: dict | None = None, today: dt.date | None = None) -> Row:
    """The county office opens the application round of a plan year (第二条: units apply by the deadline
    for next year's projects). The deadline is copied from the policy profile today and kept with the
    round. A clerk may open the year being received now (the earliest whose deadline has not passed) or
    the one after it; a year whose deadline has passed cannot be opened, nor one opened already."""
    from desktop_app.lifecycle.policy import load_profile

    _round_actor(actor, "开启年度申报")
    year = _plan_year(year)
    texts = _round_texts(values or {}, ("notice", "note"))
    day = today or dt.date.today()
    profile = load_profile(store)
    deadline = R.application_deadline(year, profile)
    current = R.open_plan_year(day, profile)
    done = application_round(store, year)
    if done:
        raise Refused(f"{year}年度项目申报已于{done['opened_on']}开启（截止日期{done['deadline']}），不能重复开启", "第二条")
    if day > deadline:
        raise Refused(f"{year}年度项目的申报截止日期{deadline.isoformat()}已过，不能再开启；"
                      f"现在受理的是{current}年度的申报", "第二条")
    if year > current + 1:
        raise Refused(f"{year}年度项目申报开启过早：现在受理的是{current}年度的申报，最多可提前开启{current + 1}年度",
                      "第二条")
    row = {**_common(actor, today), "plan_year": year, "opened_on": day.isoformat(), "deadline": deadline.isoformat(),
           "notice": texts["notice"], "opened_by": actor.user, "closed_on": None, "note": texts["note"]}
    with store.tx():
        store.insert("application_rounds", row)
        audit.append(store, actor, "开启年度申报", "application_round", row["id"], None,
                     f"开启{year}年度项目申报（截止日期{row['deadline']}"
                     + (f"，{row['notice']}" if row["notice"] else "") + "）", after=row)
    return _row(row, OpChanges(kinds=frozenset({"application_round"}), record_ids=frozenset({row["id"]})))


def close_round(store: Store, actor: Actor, year, note: str = "", today: dt.date | None = None) -> Row:
    """截止受理: the county office closes the round. After the deadline; earlier only with a note saying
    why (the units were told the deadline in the notice). Once."""
    _round_actor(actor, "截止受理年度申报")
    year = _plan_year(year)
    note = _round_texts({"note": note}, ("note",))["note"]
    day = today or dt.date.today()
    before = application_round(store, year)
    if not before:
        raise Refused(f"{year}年度项目申报尚未开启，无需截止受理；请先“开启本年度申报”", "第二条")
    if before["closed_on"]:
        raise Refused(f"{year}年度项目申报已于{before['closed_on']}截止受理，不能重复截止", "第二条")
    if day.isoformat() < before["opened_on"]:
        raise Refused(f"截止受理日期{day.isoformat()}早于开启日期{before['opened_on']}", "第二条")
    if day.isoformat() <= before["deadline"] and not note:
        raise ValidationError({"note": f"申报截止日期为{before['deadline']}，尚未过截止日期；"
                                       "如需提前截止受理，请在备注中写明理由"})
    kept = "\n".join(x for x in (before["note"], f"截止受理：{note}" if note else None) if x)
    changes = {"closed_on": day.isoformat(), "note": kept or None, "rev": before["rev"] + 1,
               "updated_at": _clock(today)}
    with store.tx():
        store.update("application_rounds", before["id"], changes)
        audit.append(store, actor, "截止受理年度申报", "application_round", before["id"], None,
                     f"{year}年度项目申报截止受理（{changes['closed_on']}，截止日期{before['deadline']}）"
                     + (f"：{note}" if note else ""), before=before, after={**before, **changes})
    return _row({**before, **changes},
                OpChanges(kinds=frozenset({"application_round"}), record_ids=frozenset({before["id"]})))


# ---- lifecycle ----------------------------------------------------------------------------------

def action_values(t: machine.Transition, facts, values: dict, today: dt.date) -> dict:
    """The action's record as typed, plus the fields the core fills from the action itself."""
    values = dict(values)
    for name, value in A.ACTION_FILLS.get(t.action, {}).items():
        values[name] = value if value is not None else str(len(facts.of("review")) + 1)
    if t.action in ("terminate", "suspend"):
        values.setdefault("imposed_on", today.isoformat())
    return values


def transition(store: Store, actor: Actor, project_id: str, action: str, values: dict | None = None,
               today: dt.date | None = None, *, incoming: Incoming | None = None,
               on_date: dt.date | None = None, check_gates: bool = True, context=None) -> Row:
    """Take one lifecycle action. From a package, `on_date` is the date it claims (checked against the
    gates as of that date) and `incoming` the identity of its record."""
    t = machine.TRANSITIONS.get(action)
    if t is None:
        allowed = "、".join(f"{a}（{x.label}）" for a, x in machine.TRANSITIONS.items())
        raise ValidationError({"action": f"未知的操作「{action}」。可用操作：{allowed}"})
    Z.check_person(actor, A.person_right(action), incoming, f"「{t.label}」")
    day = on_date or _today(today, incoming)
    # only gated steps read the whole project; the rest need its row (and a review its earlier rounds)
    approving = action == "record_review" and (values or {}).get("conclusion") in ("pass", "通过")
    if check_gates and (t.gate or approving or action in ("fund", "self_evaluate")):
        facts = load_facts(store, [project_id])
        if not facts:
            raise NotFound(f"找不到项目（{project_id}）")
        facts = facts[0]
    else:
        reviews = store.for_project("review", project_id) if action == "record_review" else []
        facts = R.Facts(store.get("project", project_id), {"review": reviews})
    project = facts.project
    record = None
    values = dict(values or {})
    if t.record_kind:
        kind = KINDS[t.record_kind]
        filled = A.ACTION_FILLS.get(action, {})
        typed = {k: v for k, v in values.items() if k not in filled}
        kept_round = None
        if incoming is not None:  # the sender's own kind must agree with the action; its round is kept
            for name, value in filled.items():
                if value is not None and values.get(name) not in (None, value):
                    raise Refused(f"“{t.label}”的记录与办理事项不符", t.clause)
            kept_round = values.get("round")
        values = action_values(t, facts, typed, day)
        if t.record_kind == "evaluation":
            values, typed = _scored_evaluation(store, values, typed, incoming)
        if kept_round is not None:
            values["round"] = kept_round
        record, found = parse_fields(kind, values)
        errors = FieldErrors(found)
        errors.add(date_order_errors(kind, record, skip=errors))
        errors.raise_any(kind)
    elif values:
        raise ValidationError({"values": f"“{t.label}”不需要填写记录"})
    why = machine.refusal(t, facts, context or load_context(store, day), actor, record, check_gates=check_gates)
    if why:
        raise Refused(why[0], why[1])
    if record is not None:
        Z.check_fields(t.record_kind, actor.role, typed, creating=True, status=project["status"])
        Z.check_event_dates(t.record_kind, record, incoming.day if incoming else day)
    if actor.role == UNIT:
        Z.check_ownership(store, actor, project, t.label)
    if t.action == "fund":
        Z.funding_gates(facts, record)
    target = machine.outcome_target(t, record)
    now = now_iso()
    changes = {"status": target, "status_since": day.isoformat(), "rev": project["rev"] + (incoming is None),
               "updated_at": now if incoming is None else project["updated_at"]}
    if action == "go_live":  # the self-evaluation window counts from it (第六条)
        changes["went_live_on"] = day.isoformat()
    with store.tx():
        if record is not None:
            _stamp(record, actor, incoming, day)
            record["project_id"] = project_id
            store.insert(KINDS[t.record_kind].table, record)
        store.update("projects", project_id, changes)
        if action == "resume":  # resuming lifts the suspension that stopped the works
            store.write("UPDATE sanctions SET lifted_on=?, rev=rev+1, updated_at=? WHERE project_id=? AND "
                               "sanction_kind='suspend' AND lifted_on IS NULL", (day.isoformat(), now, project_id))
        _audit(store, actor, incoming, t.label, "project", project_id, project_id,
               f"{project['code']} {t.label}：{status_label(project['status'])} → {status_label(target)}",
               before={"status": project["status"]},
               after={"status": target, "on": day.isoformat(), **({"record": record} if record else {})})
        if incoming is None:
            queries.refresh_deadlines(store, today, [project_id])
    kinds = {"project"} | ({t.record_kind} if t.record_kind else set())
    ids = {project_id} | ({record["id"]} if record else set())
    return _row({**project, **changes}, OpChanges(frozenset({project_id}), frozenset(kinds), frozenset(ids),
                                                  status=True))


# ---- calendar and attachments -------------------------------------------------------------------

def set_holidays(store: Store, actor: Actor, year: int, holidays: list[str], workdays: list[str],
                 source: str = "国务院办公厅通知") -> int:
    """Enter one year's official holidays and make-up working days (the State Council notice)."""
    Z.check_setting(actor, "holidays")
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

    Z.check_person(actor, "draft")
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



def receive_attachment(store: Store, actor: Actor, row: dict, *, new: bool, recorder: Actor, package: str) -> None:
    """An attachment arriving in a package, owned by `actor`: the same ownership, binding, name, type and
    content checks as `attach_file`; then one write and one audit entry naming the person importing it.
    Raises Refused (ownership) or ValueError (the file itself), in Chinese."""
    from desktop_app.services import attachment_files as AF

    Z.check_person(recorder, "import")
    project = store.get("project", row["project_id"])
    Z.check_ownership(store, actor, project, "为该项目添加附件")
    checked = AF.check_incoming_attachment(store, row["project_id"], row["record_kind"], row["record_id"],
                                           row["filename"], row["media_type"], row["content"])
    row.update(filename=checked["filename"], media_type=checked["media_type"])
    with store.tx():
        if new:
            store.insert("attachments", row)
        else:
            store.update("attachments", row["id"], {k: v for k, v in row.items() if k != "id"})
        audit.append(store, recorder, "导入附件", "attachment", row["id"], row["project_id"],
                     f"数据包导入：{'新增' if new else '修改'}附件（{actor.org_name}填报，{package}）",
                     after={k: v for k, v in row.items() if k != "content"})


def set_policy(store: Store, actor: Actor, changes: dict) -> Row:
    """Change numbers of the county policy profile (e.g. an October application deadline). Every value
    is checked by `policy.checked_profile` (ranges, the day in its month, a window's bounds) before
    anything is written. Returns the whole profile as a Row; `.changes.settings` is set when a value
    changed (every due date may move), and nothing is written when none did."""
    Z.check_setting(actor, "policy")
    from dataclasses import asdict

    from desktop_app.lifecycle.policy import checked_profile, load_profile

    before = load_profile(store)
    after, changed = checked_profile(before, changes)
    if not changed:
        return _row(asdict(before), OpChanges())
    with store.tx():
        store.set_setting("policy_profile", after.to_json())
        audit.append(store, actor, "修改政策参数", "policy", None, None,
                     "修改县级政策参数：" + "、".join(changed), before={k: getattr(before, k) for k in changed},
                     after=changed)
        store.set_setting("deadlines_computed_for", "")  # every due date may move with the new profile
    return _row(asdict(after), OpChanges(settings=True))


def set_indicators(store: Store, actor: Actor, system_or_json, today: dt.date | None = None) -> Row:
    """第六条: the county's performance-evaluation indicator system (an IndicatorSystem, its JSON text or
    its data, either form `lifecycle.indicators` reads), checked by `indicators.checked` before anything
    is written; one audit entry with the systems before and after. Saving the system in force is refused.
    The program's default is stored as no setting, so a county on the default follows later versions.
    Evaluations already scored keep their stored lines, total and grade: only a later change of an
    evaluation's scores is scored under the new system. `today` is unused (a setting is not dated) and
    kept for the callers' common signature."""
    import json

    from desktop_app.lifecycle.policy import DEFAULT_INDICATORS

    Z.check_setting(actor, "indicators")
    data = system_or_json
    if isinstance(data, IND.IndicatorSystem):
        data = IND.to_data(data)
    elif isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ValidationError({"指标体系": f"指标体系不是有效的JSON：第{getattr(exc, 'lineno', '?')}行"
                                               f"第{getattr(exc, 'colno', '?')}列有误"}) from None
    after = IND.checked(data)
    before = load_indicators(store)
    if after == before:
        raise Refused("指标体系与现行的相同，没有需要保存的修改")
    default = after == IND.checked(DEFAULT_INDICATORS)
    with store.tx():
        store.set_setting("evaluation_indicators",
                          "" if default else json.dumps(IND.to_data(after), ensure_ascii=False))
        audit.append(store, actor, "修改绩效评价指标", "indicators", None, None,
                     "恢复默认绩效评价指标体系" if default else
                     f"修改绩效评价指标体系：{len(after.groups)}个一级指标、{len(after.indicators)}个二级指标",
                     before=IND.outline(before), after=IND.outline(after))
    return _row({"indicators": IND.to_data(after), "default": default}, OpChanges(settings=True))


def note_restore(store: Store, actor: Actor, backup_name: str, safety_name: str | None) -> None:
    """After a restore: one audit entry on top of the restored chain, saying which backup the data came
    back from and where the replaced state was kept (the restore itself is `services/backups.restore`)."""
    Z.check_person(actor, "settings")  # a restore replaces everything: the administrator's step
    kept = f"，恢复前的数据已备份为 {safety_name}" if safety_name else ""
    with store.tx():
        audit.append(store, actor, "从备份恢复", "database", None, None, f"从备份 {backup_name} 恢复数据库{kept}",
                     after={"backup": backup_name, "safety": safety_name})


# ---- accounts (services.accounts is the API; these are its writes) ----------------------------------

USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]{2,30}")


def _user(store: Store, username: str) -> dict:
    org_id = store.get_setting("installation_org_id")
    user = store.one("SELECT * FROM users WHERE username=? AND org_id=?", (username, org_id))
    if not user:
        raise NotFound(f"本机没有用户「{username}」。用户列表：govis users list")
    return user


def _user_public(user: dict) -> dict:
    """What the audit keeps of a user: never the password hash."""
    return {k: user[k] for k in ("username", "display_name", "role", "disabled") if k in user}


def _password_error(password: str | None, field: str = "password") -> None:
    why = PW.check_rule(password)
    if why:
        raise ValidationError({field: why})


def add_user(store: Store, actor: Actor, username: str, role: str, display_name: str = "",
             password: str | None = None) -> dict:
    """An administrator adds a person. Without `password` the person sets one on first use."""
    Z.check_person(actor, "users")
    username = (username or "").strip()
    errors = {}
    if not USERNAME_RE.fullmatch(username):
        errors["username"] = "用户名只能由 2-30 位字母、数字、下划线、点或短横线组成"
    if role not in A.USER_ROLES:
        errors["role"] = f"角色「{role}」不对，只能是 " + "、".join(f"{k}（{v}）" for k, v in A.USER_ROLES.items())
    if password is not None and PW.check_rule(password):
        errors["password"] = PW.check_rule(password)
    if errors:
        raise ValidationError(errors)
    if store.one("SELECT 1 FROM users WHERE username=?", (username,)):
        raise Refused(f"用户名「{username}」已被使用")
    now = now_iso()
    row = {"id": new_id(), "org_id": actor.org_id, "username": username,
           "display_name": (display_name or "").strip() or username, "is_admin": int(role == A.ADMIN),
           "role": role, "password_hash": PW.hash_password(password) if password is not None else None,
           "password_changed_at": now if password is not None else None, "created_at": now}
    with store.tx():
        store.insert("users", row)
        audit.append(store, actor, "添加用户", "user", row["id"], None,
                     f"添加用户 {username}（{row['display_name']}，{A.USER_ROLES[role]}）", after=_user_public(row))
    return _user_public(row)


def disable_user(store: Store, actor: Actor, username: str) -> None:
    """An administrator disables an account (kept: the audit trail names it). Not one's own, and
    never the last enabled administrator: nobody could then manage the accounts."""
    Z.check_person(actor, "users")
    user = _user(store, username)
    if user["disabled"]:
        raise Refused(f"用户「{username}」已经停用")
    if username == actor.user:
        raise Refused("不能停用自己正在使用的账户")
    if user["role"] == A.ADMIN and store.one(
            "SELECT COUNT(*) AS n FROM users WHERE org_id=? AND role='admin' AND disabled=0", (user["org_id"],))["n"] <= 1:
        raise Refused("这是本机唯一的管理员账户，不能停用；请先添加另一位管理员")
    with store.tx():
        store.update("users", user["id"], {"disabled": 1})
        audit.append(store, actor, "停用用户", "user", user["id"], None, f"停用用户 {username}（{user['display_name']}）",
                     before={"disabled": 0}, after={"disabled": 1})


def _set_password(store: Store, actor: Actor, user: dict, password: str, op: str, summary: str) -> None:
    changes = {"password_hash": PW.hash_password(password), "password_changed_at": now_iso(),
               "failed_attempts": 0, "locked_until": None}
    with store.tx():
        store.update("users", user["id"], changes)
        audit.append(store, actor, op, "user", user["id"], None, summary)  # no hash, no password


def reset_password(store: Store, actor: Actor, username: str, new_password: str) -> None:
    """An administrator gives a person a new password (and lifts a lockout)."""
    Z.check_person(actor, "users")
    user = _user(store, username)
    _password_error(new_password, "new_password")
    _set_password(store, actor, user, new_password, "重置密码", f"重置用户 {username}（{user['display_name']}）的密码")


def change_password(store: Store, actor: Actor, old_password: str | None, new_password: str) -> None:
    """A person changes their own password; the old one is needed, except on first use (no password
    set yet: a user created before accounts had passwords). Every role may do this."""
    user = _user(store, actor.user)
    if user["password_hash"] is not None and not PW.verify(user["password_hash"], old_password or ""):
        raise Refused("原密码不对，密码没有修改")
    _password_error(new_password, "new_password")
    if old_password and new_password == old_password:
        raise ValidationError({"new_password": "新密码不能与原密码相同"})
    first = user["password_hash"] is None
    _set_password(store, actor, user, new_password, "设置密码" if first else "修改密码",
                  f"用户 {actor.user} {'首次设置' if first else '修改'}了自己的密码")


def record_login(store: Store, username: str, *, failed: bool, locked_until: str | None = None,
                 rehash: str | None = None) -> None:
    """The outcome of a sign-in that changes the account: a failure (counted; at the limit the account
    locks until `locked_until`), or a success that clears earlier failures or stores a fresh hash."""
    user = _user(store, username)
    actor = installation_actor(store, username)
    if failed:
        count = 0 if locked_until else user["failed_attempts"] + 1
        changes = {"failed_attempts": count, "locked_until": locked_until}
        summary = (f"用户 {username} 连续输错密码，账户锁定至 {locked_until[11:16]}" if locked_until
                   else f"用户 {username} 登录失败（连续第{count}次）")
        op = "账户锁定" if locked_until else "登录失败"
    else:
        changes = {"failed_attempts": 0, "locked_until": None}
        if rehash:
            changes["password_hash"] = rehash
        summary = f"用户 {username} 登录成功" + ("，清除此前的失败记录" if user["failed_attempts"] or user["locked_until"]
                                            else "") + ("，按新参数更新密码散列" if rehash else "")
        op = "登录"
    with store.tx():
        store.update("users", user["id"], changes)
        audit.append(store, actor, op, "user", user["id"], None, summary,
                     before={"failed_attempts": user["failed_attempts"], "locked_until": user["locked_until"]},
                     after={k: v for k, v in changes.items() if k != "password_hash"})


# ---- deleting what was never sent ---------------------------------------------------------------

DELETABLE_PROJECT_STATUSES = frozenset({"draft"})  # 第二条: a draft is the unit's own until it is submitted


def _sent(store: Store, items: list[str]) -> bool:
    """Whether any of these exchange items (`kind:id`, `status:id`, `attachment:id`) left in a package."""
    if not items:
        return False
    marks = ",".join("?" * len(items))
    return store.one(f"SELECT 1 FROM exchange_sent WHERE item IN ({marks}) LIMIT 1", tuple(items)) is not None


def _bound_attachments(store: Store, kind_name: str, record_id: str) -> list[dict]:
    return store.all("SELECT id, filename, size, sha256 FROM attachments WHERE record_kind=? AND record_id=?",
                     (kind_name, record_id))


def _referring(store: Store, kind_name: str, record_id: str, but: str | None = None) -> str | None:
    """The label of a record (other than `but`) that refers to this one (an expert opinion to its
    review, a material to its file), if any."""
    for other in KINDS.values():
        for f in other.fields:
            if f.ref_kind == kind_name and store.one(
                    f"SELECT 1 FROM {other.table} WHERE {f.name}=? AND id IS NOT ? LIMIT 1", (record_id, but)):
                return other.label
    return None


def record_delete_refusal(store: Store, actor: Actor, kind_name: str, record: dict,
                          project: dict | None = None) -> tuple[str, str | None] | None:
    """Why `actor` may not delete this record, as (Chinese reason, clause); None if allowed. The window
    asks this for the button's tooltip; `delete_record` raises it."""
    why = Z.person_reason(actor, "draft")
    if why:
        return why, None
    kind = KINDS[kind_name]
    rule = A.rule(kind_name)
    if actor.role not in rule.writers or record["owner_org"] != actor.org_id:
        return f"这条{kind.label}不是{actor.org_name}填报的，不能删除", rule.clause or None
    project = project or store.get("project", record["project_id"])
    if rule.via_action:
        labels = "或".join(f"“{machine.TRANSITIONS[a].label}”" for a in rule.via_action)
        return f"这条{kind.label}是办理{labels}时写入的，项目状态随之变更，不能删除", rule.clause or None
    if project["status"] not in rule.edit_in:
        return (f"项目当前状态为「{status_label(project['status'])}」，{kind.label}已不能修改或删除",
                rule.clause or None)
    attached = _bound_attachments(store, kind_name, record["id"])
    if _sent(store, [f"{kind_name}:{record['id']}"] + [f"attachment:{a['id']}" for a in attached]):
        return (f"这条{kind.label}已通过数据包报送，不能删除；如有错误，请修改后重新报送", rule.clause or None)
    other = _referring(store, kind_name, record["id"]) or next(
        (x for a in attached if (x := _referring(store, "attachment", a["id"], but=record["id"]))), None)
    if other:
        return f"这条{kind.label}已被{other}引用，请先删除引用它的{other}", None
    return None


def delete_record(store: Store, actor: Actor, kind_name: str, record_id: str,
                  today: dt.date | None = None) -> OpChanges:
    """Delete a record its owner has not yet sent (with the files bound to it); the audit entry keeps it
    whole as `before`."""
    kind = KINDS.get(kind_name)
    if kind is None or not kind.project_scoped:
        raise ValidationError({"kind": f"未知的记录类型「{kind_name}」"})
    Z.check_person(actor, "draft")
    before = store.get(kind, record_id)
    project = store.get("project", before["project_id"])
    Z.check_ownership(store, actor, project, f"删除该项目的{kind.label}")
    why = record_delete_refusal(store, actor, kind_name, before, project)
    if why:
        raise Refused(*why)
    attached = _bound_attachments(store, kind_name, record_id)
    with store.tx():
        store.write("DELETE FROM attachments WHERE record_kind=? AND record_id=?", (kind_name, record_id))
        store.write(f"DELETE FROM {kind.table} WHERE id=?", (record_id,))
        audit.append(store, actor, f"删除{kind.label}", kind.name, record_id, project["id"],
                     f"{project['code']} 删除{kind.label}", before={**before, "attachments": attached})
        queries.refresh_deadlines(store, today, [project["id"]])
    return OpChanges(frozenset({project["id"]}), frozenset({kind_name} | ({"attachment"} if attached else set())),
                     frozenset({record_id}))


def _project_items(store: Store, project_id: str) -> tuple[dict[str, list[dict]], list[dict]]:
    records = {k.name: store.for_project(k, project_id) for k in KINDS.values() if k.project_scoped}
    attached = store.all("SELECT id, record_kind, record_id, filename, size, sha256 FROM attachments "
                         "WHERE project_id=?", (project_id,))
    return {k: rows for k, rows in records.items() if rows}, attached


def project_delete_refusal(store: Store, actor: Actor, project: dict) -> tuple[str, str | None] | None:
    """Why `actor` may not delete this project, as (Chinese reason, clause); None if allowed."""
    why = Z.person_reason(actor, "draft")
    if why:
        return why, None
    if actor.role not in A.rule("project").writers or project["owner_org"] != actor.org_id \
            or (actor.role == UNIT and project["lead_org_id"] != actor.org_id):
        return "只有填报该项目的单位才能删除项目草稿", "第二条"
    if project["status"] not in DELETABLE_PROJECT_STATUSES:
        why = (f"项目当前状态为「{status_label(project['status'])}」，只有未提交的草稿可以删除；"
               "已申报的项目如不再建设，请报县政府办公室处理")
        return why, "第二条"
    records, attached = _project_items(store, project["id"])
    items = [f"project:{project['id']}", f"status:{project['id']}"]
    items += [f"{k}:{r['id']}" for k, rows in records.items() for r in rows]
    items += [f"attachment:{a['id']}" for a in attached]
    if _sent(store, items):
        return "该项目或其记录已通过数据包报送，不能删除", "第二条"
    return None


def delete_project(store: Store, actor: Actor, project_id: str, today: dt.date | None = None) -> OpChanges:
    """Delete a draft project nothing of which was sent, with its records and files, in one transaction;
    the audit entry keeps all of it as `before`."""
    Z.check_person(actor, "draft")
    project = store.get("project", project_id)
    why = project_delete_refusal(store, actor, project)
    if why:
        raise Refused(*why)
    records, attached = _project_items(store, project_id)
    with store.tx():
        store.write("PRAGMA defer_foreign_keys = ON")  # records refer to each other; all go together
        store.write("DELETE FROM attachments WHERE project_id=?", (project_id,))
        for name in records:
            store.write(f"DELETE FROM {KINDS[name].table} WHERE project_id=?", (project_id,))
        for table in ("project_deadlines", "ledger_imports"):  # derived rows about the project
            store.write(f"DELETE FROM {table} WHERE project_id=?", (project_id,))
        store.write("DELETE FROM projects WHERE id=?", (project_id,))
        audit.append(store, actor, "删除项目", "project", project_id, project_id,
                     f"删除项目草稿 {project['code']} {project['name']}",
                     before={"project": project, "records": records, "attachments": attached})
    kinds = frozenset({"project"} | set(records) | ({"attachment"} if attached else set()))
    return OpChanges(frozenset({project_id}), kinds, frozenset({project_id}), status=True)


# ---- 集中评审: review sessions, experts, scores (第三条; tables of migration 0011) --------------------

def _panel_actor(actor: Actor, right: str = "draft") -> None:
    Z.check_person(actor, right)
    roles, clause, why = A.REVIEW_PANEL
    if actor.role not in roles:
        raise Refused(f"{why}（本机为{Z.role_label(actor.role)}）", clause)


def _parse(fields_, values: dict) -> dict:
    unknown = {k: f"没有「{k}」这一项" for k in values if k not in {f.name for f in fields_}}
    clean, errors = {}, dict(unknown)
    for f in fields_:
        try:
            clean[f.name] = parse_value(f, values.get(f.name))
        except ValueError as exc:
            errors[f.name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return clean


def _common(actor: Actor, today: dt.date | None) -> dict:
    now = _clock(today)
    return {"id": new_id(), "owner_org": actor.org_id, "rev": 1, "created_at": now, "updated_at": now}


def review_session(store: Store, session_id: str) -> dict:
    row = store.one("SELECT * FROM review_sessions WHERE id=?", (session_id,))
    if not row:
        raise NotFound("找不到该评审会，请先用“新建评审会”建立")
    return row


def add_review_session(store: Store, actor: Actor, values: dict, today: dt.date | None = None) -> Row:
    """A review session, holding the scoring sheet and outlier threshold of the policy profile today."""
    from desktop_app.lifecycle.policy import load_profile
    from desktop_app.models.review_panel import SESSION_FIELDS

    _panel_actor(actor)
    row = _parse(SESSION_FIELDS, values)
    profile = load_profile(store)
    row.update(_common(actor, today), sheet=profile.review_sheet, outlier_points=profile.review_outlier_points)
    with store.tx():
        store.insert("review_sessions", row)
        audit.append(store, actor, "新建评审会", "review_session", row["id"], None,
                     f"新建评审会 {row['title']}（{row['held_on']}，{row['venue']}）", after=row)
    return _row(row, OpChanges(kinds=frozenset({"review_session"}), record_ids=frozenset({row["id"]})))


def add_review_expert(store: Store, actor: Actor, session_id: str, values: dict,
                      today: dt.date | None = None) -> Row:
    from desktop_app.models.review_panel import EXPERT_FIELDS

    _panel_actor(actor)
    session = review_session(store, session_id)
    row = _parse(EXPERT_FIELDS, values)
    if store.one("SELECT 1 FROM review_experts WHERE session_id=? AND name=?", (session_id, row["name"])):
        raise ValidationError({"name": f"评审会中已有专家「{row['name']}」"})
    row.update(_common(actor, today), session_id=session_id)
    with store.tx():
        store.insert("review_experts", row)
        audit.append(store, actor, "添加评审专家", "review_session", session_id, None,
                     f"评审会 {session['title']} 添加专家 {row['name']}（{row['affiliation'] or '未填单位'}）",
                     after=row)
    return _row(row, OpChanges(kinds=frozenset({"review_session"}), record_ids=frozenset({session_id})))


def open_assignment(store: Store, session_id: str, project_id: str) -> dict | None:
    return store.one("SELECT * FROM review_assignments WHERE session_id=? AND project_id=? AND review_id IS NULL",
                     (session_id, project_id))


def assign_to_review(store: Store, actor: Actor, session_id: str, project_id: str,
                     today: dt.date | None = None) -> Row:
    """An application goes before the session. It must be 评审中, and not before another session now."""
    _panel_actor(actor)
    session = review_session(store, session_id)
    project = store.get("project", project_id)
    if project["status"] not in A.REVIEW_ASSIGNABLE:
        raise Refused(f"项目 {project['code']} 当前状态为「{status_label(project['status'])}」，"
                      "须先“受理并组织评审”才能提交评审会", "第三条")
    pending = store.one("SELECT s.title FROM review_assignments a JOIN review_sessions s ON s.id=a.session_id "
                        "WHERE a.project_id=? AND a.review_id IS NULL", (project_id,))
    if pending:
        raise Refused(f"项目 {project['code']} 已提交评审会「{pending['title']}」，尚未形成结论", "第三条")
    row = {**_common(actor, today), "session_id": session_id, "project_id": project_id, "review_id": None}
    with store.tx():
        store.insert("review_assignments", row)
        audit.append(store, actor, "提交评审会", "review_session", session_id, project_id,
                     f"项目 {project['code']} {project['name']} 提交评审会 {session['title']}", after=row)
    return _row(row, OpChanges(frozenset({project_id}), frozenset({"review_session"}), frozenset({session_id})))


def score_review(store: Store, actor: Actor, session_id: str, project_id: str, expert_id: str,
                 scores: dict, opinion: str, today: dt.date | None = None) -> Row:
    """One expert's scores on the session's sheet and opinion for one application (replacing the
    expert's earlier entry), until the session concludes on it."""
    from desktop_app.lifecycle import review_scoring as S
    from desktop_app.models.review_panel import EXPERT_OPINION

    _panel_actor(actor)
    session = review_session(store, session_id)
    expert = store.one("SELECT * FROM review_experts WHERE id=? AND session_id=?", (expert_id, session_id))
    if not expert:
        raise NotFound("该专家不是本评审会的专家，请先添加专家")
    assignment = open_assignment(store, session_id, project_id)
    project = store.get("project", project_id)
    if not assignment:
        raise Refused(f"项目 {project['code']} 不在本评审会待评审的项目中（未提交或已形成结论）", "第三条")
    errors = {}
    try:
        clean = S.check_scores(S.parse_sheet(session["sheet"]), scores)
    except S.SheetError as exc:
        errors["scores"] = str(exc)
    try:
        text = parse_value(EXPERT_OPINION, opinion)
    except ValueError as exc:
        errors["opinion"] = str(exc)
    if errors:
        raise ValidationError(errors)
    import json

    before = store.one("SELECT * FROM review_scores WHERE assignment_id=? AND expert_id=?",
                       (assignment["id"], expert_id))
    data = json.dumps(clean, ensure_ascii=False)
    with store.tx():
        if before:
            changed = {"scores": data, "opinion": text}
            _bump(changed, before, None, today)
            store.update("review_scores", before["id"], changed)
            row = {**before, **changed}
        else:
            row = {**_common(actor, today), "assignment_id": assignment["id"], "expert_id": expert_id,
                   "scores": data, "opinion": text}
            store.insert("review_scores", row)
        audit.append(store, actor, "录入专家评分", "review_session", session_id, project_id,
                     f"评审会 {session['title']}：专家 {expert['name']} 对项目 {project['code']} 评分",
                     before=before and {"scores": before["scores"], "opinion": before["opinion"]},
                     after={"scores": data, "opinion": text})
    return _row(row, OpChanges(frozenset({project_id}), frozenset({"review_session"}), frozenset({session_id})))


def conclude_review(store: Store, actor: Actor, session_id: str, project_id: str, values: dict,
                    today: dt.date | None = None) -> Row:
    """The session's conclusion on one application, once every expert has scored it: in one transaction
    the project's review (the action record_review: its round, gates and sign-off right), each expert's
    opinion as an expert_opinion record under it, and the assignment pointing at that review."""
    from desktop_app.models.review_panel import CONCLUSION_FIELDS

    _panel_actor(actor, "sign_off")
    session = review_session(store, session_id)
    project = store.get("project", project_id)
    assignment = open_assignment(store, session_id, project_id)
    if not assignment:
        raise Refused(f"项目 {project['code']} 不在本评审会待评审的项目中（未提交或已形成结论）", "第三条")
    missing = store.all("SELECT e.name FROM review_experts e WHERE e.session_id=? AND NOT EXISTS (SELECT 1 FROM "
                        "review_scores s WHERE s.expert_id=e.id AND s.assignment_id=?) ORDER BY e.name",
                        (session_id, assignment["id"]))
    scored = store.all("SELECT e.name, e.affiliation, e.field, s.opinion FROM review_scores s JOIN review_experts e "
                       "ON e.id=s.expert_id WHERE s.assignment_id=? ORDER BY e.rowid", (assignment["id"],))
    if missing or not scored:
        who = "、".join(m["name"] for m in missing) or "评审专家"
        raise Refused(f"{who}尚未对项目 {project['code']} 评分，全部专家评分后才能形成评审结论", "第三条")
    typed = {f.name: values.get(f.name) for f in CONCLUSION_FIELDS}
    unknown = [k for k in values if k not in typed]
    if unknown:
        raise ValidationError({k: f"评审结论没有「{k}」这一项" for k in unknown})
    conclusion = str(typed.get("conclusion") or "").strip()
    money = typed.get("approved_investment_fen")
    passing = conclusion in ("pass", "通过")
    if passing and money in (None, ""):
        raise ValidationError({"approved_investment_fen": "评审通过时须填写核定投资（万元）"})
    if not passing and money not in (None, ""):
        raise ValidationError({"approved_investment_fen": "只有评审通过的项目才核定投资，请清空核定投资"})
    review_values = {**{k: v for k, v in typed.items() if v not in (None, "")},
                     "reviewed_on": session["held_on"], "method": session["method"]}
    folded: list[dict] = []
    token = _FOLDED.set(folded)
    try:
        with store.tx():
            moved = transition(store, actor, project_id, "record_review", review_values, today)
            review = store.one("SELECT * FROM reviews WHERE project_id=? ORDER BY round DESC LIMIT 1",
                               (project_id,))
            opinions = [add_record(store, actor, "expert_opinion", project_id, {
                "review_id": review["id"], "expert_name": s["name"],
                "affiliation": "，".join(x for x in (s["affiliation"], s["field"]) if x) or None,
                "opinion": s["opinion"]}, today) for s in scored]
            store.update("review_assignments", assignment["id"], {
                "review_id": review["id"], "rev": assignment["rev"] + 1, "updated_at": _clock(today)})
            # one entry for the whole conclusion (第三条): the status step, the review and each expert's
            # opinion, which the nested operations would otherwise have logged one by one
            _FOLDED.reset(token)
            token = None
            audit.append(store, actor, "评审会形成结论", "review_session", session_id, project_id,
                         f"评审会 {session['title']}：项目 {project['code']} 第{review['round']}轮评审结论"
                         f"“{KINDS['review'].field('conclusion').choice_label(review['conclusion'])}”，"
                         f"{status_label(project['status'])} → {status_label(moved['status'])}",
                         before={"status": project["status"]},
                         after={"status": moved["status"], "on": session["held_on"], "assignment": assignment["id"],
                                "review": review, "expert_opinions": [dict(o) for o in opinions],
                                "steps": [f["summary"] for f in folded]})
    finally:
        if token is not None:
            _FOLDED.reset(token)
    return _row({**moved, "review": review}, OpChanges(
        frozenset({project_id}), frozenset({"project", "review", "expert_opinion", "review_session"}),
        frozenset({project_id, review["id"], session_id}), status=True))


def _pending_scores(store: Store, where: str, params: tuple) -> list[dict]:
    """Scores not yet part of a conclusion (their assignment is still open), with whose and on what."""
    return store.all("SELECT s.*, e.name AS expert, p.code FROM review_scores s JOIN review_experts e ON "
                     "e.id=s.expert_id JOIN review_assignments a ON a.id=s.assignment_id JOIN projects p ON "
                     f"p.id=a.project_id WHERE a.review_id IS NULL AND {where} ORDER BY p.code, e.rowid", params)


def remove_review_expert(store: Store, actor: Actor, session_id: str, expert_id: str,
                         today: dt.date | None = None, *, discard_scores: bool = False) -> OpChanges:
    """Take an expert off a session (added by mistake, or not attending). Refused once the expert's scores
    are part of a conclusion: that review and its expert opinions are the project's record (第三条). Scores
    on applications still open go with the expert, but only when the caller confirms it (`discard_scores`):
    the entry keeps them as `before`."""
    _panel_actor(actor)
    session = review_session(store, session_id)
    expert = store.one("SELECT * FROM review_experts WHERE id=? AND session_id=?", (expert_id, session_id))
    if not expert:
        raise NotFound("该专家不是本评审会的专家")
    used = store.all("SELECT DISTINCT p.code FROM review_scores s JOIN review_assignments a ON a.id=s.assignment_id "
                     "JOIN projects p ON p.id=a.project_id WHERE s.expert_id=? AND a.review_id IS NOT NULL "
                     "ORDER BY p.code", (expert_id,))
    if used:
        raise Refused(f"专家{expert['name']}的评分已用于项目{'、'.join(u['code'] for u in used)}的评审结论，"
                      "不能移除：评审结论和专家意见已写入项目的评审意见", "第三条")
    pending = _pending_scores(store, "s.expert_id=?", (expert_id,))
    if pending and not discard_scores:
        raise Refused(f"专家{expert['name']}已对项目{'、'.join(s['code'] for s in pending)}评分（尚未形成结论）。"
                      "如确需移除，请确认一并删除该专家的这些评分", "第三条")
    with store.tx():
        store.write("DELETE FROM review_scores WHERE expert_id=?", (expert_id,))
        store.write("DELETE FROM review_experts WHERE id=?", (expert_id,))
        audit.append(store, actor, "移除评审专家", "review_session", session_id, None,
                     f"评审会 {session['title']} 移除专家 {expert['name']}"
                     + (f"，一并删除其对{len(pending)}个项目的评分" if pending else ""),
                     before={"expert": expert, "scores": pending})
    return OpChanges(kinds=frozenset({"review_session"}), record_ids=frozenset({session_id}))


def unassign_from_review(store: Store, actor: Actor, session_id: str, project_id: str,
                         today: dt.date | None = None, *, discard_scores: bool = False) -> OpChanges:
    """Withdraw an application from a session (submitted to the wrong one, or the unit withdrew it): it
    stays 评审中 and may go before another session. Refused once the session has concluded on it (that is
    the project's review, 第三条); experts' scores on it go too only when confirmed (`discard_scores`)."""
    _panel_actor(actor)
    session = review_session(store, session_id)
    project = store.get("project", project_id)
    assignment = open_assignment(store, session_id, project_id)
    if not assignment:
        done = store.one("SELECT r.round FROM review_assignments a JOIN reviews r ON r.id=a.review_id "
                         "WHERE a.session_id=? AND a.project_id=? ORDER BY r.round DESC", (session_id, project_id))
        if done:
            raise Refused(f"评审会「{session['title']}」已对项目 {project['code']} 形成第{done['round']}轮评审结论，"
                          "不能撤出：结论已写入项目的评审意见", "第三条")
        raise Refused(f"项目 {project['code']} 没有提交评审会「{session['title']}」", "第三条")
    pending = _pending_scores(store, "s.assignment_id=?", (assignment["id"],))
    if pending and not discard_scores:
        raise Refused(f"专家{'、'.join(s['expert'] for s in pending)}已对项目 {project['code']} 评分。"
                      "如确需撤出，请确认一并删除这些评分", "第三条")
    with store.tx():
        store.write("DELETE FROM review_scores WHERE assignment_id=?", (assignment["id"],))
        store.write("DELETE FROM review_assignments WHERE id=?", (assignment["id"],))
        audit.append(store, actor, "撤出评审会", "review_session", session_id, project_id,
                     f"项目 {project['code']} {project['name']} 撤出评审会 {session['title']}"
                     + (f"，一并删除{len(pending)}位专家的评分" if pending else ""),
                     before={"assignment": assignment, "scores": pending})
    return OpChanges(frozenset({project_id}), frozenset({"review_session"}), frozenset({session_id}))
