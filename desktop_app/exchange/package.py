"""A package file: build it (workbook + attachments + signer.pub + manifest + signature), and open it
through the first verification steps, in the order the issue fixes, stopping at the first refusal:

    size and ZIP structure -> manifest signature and signer trust -> recipient -> sequence and creation
    time (sequence.py) -> every file's hash -> workbook (openpyxl read-only, defusedxml) and the records digest.

Nothing here writes to the database. Value validation and the preview live in importer.py.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.exchange import formats, keys, trust
from desktop_app.exchange.errors import (
    AlreadyImported,  # noqa: F401 -- raised by sequence.py; commands, UI and tests import it from here
    FingerprintFormatError,
    KeyFileError,
    PackageRejected,
)
from desktop_app.exchange.formats import PROGRAM_VERSION
from desktop_app.exchange.manifest import (
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    MAX_SIGNATURE_BYTES,
    SIGNATURE_NAME,
    build_manifest,
    check_addressing,
    check_files,
    records_digest,
    sign_manifest,
    verify_manifest,
)
from desktop_app.exchange.sequence import check_created_at, check_sequence
from desktop_app.exchange.signing import SHA256, SM3, Signer, digest_hex, format_fingerprint
from desktop_app.exchange.workbook import Cover, SheetSpec, read_workbook, write_workbook
from desktop_app.exchange.zipsafe import (
    DEFAULT_LIMITS,
    ZipLimits,
    open_zip,
    read_package_file,
    safe_extract_bytes,
)

WORKBOOK_NAME = "records.xlsx"
SIGNER_PUB_NAME = "signer.pub"

# (code, 中文) of every verification step, in order; the UI shows them as a checklist.
STEPS = (
    ("structure", "文件大小和ZIP结构"), ("signature", "签名和签名者"), ("recipient", "接收单位"),
    ("sequence", "数据包序号和生成时间"), ("hashes", "逐个文件摘要"), ("workbook", "工作簿解析"),
    ("values", "逐项数据校验"), ("preview", "生成变更预览"),
)

StepCallback = Callable[[str, str], None]  # (step code, "ok" | "running" | "failed")


def build_package(*, signer: Signer, kind: str, sender: str, recipient: str, sequence: int, schema_version: int,
                  cover: Cover, sheets: list[tuple[SheetSpec, list[dict]]], attachments: dict[str, bytes],
                  public_key_text: str, package_id: str | None = None,
                  created_at: str | None = None, audit_head: dict | None = None,
                  program_version: str | None = PROGRAM_VERSION) -> tuple[bytes, dict]:
    """The ZIP bytes and the manifest dict."""
    sheets = [(spec, rows) for spec, rows in sheets if rows]
    workbook = write_workbook(cover, sheets)
    records = {spec.name: rows for spec, rows in sheets}
    files = {WORKBOOK_NAME: workbook, SIGNER_PUB_NAME: public_key_text.encode("utf-8"), **attachments}
    # the national-crypto option is SM2 signatures over SM3 digests, end to end
    hash_alg = SM3 if signer.algorithm == "sm2" else SHA256
    manifest = build_manifest(
        kind=kind, sender=sender, recipient=recipient, sequence=sequence, schema_version=schema_version,
        files={name: digest_hex(data, hash_alg) for name, data in files.items()},
        records_digest=records_digest(records, hash_alg), signer=signer, hash_algorithm=hash_alg,
        package_id=package_id, created_at=created_at, audit_head=audit_head, program_version=program_version)
    manifest_bytes, signature = sign_manifest(manifest, signer)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST_NAME, manifest_bytes)
        zf.writestr(SIGNATURE_NAME, signature)
        for name, data in files.items():
            # attachments (PDF, JPEG) rarely shrink: store them, so the bomb ratio check stays meaningful
            method = zipfile.ZIP_DEFLATED if name in (WORKBOOK_NAME, SIGNER_PUB_NAME) else zipfile.ZIP_STORED
            zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue(), manifest


@dataclass
class Opened:
    """A package that passed steps 1-6: authentic, addressed to us, in order, intact, parsed."""

    manifest: dict
    records: dict[str, list[dict]]
    attachments: dict[str, bytes]
    file_sha256: str
    file_name: str | None
    sender_code: str
    bootstrap_key: object | None = None  # a county key confirmed by fingerprint on this import
    # what reading an older format changed (columns defaulted or not imported): shown in the preview
    format_notes: list[str] = field(default_factory=list)
    steps_done: list[str] = field(default_factory=list)


def _peek_signer(manifest_bytes: bytes) -> str | None:
    try:
        doc = json.loads(manifest_bytes.decode("utf-8"))
        return keys.normalize_fingerprint(doc["signer"]) if isinstance(doc, dict) else None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError, FingerprintFormatError):
        return None


def open_package(store, own_code: str, source: bytes | str | Path, specs: dict[str, list[SheetSpec]],
                 *, confirm_fingerprint: str | None = None, on_step: StepCallback | None = None,
                 limits: ZipLimits = DEFAULT_LIMITS, now: dt.datetime | None = None) -> Opened:
    """Run steps 1-6. `specs` maps a manifest kind to the sheets it may hold.

    `confirm_fingerprint`: the county office fingerprint the user typed from the printed form; lets a
    directory package signed by a not-yet-trusted key through (first import, or after rotation).
    `now` (aware datetime, default the real clock): what a creation time may not be a day later than.
    """
    step = on_step or (lambda code, state: None)
    current = ["structure"]

    def begin(code: str) -> None:
        if current:
            step(current[0], "ok")
        current[:] = [code]
        step(code, "running")

    step("structure", "running")
    try:
        return _open(store, own_code, source, specs, confirm_fingerprint, begin, limits, now)
    except PackageRejected:
        step(current[0], "failed")
        raise


def _open(store, own_code, source, specs, confirm_fingerprint, begin, limits, now) -> Opened:
    # 1. size and ZIP structure (every entry read once, capped, hashed)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, file_name = bytes(source), None
        if len(data) > limits.max_file_size:
            raise PackageRejected("file_too_large", "数据包文件过大，已拒绝读取。请向发送单位核实，或请其分批导出。")
    else:
        data, file_name = read_package_file(source, limits), Path(source).name
    zf, entries = open_zip(data, limits, hash_algorithms=(SHA256, SM3))  # either may be declared
    try:
        # 2. manifest signature and signer trust
        begin("signature")
        manifest_bytes = safe_extract_bytes(zf, MANIFEST_NAME, MAX_MANIFEST_BYTES)
        signature = safe_extract_bytes(zf, SIGNATURE_NAME, MAX_SIGNATURE_BYTES)
        trusted, owners, revoked = trust.verifiers(store)
        bootstrap = None
        claimed = _peek_signer(manifest_bytes)
        if confirm_fingerprint and claimed and claimed not in trusted:
            bootstrap = _bootstrap_key(zf, claimed, confirm_fingerprint)
            trusted = {**trusted, bootstrap.fingerprint: bootstrap}
        manifest = verify_manifest(manifest_bytes, signature, trusted, revoked)
        if bootstrap is not None:
            if manifest["kind"] != "directory":
                raise PackageRejected("unknown_signer", "只有县政府办公室的单位及密钥目录数据包可以凭登记表指纹确认签名密钥。"
                                      "其他数据包须由已登记的密钥签名。")
            signer_org = manifest["sender"]
        else:
            signer_org = owners.get(manifest["signer"])
        if signer_org != manifest["sender"]:
            raise PackageRejected(
                "signer_not_sender",
                f"数据包自称来自单位「{manifest['sender']}」，但签名密钥登记在单位「{signer_org}」名下，已拒绝。"
                "请向县政府办公室核实。")
        # 3. recipient
        begin("recipient")
        check_addressing(manifest, own_code)
        # 4. sequence and time: the same package again, a replayed or implausible sequence, a bad creation time
        begin("sequence")
        check_sequence(store, manifest, own_code)
        check_created_at(store, manifest, now)
        # 5. every file's hash
        begin("hashes")
        check_files(manifest, entries)
        if WORKBOOK_NAME not in manifest["files"]:
            raise PackageRejected("missing_file", "数据包中没有数据工作簿（records.xlsx），已拒绝。请向发送单位索取新的数据包。")
        fmt = manifest["schema_version"]
        if fmt > formats.FORMAT:
            raise formats.newer_refusal(fmt, manifest.get("program_version"))
        if fmt < formats.OLDEST_READABLE:
            raise formats.older_refusal(fmt)
        if manifest["kind"] not in specs:
            raise PackageRejected("schema_mismatch", f"本程序不认识数据包的内容类型「{manifest['kind']}」，已拒绝。"
                                  "请确认双方程序版本，或向发送单位索取新的数据包。")
        sheet_specs = specs[manifest["kind"]]
        older_records = manifest["kind"] == "records" and fmt != formats.FORMAT
        if older_records:  # read with the sheets of its own format: the signed digest is over those
            from desktop_app.exchange import records as R

            sheet_specs = formats.record_specs(R.KIND_SPECS, [R.STATUS_SPEC, R.ATTACHMENT_SPEC], fmt)
        # 6. the workbook, strictly; its records must be exactly the signed ones
        begin("workbook")
        workbook = safe_extract_bytes(zf, WORKBOOK_NAME, limits.max_entry_size)
        records = read_workbook(workbook, sheet_specs)
        if records_digest(records, manifest["hash_algorithm"]) != manifest["records_digest"]:
            raise PackageRejected("records_mismatch", "工作簿中的数据与签名清单记载的摘要不符，数据包可能被改动，已拒绝。"
                                  "请向发送单位索取新的数据包。")
        notes: list[str] = []
        if older_records:
            upgraded = formats.upgrade(R.KIND_SPECS, records, fmt)
            records, notes = upgraded.records, upgraded.notes
        attachments = {name: safe_extract_bytes(zf, name, limits.max_entry_size)
                       for name in manifest["files"] if name.startswith("attachments/")}
    finally:
        zf.close()
    begin("values")
    return Opened(manifest, records, attachments, digest_hex(data), file_name, manifest["sender"], bootstrap,
                  format_notes=notes)


def _bootstrap_key(zf, claimed: str, typed: str):
    if not keys.fingerprints_match(typed, claimed):
        raise PackageRejected(
            "fingerprint_mismatch",
            f"数据包签名密钥的指纹（{format_fingerprint(claimed, short=True)} …）与您输入的指纹不一致，已拒绝。"
            "请对照县政府办公室盖章的密钥登记表逐组核对；如确不一致，请勿导入并向县政府办公室核实。")
    try:
        pub = keys.import_public_key(safe_extract_bytes(zf, SIGNER_PUB_NAME, keys.MAX_KEY_FILE_BYTES))
    except KeyFileError as exc:
        raise PackageRejected("bad_signer_key", exc.message) from None
    if pub.fingerprint != claimed:
        raise PackageRejected("bad_signer_key", "数据包附带的公钥与签名清单不符，已拒绝。请向县政府办公室索取新的数据包。")
    return pub.verifier
