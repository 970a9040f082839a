"""Import, as a pipeline, in the order the checks run:

1-6  `package.open_package`: archive -> signature and trust -> addressing, sequence and time -> every
     file's hash -> the workbook (strict) and its signed digest. Nothing is written.
7    `_Replay`: every record and status through `services.operations`, as the organisation that owns it
     (role, ownership, status, fields, dates, gates, record rules: the checks every form and command
     passes), in one transaction. Statuses are replayed as the transitions that lead to them.
8    the preview: what step 7 did (new / changed / unchanged / conflict per sheet); the transaction is
     rolled back, its writes kept as a journal.
9    `apply`: back up, then re-run the journal (or, if anything was written meanwhile, step 7 again) in
     one transaction, record the package and its receipt.

Conflict rule (owner wins): records are matched by `id`. A record not here is new. A record here
with a higher incoming `rev` is changed. Same rev and same content: unchanged. A record owned by
this installation, or one whose incoming copy is older or differs at the same rev, is a conflict:
the local copy is kept and the conflict is listed in the preview and the receipt. Any refusal refuses
the package as a whole, naming the sheet, the row and the rule.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.errors import NotFound, Refused, StatusRefused, ValidationError
from desktop_app.exchange import audit_heads, directory
from desktop_app.exchange import records as R
from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.package import Opened, StepCallback, open_package
from desktop_app.exchange.sequence import check_sequence
from desktop_app.exchange.workbook import SheetSpec
from desktop_app.lifecycle.states import status_label
from desktop_app.models import authority as A
from desktop_app.models.kinds import COUNTY, FINANCE, KINDS, ROLES, UNIT
from desktop_app.models.store import now_iso
from desktop_app.services import backups, exchange_writes
from desktop_app.services.authorize import check_person
from desktop_app.services.operations import validate

ACTION_LABELS = {"new": "新增", "changed": "修改", "unchanged": "无变化", "conflict": "冲突（保留本机）"}
SPECS: dict[str, list[SheetSpec]] = {"records": R.RECORD_SPECS, "directory": directory.DIRECTORY_SPECS}


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
    # 第一条: each arriving (new or changed) project against the held ones and each other; read only
    duplicates: list = field(default_factory=list)  # similarity_batch.ArrivalCheck

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


def _missing_before(store, actor, manifest: dict, most: int = 5) -> list[int]:
    """Sequence numbers below this package's that this installation never received from its sender."""
    got = {r["sequence"] for r in store.all("SELECT sequence FROM packages WHERE direction='received' AND peer_org=?",
                                              (manifest["sender"],))}
    low = max(1, manifest["sequence"] - 100)
    return [n for n in range(low, manifest["sequence"]) if n not in got][-most:]


def preview(store, actor, source: bytes | str | Path, *, confirm_fingerprint: str | None = None,
            now: dt.datetime | None = None,
            on_step: StepCallback | None = None) -> Preview:
    """Steps 1-8; raises PackageRejected (or AlreadyImported) with a Chinese reason. Writes nothing.
    The person must be allowed to import: the preview replays the package through the operations."""
    check_person(actor, "import")
    opened = open_package(store, actor.org_code, source, SPECS, confirm_fingerprint=confirm_fingerprint, now=now,
                          on_step=on_step)
    step = on_step or (lambda c, s: None)
    try:
        plan = _plan(store, actor, opened)
    except PackageRejected as exc:
        step("values", "failed")
        missing = _missing_before(store, actor, opened.manifest)
        if missing and exc.reason_code in ("not_allowed", "unknown_ref", "bad_value"):
            # an honest sender's records may sit in an earlier package that has not arrived yet
            raise PackageRejected(exc.reason_code, exc.message + f"另：本机尚未导入该发送单位的第{'、'.join(map(str, missing))}号"
                                  "数据包，如其中有相关内容，请先导入（或请对方重新导出全部内容）后再导入本数据包。") from None
        raise
    step("values", "ok")
    step("preview", "ok")
    sender = store.one("SELECT name FROM organisations WHERE code=?", (opened.sender_code,))
    listed = [o["name"] for o in opened.records.get(directory.ORG_SPEC.name, []) if o["code"] == opened.sender_code]
    name = sender["name"] if sender else (listed[0] if listed else opened.sender_code)
    duplicates = [] if opened.manifest["kind"] == "directory" else _duplicate_check(store, opened, plan["items"])
    return Preview(opened, name, plan["items"], plan["counts"], plan, duplicates)


def _duplicate_check(store, opened: Opened, items: list[Item]) -> list:
    """第一条 集约建设: the package's new and changed projects (name, 建设内容摘要, their 信息资源目录 as they
    will stand) compared with every project held here and with each other. Reads only."""
    from desktop_app.services import similarity_batch

    kind = KINDS["project"]
    arriving = {i.key for i in items if i.sheet == kind.label and i.action in ("new", "changed")}
    if not arriving:
        return []
    resources: dict[str, dict[str, str]] = {}
    marks = ",".join("?" for _ in arriving)
    for r in store.all(f"SELECT id, project_id, resource_name FROM resource_catalog WHERE project_id IN ({marks})",
                       tuple(arriving)):
        resources.setdefault(r["project_id"], {})[r["id"]] = r["resource_name"]
    for r in opened.records.get(KINDS["catalog_entry"].label, []):
        if r.get("project_id") in arriving and r.get("resource_name"):
            resources.setdefault(r["project_id"], {})[r["id"]] = r["resource_name"]
    units = {o["code"]: o["name"] for o in store.all("SELECT code, name FROM organisations")}
    units.update({o["code"]: o["name"] for o in opened.records.get(directory.ORG_SPEC.name, [])
                  if o.get("code") and o["code"] not in units})
    arrivals = [similarity_batch.Arrival(r["id"], r.get("code") or "", r.get("name") or "",
                                         units.get(r.get("lead_org_id") or "", ""), r.get("summary") or "",
                                         tuple(resources.get(r["id"], {}).values()))
                for r in opened.records.get(kind.label, []) if r.get("id") in arriving]
    return similarity_batch.check_arrivals(store, arrivals)


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


class _DryRun(Exception):
    """Raised at the end of a preview so the transaction that replayed the package rolls back."""

    def __init__(self, plan: dict):
        super().__init__("preview")
        self.plan = plan


def _plan_records(store, actor, opened: Opened) -> dict:
    """The preview: the whole package replayed through the operations, then rolled back. Its writes are
    kept (a journal): confirming re-runs exactly them if nothing was written here in the meantime."""
    head = store.get_setting("audit_head")
    try:
        with store.tx(), store.journaled() as journal:
            plan = _replay(store, actor, opened)
            raise _DryRun({**plan, "journal": list(journal), "head": head})
    except _DryRun as done:
        return done.plan


def _created_day(manifest: dict) -> dt.date:
    try:
        return dt.date.fromisoformat(str(manifest["created_at"])[:10])
    except ValueError:
        raise _reject("bad_value", "数据包的生成时间无效，已拒绝。") from None


class _Replay:
    """Step 7 of the import: every record and status of the package through `services.operations`,
    in one transaction, in this order: projects → records (those a later status allows are held
    back) → statuses, replayed as the transitions they claim → held-back records → attachments."""

    def __init__(self, store, recorder, opened: Opened):
        self.store, self.recorder, self.opened = store, recorder, opened
        self.ctx = _Ctx(store, recorder, opened)
        _check_sender(self.ctx)
        m = opened.manifest
        self.day = _created_day(m)
        high = store.one("SELECT last_sequence FROM package_sequences WHERE sender=? AND recipient=?",
                         (m["sender"], recorder.org_code))
        self.late = bool(high and m["sequence"] < high["last_sequence"])  # arrived after a newer one
        sender = store.one("SELECT name FROM organisations WHERE code=?", (opened.sender_code,))
        self.package = f"{sender['name'] if sender else opened.sender_code}第{m['sequence']}号数据包"
        self.orgs = {o["code"]: o for o in store.all("SELECT * FROM organisations")}
        self.items: list[Item] = []
        self.counts: dict[str, dict[str, int]] = {}
        self.touched: set[str] = set()
        self.created: set[str] = set()                    # projects new to this installation
        self.held: dict[str, list[tuple]] = {}           # project id -> records a later status allows
        self.contexts: dict = {}
        self.actors: dict = {}
        self.rows: dict[str, dict | None] = {}             # project id -> its current row                            # organisation code -> Actor, made once
        self.local: dict[str, dict[str, dict]] = {}      # kind -> id -> this installation's row
        self.waiting: set[str] = set()                    # ids of records not yet written (held back)
        self.actions: dict[str, list[tuple]] = {}         # project id -> action records, oldest first

    # ---- helpers ----
    def actor(self, code: str):
        from desktop_app.services.operations import Actor

        if code not in self.actors:
            o = self.orgs[code]
            # the sender organisation has no person here: user_role "" holds no right, so every write
            # it makes must carry `incoming`, whose recorder (the person importing) is checked instead
            self.actors[code] = Actor(o["id"], o["code"], o["name"], o["role"], f"{o['code']}（数据包）", "")
        return self.actors[code]

    def incoming(self, rec: dict, relayed: bool):
        from desktop_app.services.operations import Incoming

        return Incoming(rec["id"], rec["rev"], rec["created_at"], rec["updated_at"], self.recorder,
                        self.package + ("，县政府办公室转发" if relayed else ""), self.day, relayed)

    def project_row(self, pid: str) -> dict | None:
        """The project as it stands now in this transaction (kept current after each of its writes)."""
        if pid not in self.rows:
            self.rows[pid] = self.store.one("SELECT * FROM projects WHERE id=?", (pid,))
        return self.rows[pid]

    def count(self, sheet: str, action: str) -> None:
        self.counts.setdefault(sheet, {"new": 0, "changed": 0, "unchanged": 0, "conflict": 0})[action] += 1

    def through(self, where: str, fn, *args, **kw):
        """Run one operation; its refusal refuses the whole package, naming the row and the rule."""
        try:
            return fn(*args, **kw)
        except StatusRefused:
            raise
        except ValidationError as exc:
            raise _reject("bad_value", f"{where}：{exc.message}，已拒绝。") from None
        except (Refused, NotFound) as exc:
            raise _reject("not_allowed", f"{where}：{exc.message}，已拒绝。") from None

    # ---- the pipeline ----
    def run(self) -> dict:
        rows = self.checked_rows()
        for kind_name, where, rec, values in rows:
            if kind_name == "project":
                self.project(where, rec, values)
        for kind_name, where, rec, values in rows:
            if kind_name != "project":
                self.record(kind_name, where, rec, values)
        self.statuses()
        for held in self.held.values():
            for kind_name, where, rec, values, local in held:
                self.write_record(kind_name, where, rec, values, local, final=True)
        for pending in self.actions.values():
            for kind_name, where, rec, values in pending:
                self.write_record(kind_name, where, rec, values, None, final=True)
        self.attachments()
        return {"items": self.items, "counts": self.counts}

    def checked_rows(self) -> list[tuple]:
        """Structure, routing and values of every row, before anything is written."""
        out = []
        for kind_name in KINDS:
            kind = KINDS[kind_name]
            seen = set()
            for n, rec in enumerate(self.ctx.records.get(kind.label, []), start=2):
                where = f"工作表「{kind.label}」第{n}行"
                problem = _common_problem(rec, kind.project_scoped)
                if problem or rec["id"] in seen:
                    raise _reject("bad_value", f"{where}：{problem or '记录编号重复'}，已拒绝。")
                seen.add(rec["id"])
                owner = rec["owner_org"]
                why = R.may_carry(kind, owner, self.ctx.org_role.get(owner), self.ctx.sender, self.ctx.sender_role)
                if why:
                    raise _reject("not_owner", f"{where}：{why}，数据包试图写入发送单位无权填报的内容，已拒绝。")
                try:
                    values = validate(kind, R.field_values(kind, rec))
                except ValidationError as exc:
                    raise _reject("bad_value", f"{where}：{exc.message}，已拒绝。") from None
                _check_refs(self.ctx, kind, rec, values, where)
                out.append((kind_name, where, rec, values))
            # this installation's copies of the same records, read once per kind
            self.local[kind_name] = self.ctx.local_rows(kind_name, list(seen))
        return out

    def compare(self, kind, where: str, rec: dict, values: dict, local: dict | None) -> str:
        row = {**values, "owner_org": self.orgs[rec["owner_org"]]["id"], "rev": rec["rev"]}
        for f in kind.fields:
            if f.type == "ref" and f.ref_kind == "organisation" and row.get(f.name) is not None:
                row[f.name] = self.orgs[row[f.name]]["id"]
        if kind.project_scoped:
            row["project_id"] = rec["project_id"]
        action, detail = _compare(self.ctx, kind, local, row, where)
        label = rec.get("project_code") or rec.get("code") or ""
        self.items.append(Item(kind.label, rec["id"], f"{label} {_title(kind, values)}".strip(), action, detail))
        self.count(kind.label, action)
        return action

    def typed(self, kind, values: dict, local: dict | None) -> dict:
        """The values as a form would submit them: organisations by local id, only what changed on edit."""
        out = {}
        for f in kind.fields:
            v = values.get(f.name)
            if f.type == "ref" and f.ref_kind == "organisation" and v is not None:
                v = self.orgs[v]["id"]
            if local is None or local.get(f.name) != v:
                out[f.name] = v
        return out

    def project(self, where: str, rec: dict, values: dict) -> None:
        from desktop_app.services import operations as ops

        kind = KINDS["project"]
        local = self.local["project"].get(rec["id"])
        action = self.compare(kind, where, rec, values, local)
        self.touched.add(rec["id"])
        owner = self.actor(rec["owner_org"])
        relayed = rec["owner_org"] != self.ctx.sender
        if action == "new":
            self.created.add(rec["id"])
            self.rows[rec["id"]] = self.through(where, ops.create_project, self.store, owner,
                                                self.typed(kind, values, None), incoming=self.incoming(rec, relayed))
        elif action == "changed":
            changes = self.typed(kind, values, local)
            self.rows[rec["id"]] = self.through(where, ops.update_project, self.store, owner, rec["id"], changes,
                                                incoming=self.incoming(rec, relayed))

    def record(self, kind_name: str, where: str, rec: dict, values: dict) -> None:
        kind = KINDS[kind_name]
        local = self.local[kind_name].get(rec["id"])
        action = self.compare(kind, where, rec, values, local)
        self.touched.add(rec["project_id"])
        if action not in ("new", "changed"):
            return
        if action == "new" and _is_action_record(kind_name, values):
            # written by a lifecycle action: it travels with the status it produced (see statuses)
            self.actions.setdefault(rec["project_id"], []).append((kind_name, where, rec, values))
            self.waiting.add(rec["id"])
            return
        if any(values.get(f.name) in self.waiting for f in kind.fields if f.type == "ref"):
            self.hold((kind_name, where, rec, values, local))  # its parent comes with a status
            self.waiting.add(rec["id"])
            return
        if local is None and rec["project_id"] in self.created \
                and "draft" not in A.rule(kind_name).add_in:  # a new project's later record: after its steps
            self.hold((kind_name, where, rec, values, local))
            return
        self.write_record(kind_name, where, rec, values, local, final=False)

    def hold(self, item: tuple) -> None:
        self.held.setdefault(item[2]["project_id"], []).append(item)

    def context(self, day: dt.date, gates: bool):
        """The rules' context as of a claimed date. Only an application (提交申报) checks the units barred
        by 第四条, a query over the county; the calendar and policy are read once."""
        from desktop_app.lifecycle.facts import load_context
        from desktop_app.lifecycle.rules import Context

        if not gates:
            if "base" not in self.contexts:
                self.contexts["base"] = load_context(self.store, day)
            base = self.contexts["base"]
            return Context(day, base.cal, base.profile, {})
        if day not in self.contexts:
            self.contexts[day] = load_context(self.store, day)
        return self.contexts[day]

    def flush_held(self, pid: str, status: str) -> None:
        """Write the project's held-back records that can be written now; keep the others waiting."""
        held = self.held.pop(pid, [])
        for kind_name, where, rec, values, local in held:
            waits = any(values.get(f.name) in self.waiting for f in KINDS[kind_name].fields if f.type == "ref")
            if waits or (local is None and status not in A.rule(kind_name).add_in):  # not yet (the operation
                self.hold((kind_name, where, rec, values, local))                    # would say the same)
                continue
            before = len(self.held.get(pid, []))
            self.write_record(kind_name, where, rec, values, local, final=False)
            if len(self.held.get(pid, [])) == before:
                self.waiting.discard(rec["id"])

    def write_record(self, kind_name, where, rec, values, local, final: bool) -> None:
        from desktop_app.services import operations as ops

        kind = KINDS[kind_name]
        owner = self.actor(rec["owner_org"])
        relayed = rec["owner_org"] != self.ctx.sender
        incoming = self.incoming(rec, relayed)
        project = self.project_row(rec["project_id"])
        if project and not self.draft_from_packages(project) and project.get("status_since") \
                and rec["created_at"][:10] < project["status_since"][:10]:
            from dataclasses import replace
            incoming = replace(incoming, history=True)  # written before the project moved on here
        try:
            if local is None:
                self.through(where, ops.add_record, self.store, owner, kind_name, rec["project_id"],
                             self.typed(kind, values, None), incoming=incoming, check_gates=not relayed,
                             project=self.project_row(rec["project_id"]), parsed=True)
            else:
                self.through(where, ops.update_record, self.store, owner, kind_name, rec["id"],
                             self.typed(kind, values, local), incoming=incoming)
        except StatusRefused as exc:
            if final:
                raise _reject("not_allowed", f"{where}：{exc.message}，已拒绝。") from None
            self.hold((kind_name, where, rec, values, local))

    # ---- statuses: each claimed status is replayed as the transitions that lead to it ----
    def statuses(self) -> None:
        rows = self.ctx.records.get(R.STATUS_SHEET, [])
        for n, rec in enumerate(rows, start=2):
            where = f"工作表「{R.STATUS_SHEET}」第{n}行"
            pid, status = rec.get("project_id"), rec.get("status")
            if not isinstance(pid, str) or not R.UUID_RE.match(pid) or not status:
                raise _reject("bad_value", f"{where}：项目或状态为空，已拒绝。")
            if self.ctx.sender_role != COUNTY and status not in R.settable_statuses(self.ctx.sender_role):
                raise _reject("not_owner", f"{where}：项目状态「{status_label(status)}」只能由县政府办公室或县财政局的办理结果产生，"
                              "发送单位无权设置，已拒绝。")
            local = self.store.one("SELECT * FROM projects WHERE id=?", (pid,))
            if local is None:
                raise _reject("unknown_ref", f"{where}：项目在本机和数据包中都不存在，已拒绝。")
            label = rec.get("project_code") or local["code"]
            self.touched.add(pid)
            if local["status"] == status:
                self.count(R.STATUS_SHEET, "unchanged")
                self.items.append(Item(R.STATUS_SHEET, pid, label, "unchanged", status_label(status)))
                continue
            if not R.status_path(local["status"], status, self.ctx.sender_role) and not _behind(status, local["status"]):
                raise _reject("not_allowed", f"{where}：项目状态从「{status_label(local['status'])}」到「{status_label(status)}」"
                              "须经其他单位办理的步骤，发送单位无权使项目经过这些步骤，已拒绝。")
            if not R.status_path(local["status"], status, self.ctx.sender_role) or self.superseded(rec, local):
                self.count(R.STATUS_SHEET, "conflict")
                self.items.append(Item(R.STATUS_SHEET, pid, label, "conflict",
                                       f"本机为「{status_label(local['status'])}」，数据包为较早的「{status_label(status)}」，"
                                       "保留本机"))
                continue
            since = self.claimed_date(where, rec, local)
            before = local["status"]
            self.replay(where, local, status, since)
            self.count(R.STATUS_SHEET, "changed")
            self.items.append(Item(R.STATUS_SHEET, pid, label, "changed",
                                   f"{status_label(before)} → {status_label(status)}（{since.isoformat()}）"))

    def draft_from_packages(self, local: dict) -> bool:
        """A draft known only from packages: when it became one is the sender's (unknown) business."""
        return local["status"] == "draft" and local["owner_org"] != self.recorder.org_id

    def superseded(self, rec: dict, local: dict) -> bool:
        """A late package (older than one already taken from the same sender) claiming a state from before
        the one this installation holds: old news, kept as a conflict. A new package doing so is refused
        as back-dating (see claimed_date)."""
        if not self.late or not local.get("status_since") or self.draft_from_packages(local):
            return False
        return str(rec.get("status_since") or "")[:10] < local["status_since"][:10]

    def claimed_date(self, where: str, rec: dict, local: dict) -> dt.date:
        try:
            since = dt.date.fromisoformat(str(rec.get("status_since") or "")[:10])
        except ValueError:
            raise _reject("bad_value", f"{where}：状态日期无效，已拒绝。") from None
        if since > self.day:
            raise _reject("bad_date", f"{where}：状态日期 {since.isoformat()} 晚于数据包生成日期 {self.day.isoformat()}，已拒绝。")
        # the project's current status here began on status_since: a step from it cannot be older. A draft
        # known only from packages has no such date (its drafts are the sender's), so it sets no floor.
        floor = None if self.draft_from_packages(local) else local.get("status_since")
        if floor and since.isoformat() < floor[:10]:
            raise _reject("bad_date", f"{where}：状态日期 {since.isoformat()} 早于本机已知该项目状态的日期 {floor[:10]}"
                          "（不能倒签），已拒绝。")
        return since

    def step_actor(self, where: str, t, rec: dict | None, project: dict):
        """Who takes this step: the sender itself, or (the county office relaying) the party whose step it is."""
        sender_role = self.ctx.sender_role
        if sender_role != COUNTY:
            if sender_role not in t.roles:
                raise _reject("not_allowed", f"{where}：“{t.label}”只能由{'、'.join(ROLES[r] for r in t.roles)}办理，"
                              "发送单位无权使项目经过这一步，已拒绝。（依据：通知" + t.clause + "）")
            return self.actor(self.ctx.sender), True
        if rec is not None:
            return self.actor(rec["owner_org"]), rec["owner_org"] == self.ctx.sender
        role = t.roles[0]
        if role == COUNTY:
            return self.actor(self.ctx.sender), True
        if role == UNIT:
            return self.actor(self.ctx.org_code[project["lead_org_id"]]), False
        finance = [c for c, o in self.orgs.items() if o["role"] == role]
        if not finance:
            raise _reject("unknown_ref", f"{where}：本机单位目录中没有{ROLES[role]}，无法办理“{t.label}”，已拒绝。")
        return self.actor(finance[0]), False

    def replay(self, where: str, local: dict, target: str, since: dt.date) -> None:
        from desktop_app.services import operations as ops

        pid = local["id"]
        pending = self.actions.get(pid, [])
        status = local["status"]
        for _ in range(40):
            # the claimed status is reached once every action record of the package is replayed on the way
            step = self.next_step(status, target, pending)
            if status == target and (step is None or step[1] is None and not pending):
                break
            if step is None:
                raise _reject("not_allowed", f"{where}：项目状态不能从「{status_label(status)}」变为「{status_label(target)}」"
                              "（缺少相应的办理记录），已拒绝。")
            t, item = step
            project = self.project_row(pid)
            rec = item[2] if item else None
            actor, own = self.step_actor(where, t, rec, project)
            values = self.typed(KINDS[t.record_kind], item[3], None) if item else None
            after = self.through(where, ops.transition, self.store, actor, pid, t.action, values,
                                 context=self.context(since, own and t.gate == "submit"),
                                 incoming=self.incoming(rec, not own) if rec else
                                 self.incoming({"id": "", "rev": 0, "created_at": "", "updated_at": ""}, not own),
                                 on_date=since, check_gates=own)
            if item:
                pending.remove(item)
                self.waiting.discard(item[2]["id"])
            status = after["status"]
            self.rows[pid] = dict(after)
            self.flush_held(pid, status)  # records waiting for this step's record or status, in the order they happened
        else:
            raise _reject("not_allowed", f"{where}：项目状态变化步骤过多，已拒绝。")

    def next_step(self, status: str, target: str, pending: list[tuple]):
        """The next transition: the oldest pending action record if it applies here, else the record-less
        step on the shortest way to where that record (or the claimed status) applies."""
        from desktop_app.lifecycle import machine

        want = None
        for item in pending:  # the oldest action record that some action writes
            kind_name, _where, _rec, values = item
            fits = [t for t in machine.TRANSITIONS.values() if t.record_kind == kind_name and _fits(t, values)]
            for t in fits:
                if status in t.sources:
                    return t, item
            if fits:
                want = fits[0]
                break
        goals = set(want.sources) if want else {target}
        path = _shortest(status, goals, record_less=True)
        if path:
            return machine.TRANSITIONS[path[0]], None
        return None

    def attachments(self) -> None:
        from desktop_app.services import operations as ops

        writes: list = []
        _plan_attachments(self.ctx, self.items, self.counts, writes)
        for _kind, action, row in writes:
            where = f"工作表「{R.ATTACHMENT_SHEET}」附件「{row['filename'][:40]}」"
            owner = self.actor(self.ctx.org_code[row["owner_org"]])
            try:
                ops.receive_attachment(self.store, owner, row, new=action == "new", recorder=self.recorder,
                                       package=self.package)
            except ValueError as exc:
                raise _reject("bad_attachment", f"{where}：{exc}，已拒绝。") from None
            except (Refused, NotFound) as exc:
                raise _reject("not_allowed", f"{where}：{exc.message}，已拒绝。") from None


def _is_action_record(kind_name: str, values: dict) -> bool:
    """Was this record written by a lifecycle action (a review, a suspension...), not added on its own?"""
    return any(_fits(t, values) for t in _transitions_writing().get(kind_name, ()))


@functools.cache
def _transitions_writing() -> dict[str, tuple]:
    """Record kind -> the lifecycle transitions that write it (asked once per incoming record)."""
    from desktop_app.lifecycle import machine

    out: dict[str, list] = {}
    for t in machine.TRANSITIONS.values():
        if t.record_kind:
            out.setdefault(t.record_kind, []).append(t)
    return {k: tuple(v) for k, v in out.items()}


def _behind(claimed: str, local: str) -> bool:
    """A claimed status earlier in the lifecycle than the local one: a stale package, kept as a conflict."""
    from desktop_app.lifecycle.states import STATUSES

    return STATUSES.index(claimed) < STATUSES.index(local)


def _fits(t, values: dict) -> bool:
    """Does this action record belong to transition t (evaluation kind, sanction kind)?"""
    if t.action in ("self_evaluate", "post_evaluate"):
        return values.get("eval_kind") == ("self" if t.action == "self_evaluate" else "post")
    if t.action in ("suspend", "terminate"):
        return values.get("sanction_kind") == t.action
    if t.action == "reapply_acceptance" or t.action == "request_acceptance":
        return True
    return True


def _shortest(start: str, goals: set[str], record_less: bool) -> list[str] | None:
    """Actions (without records) leading from `start` to any of `goals`, shortest first."""
    from collections import deque

    from desktop_app.lifecycle import machine

    if start in goals:
        return []
    seen, queue = {start}, deque([(start, [])])
    while queue:
        cur, path = queue.popleft()
        for t in machine.TRANSITIONS.values():
            if cur not in t.sources or (record_less and t.record_kind):
                continue
            nxt = t.target
            if nxt in goals:
                return [*path, t.action]
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, [*path, t.action]))
    return None


def _replay(store, recorder, opened: Opened) -> dict:
    with store.batch():
        return _Replay(store, recorder, opened).run()


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


def apply(store, actor, pv: Preview, *, backup: bool = True) -> dict:
    """Back up, then replay the package through the operations in ONE transaction; returns the receipt."""
    m = pv.manifest
    check_person(actor, "settings" if m["kind"] == "directory" else "import")  # a directory changes trust
    target = None
    if backup and store.path != ":memory:":
        store.check_writable()  # a read-only or damaged database: say so before making a backup
        target = backups.make_backup(store, "import").path
    now = now_iso()
    with store.tx():
        # re-check inside the transaction: nothing may have slipped in since the preview
        if store.one("SELECT 1 FROM packages WHERE id=? AND direction='received'", (m["package_id"],)):
            raise PackageRejected("already_imported", "该数据包已导入，本次没有做任何更改。")
        check_sequence(store, m, actor.org_code)
        if m["kind"] == "directory":
            plan = _plan(store, actor, pv.opened)
            directory.apply(store, actor, pv.opened, plan["writes"])
        elif pv.plan.get("journal") is not None and store.get_setting("audit_head") == pv.plan["head"]:
            plan = pv.plan  # nothing written since the preview: its checked writes, exactly
            exchange_writes.replay_previewed(store, actor, plan["journal"])
        else:
            plan = _replay(store, actor, pv.opened)  # against the current data, checked again
        receipt = _receipt(pv, plan, now, target)
        head_row = audit_heads.received_row(store, m, now)  # the sender's chain, held here from now on
        head = None
        if head_row is not None:
            head = {"count": head_row["count"], "hash": head_row["hash"], "warning": head_row["warning"]}
            receipt["sender_audit_head"] = head
        totals = receipt["totals"]
        exchange_writes.record_received_package(
            store, actor,
            {"id": m["package_id"], "kind": m["kind"], "peer_org": m["sender"], "sequence": m["sequence"],
             "created_at": m["created_at"], "processed_at": now, "state": "已导入",
             "file_sha256": pv.opened.file_sha256, "file_name": pv.opened.file_name},
            plan["counts"], receipt, head_row,
            summary=f"导入{pv.sender_name}的数据包第{m['sequence']}号：新增{totals['new']}条，修改{totals['changed']}条，"
                    f"无变化{totals['unchanged']}条，冲突{totals['conflict']}条",
            after={"sender": m["sender"], "sequence": m["sequence"], "file_sha256": pv.opened.file_sha256,
                   "counts": plan["counts"], "sender_audit_head": head})
    return receipt


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
                   now: dt.datetime | None = None,
                   on_step: StepCallback | None = None) -> tuple[Preview, dict | None]:
    """Preview, and unless `dry_run`, apply. The CLI uses this; the window shows the preview first."""
    pv = preview(store, actor, source, confirm_fingerprint=confirm_fingerprint, on_step=on_step, now=now)
    return pv, (None if dry_run else apply(store, actor, pv))
