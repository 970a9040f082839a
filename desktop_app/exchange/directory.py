"""The county office's signed directory: organisations, their public keys (with revocations), holidays.

Units and the finance bureau import it; it is the only way they learn other organisations' codes
and keys, and the State Council holiday table the deadlines count with.
"""

from __future__ import annotations

import base64
import datetime as dt

from desktop_app.exchange.errors import KeyFileError, PackageRejected
from desktop_app.exchange.records import ORG_ROLES
from desktop_app.exchange.signing import verifier_from_raw
from desktop_app.exchange.workbook import DATE, Column, SheetSpec
from desktop_app.models.kinds import COUNTY, YES_NO
from desktop_app.models.store import new_id
from desktop_app.services import exchange_writes

ORG_SPEC = SheetSpec("单位", (Column("code", "单位代码"), Column("name", "单位名称"),
                             Column("role", "角色", choices=ORG_ROLES), Column("short_name", "简称")))
KEY_SPEC = SheetSpec("公钥", (Column("org_code", "单位代码"), Column("algorithm", "算法"),
                             Column("public_key", "公钥（Base64）"), Column("fingerprint", "指纹"),
                             Column("registered_on", "登记日期", DATE), Column("revoked_on", "注销日期", DATE)))
HOLIDAY_SPEC = SheetSpec("节假日", (Column("day", "日期", DATE), Column("is_workday", "调休上班", choices=YES_NO),
                                 Column("name", "名称"), Column("source", "依据")))
DIRECTORY_SPECS = [ORG_SPEC, KEY_SPEC, HOLIDAY_SPEC]


def directory_sheets(store) -> list[tuple[SheetSpec, list[dict]]]:
    orgs = [{"code": o["code"], "name": o["name"], "role": o["role"], "short_name": o["short_name"] or None}
            for o in store.all("SELECT * FROM organisations ORDER BY role, code")]
    keys = [{"org_code": k["org_code"], "algorithm": k["algorithm"], "public_key": k["public_key"],
             "fingerprint": k["fingerprint"], "registered_on": k["registered_on"][:10],
             "revoked_on": (k["revoked_on"] or "")[:10] or None}
            for k in store.all("SELECT * FROM trusted_keys ORDER BY org_code, registered_on, fingerprint")]
    days = [{"day": h["day"], "is_workday": str(h["is_workday"]), "name": h["name"] or None,
             "source": h["source"] or None} for h in store.all("SELECT * FROM holidays ORDER BY day")]
    return [(ORG_SPEC, orgs), (KEY_SPEC, keys), (HOLIDAY_SPEC, days)]


def plan(store, actor, opened) -> dict:
    """What importing this directory would change; refuses (PackageRejected) what it must not accept."""
    m = opened.manifest
    recs = opened.records
    orgs = recs.get(ORG_SPEC.name, [])
    by_code = {}
    for i, o in enumerate(orgs, start=2):
        if not o["code"] or not o["name"] or not o["role"] or o["code"] in by_code:
            raise PackageRejected("bad_value", f"单位目录第{i}行不完整或单位代码重复，已拒绝。请向县政府办公室索取新的目录。")
        by_code[o["code"]] = o
    sender = by_code.get(m["sender"])
    local_sender = store.one("SELECT role FROM organisations WHERE code=?", (m["sender"],))
    if (local_sender or sender or {}).get("role") != COUNTY or (sender and sender["role"] != COUNTY):
        raise PackageRejected("not_county", "单位及密钥目录只能由县政府办公室发布，该数据包的发送单位不是县政府办公室，已拒绝。")
    me = by_code.get(actor.org_code)
    if me is None or me["role"] != actor.role:
        raise PackageRejected("not_listed", "县政府办公室的目录中没有本单位，或本单位的角色与本机设置不一致，已拒绝。"
                              "请向县政府办公室核实本单位的单位代码。")
    items, counts = [], {"单位": _zero(), "公钥": _zero(), "节假日": _zero()}
    for code, o in by_code.items():
        local = store.one("SELECT * FROM organisations WHERE code=?", (code,))
        if local is None:
            action = "new"
        elif code == actor.org_code or (local["name"], local["role"], local["short_name"]) == (
                o["name"], o["role"], o["short_name"]):
            action = "unchanged"
        else:
            action = "changed"
        counts["单位"][action] += 1
        items.append(("单位", code, o["name"], action, o))
    signer_listed = False
    for i, k in enumerate(recs.get(KEY_SPEC.name, []), start=2):
        try:
            v = verifier_from_raw(k["algorithm"] or "", base64.b64decode(k["public_key"] or "", validate=True))
        except (KeyFileError, ValueError):
            raise PackageRejected("bad_value", f"目录「公钥」第{i}行的公钥无效，已拒绝。请向县政府办公室索取新的目录。") from None
        if v.fingerprint != k["fingerprint"] or k["org_code"] not in by_code:
            raise PackageRejected("bad_value", f"目录「公钥」第{i}行的指纹或单位代码不符，已拒绝。请向县政府办公室索取新的目录。")
        if v.fingerprint == m["signer"] and k["org_code"] == m["sender"] and not k["revoked_on"]:
            signer_listed = True
        local = store.one("SELECT * FROM trusted_keys WHERE fingerprint=?", (v.fingerprint,))
        if local and local["org_code"] != k["org_code"]:
            raise PackageRejected("key_conflict", f"目录把公钥（{k['fingerprint'][:16]}…）登记给单位「{k['org_code']}」，"
                                  f"但本机登记在单位「{local['org_code']}」名下，已拒绝。请向县政府办公室核实。")
        if local is None:
            action = "new"
        elif k["revoked_on"] and not local["revoked_on"]:
            action = "changed"
        else:
            action = "unchanged"
        counts["公钥"][action] += 1
        items.append(("公钥", k["fingerprint"], k["org_code"], action, k))
    if opened.bootstrap_key is not None and not signer_listed:
        raise PackageRejected("signer_not_listed", "目录中没有列出签发它的县政府办公室密钥，已拒绝。请向县政府办公室索取新的目录。")
    days = recs.get(HOLIDAY_SPEC.name, [])
    local_days = {h["day"]: h for h in store.all("SELECT * FROM holidays")}
    for d in days:
        local = local_days.get(d["day"])
        same = local and str(local["is_workday"]) == d["is_workday"]
        action = "unchanged" if same else ("changed" if local else "new")
        counts["节假日"][action] += 1
        items.append(("节假日", d["day"], d["name"] or "", action, d))
    return {"items": items, "counts": counts, "statuses": [], "writes": items}


def _zero() -> dict:
    return {"new": 0, "changed": 0, "unchanged": 0, "conflict": 0}


def apply(store, actor, opened, planned: dict) -> None:
    """Write the directory (inside the importer's transaction), through its operation."""
    writes = []
    for sheet, _key, _label, action, rec in planned["items"]:
        if action == "unchanged":
            continue
        if sheet == "单位" and action == "new":
            rec = {**rec, "id": new_id()}
        elif sheet == "公钥" and action == "new":
            confirmed = opened.bootstrap_key is not None and rec["fingerprint"] == opened.manifest["signer"]
            rec = {**rec, "source": "confirmed" if confirmed else "directory"}
        writes.append((sheet, action, rec))
    exchange_writes.write_directory(store, actor, writes, today=dt.date.today().isoformat())


def check_may_publish(actor) -> None:
    from desktop_app.services.authorize import check_setting

    check_setting(actor, "directory")
