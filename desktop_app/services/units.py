"""The read side of 单位与密钥 and `govis org list`: every organisation with its key and exchange state.

Reads only (the writes are `operations.add_organisation` / `update_organisation` and the trust and key
functions of `exchange/`). Fingerprints are returned as stored (64 hex); callers format them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from desktop_app.models.kinds import COUNTY, ROLES
from desktop_app.models.store import Store
from desktop_app.services.authorize import org_prefix

# A unit's standing in this installation's trust list (exchange/trust.py writes `trusted_keys`)
REGISTERED, KEY_CHECKED, REVOKED = "registered", "key_checked", "revoked"
ROLE_LABELS = {**ROLES, "audit": "县审计局", "secrecy": "县保密局"}  # the two that read only, never exchange
STATE_LABELS = {REGISTERED: "登记", KEY_CHECKED: "公钥已核对", REVOKED: "已注销"}


@dataclass(frozen=True)
class Mark:
    """A package or audit head: when, which sequence number (and for a head, count and hash)."""

    day: str          # YYYY-MM-DD
    sequence: int
    count: int | None = None
    hash: str | None = None
    warnings: int = 0


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    short_name: str
    role: str
    code_prefix: str
    fingerprint: str | None        # the valid key; else the last revoked one; None when no key
    state: str                     # REGISTERED / KEY_CHECKED / REVOKED
    key_source: str | None         # form (stamped form checked here), directory, confirmed
    registered_on: str | None
    revoked_on: str | None
    last_received: Mark | None
    last_sent: Mark | None
    audit_head: Mark | None
    is_self: bool

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def to_json(self) -> dict:
        out = asdict(self)
        out["role_label"], out["state_label"] = self.role_label, self.state_label
        return out


def _key_state(keys: list[dict]) -> tuple[str, dict | None]:
    valid = [k for k in keys if not k["revoked_on"]]
    if valid:
        return KEY_CHECKED, max(valid, key=lambda k: k["registered_on"])
    if keys:
        return REVOKED, max(keys, key=lambda k: (k["revoked_on"], k["registered_on"]))
    return REGISTERED, None


def _latest_packages(store: Store, direction: str) -> dict[str, Mark]:
    rows = store.all("SELECT peer_org, sequence, created_at FROM packages p WHERE direction=? AND sequence = "
                     "(SELECT MAX(sequence) FROM packages q WHERE q.direction=p.direction AND q.peer_org=p.peer_org)",
                     (direction,))
    return {r["peer_org"]: Mark(r["created_at"][:10], r["sequence"]) for r in rows}


def _latest_heads(store: Store) -> dict[str, Mark]:
    rows = store.all(
        "SELECT h.sender_org, h.sequence, h.count, h.hash, h.received_at, "
        "(SELECT COUNT(*) FROM audit_heads w WHERE w.sender_org = h.sender_org AND w.warning IS NOT NULL) AS warnings "
        "FROM audit_heads h WHERE h.sequence = (SELECT MAX(sequence) FROM audit_heads x WHERE x.sender_org = h.sender_org)")
    return {r["sender_org"]: Mark(r["received_at"][:10], r["sequence"], r["count"], r["hash"], r["warnings"])
            for r in rows}


def organisations(store: Store, own_org_code: str) -> list[UnitRow]:
    """Every organisation known here (the county office first, then by role and code)."""
    keys: dict[str, list[dict]] = {}
    for k in store.all("SELECT org_code, fingerprint, registered_on, revoked_on, source FROM trusted_keys"):
        keys.setdefault(k["org_code"], []).append(k)
    received, sent, heads = _latest_packages(store, "received"), _latest_packages(store, "sent"), _latest_heads(store)
    order = {COUNTY: 0, "finance": 1, "unit": 2}
    out = []
    for o in sorted(store.all("SELECT * FROM organisations"), key=lambda o: (order.get(o["role"], 3), o["code"])):
        state, key = _key_state(keys.get(o["code"], []))
        out.append(UnitRow(
            code=o["code"], name=o["name"], short_name=o["short_name"] or "", role=o["role"],
            code_prefix=org_prefix(o), fingerprint=key["fingerprint"] if key else None, state=state,
            key_source=key["source"] if key else None, registered_on=key["registered_on"][:10] if key else None,
            revoked_on=(key["revoked_on"] or "")[:10] or None if key else None,
            last_received=received.get(o["code"]), last_sent=sent.get(o["code"]), audit_head=heads.get(o["code"]),
            is_self=o["code"] == own_org_code))
    return out


@dataclass(frozen=True)
class KeyOverview:
    """What a unit's (or finance's) installation shows above the list: whose keys it signs and checks with."""

    own_fingerprint: str | None
    own_key_since: str | None
    county_name: str | None
    county_fingerprint: str | None
    directory_date: str | None       # when the county office made the last directory imported here
    directory_sequence: int | None


def key_overview(store: Store) -> KeyOverview:
    own = store.one("SELECT fingerprint, created_at FROM exchange_keys WHERE state='active'")
    county = store.one("SELECT code, name FROM organisations WHERE role=? ORDER BY code LIMIT 1", (COUNTY,))
    county_key = None
    if county:
        county_key = store.one("SELECT fingerprint FROM trusted_keys WHERE org_code=? AND revoked_on IS NULL "
                               "ORDER BY registered_on DESC LIMIT 1", (county["code"],))
    directory = store.one("SELECT created_at, sequence FROM packages WHERE direction='received' AND kind='directory' "
                          "ORDER BY created_at DESC LIMIT 1")
    return KeyOverview(
        own_fingerprint=own["fingerprint"] if own else None, own_key_since=own["created_at"][:10] if own else None,
        county_name=county["name"] if county else None,
        county_fingerprint=county_key["fingerprint"] if county_key else None,
        directory_date=directory["created_at"][:10] if directory else None,
        directory_sequence=directory["sequence"] if directory else None)
