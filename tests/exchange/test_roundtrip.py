"""Round trips between separate installations: application up, review opinion and status down."""

import json

import pytest

from desktop_app.errors import Refused
from desktop_app.exchange import export, keyring, receipt, trust
from desktop_app.exchange.errors import ExportRefused, PackageRejected, WrongPassphrase
from desktop_app.exchange.package import AlreadyImported
from desktop_app.services import audit
from desktop_app.services import operations as ops
from tests.exchange.helpers import full_state
from tests.exchange.world import PASS, D, make_world, unit_application


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    yield w
    for s in (w.county, w.unit, w.finance):
        s.store.close()


def status(site, pid):
    return site.store.one("SELECT status FROM projects WHERE id=?", (pid,))["status"]


def test_application_up_review_down_funding_round(world):
    w = world
    p = unit_application(w)
    w.on(D(2026, 7, 2))
    _, rc = w.county.import_(w.unit.export("MYXZF"))
    assert rc["totals"]["new"] == 9 and status(w.county, p["id"]) == "submitted"
    county_project = w.county.store.get("project", p["id"])
    assert county_project["lead_org_id"] == w.county.store.one("SELECT id FROM organisations WHERE code='MYJYJ'")["id"]
    ops.transition(w.county.store, w.county.actor, p["id"], "start_review", today=D(2026, 9, 10))
    ops.transition(w.county.store, w.county.actor, p["id"], "record_review",
                   {"reviewed_on": "2026-09-15", "method": "central", "conclusion": "pass", "opinion": "同意建设"},
                   today=D(2026, 9, 15))
    w.on(D(2026, 9, 16))
    _, rc = w.unit.import_(w.county.export("MYJYJ"))
    assert status(w.unit, p["id"]) == "approved"
    [review] = w.unit.store.for_project("review", p["id"])
    assert review["opinion"] == "同意建设"
    assert review["owner_org"] == w.unit.store.one("SELECT id FROM organisations WHERE code='MYXZF'")["id"]
    # the county relays to finance, finance funds, the county relays the outcome to the unit
    w.finance.import_(w.county.export("MYCZJ"))
    ops.transition(w.finance.store, w.finance.actor, p["id"], "fund",
                   {"decided_on": "2026-10-20", "approved_fen": "100", "budget_year": "2027"}, today=D(2026, 10, 20))
    w.on(D(2026, 10, 20))
    w.county.import_(w.finance.export("MYXZF"))
    w.unit.import_(w.county.export("MYJYJ"))
    assert status(w.county, p["id"]) == status(w.unit, p["id"]) == "planned"
    # the unit can now start building: its own step travels up again
    ops.transition(w.unit.store, w.unit.actor, p["id"], "start_construction", today=D(2026, 10, 21))
    w.on(D(2026, 10, 21))
    w.county.import_(w.unit.export("MYXZF"))
    assert status(w.county, p["id"]) == "in_construction"
    for site in (w.county, w.unit, w.finance):
        assert audit.verify(site.store) == []


def test_import_writes_audit_backup_and_receipt(world, tmp_path):
    w = world
    unit_application(w)
    before = w.county.store.one("SELECT COUNT(*) AS n FROM audit_log")["n"]
    pv, rc = w.county.import_(w.unit.export("MYXZF"))
    after = w.county.store.one("SELECT COUNT(*) AS n FROM audit_log")["n"]
    assert after - before == rc["totals"]["new"] + rc["totals"]["changed"] + 1  # per record + per package
    assert rc["backup"] and (tmp_path / "county" / "backups").exists()
    row = w.county.store.one("SELECT * FROM packages WHERE direction='received'")
    assert row["state"] == "已导入" and json.loads(row["receipt"])["package_id"] == pv.manifest["package_id"]
    pdf = receipt.receipt_pdf(rc)
    assert pdf.startswith(b"%PDF")


def test_same_package_twice_says_already_imported(world):
    w = world
    unit_application(w)
    data = w.unit.export("MYXZF")
    w.county.import_(data)
    before = full_state(w.county.store)
    with pytest.raises(AlreadyImported, match="已导入"):
        w.county.import_(data)
    assert full_state(w.county.store) == before


def test_default_export_is_changes_since_last_package(world):
    w = world
    p = unit_application(w)
    w.unit.export("MYXZF", "first.zip")
    with pytest.raises(ExportRefused, match="没有新的或修改过的内容"):
        w.unit.export("MYXZF", "second.zip")
    ops.update_project(w.unit.store, w.unit.actor, p["id"], {"contact": "0539-0000000"})
    res = export.export_package(w.unit.store, w.unit.actor, PASS, "MYXZF", None)
    assert res.counts["项目"] == 1 and sum(res.counts.values()) == 1
    res = export.export_package(w.unit.store, w.unit.actor, PASS, "MYXZF", None, everything=True)
    assert res.counts["申报材料"] == 4


def test_changed_record_updates_and_owner_wins(world):
    w = world
    p = unit_application(w)
    w.county.import_(w.unit.export("MYXZF"))
    ops.update_project(w.unit.store, w.unit.actor, p["id"], {"contact": "0539-7654321"})
    pv, _ = w.county.import_(w.unit.export("MYXZF"))
    assert pv.counts["项目"]["changed"] == 1
    assert w.county.store.get("project", p["id"])["contact"] == "0539-7654321"
    # a county package relaying the unit's own project back never overwrites it (owner wins)
    res = export.collect(w.county.store, w.county.actor,
                         w.county.store.one("SELECT * FROM organisations WHERE code='MYJYJ'"), everything=True)
    assert res[3]["项目"] == 0


def test_stale_status_is_ignored_not_applied(world):
    w = world
    p = unit_application(w)
    w.county.import_(w.unit.export("MYXZF"))
    ops.transition(w.county.store, w.county.actor, p["id"], "start_review", today=D(2026, 9, 10))
    # the unit sends again (everything, incl. its 'submitted' status) before hearing from the county
    data = export.export_package(w.unit.store, w.unit.actor, PASS, "MYXZF", None, everything=True).data
    pv, _ = w.county.import_(data)
    assert status(w.county, p["id"]) == "under_review"
    assert [i.action for i in pv.items if i.sheet == "项目状态"] == ["conflict"]


def test_wrong_passphrase_is_clear(world):
    with pytest.raises(WrongPassphrase, match="口令不正确"):
        export.export_package(world.unit.store, world.unit.actor, "错误的口令123", "MYXZF", None)


def test_trust_add_needs_matching_fingerprint(world, tmp_path):
    w = world
    other = make_world(tmp_path / "other", with_finance=False)
    pub = keyring.export_public(other.unit.store, other.unit.actor)  # same org code, another key
    good = keyring.own_verifier(other.unit.store).fingerprint
    bad = ("0" * 32)
    with pytest.raises(Refused, match="指纹与公钥文件不一致"):
        trust.register_key(w.county.store, w.county.actor, pub, bad)
    with pytest.raises(Refused, match="只有县政府办公室"):
        trust.register_key(w.unit.store, w.unit.actor, pub, good)
    assert trust.register_key(w.county.store, w.county.actor, pub, good[:32])["org_code"] == "MYJYJ"


def test_directory_first_import_needs_confirmed_fingerprint(tmp_path):
    w = make_world(tmp_path, with_finance=False)
    from tests.exchange.world import _site

    newcomer = _site(tmp_path / "wjj", "unit", "MYWJJ", "蒙阴县卫生健康局", "WJ")
    trust.register_key(w.county.store, w.county.actor, keyring.export_public(newcomer.store, newcomer.actor),
                       keyring.own_verifier(newcomer.store).fingerprint)
    data = w.county.export("MYWJJ", "dir.zip", kind="directory")
    before = full_state(newcomer.store)
    with pytest.raises(PackageRejected) as exc:
        newcomer.import_(data)
    assert exc.value.reason_code == "unknown_signer"
    with pytest.raises(PackageRejected) as exc:
        newcomer.import_(data, confirm_fingerprint="1234" * 8)
    assert exc.value.reason_code == "fingerprint_mismatch"
    assert full_state(newcomer.store) == before
    pv, _ = newcomer.import_(data, confirm_fingerprint=keyring.key_info(w.county.store, w.county.actor)["fingerprint_short"])
    assert pv.counts["单位"]["new"] >= 3
    assert newcomer.store.one("SELECT source FROM trusted_keys WHERE org_code='MYXZF'")["source"] == "confirmed"


def test_rotation_and_revocation(world):
    w = world
    unit_application(w)
    data = w.unit.export("MYXZF")
    trust.revoke_key(w.county.store, w.county.actor, "MYJYJ")
    with pytest.raises(PackageRejected) as exc:
        w.county.import_(data)
    assert exc.value.reason_code == "revoked_signer"
    # the county rotates its own key; units confirm the new fingerprint on the next directory
    new = keyring.rotate_key(w.county.store, w.county.actor, PASS, PASS + "新")
    d = export.export_package(w.county.store, w.county.actor, PASS + "新", "MYJYJ", None, kind="directory").data
    with pytest.raises(PackageRejected):
        w.unit.import_(d)
    w.unit.import_(d, confirm_fingerprint=new.fingerprint)
    revoked = w.unit.store.all("SELECT * FROM trusted_keys WHERE org_code='MYXZF' AND revoked_on IS NOT NULL")
    assert len(revoked) == 1 and revoked[0]["fingerprint"] != new.fingerprint
    with pytest.raises(WrongPassphrase):
        keyring.load_signer(w.county.store, PASS)


def test_setup_keys_twice_refused(world):
    with pytest.raises(Refused, match="已有签名密钥"):
        keyring.setup_keys(world.unit.store, world.unit.actor, PASS)
