"""This installation's own signing key, kept in the database encrypted under a passphrase.

One key is `active`; rotation retires the old one (kept for the record, never used to sign again).
"""

from __future__ import annotations

import base64
import datetime as dt

from desktop_app.errors import Refused
from desktop_app.exchange import keys
from desktop_app.exchange.signing import ED25519, Signer, Verifier, format_fingerprint, verifier_from_raw
from desktop_app.models.store import Store, now_iso
from desktop_app.services import exchange_writes
from desktop_app.services.authorize import check_setting


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def active_row(store: Store) -> dict | None:
    return store.one("SELECT * FROM exchange_keys WHERE state='active'")


def has_key(store: Store) -> bool:
    return active_row(store) is not None


def own_verifier(store: Store) -> Verifier:
    row = active_row(store)
    if row is None:
        raise Refused("本机尚未生成签名密钥。请先运行 govis keys init（或在“数据交换”中生成密钥）。")
    return verifier_from_raw(row["algorithm"], base64.b64decode(row["public_key"]))


def load_signer(store: Store, passphrase: str) -> Signer:
    """Open the active private key; WrongPassphrase (clear Chinese message) if the passphrase is wrong."""
    row = active_row(store)
    if row is None:
        raise Refused("本机尚未生成签名密钥。请先运行 govis keys init（或在“数据交换”中生成密钥）。")
    return keys.decrypt_private_key(row["envelope"].encode("utf-8"), passphrase or "")


def _new_key(signer: Signer, passphrase: str) -> tuple[dict, dict]:
    """The exchange_keys row (private key encrypted under the passphrase) and the public half to trust."""
    envelope = keys.encrypt_private_key(signer, passphrase).decode("utf-8")
    v = signer.verifier()
    row = {"fingerprint": v.fingerprint, "algorithm": v.algorithm, "public_key": _b64(v.public_key_raw),
           "envelope": envelope, "state": "active", "created_at": now_iso()}
    return row, {"fingerprint": v.fingerprint, "algorithm": v.algorithm, "public_key": row["public_key"]}


def setup_keys(store: Store, actor, passphrase: str, algorithm: str = ED25519) -> Verifier:
    """Make this installation's signing key at set-up (the init wizard and `govis keys init` call this)."""
    check_setting(actor, "own_key")
    if has_key(store):
        raise Refused("本机已有签名密钥，不能重复生成。如需更换，请使用“更换密钥”（govis keys rotate）。")
    keys.check_passphrase_strength(passphrase)
    signer = keys.generate_key_pair(algorithm)
    key, public = _new_key(signer, passphrase)
    exchange_writes.store_own_key(store, actor, key, public, today=dt.date.today().isoformat(),
                                  summary=f"生成本机签名密钥，指纹 {format_fingerprint(signer.fingerprint, short=True)}")
    return signer.verifier()


def rotate_key(store: Store, actor, old_passphrase: str, new_passphrase: str, algorithm: str = ED25519) -> Verifier:
    """Retire the active key (after proving its passphrase) and make a new one.

    The old public key is marked revoked in our own trust list; the county office's next directory
    package carries the revocation, and recipients confirm the new fingerprint against the new form.
    """
    check_setting(actor, "own_key")
    load_signer(store, old_passphrase)  # proves the operator holds the current key
    keys.check_passphrase_strength(new_passphrase)
    old = active_row(store)
    signer = keys.generate_key_pair(algorithm)
    key, public = _new_key(signer, new_passphrase)
    exchange_writes.store_own_key(
        store, actor, key, public, retiring=old["fingerprint"], today=dt.date.today().isoformat(),
        summary=f"更换本机签名密钥：{format_fingerprint(old['fingerprint'], short=True)} → "
                f"{format_fingerprint(signer.fingerprint, short=True)}")
    return signer.verifier()


def export_public(store: Store, actor) -> str:
    return keys.export_public_key(own_verifier(store), actor.org_code, actor.org_name)


def key_info(store: Store, actor) -> dict:
    row = active_row(store)
    if row is None:
        return {"org_code": actor.org_code, "org_name": actor.org_name, "has_key": False}
    return {"org_code": actor.org_code, "org_name": actor.org_name, "has_key": True,
            "algorithm": row["algorithm"], "fingerprint": row["fingerprint"],
            "fingerprint_groups": format_fingerprint(row["fingerprint"]),
            "fingerprint_short": format_fingerprint(row["fingerprint"], short=True),
            "created_at": row["created_at"]}
