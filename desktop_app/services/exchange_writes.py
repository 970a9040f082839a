"""The exchange's writes, as operations: this installation's own signing key, the keys it trusts, the
county's directory, and the bookkeeping of packages sent and received.

`desktop_app/exchange` decides what to write (it generates and encrypts keys, verifies signatures, parses
packages); it writes nothing itself. Each function here checks the person and the declared setting
right (`models/authority`), writes in one transaction (joining the import's or export's when there is
one), appends its audit entry and returns what changed, like every function of `services/operations`.
"""

from __future__ import annotations

import json

from desktop_app.models.store import Store, now_iso
from desktop_app.services import audit
from desktop_app.services.authorize import check_person, check_setting
from desktop_app.services.operations import OpChanges

_SETTINGS_CHANGED = OpChanges(settings=True)


# ---- this installation's own key ---------------------------------------------------------------------

def store_own_key(store: Store, actor, key: dict, own_trust: dict, *, retiring: str | None = None,
                  summary: str, today: str) -> OpChanges:
    """Keep a new own key (`key`: its exchange_keys row, private key encrypted) and list its public half
    among the trusted keys (the directory publishes it). `retiring`: the fingerprint of the key it
    replaces, retired here and marked revoked in the trust list."""
    check_setting(actor, "own_key")
    with store.tx():
        if retiring is not None:
            store.conn.execute("UPDATE exchange_keys SET state='retired', retired_at=? WHERE fingerprint=?",
                               (now_iso(), retiring))
            store.conn.execute("UPDATE trusted_keys SET revoked_on=? WHERE fingerprint=? AND revoked_on IS NULL",
                               (today, retiring))
        store.insert("exchange_keys", key)
        store.conn.execute(
            "INSERT OR IGNORE INTO trusted_keys (fingerprint, org_code, algorithm, public_key, registered_on, source) "
            "VALUES (?, ?, ?, ?, ?, 'form')",
            (own_trust["fingerprint"], actor.org_code, own_trust["algorithm"], own_trust["public_key"], today))
        audit.append(store, actor, "更换签名密钥" if retiring else "生成签名密钥", "exchange_key", key["fingerprint"],
                     None, summary, before={"fingerprint": retiring} if retiring else None,
                     after={"fingerprint": key["fingerprint"], "algorithm": key["algorithm"]})
    return _SETTINGS_CHANGED


# ---- keys of other organisations ---------------------------------------------------------------------

def trust_key(store: Store, actor, row: dict | None, *, fingerprint: str, org_code: str, summary: str) -> OpChanges:
    """Register another organisation's public key typed in from its signed form (`row`: the trusted_keys
    row; None when the same key is already registered to the same organisation: only the entry)."""
    check_setting(actor, "trusted_key")
    with store.tx():
        if row is not None:
            store.insert("trusted_keys", row)
        audit.append(store, actor, "登记公钥", "trusted_key", fingerprint, None, summary,
                     after={"org_code": org_code, "fingerprint": fingerprint})
    return _SETTINGS_CHANGED


def revoke_keys(store: Store, actor, org_code: str, fingerprints: list[tuple[str, str]], *, today: str,
                reason: str | None) -> OpChanges:
    """Revoke keys: (fingerprint, summary) each, one audit entry each. Packages they signed are refused from now on."""
    check_setting(actor, "trusted_key")
    with store.tx():
        for fingerprint, summary in fingerprints:
            store.conn.execute("UPDATE trusted_keys SET revoked_on=? WHERE fingerprint=?", (today, fingerprint))
            audit.append(store, actor, "注销公钥", "trusted_key", fingerprint, None, summary,
                         after={"org_code": org_code, "revoked_on": today, "reason": reason})
    return _SETTINGS_CHANGED


def write_directory(store: Store, actor, items: list[tuple[str, str, dict]], *, today: str) -> OpChanges:
    """The county office's directory as a received package brings it (inside the import's transaction,
    whose entry records it): (sheet, action, record) for organisations, their keys and the holidays."""
    check_person(actor, "import")
    now = now_iso()
    with store.tx():
        for sheet, action, rec in items:
            if sheet == "单位":
                if action == "new":
                    store.insert("organisations", {"id": rec["id"], "code": rec["code"], "name": rec["name"],
                                                   "role": rec["role"], "short_name": rec["short_name"],
                                                   "created_at": now, "updated_at": now})
                else:
                    store.conn.execute("UPDATE organisations SET name=?, role=?, short_name=?, updated_at=?, "
                                       "rev=rev+1 WHERE code=?",
                                       (rec["name"], rec["role"], rec["short_name"], now, rec["code"]))
            elif sheet == "公钥":
                if action == "new":
                    store.insert("trusted_keys", {"fingerprint": rec["fingerprint"], "org_code": rec["org_code"],
                                                  "algorithm": rec["algorithm"], "public_key": rec["public_key"],
                                                  "registered_on": rec["registered_on"] or today,
                                                  "revoked_on": rec["revoked_on"], "source": rec["source"]})
                else:
                    store.conn.execute("UPDATE trusted_keys SET revoked_on=? WHERE fingerprint=? AND revoked_on IS NULL",
                                       (rec["revoked_on"], rec["fingerprint"]))
            elif sheet == "节假日":
                store.conn.execute(
                    "INSERT INTO holidays (day, is_workday, name, source, created_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(day) DO UPDATE SET is_workday=excluded.is_workday, name=excluded.name, "
                    "source=excluded.source", (rec["day"], int(rec["is_workday"]), rec["name"], rec["source"], now))
            else:
                raise ValueError(f"unknown directory sheet {sheet!r}")
        store.set_setting("deadlines_computed_for", "")  # the calendar may have changed
    return _SETTINGS_CHANGED


def replay_previewed(store: Store, actor, journal: list) -> None:
    """Apply an import exactly as its preview checked it: the journal holds the writes the operations
    made (and checked) during the preview, which was rolled back; nothing was written since (the
    caller compares the audit head), so the same writes are valid now. Inside the import's transaction."""
    check_person(actor, "import")
    store.replay_journal(journal)


# ---- packages ------------------------------------------------------------------------------------------

def _package_row(package: dict, counts: dict, receipt: dict | None) -> dict:
    return {**package, "counts": json.dumps(counts, ensure_ascii=False),
            "receipt": json.dumps(receipt, ensure_ascii=False) if receipt is not None else None}


def record_sent_package(store: Store, actor, package: dict, counts: dict, marks: dict[str, int], *,
                        summary: str, after: dict) -> OpChanges:
    """A package written whole to its file: its row, the recipient's sequence mark, and what it carried
    (so the next export sends only what changed). Called only after the file is complete."""
    check_person(actor, "export")
    with store.tx():
        store.insert("packages", _package_row({**package, "direction": "sent"}, counts, None))
        store.conn.execute(
            "INSERT INTO package_sequences (sender, recipient, last_sequence) VALUES (?, ?, ?) "
            "ON CONFLICT(sender, recipient) DO UPDATE SET last_sequence=excluded.last_sequence",
            (actor.org_code, package["peer_org"], package["sequence"]))
        store.conn.executemany(
            "INSERT INTO exchange_sent (peer_org, item, version) VALUES (?, ?, ?) "
            "ON CONFLICT(peer_org, item) DO UPDATE SET version=excluded.version",
            [(package["peer_org"], item, version) for item, version in marks.items()])
        audit.append(store, actor, "导出数据包", "package", package["id"], None, summary, after=after)
    return OpChanges(kinds=frozenset({"package"}))


def record_received_package(store: Store, actor, package: dict, counts: dict, receipt: dict,
                            sender_head: dict | None, *, summary: str, after: dict) -> OpChanges:
    """A package's records written (inside the import's transaction): its row with the receipt, the
    sender's sequence mark (the highest seen), the sender's audit head, and the import's one entry."""
    check_person(actor, "import")
    with store.tx():
        if sender_head is not None:
            store.insert("audit_heads", sender_head)
        store.insert("packages", _package_row({**package, "direction": "received"}, counts, receipt))
        store.conn.execute(
            "INSERT INTO package_sequences (sender, recipient, last_sequence) VALUES (?, ?, ?) "
            "ON CONFLICT(sender, recipient) DO UPDATE SET last_sequence=MAX(last_sequence, excluded.last_sequence)",
            (package["peer_org"], actor.org_code, package["sequence"]))
        audit.append(store, actor, "导入数据包", "package", package["id"], None, summary, after=after)
        store.set_setting("deadlines_computed_for", "")  # the ledger's deadlines are recomputed
    return OpChanges(kinds=frozenset({"package"}), status=True, settings=True)
