"""Record kinds as workbook sheets, and the ownership rules the importer enforces.

Every kind in `models.kinds.KINDS` becomes one sheet named by its Chinese label, with common columns
(记录编号, 所属项目, 填报单位代码, 版本号, times) and then its fields with their Chinese labels.
Organisations travel by CODE, never by local id: every installation has its own organisation ids.

Ownership ("owner wins"):
* a record is only ever written by its owner organisation, whose role must be in the kind's
  `owner_roles`; a package may carry a record only if the sender is its owner -- except the county
  office, the hub that keeps the full ledger, which may relay records owned by others unchanged;
* a record owned by the receiver is never overwritten by anybody's package (the owner wins).
Project status travels in its own sheet 项目状态; see `status_path`.
"""

from __future__ import annotations

import re
from collections import deque

from desktop_app.exchange.workbook import DATE, INT, MONEY, TEXT, Column, SheetSpec
from desktop_app.lifecycle.machine import TRANSITIONS
from desktop_app.lifecycle.states import STATUS_LABELS
from desktop_app.models import fields as F
from desktop_app.models.kinds import COUNTY, KINDS, YES_NO, Kind

STATUS_SHEET = "项目状态"
ATTACHMENT_SHEET = "附件"
RECORDS_SCHEMA = 2  # the sheet layout below; bump when columns change (2, 0.2.0: the county office's facts as
# their own sheets, 预算安排 轻重缓急排序, 重复建设审查意见)

ORG_ROLES = (("unit", "申报单位/建设单位"), ("county_office", "县政府办公室"), ("finance", "县财政局"),
             ("audit", "县审计局"), ("secrecy", "县保密局"))
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)?$")
_COMMON = ("id", "project_id", "project_code", "owner_org", "rev", "created_at", "updated_at")


def _field_column(f: F.Field) -> Column:
    if f.type == F.MONEY:
        return Column(f.name, f.label, MONEY)
    if f.type == F.INT:
        return Column(f.name, f.label, INT)
    if f.type == F.DATE:
        return Column(f.name, f.label, DATE)
    if f.type == F.BOOL:
        return Column(f.name, f.label, TEXT, choices=f.choices or YES_NO)
    if f.type == F.ENUM:
        return Column(f.name, f.label, TEXT, choices=f.choices)
    if f.type == F.REF and f.ref_kind == "organisation":
        return Column(f.name, f.label + "（单位代码）", TEXT)
    return Column(f.name, f.label, TEXT)


def kind_spec(kind: Kind) -> SheetSpec:
    cols = [Column("id", "记录编号")]
    if kind.project_scoped:
        cols += [Column("project_id", "所属项目ID"), Column("project_code", "所属项目编号")]
    cols += [Column("owner_org", "填报单位代码"), Column("rev", "版本号", INT),
             Column("created_at", "创建时间"), Column("updated_at", "修改时间")]
    cols += [_field_column(f) for f in kind.fields]
    return SheetSpec(kind.label, tuple(cols))


STATUS_SPEC = SheetSpec(STATUS_SHEET, (
    Column("project_id", "项目ID"), Column("project_code", "项目编号"),
    Column("status", "项目状态", choices=tuple(STATUS_LABELS.items())), Column("status_since", "状态日期", DATE),
))
ATTACHMENT_SPEC = SheetSpec(ATTACHMENT_SHEET, (
    Column("id", "附件编号"), Column("project_id", "所属项目ID"), Column("owner_org", "填报单位代码"),
    Column("rev", "版本号", INT), Column("created_at", "创建时间"), Column("updated_at", "修改时间"),
    Column("record_kind", "所属记录类型"), Column("record_id", "所属记录编号"), Column("filename", "文件名"),
    Column("media_type", "文件类型"), Column("size", "大小（字节）", INT), Column("sha256", "SHA-256"),
    Column("member", "数据包内路径"),
))
KIND_SPECS: dict[str, SheetSpec] = {k.name: kind_spec(k) for k in KINDS.values()}
SHEET_KIND: dict[str, str] = {spec.name: name for name, spec in KIND_SPECS.items()}
RECORD_SPECS: list[SheetSpec] = [*KIND_SPECS.values(), STATUS_SPEC, ATTACHMENT_SPEC]


# ---------------------------------------------------------------------------- DB row <-> sheet row


def to_sheet(kind: Kind, row: dict, org_code: dict[str, str], project_code: dict[str, str]) -> dict:
    """A stored row as a sheet record (plain str/int/None; organisations by code)."""
    out = {"id": row["id"], "owner_org": org_code.get(row["owner_org"]), "rev": row["rev"],
           "created_at": row["created_at"], "updated_at": row["updated_at"]}
    if kind.project_scoped:
        out["project_id"] = row["project_id"]
        out["project_code"] = project_code.get(row["project_id"])
    for f in kind.fields:
        v = row.get(f.name)
        if f.type == F.BOOL and v is not None:
            v = str(int(v))
        elif f.type == F.REF and f.ref_kind == "organisation" and v is not None:
            v = org_code.get(v, v)
        if v == "":
            v = None
        out[f.name] = v
    return out


def field_values(kind: Kind, rec: dict) -> dict:
    """The kind's own field values of a sheet record, as the form would submit them."""
    return {f.name: rec.get(f.name) for f in kind.fields}


def comparable(kind: Kind, row: dict, org_code: dict[str, str]) -> dict:
    """What decides 'unchanged': the fields, owner and rev (times are informative)."""
    rec = to_sheet(kind, row, org_code, {})
    return {k: v for k, v in rec.items() if k not in ("project_code", "created_at", "updated_at")}


# ---------------------------------------------------------------------------- ownership and status


def may_carry(kind: Kind, owner_code: str, owner_role: str | None, sender_code: str, sender_role: str) -> str | None:
    """Why a package from `sender` may not carry this record (Chinese), or None."""
    if owner_role is None:
        return f"填报单位「{owner_code}」不在本机单位目录中"
    if owner_role not in kind.owner_roles:
        from desktop_app.models import authority as A

        clause = A.rule(kind.name).clause
        return (f"「{kind.label}」不能由单位「{owner_code}」填报（只能由{A.writers_text(kind.name)}填报"
                + (f"，依据：通知{clause}" if clause else "") + "）")
    if owner_code != sender_code and sender_role != COUNTY:
        return f"发送单位只能发送本单位填报的记录，该条{kind.label}由单位「{owner_code}」填报"
    return None


def settable_statuses(role: str) -> set[str]:
    """Statuses a role moves a project into (outcome variants included)."""
    out = set()
    for t in TRANSITIONS.values():
        if role in t.roles:
            out.add(t.target)
            if t.action == "record_review":
                out |= {"approved", "revise", "rejected"}
            if t.action == "record_acceptance":
                out |= {"accepted", "failed"}
    return out


def _edges(any_role: bool, role: str):
    for t in TRANSITIONS.values():
        if any_role or role in t.roles:
            targets = {t.target}
            if t.action == "record_review":
                targets = {"approved", "revise", "rejected"}
            if t.action == "record_acceptance":
                targets = {"accepted", "failed"}
            for s in t.sources:
                for tgt in targets:
                    yield s, tgt


def status_path(local: str, incoming: str, sender_role: str) -> bool:
    """True if `incoming` is reachable from `local` by steps the sender may take.

    The county office relays steps taken by anyone (it keeps the full ledger); others only their own.
    Backward or stale statuses are not reachable and are left alone.
    """
    if local == incoming:
        return False
    graph: dict[str, set[str]] = {}
    for s, t in _edges(sender_role == COUNTY, sender_role):
        graph.setdefault(s, set()).add(t)
    seen, queue = {local}, deque([local])
    while queue:
        cur = queue.popleft()
        for nxt in graph.get(cur, ()):
            if nxt == incoming:
                return True
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def safe_member_name(att_id: str, filename: str) -> str:
    """attachments/<id>_<name> with everything Windows or zipsafe would refuse replaced."""
    name = re.sub(r'[<>:"|?*\\/\x00-\x1f\x7f]', "_", filename or "file")[:80].rstrip(". ") or "file"
    return f"attachments/{att_id}_{name}"
