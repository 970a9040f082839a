"""The signed manifest of a package: what is in it, from whom, for whom, in which order.

Canonical JSON (`canonical_json`): UTF-8, keys sorted by code point, no whitespace, no ASCII escaping,
integers only (no floats: money is fen), no NaN, lone surrogates refused. It is this project's own
canonical form (the data are str/int/None/bool/list/dict only), not RFC 8785.

The manifest (all keys required, no others)::

    manifest_version  1
    package_id        uuid4 string
    kind              what the package carries, e.g. "records", "directory", "opinions"
    sender, recipient organisation codes
    sequence          int >= 1, per sender->recipient pair, numbered 1, 2, 3 ... by the sender (which ones
                      the receiver accepts, possibly out of order: sequence.py)
    created_at        "2026-11-24T08:30:00Z" (UTC, seconds)
    schema_version    int >= 1 (record schema of the sender)
    hash_algorithm    "sha256" or "sm3": the digest of every file and of the records
    files             {member name: lowercase hex digest} of every ZIP member but the manifest and signature
    records_digest    digest of canonical_json(records) -- the records as read back from the workbook
    signer            full fingerprint (64 hex) of the signing key
    algorithm         "ed25519" or "sm2"

Optional (packages from earlier versions lack them and stay importable)::

    program_version   "0.2.0": the govis that wrote the package (from 0.2.0 on); a package of a newer
                      format than this program reads is refused naming it (formats.newer_refusal)

    audit_head        {"count": entries in the sender's audit log, "hash": the last entry's hash} when the
                      package was made; signed with the rest, so the receiver holds a piece of the
                      sender's history that the sender cannot rewrite afterwards unnoticed

The signature is over DOMAIN + manifest_bytes (domain separation: a key that signs manifests cannot be
tricked into signing something that parses as another kind of govis document).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import re
import uuid
from collections.abc import Iterable, Mapping

from desktop_app.exchange.errors import ExportRefused, FingerprintFormatError, PackageRejected
from desktop_app.exchange.signing import (
    HASH_ALGORITHMS,
    SHA256,
    Signer,
    Verifier,
    digest_hex,
    fingerprints_match,
    format_fingerprint,
    normalize_fingerprint,
)
from desktop_app.exchange.zipsafe import ZipEntry, check_member_name

MANIFEST_VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
DOMAIN = b"govis package manifest v1\x00"
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_SIGNATURE_BYTES = 1024

_FIELDS = {
    "manifest_version", "package_id", "kind", "sender", "recipient", "sequence", "created_at",
    "schema_version", "hash_algorithm", "files", "records_digest", "signer", "algorithm",
}
_OPTIONAL = {"audit_head", "program_version"}
_VERSION = re.compile(r"^\d{1,4}(\.\d{1,4}){1,3}([a-z0-9.+-]{0,20})$", re.ASCII)
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.\-]{0,63}$")
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FP = re.compile(r"^[0-9A-F]{64}$")
_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", re.ASCII)  # ASCII: else \d (and strptime) take ２０２６

_RESEND = "请向发送单位索取新的数据包。"


# ---------------------------------------------------------------------------- canonical JSON


def _check_json_value(value, path: str = "") -> None:
    if value is None or isinstance(value, (bool, int)):
        return
    if isinstance(value, str):
        if re.search(r"[\ud800-\udfff]", value):
            raise ExportRefused("unstorable_text", f"数据{path}中含有无法保存的字符（不成对的代理字符），无法导出。请在程序中修改该内容后重新导出。")
        return
    if isinstance(value, float):
        raise ExportRefused("float_value", f"数据{path}中含有小数（{value!r}），金额须以“分”为单位的整数保存，无法导出。请联系技术支持。")
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"canonical JSON needs str keys, got {k!r}")
            _check_json_value(v, f"{path}.{k}")
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_json_value(v, f"{path}[{i}]")
        return
    raise TypeError(f"canonical JSON cannot hold {type(value).__name__} at {path or 'top'}")


_PLAIN = frozenset({str, int, bool, type(None)})


def _plain_records(value) -> bool:
    """True for the usual shape, {str: [{str: str | int | bool | None}]}, checked cheaply (exact types)."""
    if type(value) is not dict:
        return False
    for key, rows in value.items():
        if type(key) is not str or type(rows) is not list:
            return False
        for row in rows:
            if type(row) is not dict:
                return False
            for k, v in row.items():
                if type(k) is not str or type(v) not in _PLAIN:
                    return False
    return True


def canonical_json(value) -> bytes:
    if not _plain_records(value):
        _check_json_value(value)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (the only thing UTF-8 cannot hold) in plain records
        _check_json_value(value)  # refuses it, naming where it is
        raise


def records_digest(records: Mapping[str, list[Mapping]], hash_algorithm: str = SHA256) -> str:
    """Digest of the records ({sheet or kind: [record]}) exactly as the importer will read them back."""
    return digest_hex(canonical_json(records), hash_algorithm)


# ---------------------------------------------------------------------------- building and signing


def utc_now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_manifest(*, kind: str, sender: str, recipient: str, sequence: int, schema_version: int,
                   files: Mapping[str, str], records_digest: str, signer: Signer | Verifier,
                   hash_algorithm: str = SHA256, package_id: str | None = None,
                   created_at: str | None = None, audit_head: dict | None = None,
                   program_version: str | None = None) -> dict:
    """A validated manifest dict; `signer` only contributes its fingerprint and algorithm."""
    verifier = signer.verifier() if isinstance(signer, Signer) else signer
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "package_id": package_id or str(uuid.uuid4()),
        "kind": kind, "sender": sender, "recipient": recipient, "sequence": sequence,
        "created_at": created_at or utc_now_iso(), "schema_version": schema_version,
        "hash_algorithm": hash_algorithm, "files": dict(files), "records_digest": records_digest,
        "signer": verifier.fingerprint, "algorithm": verifier.algorithm,
    }
    if program_version is not None:
        manifest["program_version"] = program_version
    if audit_head is not None:
        manifest["audit_head"] = {"count": audit_head["count"], "hash": audit_head["hash"]}
    problem = _schema_problem(manifest)
    if problem:
        raise ValueError(f"invalid manifest: {problem}")
    return manifest


def sign_manifest(manifest: Mapping, signer: Signer) -> tuple[bytes, bytes]:
    """(manifest_bytes, signature_bytes) to store as manifest.json and manifest.sig."""
    problem = _schema_problem(dict(manifest))
    if problem:
        raise ValueError(f"invalid manifest: {problem}")
    if manifest["signer"] != signer.fingerprint or manifest["algorithm"] != signer.algorithm:
        raise ValueError("manifest names another key than the one signing it")
    data = canonical_json(manifest)
    return data, signer.sign(DOMAIN + data)


# ---------------------------------------------------------------------------- verifying


def _malformed(detail: str = "") -> PackageRejected:
    extra = f"（{detail}）" if detail else ""
    return PackageRejected("malformed_manifest", f"数据包的签名清单格式不对{extra}，数据包可能已损坏或来自不兼容的程序版本，已拒绝。{_RESEND}")


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key")
        d[k] = v
    return d


def verify_manifest(manifest_bytes: bytes, signature_bytes: bytes,
                    trusted_keys: Mapping[str, Verifier], revoked: Iterable[str] = ()) -> dict:
    """Check the signature first, then the manifest's form; return the manifest dict.

    `trusted_keys` maps fingerprints (any typed form) to registered keys; `revoked` holds fingerprints
    of withdrawn keys. Raises PackageRejected: malformed_manifest, unknown_signer, bad_signature,
    revoked_signer.
    """
    if not isinstance(manifest_bytes, bytes) or not isinstance(signature_bytes, bytes):
        raise _malformed()
    if len(manifest_bytes) > MAX_MANIFEST_BYTES or len(signature_bytes) > MAX_SIGNATURE_BYTES:
        raise _malformed("文件过大")
    # Only the two fields that select the key are read before the signature is checked.
    try:
        doc = json.loads(manifest_bytes.decode("utf-8"), object_pairs_hook=_no_duplicates,
                         parse_float=_refuse_float, parse_constant=_refuse_float)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _malformed("无法解析") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("signer"), str) or not isinstance(doc.get("algorithm"), str):
        raise _malformed("缺少签名者")
    try:
        signer_fp = normalize_fingerprint(doc["signer"])
    except FingerprintFormatError:
        raise _malformed("签名者指纹无效") from None
    keys: dict[str, Verifier] = {}
    for fp, trusted in trusted_keys.items():
        if not fingerprints_match(fp, trusted.fingerprint):
            raise ValueError(f"trusted_keys maps {fp!r} to a key with another fingerprint")
        keys[trusted.fingerprint] = trusted
    key = keys.get(signer_fp)
    if key is None:
        shown = format_fingerprint(signer_fp, short=True)
        raise PackageRejected(
            "unknown_signer",
            f"数据包的签名密钥（指纹 {shown} …）不在本机登记的可信密钥中，已拒绝。"
            "请确认发送单位的密钥已经县政府办公室登记，并导入最新的单位及密钥目录。",
        )
    if doc["algorithm"] != key.algorithm or not key.verify(signature_bytes, DOMAIN + manifest_bytes):
        raise PackageRejected(
            "bad_signature",
            f"数据包的签名验证失败：数据包在传递中被改动、已损坏，或不是由登记的密钥签发的，已拒绝。{_RESEND}",
        )
    if any(fingerprints_match(r, signer_fp) for r in revoked):
        raise PackageRejected(
            "revoked_signer",
            "数据包的签名密钥已被县政府办公室注销，已拒绝。请发送单位使用新登记的密钥重新导出数据包。",
        )
    _refuse_newer(doc)
    problem = _schema_problem(doc)
    if problem:
        raise _malformed(problem)
    try:
        canonical = canonical_json(doc)
    except (ExportRefused, TypeError):
        canonical = None
    if canonical != manifest_bytes:
        raise _malformed("不是规范格式")
    return doc


def _refuse_newer(doc: dict) -> None:
    """A newer program's package is refused naming that program, before its fields are judged by this
    program's (older) rules: a newer manifest may well carry fields this one does not know."""
    from desktop_app.exchange import formats

    fmt, program = doc.get("schema_version"), doc.get("program_version")
    program = program if isinstance(program, str) and _VERSION.match(program) else None
    newer_manifest = type(doc.get("manifest_version")) is int and doc["manifest_version"] > MANIFEST_VERSION
    if type(fmt) is int and (fmt > formats.FORMAT or newer_manifest):
        raise formats.newer_refusal(fmt, program)


def _refuse_float(text):
    raise ValueError("floats are not allowed in a manifest")


def _schema_problem(m: dict) -> str | None:
    """Chinese description of the first thing wrong with a manifest dict, or None."""
    if not _FIELDS <= set(m) <= _FIELDS | _OPTIONAL:
        return "字段不全或有多余字段"
    if "audit_head" in m:
        h = m["audit_head"]
        if (not isinstance(h, dict) or set(h) != {"count", "hash"} or type(h["count"]) is not int
                or not 0 <= h["count"] < 2**53 or not isinstance(h["hash"], str) or not _HEX64.match(h["hash"])):
            return "操作日志链头格式无效"
    if "program_version" in m and (not isinstance(m["program_version"], str)
                                   or not _VERSION.match(m["program_version"])):
        return "程序版本格式无效"
    if m["manifest_version"] != MANIFEST_VERSION or type(m["manifest_version"]) is not int:
        return "清单版本不受支持，请升级本程序"
    try:
        if str(uuid.UUID(m["package_id"], version=4)) != m["package_id"]:
            return "数据包编号无效"
    except (ValueError, TypeError, AttributeError):
        return "数据包编号无效"
    for name in ("kind", "sender", "recipient", "created_at", "hash_algorithm", "records_digest", "signer", "algorithm"):
        if not isinstance(m[name], str):
            return f"字段{name}类型不对"
    if not _KIND.match(m["kind"]):
        return "数据包类型无效"
    if not _CODE.match(m["sender"]) or not _CODE.match(m["recipient"]):
        return "单位代码无效"
    for name in ("sequence", "schema_version"):
        if type(m[name]) is not int or not 1 <= m[name] < 2**53:
            return f"字段{name}应为正整数"
    if not _UTC.match(m["created_at"]):
        return "创建时间格式无效"
    try:
        dt.datetime.strptime(m["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return "创建时间无效"
    if m["hash_algorithm"] not in HASH_ALGORITHMS:
        return "摘要算法不受支持"
    if not _HEX64.match(m["records_digest"]) or not _FP.match(m["signer"]):
        return "摘要或签名者指纹格式无效"
    if not isinstance(m["files"], dict) or not m["files"]:
        return "文件清单为空"
    for name, digest in m["files"].items():
        if name in (MANIFEST_NAME, SIGNATURE_NAME) or not isinstance(digest, str) or not _HEX64.match(digest):
            return "文件清单格式无效"
        try:
            check_member_name(name)
        except PackageRejected:
            return "文件清单中有不安全的文件名"
        if name.endswith("/"):
            return "文件清单格式无效"
    return None


def check_files(manifest: Mapping, entries: Iterable[ZipEntry]) -> None:
    """Every ZIP member (but manifest and signature) is listed, and every listed file matches its digest."""
    alg = manifest["hash_algorithm"]
    listed: dict[str, str] = manifest["files"]
    present = {e.name: e for e in entries if not e.is_dir and e.name not in (MANIFEST_NAME, SIGNATURE_NAME)}
    for name in listed:
        if name not in present:
            raise PackageRejected("missing_file", f"数据包中缺少签名清单列出的文件「{name}」，数据包不完整。{_RESEND}")
    for name, entry in present.items():
        if name not in listed:
            raise PackageRejected("extra_file", f"数据包中的文件「{name}」不在签名清单中，数据包可能在传递中被改动。{_RESEND}")
        actual = entry.digests.get(alg)
        if actual is None:
            raise ValueError(f"entry {name!r} was inspected without a {alg} digest")
        if not hmac.compare_digest(actual, listed[name]):
            raise PackageRejected("file_mismatch", f"数据包中的文件「{name}」与签名清单不符，数据包可能在传递中被改动。{_RESEND}")


def check_addressing(manifest: Mapping, own_org_code: str) -> None:
    """Refuse a package for another organisation. (Which sequences are welcome: sequence.check_sequence.)"""
    if manifest["recipient"] != own_org_code:
        raise PackageRejected(
            "wrong_recipient",
            f"该数据包是发给单位「{manifest['recipient']}」的，不是发给本单位（{own_org_code}）的，已拒绝。请确认U盘中的文件是否拿错。",
        )
