"""Whose keys this installation trusts: registered from a stamped form, or from the county directory.

The county office registers a unit's key only when the fingerprint typed from the unit's stamped
密钥登记表 matches the key file. A unit or finance bureau accepts the county office key on the
first directory import only when the user confirms its fingerprint against the printed form.
"""

from __future__ import annotations

import base64
import datetime as dt

from desktop_app.errors import Refused, ValidationError
from desktop_app.exchange import keys
from desktop_app.exchange.errors import KeyFileError
from desktop_app.exchange.signing import (
    Verifier,
    differing_groups,
    format_fingerprint,
    normalize_fingerprint,
    verifier_from_raw,
)
from desktop_app.services import exchange_writes
from desktop_app.services.authorize import check_setting


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


class FingerprintMismatch(Refused):
    """The typed fingerprint is not the key file's: the window asks again."""


def mismatch_message(typed: str, actual: str) -> str:
    """Which 4-character group of the typed fingerprint differs from the key file's, in the words of the
    printed 密钥登记表 (groups numbered from 1)."""
    typed_n, actual_n = normalize_fingerprint(typed), normalize_fingerprint(actual)
    groups = differing_groups(typed_n, actual_n)
    first = groups[0]
    where = "、".join(f"第{g}组" for g in groups[:4]) + ("等" if len(groups) > 4 else "")
    got, want = typed_n[(first - 1) * 4:first * 4], actual_n[(first - 1) * 4:first * 4]
    return (f"输入的指纹与公钥文件不一致（{where}不同：第{first}组输入的是「{got}」，公钥文件为「{want}」），已拒绝登记。"
            "请对照该单位盖章的密钥登记表逐组核对；如登记表与公钥文件确实不同，公钥文件可能被调换，请当面向该单位索取。")


def register_key(store, actor, public_key_file: str | bytes, typed_fingerprint: str,
                 org_code: str | None = None) -> dict:
    """`govis trust add FILE --fingerprint FP` (county office): register a unit's public key."""
    check_setting(actor, "trusted_key")
    pub = keys.import_public_key(public_key_file)
    if not keys.fingerprints_match(typed_fingerprint, pub.fingerprint):
        raise FingerprintMismatch(mismatch_message(typed_fingerprint, pub.fingerprint))
    code = org_code or pub.org_code
    if not code:
        raise ValidationError({"org_code": "公钥文件未写明单位代码，请用 --org 指定单位代码"})
    org = store.one("SELECT * FROM organisations WHERE code=?", (code,))
    if org is None:
        raise Refused(f"本机没有登记单位代码为「{code}」的单位。请先登记该单位（govis org add），再登记其公钥。")
    if code == actor.org_code:
        raise Refused("本机自己的密钥无需登记。")
    existing = store.one("SELECT * FROM trusted_keys WHERE fingerprint=?", (pub.fingerprint,))
    if existing and existing["revoked_on"]:
        raise Refused("该公钥已被注销，不能重新登记。请该单位生成新密钥并重新填报密钥登记表。")
    if existing and existing["org_code"] != code:
        raise Refused(f"该公钥已登记给单位「{existing['org_code']}」，不能再登记给其他单位。")
    v = pub.verifier
    row = None if existing else {"fingerprint": v.fingerprint, "org_code": code, "algorithm": v.algorithm,
                                 "public_key": _b64(v.public_key_raw), "registered_on": dt.date.today().isoformat(),
                                 "source": "form"}
    exchange_writes.trust_key(store, actor, row, fingerprint=v.fingerprint, org_code=code,
                              summary=f"登记{org['name']}（{code}）的公钥，指纹 {format_fingerprint(v.fingerprint, short=True)}")
    return {"org_code": code, "org_name": org["name"], "fingerprint": v.fingerprint}


def revoke_key(store, actor, org_code: str, fingerprint: str | None = None, reason: str | None = None) -> int:
    """Revoke a unit's key(s) (county office). Packages signed with them are refused from now on.
    `reason` (e.g. 密钥口令泄露, 电脑更换) goes into the audit entry."""
    check_setting(actor, "trusted_key")
    reason = (reason or "").strip() or None
    rows = store.all("SELECT * FROM trusted_keys WHERE org_code=? AND revoked_on IS NULL", (org_code,))
    if fingerprint:
        rows = [r for r in rows if keys.fingerprints_match(fingerprint, r["fingerprint"])]
    if org_code == actor.org_code:
        raise Refused("本机自己的密钥请用“更换密钥”（govis keys rotate）。")
    if not rows:
        raise Refused(f"单位「{org_code}」没有可注销的有效公钥。")
    exchange_writes.revoke_keys(
        store, actor, org_code,
        [(r["fingerprint"], f"注销单位 {org_code} 的公钥，指纹 {format_fingerprint(r['fingerprint'], short=True)}"
          + (f"，原因：{reason}" if reason else "")) for r in rows],
        today=dt.date.today().isoformat(), reason=reason)
    return len(rows)


def verifiers(store) -> tuple[dict[str, Verifier], dict[str, str], list[str]]:
    """(fingerprint -> key, fingerprint -> org code, revoked fingerprints) of every key known here."""
    trusted, owners, revoked = {}, {}, []
    for r in store.all("SELECT * FROM trusted_keys"):
        try:
            v = verifier_from_raw(r["algorithm"], base64.b64decode(r["public_key"]))
        except KeyFileError:
            continue
        trusted[v.fingerprint] = v
        owners[v.fingerprint] = r["org_code"]
        if r["revoked_on"]:
            revoked.append(v.fingerprint)
    return trusted, owners, revoked


def list_keys(store) -> list[dict]:
    return store.all("SELECT t.*, o.name AS org_name FROM trusted_keys t "
                     "LEFT JOIN organisations o ON o.code = t.org_code ORDER BY t.org_code, t.registered_on")
