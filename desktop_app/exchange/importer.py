"""Import: after package.open_package (steps 1-6), validate every value as its form would, compute a
preview (new / changed / unchanged / conflict), and on confirmation back up, then write everything in
ONE transaction with audit entries, and keep a receipt.

Conflict rule (owner wins): records are matched by `id`. A record not here is new. A record here
with a higher incoming `rev` is changed. Same rev and same content: unchanged. A record owned by
this installation, or one whose incoming copy is older or differs at the same rev, is a conflict:
the local copy is kept and the conflict is listed in the preview and the receipt.
A package that tries to write what its sender does not own is refused as a whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.errors import ValidationError
from desktop_app.exchange import directory
from desktop_app.exchange import records as R
from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.package import Opened, StepCallback, open_package
from desktop_app.exchange.sequence import check_sequence, record_sequence
from desktop_app.exchange.workbook import SheetSpec
from desktop_app.lifecycle.states import status_label
from desktop_app.models.kinds import COUNTY, FINANCE, KINDS, UNIT
from desktop_app.models.store import now_iso
from desktop_app.services import audit
from desktop_app.services.operations import _check_dates, validate

ACTION_LABELS = {"new": "新增", "changed": "修改", "unchanged": "无变化", "conflict": "冲突（保留本机）"}
SPECS: dict[str, list[SheetSpec]] = {"records": R.RECORD_SPECS, "directory": directory.DIRECTORY_SPECS}
_PARENTS = {"review_id": "review", "inspection_id": "inspection", "finding_id": "finding",
            "change_request_id": "change_request", "attachment_id": "attachment"}


@dataclass
class Item:
    sheet: str          # Chinese sheet name (record kind label, 项目状态, 附件, 单位 ...)
    key: str            # record id / project code / org code
    label: str          # what a person recognises (project code, title ...)
    action: str         # new / changed / unchanged / conflict / ignored
    detail: str = ""


@dataclass
class Preview:
    opened: Opened
    sender_name: str
    items: list[Item]
    counts: dict[str, dict[str, int]]
    plan: dict = field(repr=False, default_factory=dict)

    @property
    def manifest(self) -> dict:
        return self.opened.manifest

    def totals(self) -> dict[str, int]:
        out = {"new": 0, "changed": 0, "unchanged": 0, "conflict": 0}
        for c in self.counts.values():
            for k in out:
                out[k] += c.get(k, 0)
        return out


def _reject(code: str, msg: str) -> PackageRejected:
    return PackageRejected(code, msg + "请向发送单位核实，或索取新的数据包。")


def preview(store, actor, source: bytes | str | Path, *, confirm_fingerprint: str | None = None,
            on_step: StepCallback | None = None) -> Preview:
    """Steps 1-8; raises PackageRejected (or AlreadyImported) with a Chinese reason. Writes nothing."""
    opened = open_package(store, actor.org_code, source, SPECS, confirm_fingerprint=confirm_fingerprint,
                          on_step=on_step)
    step = on_step or (lambda c, s: None)
    try:
        plan = _plan(store, actor, opened)
    except PackageRejected:
        step("values", "failed")
        raise
    step("values", "ok")
    step("preview", "ok")
    sender = store.one("SELECT name FROM organisations WHERE code=?", (opened.sender_code,))
    listed = [o["name"] for o in opened.records.get(directory.ORG_SPEC.name, []) if o["code"] == opened.sender_code]
    name = sender["name"] if sender else (listed[0] if listed else opened.sender_code)
    return Preview(opened, name, plan["items"], plan["counts"], plan)


def _plan(store, actor, opened: Opened) -> dict:
    if opened.manifest["kind"] == "directory":
        raw = directory.plan(store, actor, opened)
        return {"items": [Item(s, k, label, a) for s, k, label, a, _ in raw["items"]], "counts": raw["counts"],
                "writes": raw, "statuses": []}
    return _plan_records(store, actor, opened)


class _Ctx:
    def __init__(self, store, actor, opened: Opened):
        self.store, self.actor, self.opened = store, actor, opened
        orgs = store.all("SELECT id, code, role FROM organisations")
        self.org_id = {o["code"]: o["id"] for o in orgs}
        self.org_code = {o["id"]: o["code"] for o in orgs}
        self.org_role = {o["code"]: o["role"] for o in orgs}
        self.sender = opened.sender_code
        self.sender_role = self.org_role.get(self.sender)
        self.records = opened.records
        self.incoming_ids: dict[str, dict[str, dict]] = {}   # kind -> id -> sheet record
        for name, spec in R.KIND_SPECS.items():
            self.incoming_ids[name] = {r["id"]: r for r in self.records.get(spec.name, []) if r.get("id")}
        self.incoming_ids["attachment"] = {r["id"]: r for r in self.records.get(R.ATTACHMENT_SHEET, [])
                                           if r.get("id")}

    def local_rows(self, kind_name: str, ids: list[str]) -> dict[str, dict]:
        table = "attachments" if kind_name == "attachment" else KINDS[kind_name].table
        cols = "id, owner_org, rev, project_id, record_kind, record_id, filename, media_type, size, sha256, " \
               "created_at, updated_at" if kind_name == "attachment" else "*"
        out = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.store.all(f"SELECT {cols} FROM {table} WHERE id IN ({marks})", tuple(chunk)):
                out[r["id"]] = r
        return out

    def exists(self, kind_name: str, rid: str) -> dict | None:
        """The record (incoming, else local) with its project id, or None."""
        if rid in self.incoming_ids.get(kind_name, {}):
            return self.incoming_ids[kind_name][rid]
        return self.local_rows(kind_name, [rid]).get(rid)

    def project_lead(self, pid: str) -> str | None:
        inc = self.incoming_ids["project"].get(pid)
        if inc:
            return inc.get("lead_org_id")
        row = self.store.one("SELECT lead_org_id FROM projects WHERE id=?", (pid,))
        return self.org_code.get(row["lead_org_id"]) if row else None

    def is_co_builder(self, pid: str, code: str) -> bool:
        if any(r.get("project_id") == pid and r.get("org_id") == code
               for r in self.incoming_ids["co_builder"].values()):
            return True
        oid = self.org_id.get(code)
        return bool(oid and self.store.one("SELECT 1 FROM project_co_builders WHERE project_id=? AND org_id=?",
                                           (pid, oid)))


def _check_sender(ctx: _Ctx) -> None:
    role, me = ctx.sender_role, ctx.actor.role
    if role is None:
        raise _reject("unknown_sender", f"发送单位「{ctx.sender}」不在本机单位目录中，已拒绝。")
    if not (role == COUNTY or (role in (UNIT, FINANCE) and me == COUNTY)):
        raise _reject("bad_route", "该数据包的发送单位与本单位之间不直接交换业务数据（单位和县财政局只与县政府办公室交换），已拒绝。")


def _common_problem(rec: dict, kind_scoped: bool) -> str | None:
    if not isinstance(rec.get("id"), str) or not R.UUID_RE.match(rec["id"]):
        return "记录编号无效"
    if kind_scoped and (not isinstance(rec.get("project_id"), str) or not R.UUID_RE.match(rec["project_id"])):
        return "所属项目ID无效"
    if type(rec.get("rev")) is not int or not 1 <= rec["rev"] < 10**9:
        return "版本号无效"
    for t in ("created_at", "updated_at"):
        if not isinstance(rec.get(t), str) or not R.TIME_RE.match(rec[t]):
            return "创建或修改时间格式无效"
    if not isinstance(rec.get("owner_org"), str) or not rec["owner_org"]:
        return "缺少填报单位代码"
    return None


def _plan_records(store, actor, opened: Opened) -> dict:
    ctx = _Ctx(store, actor, opened)
    _check_sender(ctx)
    items: list[Item] = []
    counts: dict[str, dict[str, int]] = {}
    writes: list[tuple[str, str, dict]] = []    # (kind name, action, db row)
    ordered = ["project", "attachment"] + [k for k in KINDS if k != "project"]
    for kind_name in ordered:
        if kind_name == "attachment":
            _plan_attachments(ctx, items, counts, writes)
            continue
        kind = KINDS[kind_name]
        rows = ctx.records.get(kind.label, [])
        if not rows:
            continue
        local = ctx.local_rows(kind_name, [r["id"] for r in rows if isinstance(r.get("id"), str)])
        seen = set()
        c = counts.setdefault(kind.label, {"new": 0, "changed": 0, "unchanged": 0, "conflict": 0})
        for n, rec in enumerate(rows, start=2):
            where = f"工作表「{kind.label}」第{n}行"
            problem = _common_problem(rec, kind.project_scoped)
            if problem or rec["id"] in seen:
                raise _reject("bad_value", f"{where}：{problem or '记录编号重复'}，已拒绝。")
            seen.add(rec["id"])
            owner = rec["owner_org"]
            why = R.may_carry(kind, owner, ctx.org_role.get(owner), ctx.sender, ctx.sender_role)
            if why:
                raise _reject("not_owner", f"{where}：{why}，数据包试图写入发送单位无权填报的内容，已拒绝。")
            try:
                values = validate(kind, R.field_values(kind, rec))
                _check_dates(kind, values)
            except ValidationError as exc:
                raise _reject("bad_value", f"{where}：{exc.message}，已拒绝。") from None
            pid = rec["project_id"] if kind.project_scoped else rec["id"]
            _check_refs(ctx, kind, rec, values, where)
            if ctx.sender_role == UNIT:
                lead = values["lead_org_id"] if kind_name == "project" else ctx.project_lead(pid)
                if lead != ctx.sender and not (kind_name != "project" and ctx.is_co_builder(pid, ctx.sender)):
                    raise _reject("not_owner", f"{where}：该记录属于其他单位的项目，发送单位无权填报，已拒绝。")
            row = {**values, "id": rec["id"], "owner_org": ctx.org_id[owner], "rev": rec["rev"],
                   "created_at": rec["created_at"], "updated_at": rec["updated_at"]}
            for f in kind.fields:
                if f.type == "ref" and f.ref_kind == "organisation" and row.get(f.name) is not None:
                    row[f.name] = ctx.org_id[row[f.name]]
            if kind.project_scoped:
                row["project_id"] = pid
            action, detail = _compare(ctx, kind, local.get(rec["id"]), row, where)
            if kind_name == "project" and action == "new":
                clash = store.one("SELECT id FROM projects WHERE code=?", (row["code"],))
                if clash:
                    raise _reject("code_clash", f"{where}：项目编号「{row['code']}」在本机已被另一个项目使用，已拒绝。")
            c[action] += 1
            label = rec.get("project_code") or rec.get("code") or ""
            items.append(Item(kind.label, rec["id"], f"{label} {_title(kind, values)}".strip(), action, detail))
            if action in ("new", "changed"):
                writes.append((kind_name, action, row))
    statuses = _plan_statuses(ctx, items, counts)
    return {"items": items, "counts": counts, "writes": writes, "statuses": statuses}


def _title(kind, values: dict) -> str:
    for name in ("name", "title", "contract_no", "resource_name", "product", "expert_name"):
        if values.get(name):
            return str(values[name])[:40]
    return kind.label


def _check_refs(ctx: _Ctx, kind, rec: dict, values: dict, where: str) -> None:
    for f in kind.fields:
        v = values.get(f.name)
        if v is None or f.type != "ref":
            continue
        if f.ref_kind == "organisation":
            if v not in ctx.org_id:
                raise _reject("unknown_ref", f"{where}：「{f.label}」中的单位代码「{v}」不在本机单位目录中（请先导入最新的单位及密钥目录），已拒绝。")
            continue
        target = ctx.exists(f.ref_kind, v)
        if target is None or target.get("project_id") != rec.get("project_id"):
            raise _reject("unknown_ref", f"{where}：「{f.label}」引用的记录不存在或不属于本项目，已拒绝。")
    if kind.project_scoped and ctx.exists("project", rec["project_id"]) is None:
        raise _reject("unknown_ref", f"{where}：所属项目在本机和数据包中都不存在，已拒绝。")


def _compare(ctx: _Ctx, kind, local: dict | None, row: dict, where: str) -> tuple[str, str]:
    if local is None:
        return "new", ""
    if local["owner_org"] != row["owner_org"] or (kind.project_scoped and local["project_id"] != row["project_id"]):
        raise _reject("id_clash", f"{where}：记录编号与本机另一单位或另一项目的记录相同，已拒绝。")
    names = ["rev", *kind.columns]
    same = all(local.get(n) == row.get(n) for n in names)
    if local["owner_org"] == ctx.actor.org_id:
        return ("unchanged", "") if same else ("conflict", "本单位填报的记录，以本机为准")
    if same:
        return "unchanged", ""
    if row["rev"] > local["rev"]:
        return "changed", f"版本 {local['rev']} → {row['rev']}"
    return "conflict", ("数据包中的版本较旧，保留本机" if row["rev"] < local["rev"] else "同一版本内容不同，保留本机")


def _plan_statuses(ctx: _Ctx, items: list[Item], counts: dict) -> list[tuple[str, str, str | None]]:
    rows = ctx.records.get(R.STATUS_SHEET, [])
    out = []
    settable = R.settable_statuses(ctx.sender_role)
    c = counts.setdefault(R.STATUS_SHEET, {"new": 0, "changed": 0, "unchanged": 0, "conflict": 0}) if rows else {}
    for n, rec in enumerate(rows, start=2):
        where = f"工作表「{R.STATUS_SHEET}」第{n}行"
        pid, status = rec.get("project_id"), rec.get("status")
        if not isinstance(pid, str) or not R.UUID_RE.match(pid) or not status:
            raise _reject("bad_value", f"{where}：项目或状态为空，已拒绝。")
        if ctx.sender_role != COUNTY and status not in settable:
            raise _reject("not_owner", f"{where}：项目状态「{status_label(status)}」只能由县政府办公室或县财政局的办理结果产生，"
                          "发送单位无权设置，已拒绝。")
        if ctx.sender_role == UNIT and ctx.project_lead(pid) != ctx.sender:
            raise _reject("not_owner", f"{where}：该项目不是发送单位牵头的项目，已拒绝。")
        local = ctx.store.one("SELECT status FROM projects WHERE id=?", (pid,))
        if local is None and pid not in ctx.incoming_ids["project"]:
            raise _reject("unknown_ref", f"{where}：项目在本机和数据包中都不存在，已拒绝。")
        current = local["status"] if local else "draft"
        label = rec.get("project_code") or pid
        if current == status:
            c["unchanged"] += 1
            items.append(Item(R.STATUS_SHEET, pid, label, "unchanged", status_label(status)))
        elif R.status_path(current, status, ctx.sender_role):
            c["changed"] += 1
            items.append(Item(R.STATUS_SHEET, pid, label, "changed", f"{status_label(current)} → {status_label(status)}"))
            out.append((pid, status, rec.get("status_since")))
        else:
            c["conflict"] += 1
            items.append(Item(R.STATUS_SHEET, pid, label, "conflict",
                              f"本机为「{status_label(current)}」，数据包为较早的「{status_label(status)}」，保留本机"))
    return out


def _plan_attachments(ctx: _Ctx, items: list[Item], counts: dict, writes: list) -> None:
    rows = ctx.records.get(R.ATTACHMENT_SHEET, [])
    if not rows:
        return
    c = counts.setdefault(R.ATTACHMENT_SHEET, {"new": 0, "changed": 0, "unchanged": 0, "conflict": 0})
    local = ctx.local_rows("attachment", [r["id"] for r in rows if isinstance(r.get("id"), str)])
    members = set()
    for n, rec in enumerate(rows, start=2):
        where = f"工作表「{R.ATTACHMENT_SHEET}」第{n}行"
        problem = _common_problem(rec, True)
        if problem:
            raise _reject("bad_value", f"{where}：{problem}，已拒绝。")
        owner = rec["owner_org"]
        if ctx.org_role.get(owner) is None or (owner != ctx.sender and ctx.sender_role != COUNTY):
            raise _reject("not_owner", f"{where}：发送单位只能发送本单位的附件，已拒绝。")
        data = ctx.opened.attachments.get(rec.get("member") or "")
        if data is None or rec["member"] in members:
            raise _reject("missing_file", f"{where}：附件文件「{rec.get('member')}」不在数据包中，已拒绝。")
        members.add(rec["member"])
        if hashlib.sha256(data).hexdigest() != rec.get("sha256") or len(data) != rec.get("size"):
            raise _reject("file_mismatch", f"{where}：附件内容与登记的摘要或大小不符，已拒绝。")
        if not isinstance(rec.get("filename"), str) or not rec["filename"] or len(rec["filename"]) > 255:
            raise _reject("bad_value", f"{where}：附件文件名无效，已拒绝。")
        if rec.get("record_kind") is not None and rec["record_kind"] not in KINDS:
            raise _reject("bad_value", f"{where}：附件所属记录类型无效，已拒绝。")
        if ctx.exists("project", rec["project_id"]) is None:
            raise _reject("unknown_ref", f"{where}：附件所属项目不存在，已拒绝。")
        row = {k: rec[k] for k in ("id", "project_id", "rev", "created_at", "updated_at", "record_kind", "record_id",
                                   "filename", "media_type", "size", "sha256")}
        row["owner_org"] = ctx.org_id[owner]
        loc = local.get(rec["id"])
        if loc is None:
            action, detail = "new", ""
        elif loc["owner_org"] != row["owner_org"] or loc["project_id"] != row["project_id"]:
            raise _reject("id_clash", f"{where}：附件编号与本机另一单位的附件相同，已拒绝。")
        elif loc["sha256"] == row["sha256"] and loc["rev"] == row["rev"] and loc["filename"] == row["filename"]:
            action, detail = "unchanged", ""
        elif loc["owner_org"] != ctx.actor.org_id and row["rev"] > loc["rev"]:
            action, detail = "changed", f"版本 {loc['rev']} → {row['rev']}"
        else:
            action, detail = "conflict", "保留本机"
        c[action] += 1
        items.append(Item(R.ATTACHMENT_SHEET, rec["id"], rec["filename"], action, detail))
        if action in ("new", "changed"):
            writes.append(("attachment", action, {**row, "content": data}))


# ---------------------------------------------------------------------------- apply


def backup_path(store, package_id: str) -> Path | None:
    if store.path == ":memory:":
        return None
    folder = Path(store.path).resolve().parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return folder / f"before-import-{stamp}-{package_id[:8]}.db"


def apply(store, actor, pv: Preview, *, backup: bool = True, per_record_audit: bool = True) -> dict:
    """Back up, then write the package in ONE transaction; returns the receipt (also stored)."""
    m = pv.manifest
    target = backup_path(store, m["package_id"]) if backup else None
    if target is not None:
        store.backup_to(target)
    now = now_iso()
    with store.tx():
        # re-check inside the transaction: nothing may have slipped in since the preview
        if store.one("SELECT 1 FROM packages WHERE id=? AND direction='received'", (m["package_id"],)):
            raise PackageRejected("already_imported", "该数据包已导入，本次没有做任何更改。")
        check_sequence(store, m, actor.org_code)
        plan = _plan(store, actor, pv.opened)  # recomputed against the current data
        if m["kind"] == "directory":
            directory.apply(store, actor, pv.opened, plan["writes"])
        else:
            _write_records(store, actor, plan, per_record_audit)
        receipt = _receipt(pv, plan, now, target)
        store.insert("packages", {
            "id": m["package_id"], "direction": "received", "kind": m["kind"], "peer_org": m["sender"],
            "sequence": m["sequence"], "created_at": m["created_at"], "processed_at": now, "state": "已导入",
            "file_sha256": pv.opened.file_sha256, "file_name": pv.opened.file_name,
            "counts": json.dumps(plan["counts"], ensure_ascii=False),
            "receipt": json.dumps(receipt, ensure_ascii=False)})
        record_sequence(store, m, actor.org_code)
        totals = receipt["totals"]
        audit.append(store, actor, "导入数据包", "package", m["package_id"], None,
                     f"导入{pv.sender_name}的数据包第{m['sequence']}号：新增{totals['new']}条，修改{totals['changed']}条，"
                     f"无变化{totals['unchanged']}条，冲突{totals['conflict']}条",
                     after={"sender": m["sender"], "sequence": m["sequence"], "file_sha256": pv.opened.file_sha256,
                            "counts": plan["counts"]})
        store.set_setting("deadlines_computed_for", "")
    return receipt


def _write_records(store, actor, plan: dict, per_record_audit: bool) -> None:
    for kind_name, action, row in plan["writes"]:
        if kind_name == "attachment":
            table, label, pid = "attachments", "附件", row["project_id"]
        else:
            kind = KINDS[kind_name]
            table, label, pid = kind.table, kind.label, (row["id"] if kind_name == "project" else row["project_id"])
        if action == "new":
            store.insert(table, {**row, "status": "draft"} if kind_name == "project" else row)
        else:
            store.update(table, row["id"], {k: v for k, v in row.items() if k != "id"})
        if per_record_audit:
            after = {k: v for k, v in row.items() if k != "content"}
            audit.append(store, actor, f"导入{label}", kind_name, row["id"], pid,
                         f"数据包导入：{ACTION_LABELS[action]}{label}", after=after)
    for pid, status, since in plan["statuses"]:
        before = store.one("SELECT status FROM projects WHERE id=?", (pid,))["status"]
        store.conn.execute("UPDATE projects SET status=?, status_since=? WHERE id=?", (status, since, pid))
        audit.append(store, actor, "导入项目状态", "project", pid, pid,
                     f"数据包导入：项目状态 {status_label(before)} → {status_label(status)}",
                     before={"status": before}, after={"status": status})


def _receipt(pv: Preview, plan: dict, now: str, backup: Path | None) -> dict:
    m = pv.manifest
    totals = {"new": 0, "changed": 0, "unchanged": 0, "conflict": 0}
    for c in plan["counts"].values():
        for k in totals:
            totals[k] += c.get(k, 0)
    return {"package_id": m["package_id"], "kind": m["kind"], "sender": m["sender"], "sender_name": pv.sender_name,
            "recipient": m["recipient"], "sequence": m["sequence"], "created_at": m["created_at"],
            "imported_at": now, "file_name": pv.opened.file_name, "file_sha256": pv.opened.file_sha256,
            "records_digest": m["records_digest"], "files": m["files"], "signer": m["signer"],
            "hash_algorithm": m.get("hash_algorithm", "sha256"),
            "counts": plan["counts"], "totals": totals, "backup": str(backup) if backup else None}


def import_package(store, actor, source, *, confirm_fingerprint: str | None = None, dry_run: bool = False,
                   on_step: StepCallback | None = None) -> tuple[Preview, dict | None]:
    """Preview, and unless `dry_run`, apply. The CLI uses this; the window shows the preview first."""
    pv = preview(store, actor, source, confirm_fingerprint=confirm_fingerprint, on_step=on_step)
    return pv, (None if dry_run else apply(store, actor, pv))
