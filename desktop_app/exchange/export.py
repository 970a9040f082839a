"""Export: pick what the recipient should get, build and sign the package, remember what was sent.

Who sends what (owner wins, see records.py): a unit or the finance bureau sends only records it owns,
and only to the county office; the county office sends its own records and relays others' records
about the recipient's projects (all projects to the finance bureau), never the recipient's own.
Default contents: everything changed since the last package to that recipient.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.errors import Refused
from desktop_app.exchange import directory, formats, keyring
from desktop_app.exchange import records as R
from desktop_app.exchange.errors import ExportRefused
from desktop_app.exchange.package import build_package
from desktop_app.exchange.signing import digest_hex, format_fingerprint
from desktop_app.exchange.workbook import Cover
from desktop_app.models.kinds import COUNTY, KINDS
from desktop_app.models.store import now_iso
from desktop_app.services import atomic_file, audit, exchange_writes
from desktop_app.services.authorize import check_person

_NOT_RECORDED = "本次导出没有记入本机，处理好后重新导出即可。"

Progress = Callable[[int, int, str], None]
STATUS_KEY, ATTACHMENT_KEY = "project_status", "attachment"
CONTENT_CHOICES = {**{k.name: k.label for k in KINDS.values()}, STATUS_KEY: R.STATUS_SHEET,
                   ATTACHMENT_KEY: R.ATTACHMENT_SHEET}


@dataclass
class ExportResult:
    path: str | None
    data: bytes
    manifest: dict
    counts: dict[str, int]


def recipients(store, actor) -> list[dict]:
    """Organisations this installation may send packages to."""
    rows = store.all("SELECT * FROM organisations WHERE code != ? ORDER BY role, code", (actor.org_code,))
    if actor.role != COUNTY:
        rows = [r for r in rows if r["role"] == COUNTY]
    return [r for r in rows if r["role"] in ("unit", "county_office", "finance")]


def _recipient(store, actor, code: str) -> dict:
    org = store.one("SELECT * FROM organisations WHERE code=?", (code,))
    if org is None:
        raise Refused(f"本机没有单位代码为「{code}」的单位。单位请先导入县政府办公室的单位及密钥目录。")
    if org["code"] == actor.org_code:
        raise Refused("不能给本单位自己导出数据包。")
    if actor.role != COUNTY and org["role"] != COUNTY:
        raise Refused("申报单位和县财政局的数据包只能发给县政府办公室。", "第十条")
    if org["role"] not in ("unit", "county_office", "finance"):
        raise Refused(f"单位「{org['name']}」不通过本程序交换数据。")
    return org


def _project_scope(store, actor, peer: dict) -> list[str] | None:
    """Project ids whose records go to `peer` (None = all)."""
    if actor.role == COUNTY and peer["role"] == "unit":
        return [r["id"] for r in store.all(
            "SELECT id FROM projects WHERE lead_org_id=? UNION "
            "SELECT project_id FROM project_co_builders WHERE org_id=?", (peer["id"], peer["id"]))]
    return None


def collect(store, actor, peer: dict, contents: set[str] | None = None, everything: bool = False,
            progress: Progress | None = None) -> tuple[list, dict[str, bytes], dict[str, str], dict[str, int]]:
    """(sheets, attachment files, sent-marks, counts by sheet) for a records package to `peer`."""
    orgs = store.all("SELECT id, code FROM organisations")
    org_code = {o["id"]: o["code"] for o in orgs}
    project_code = {p["id"]: p["code"] for p in store.all("SELECT id, code FROM projects")}
    scope = _project_scope(store, actor, peer)
    scope_set = set(scope) if scope is not None else None
    sent = {} if everything else {r["item"]: r["version"] for r in store.all(
        "SELECT item, version FROM exchange_sent WHERE peer_org=?", (peer["code"],))}
    own_only = actor.role != COUNTY

    def wanted(row: dict, project_id: str | None) -> bool:
        if own_only and row["owner_org"] != actor.org_id:
            return False
        if row["owner_org"] == peer["id"]:
            return False  # the recipient owns it: it never comes back (owner wins)
        return scope_set is None or project_id in scope_set

    sheets, marks, counts = [], {}, {}
    chosen = [k for k in KINDS.values() if contents is None or k.name in contents]
    total = len(chosen) + 2
    for i, kind in enumerate(chosen):
        if progress:
            progress(i, total, f"正在整理{kind.label}")
        rows = []
        for row in store.all(f"SELECT * FROM {kind.table} ORDER BY created_at, id"):
            pid = row["project_id"] if kind.project_scoped else row["id"]
            if not wanted(row, pid):
                continue
            item = f"{kind.name}:{row['id']}"
            if sent.get(item) == str(row["rev"]):
                continue
            rows.append(R.to_sheet(kind, row, org_code, project_code))
            marks[item] = str(row["rev"])
        sheets.append((R.KIND_SPECS[kind.name], rows))
        counts[kind.label] = len(rows)
    if progress:
        progress(total - 2, total, "正在整理项目状态")
    if contents is None or STATUS_KEY in contents:
        settable = R.settable_statuses(actor.role)
        rows = []
        for p in store.all("SELECT id, code, status, status_since, lead_org_id FROM projects ORDER BY code"):
            if scope_set is not None and p["id"] not in scope_set:
                continue
            if actor.role != COUNTY and (p["status"] not in settable
                                         or (actor.role == "unit" and p["lead_org_id"] != actor.org_id)):
                continue  # only statuses this installation itself set
            item, version = f"status:{p['id']}", f"{p['status']}@{p['status_since']}"
            if sent.get(item) == version:
                continue
            rows.append({"project_id": p["id"], "project_code": p["code"], "status": p["status"],
                         "status_since": p["status_since"] or None})
            marks[item] = version
        sheets.append((R.STATUS_SPEC, rows))
        counts[R.STATUS_SHEET] = len(rows)
    files: dict[str, bytes] = {}
    if contents is None or ATTACHMENT_KEY in contents:
        if progress:
            progress(total - 1, total, "正在整理附件")
        rows = []
        for a in store.all("SELECT * FROM attachments ORDER BY created_at, id"):
            if not wanted(a, a["project_id"]):
                continue
            item = f"attachment:{a['id']}"
            if sent.get(item) == str(a["rev"]):
                continue
            member = R.safe_member_name(a["id"], a["filename"])
            files[member] = a["content"]
            rows.append({"id": a["id"], "project_id": a["project_id"], "owner_org": org_code.get(a["owner_org"]),
                         "rev": a["rev"], "created_at": a["created_at"], "updated_at": a["updated_at"],
                         "record_kind": a["record_kind"], "record_id": a["record_id"], "filename": a["filename"],
                         "media_type": a["media_type"], "size": a["size"], "sha256": a["sha256"], "member": member})
            marks[item] = str(a["rev"])
        sheets.append((R.ATTACHMENT_SPEC, rows))
        counts[R.ATTACHMENT_SHEET] = len(rows)
    return sheets, files, marks, counts


def _audit_head(store) -> dict:
    """This installation's audit head as the manifest carries it (the export's own entry comes after)."""
    count, last = audit.head(store)
    return {"count": count, "hash": last}


def export_package(store, actor, passphrase: str, recipient_code: str, out_path: str | Path | None = None, *,
                   contents: set[str] | None = None, everything: bool = False, kind: str = "records",
                   progress: Progress | None = None, now: dt.datetime | None = None) -> ExportResult:
    """Build, sign and (if `out_path`) write one package; record it as sent, in one transaction.

    Order (crash safety): the file is written to a temporary name, fsynced and renamed into place first;
    only then is it recorded as sent. A failure or a crash before the commit leaves it unsent.

    `now` (aware datetime) is the creation time written into the manifest; default the real clock."""
    check_person(actor, "export")  # what leaves the unit needs a reviewer or the administrator
    signer = keyring.load_signer(store, passphrase)  # a wrong passphrase stops here, before any work
    peer = _recipient(store, actor, recipient_code)
    if contents is not None:
        unknown = set(contents) - set(CONTENT_CHOICES)
        if unknown:
            raise Refused(f"未知的导出内容：{'、'.join(sorted(unknown))}。可选：" + "、".join(CONTENT_CHOICES))
    if kind == "directory":
        directory.check_may_publish(actor)
        sheets, files, marks = directory.directory_sheets(store), {}, {}
        counts = {spec.name: len(rows) for spec, rows in sheets}
    else:
        sheets, files, marks, counts = collect(store, actor, peer, contents, everything, progress)
        if not any(counts.values()):
            raise ExportRefused("nothing_to_send", f"自上次发给{peer['name']}以来没有新的或修改过的内容，无需导出。"
                                "如需重新发送全部内容，请选择“全部内容”（--all）。")
    seq_row = store.one("SELECT last_sequence FROM package_sequences WHERE sender=? AND recipient=?",
                        (actor.org_code, peer["code"]))
    sequence = (seq_row["last_sequence"] if seq_row else 0) + 1
    now = now or dt.datetime.now(dt.UTC)
    today = now.astimezone().date()
    label = "单位及密钥目录" if kind == "directory" else "业务数据"
    cover = Cover(f"{actor.org_name}（{actor.org_code}）", f"{peer['name']}（{peer['code']}）",
                  f"{today.year}年{today.month}月{today.day}日", title=f"数据包内容说明（{label}，第{sequence}号）",
                  program=formats.version_text(formats.FORMAT, formats.PROGRAM_VERSION),
                  versions=formats.cover_versions(R.KIND_SPECS) if kind != "directory" else {})
    if progress:
        progress(90, 100, "正在生成工作簿并签名")
    data, manifest = build_package(
        signer=signer, kind=kind, sender=actor.org_code, recipient=peer["code"], sequence=sequence,
        schema_version=formats.FORMAT, cover=cover, sheets=sheets, attachments=files,
        public_key_text=keyring.export_public(store, actor),
        created_at=now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), audit_head=_audit_head(store))
    if out_path is not None:
        out_path = Path(out_path)
        try:  # the package is whole on the stick before anything is recorded as sent
            out_path.parent.mkdir(parents=True, exist_ok=True)
            atomic_file.write_bytes(out_path, data)
        except OSError as exc:
            raise ExportRefused("write_failed", atomic_file.explain(exc, out_path) + _NOT_RECORDED) from None
        except atomic_file.FileWriteError as exc:
            raise ExportRefused("write_failed", exc.message + _NOT_RECORDED) from None
    try:
        exchange_writes.record_sent_package(
            store, actor,
            {"id": manifest["package_id"], "kind": kind, "peer_org": peer["code"], "sequence": sequence,
             "created_at": manifest["created_at"], "processed_at": now_iso(), "state": "已导出",
             "file_sha256": digest_hex(data), "file_name": out_path.name if out_path else None},
            counts, marks,
            summary=f"导出{label}数据包第{sequence}号给{peer['name']}：" +
                    "、".join(f"{k}{n}条" for k, n in counts.items() if n),
            after={"sequence": sequence, "recipient": peer["code"], "counts": counts,
                   "signer": format_fingerprint(signer.fingerprint, short=True)})
    except BaseException:
        # not recorded: a package left on the stick would carry a sequence number the next export reuses
        if out_path is not None:
            with contextlib.suppress(OSError):
                out_path.unlink()
        raise
    if progress:
        progress(100, 100, "导出完成")
    return ExportResult(str(out_path) if out_path else None, data, manifest, counts)
