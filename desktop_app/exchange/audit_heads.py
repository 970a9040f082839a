"""The audit chain held outside the file.

Every package carries its sender's audit head (entry count and last hash) in the signed manifest. The
receiver keeps each one (`record`, in the import's transaction) and notices a head that does not
extend what the same sender sent before: it cannot recompute another installation's chain, but a later
package whose log is no longer than an earlier one's was cut or rewritten (or restored from an old
backup). The receipt carries the head back to paper; `read_claim` reads it from a receipt or from a
package this installation sent, for `govis audit verify --against`.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from desktop_app.errors import GovisError
from desktop_app.exchange import trust
from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.manifest import (
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    MAX_SIGNATURE_BYTES,
    SIGNATURE_NAME,
    verify_manifest,
)
from desktop_app.exchange.zipsafe import DEFAULT_LIMITS, open_zip, safe_extract_bytes

KEYWORD = "govis-audit-head"  # the receipt PDF's Keywords: machine-readable copy of the printed head
MAX_CLAIM_FILE = 64 * 1024 * 1024


def of_manifest(manifest: dict) -> dict | None:
    return manifest.get("audit_head")


def own_org_code(store) -> str:
    row = store.one("SELECT o.code FROM organisations o JOIN settings s ON s.key = 'installation_org_id' "
                    "AND s.value = o.id")
    if row is None:
        raise GovisError("数据库尚未初始化。请先运行 govis init，或在程序中完成初始设置。")
    return row["code"]


def short(hash_: str) -> str:
    return hash_[:12]


def _warning(store, sender: str, sequence: int, count: int) -> str | None:
    """Heads must grow with the sender's sequence numbers: every export adds an entry of its own."""
    before = store.one("SELECT sequence, count FROM audit_heads WHERE sender_org=? AND sequence<? "
                       "ORDER BY count DESC LIMIT 1", (sender, sequence))
    if before and count <= before["count"]:
        return (f"本数据包记载发送单位的操作日志共 {count} 条，不多于其此前第{before['sequence']}号数据包记载的"
                f" {before['count']} 条：发送单位的操作日志可能被删改，或从旧备份恢复过。请持此前的接收回执到该单位核对"
                "（govis audit verify --against 回执）。")
    after = store.one("SELECT sequence, count FROM audit_heads WHERE sender_org=? AND sequence>? "
                      "ORDER BY count LIMIT 1", (sender, sequence))
    if after and count >= after["count"]:
        return (f"本数据包（较晚送达）记载发送单位的操作日志共 {count} 条，不少于其后第{after['sequence']}号数据包记载的"
                f" {after['count']} 条：发送单位的操作日志可能被删改过。请持接收回执到该单位核对。")
    return None


def received_row(store, manifest: dict, received_at: str) -> dict | None:
    """The audit_heads row a received package brings, with the warning, if any, for the receipt (the
    import's operation keeps it: services/exchange_writes.record_received_package). Packages from
    earlier versions carry none: None."""
    head = of_manifest(manifest)
    if head is None:
        return None
    return {"package_id": manifest["package_id"], "sender_org": manifest["sender"], "sequence": manifest["sequence"],
            "count": head["count"], "hash": head["hash"], "received_at": received_at,
            "warning": _warning(store, manifest["sender"], manifest["sequence"], head["count"])}


def last_heads(store) -> list[dict]:
    """Each sender's latest head (highest sequence), with its name and whether any of its heads was odd."""
    return store.all(
        "SELECT h.sender_org, o.name AS sender_name, h.sequence, h.count, h.hash, h.package_id, h.received_at, "
        "(SELECT COUNT(*) FROM audit_heads w WHERE w.sender_org = h.sender_org AND w.warning IS NOT NULL) AS warnings, "
        "(SELECT w.warning FROM audit_heads w WHERE w.sender_org = h.sender_org AND w.warning IS NOT NULL "
        " ORDER BY w.received_at DESC LIMIT 1) AS last_warning "
        "FROM audit_heads h LEFT JOIN organisations o ON o.code = h.sender_org "
        "WHERE h.sequence = (SELECT MAX(sequence) FROM audit_heads x WHERE x.sender_org = h.sender_org) "
        "ORDER BY h.sender_org")


# ---------------------------------------------------------------- reading a head back


@dataclass
class Claim:
    """A head this installation once sent, as a receipt or the package itself records it."""

    count: int
    hash: str
    package_id: str
    source: str  # 中文: where it was read from


def _refuse(message: str) -> GovisError:
    return GovisError(message)


def read_claim(store, own_code: str, path: str | Path) -> Claim:
    """Read the sender's head from a receipt (PDF or its JSON data form) or from a package this
    installation sent. Raises GovisError with a Chinese message on anything else."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_CLAIM_FILE:
            raise _refuse(f"文件「{path.name}」过大，不是数据包接收回执或数据包。")
        data = path.read_bytes()
    except FileNotFoundError:
        raise _refuse(f"找不到文件「{path}」。") from None
    except OSError as exc:
        raise _refuse(f"无法读取文件「{path}」：{exc.strerror or exc}") from None
    if data.startswith(b"%PDF"):
        return _from_pdf(data, own_code, path.name)
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _from_package(store, data, own_code, path.name)
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        doc = None
    if isinstance(doc, dict) and "package_id" in doc:
        return _from_receipt_data(doc, own_code, f"接收回执（数据）「{path.name}」")
    raise _refuse(f"文件「{path.name}」既不是数据包接收回执（PDF）也不是数据包，无法读取操作日志链头。")


def _from_receipt_data(doc: dict, own_code: str, source: str) -> Claim:
    head = doc.get("sender_audit_head")
    if doc.get("sender") != own_code:
        raise _refuse(f"{source}是单位「{doc.get('sender_name') or doc.get('sender')}」发出的数据包的回执，"
                      f"不是本单位（{own_code}）的，不能用来核对本机操作日志。")
    if not isinstance(head, dict) or not isinstance(head.get("count"), int) or not isinstance(head.get("hash"), str):
        raise _refuse(f"{source}没有记载操作日志链头（数据包由旧版本程序生成），无法核对。")
    return Claim(head["count"], head["hash"], str(doc.get("package_id")), source)


def _from_pdf(data: bytes, own_code: str, name: str) -> Claim:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    source = f"接收回执「{name}」"
    try:
        keywords = (PdfReader(io.BytesIO(data)).metadata or {}).get("/Keywords") or ""
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        raise _refuse(f"{source}无法读取（PDF文件已损坏）。") from None
    if not str(keywords).startswith(KEYWORD + " "):
        raise _refuse(f"{source}不是本程序生成的数据包接收回执，或没有记载操作日志链头（旧版本）。")
    try:
        doc = json.loads(str(keywords)[len(KEYWORD) + 1:])
    except ValueError:
        raise _refuse(f"{source}中的操作日志链头无法读取。") from None
    return _from_receipt_data(doc if isinstance(doc, dict) else {}, own_code, source)


def _from_package(store, data: bytes, own_code: str, name: str) -> Claim:
    source = f"数据包「{name}」"
    own_keys = {}
    trusted, owners, _revoked = trust.verifiers(store)
    for fp, v in trusted.items():
        if owners.get(fp) == own_code:
            own_keys[fp] = v  # retired own keys too: a package sent before a key change
    try:
        zf, _entries = open_zip(data, DEFAULT_LIMITS)
        try:
            manifest_bytes = safe_extract_bytes(zf, MANIFEST_NAME, MAX_MANIFEST_BYTES)
            signature = safe_extract_bytes(zf, SIGNATURE_NAME, MAX_SIGNATURE_BYTES)
        finally:
            zf.close()
        manifest = verify_manifest(manifest_bytes, signature, own_keys)
    except PackageRejected as exc:
        if exc.reason_code == "unknown_signer":
            raise _refuse(f"{source}不是本单位发出的（签名密钥不是本单位的），不能用来核对本机操作日志。") from None
        raise _refuse(f"{source}无法核对：{exc.message}") from None
    if manifest["sender"] != own_code:
        raise _refuse(f"{source}不是本单位发出的，不能用来核对本机操作日志。")
    head = of_manifest(manifest)
    if head is None:
        raise _refuse(f"{source}由旧版本程序生成，没有记载操作日志链头，无法核对。")
    return Claim(head["count"], head["hash"], manifest["package_id"], source)
