"""Package sequence numbers (late packages imported once, replays and implausible jumps refused), creation
times (not in the future, not before the key was registered), and hidden sheets in the workbook.

Packages with a chosen sequence or creation time are the unit's honest package re-signed with the unit's
real key (`resign`), so every refusal comes from the rule under test, not from a broken signature or hash.
Every refusal leaves the receiving database exactly as it was.
"""

import datetime as dt
import re
import uuid

import openpyxl
import pytest

from desktop_app.exchange import importer, keyring, sequence
from desktop_app.exchange.errors import AlreadyImported, PackageRejected
from desktop_app.exchange.manifest import DOMAIN, MANIFEST_NAME, SIGNATURE_NAME, canonical_json
from desktop_app.exchange.package import WORKBOOK_NAME, open_package
from desktop_app.services import operations as ops
from tests.exchange.helpers import full_state, members, resign, rezip
from tests.exchange.world import PASS, _site, make_world, unit_application

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # the receiver's clock in the creation-time tests


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path, with_finance=False)
    w.project = unit_application(w)
    w.package = w.unit.export("MYXZF", "honest.zip")  # the unit's sequence 1
    w.signer = keyring.load_signer(w.unit.store, PASS)
    yield w
    for s in (w.county, w.unit):
        s.store.close()


def variant(w, **changes) -> bytes:
    """The honest package under a new package id with manifest changes (sequence, created_at), re-signed."""
    return resign(w.package, w.signer, package_id=str(uuid.uuid4()), **changes)


def refused(site, data, code, **kw) -> PackageRejected:
    before = full_state(site.store)
    with pytest.raises(PackageRejected) as exc:
        site.import_(data, **kw)
    assert full_state(site.store) == before, "a refused import changed the database"
    assert exc.value.reason_code == code, exc.value
    assert re.search(r"[\u4e00-\u9fff]", exc.value.message)
    if code != "already_imported":  # "already imported, nothing changed" needs no action
        assert "请" in exc.value.message  # says what to do
    return exc.value


def high(site, sender="MYJYJ") -> int:
    return sequence.highest_received(site.store, sender, site.actor.org_code)


# ---------------------------------------------------------------------------- sequence


def test_late_package_is_imported_once_then_refused(world):
    w = world
    ops.update_project(w.unit.store, w.unit.actor, w.project["id"], {"contact": "0539-2222222"})
    second = w.unit.export("MYXZF", "2.zip")
    ops.update_project(w.unit.store, w.unit.actor, w.project["id"], {"contact": "0539-3333333"})
    third = w.unit.export("MYXZF", "3.zip")
    w.county.import_(w.package)
    w.county.import_(third)                                  # #2 is still in someone's drawer
    assert high(w.county) == 3
    _, rc = w.county.import_(second)                         # ... and turns up late: imported once
    assert rc["sequence"] == 2 and rc["totals"]["conflict"] == 1  # its project is older: the newer one is kept
    assert w.county.store.get("project", w.project["id"])["contact"] == "0539-3333333"
    assert high(w.county) == 3                               # the mark stays at the highest
    e = refused(w.county, second, "already_imported")
    assert isinstance(e, AlreadyImported)
    refused(w.county, resign(second, w.signer, package_id=str(uuid.uuid4())), "replayed_sequence")


def test_same_sequence_with_a_new_package_id_is_refused(world):
    w = world
    w.county.import_(w.package)
    e = refused(w.county, variant(w), "replayed_sequence")   # sequence 1 again, new id, validly signed
    assert "第1号" in e.message


def test_at_most_1000_ahead_of_the_last_one_seen_or_of_zero(world):
    w = world
    e = refused(w.county, variant(w, sequence=1001), "sequence_too_far_ahead")  # nothing seen yet: 0 + 1000
    assert "1000" in e.message
    w.county.import_(variant(w, sequence=1000))
    assert high(w.county) == 1000
    refused(w.county, variant(w, sequence=2001), "sequence_too_far_ahead")
    w.county.import_(variant(w, sequence=2000))
    assert high(w.county) == 2000


def test_a_signed_huge_sequence_does_not_brick_the_channel(world):
    w = world
    refused(w.county, variant(w, sequence=2**53 - 1), "sequence_too_far_ahead")
    assert high(w.county) == 0
    w.county.import_(w.package)                              # the honest #1 still imports
    assert high(w.county) == 1


def test_window_of_older_sequences(world):
    w = world
    assert sequence.WINDOW == 100
    w.county.import_(variant(w, sequence=150))
    e = refused(w.county, variant(w, sequence=150 - sequence.WINDOW), "sequence_too_old")
    assert "第50号" in e.message and "第150号" in e.message
    w.county.import_(variant(w, sequence=150 - sequence.WINDOW + 1))  # 51: late, but within the window
    assert high(w.county) == 150
    refused(w.county, variant(w, sequence=51), "replayed_sequence")


def test_apply_rechecks_the_sequence_inside_the_transaction(world):
    # two previews of packages with the same sequence, or one whose sequence left the window meanwhile:
    # whichever is applied second is refused, and leaves nothing behind
    w = world
    a, b = variant(w, sequence=5), variant(w, sequence=5)
    pv_a = importer.preview(w.county.store, w.county.actor, a)
    pv_b = importer.preview(w.county.store, w.county.actor, b)
    pv_old = importer.preview(w.county.store, w.county.actor, variant(w, sequence=2))
    importer.apply(w.county.store, w.county.actor, pv_a, backup=False)
    before = full_state(w.county.store)
    with pytest.raises(PackageRejected) as exc:
        importer.apply(w.county.store, w.county.actor, pv_b, backup=False)
    assert exc.value.reason_code == "replayed_sequence" and full_state(w.county.store) == before
    w.county.import_(variant(w, sequence=105))
    before = full_state(w.county.store)
    with pytest.raises(PackageRejected) as exc:
        importer.apply(w.county.store, w.county.actor, pv_old, backup=False)
    assert exc.value.reason_code == "sequence_too_old" and full_state(w.county.store) == before


def test_export_after_a_lost_package_still_works(world):
    w = world
    # the honest #1 is lost on the way; the unit sends everything again as #2
    ops.update_project(w.unit.store, w.unit.actor, w.project["id"], {"contact": "0539-4444444"})
    resend = w.unit.export("MYXZF", "2.zip", everything=True)
    _, rc = w.county.import_(resend)
    assert rc["sequence"] == 2 and rc["totals"]["new"] == 9
    # the next ordinary export (only what changed) follows on from it
    ops.update_project(w.unit.store, w.unit.actor, w.project["id"], {"contact": "0539-5555555"})
    _, rc = w.county.import_(w.unit.export("MYXZF", "3.zip"))
    assert rc["sequence"] == 3 and rc["totals"]["changed"] == 1
    # the county's own numbering towards the unit is independent of what it received
    ops.transition(w.county.store, w.county.actor, w.project["id"], "start_review", today=dt.date(2026, 9, 10))
    _, rc = w.unit.import_(w.county.export("MYJYJ"))
    assert rc["sequence"] == 2  # the county's #1 to the unit was the directory
    # the lost #1 is found after all: imported once, changing nothing newer
    _, rc = w.county.import_(w.package)
    assert rc["sequence"] == 1 and rc["totals"]["new"] == 0
    assert w.county.store.get("project", w.project["id"])["contact"] == "0539-5555555"
    refused(w.county, w.package, "already_imported")
    assert high(w.county) == 3


# ---------------------------------------------------------------------------- creation time


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _open(site, data, now=NOW):
    before = full_state(site.store)
    try:
        return open_package(site.store, site.actor.org_code, data, importer.SPECS, now=now)
    finally:
        assert full_state(site.store) == before  # opening never writes, accepted or not


def test_created_at_at_most_a_day_in_the_future(world):
    w = world
    w.county.store.conn.execute("UPDATE trusted_keys SET registered_on='2026-11-01' WHERE org_code='MYJYJ'")
    for ahead in (dt.timedelta(hours=23), dt.timedelta(days=1)):
        assert _open(w.county, variant(w, created_at=_stamp(NOW + ahead))).manifest["sequence"] == 1
    for ahead in (dt.timedelta(hours=25), dt.timedelta(days=1, seconds=1)):
        with pytest.raises(PackageRejected) as exc:
            _open(w.county, variant(w, created_at=_stamp(NOW + ahead)))
        assert exc.value.reason_code == "created_in_future"
        assert "晚一天以上" in exc.value.message and "2026-11-24T08:30:00Z" in exc.value.message
    # the same package is fine once the receiver's clock has caught up
    late = variant(w, created_at=_stamp(NOW + dt.timedelta(hours=25)))
    assert _open(w.county, late, now=NOW + dt.timedelta(hours=2)).manifest["sequence"] == 1


def test_now_must_be_timezone_aware(world):
    with pytest.raises(ValueError):
        _open(world.county, world.package, now=dt.datetime(2026, 11, 24, 8, 30))


def test_created_before_the_key_was_registered_is_refused(world):
    # (the package's own events are dated up to 2026-07-01: it cannot be made before them)
    # the key was registered on 2026-07-21 (a calendar date), created_at is UTC: refused only if it is
    # before that date in every time zone, i.e. still 2026-07-20 at UTC+14
    w = world
    w.county.store.conn.execute("UPDATE trusted_keys SET registered_on='2026-07-21' WHERE org_code='MYJYJ'")
    e = refused(w.county, variant(w, created_at="2026-07-20T09:59:59Z"), "created_before_key")
    assert "2026-07-21" in e.message and "2026-07-20T09:59:59Z" in e.message
    refused(w.county, variant(w, created_at="2020-01-01T00:00:00Z", sequence=2), "created_before_key")
    w.county.import_(variant(w, created_at="2026-07-20T10:00:00Z", sequence=2))
    w.county.import_(variant(w, created_at="2026-07-21T00:00:00Z", sequence=3))
    assert high(w.county) == 3


def test_bootstrap_county_key_has_no_registration_date_yet(world, tmp_path):
    # a new unit's first directory import: the county key is confirmed by fingerprint, not registered yet,
    # so there is nothing to compare with; once registered, the same rule as for every key applies
    w = world
    newcomer = _site(tmp_path / "newcomer", "unit", "MYWJJ", "蒙阴县卫生健康局", "WJ")
    county_signer = keyring.load_signer(w.county.store, PASS)
    county_fp = keyring.own_verifier(w.county.store).fingerprint
    directory = w.county.export("MYWJJ", "dir.zip", kind="directory")
    old_dir = resign(directory, county_signer, package_id=str(uuid.uuid4()), created_at="2020-01-01T00:00:00Z")
    newcomer.import_(old_dir, confirm_fingerprint=county_fp)
    registered = newcomer.store.one("SELECT registered_on FROM trusted_keys WHERE fingerprint=?", (county_fp,))
    assert registered["registered_on"] > "2020-01-01"
    again = resign(directory, county_signer, package_id=str(uuid.uuid4()), created_at="2020-01-01T00:00:00Z",
                   sequence=2)
    refused(newcomer, again, "created_before_key")
    newcomer.store.close()


@pytest.mark.parametrize("text", ["2026-02-30T00:00:00Z", "2026-11-24 08:30:00Z", "2026-11-24T08:30:00+08:00",
                                  "2026-11-24T24:00:00Z", "2026-11-24T23:59:60Z", "", "２０２６-11-24T08:30:00Z",
                                  None, 20261124])
def test_malformed_created_at_is_refused_not_a_crash(text):
    with pytest.raises(PackageRejected) as exc:
        sequence.parse_created_at(text)
    assert exc.value.reason_code == "bad_created_at" and "生成时间无效" in exc.value.message


@pytest.mark.parametrize("text", ["2026-02-30T08:30:00Z", "２０２６-11-24T08:30:00Z", "2026-11-24T08:30Z"])
def test_malformed_created_at_in_a_validly_signed_manifest(world, text):
    # sign_manifest will not sign it, a dishonest sender signs the bytes by hand
    import json

    w = world
    files = members(w.package)
    m = json.loads(files[MANIFEST_NAME])
    m.update(package_id=str(uuid.uuid4()), created_at=text)
    files[MANIFEST_NAME] = canonical_json(m)
    files[SIGNATURE_NAME] = w.signer.sign(DOMAIN + files[MANIFEST_NAME])
    e = refused(w.county, rezip(files), "malformed_manifest")
    assert "创建时间" in e.message


# ---------------------------------------------------------------------------- hidden sheets


def _workbook_xml_edit(w, edit) -> bytes:
    """The honest package with xl/workbook.xml inside records.xlsx edited, re-signed with the real key."""
    def change(files):
        inner = members(files[WORKBOOK_NAME])
        xml = inner["xl/workbook.xml"].decode("utf-8")
        edited = edit(xml)
        assert edited != xml
        inner["xl/workbook.xml"] = edited.encode("utf-8")
        files[WORKBOOK_NAME] = rezip(inner)

    return resign(w.package, w.signer, change, package_id=str(uuid.uuid4()))


def _sheet_state(name: str, state: str):
    return lambda xml: re.sub(rf'(<sheet name="{name}" sheetId="\d+") state="visible"', rf'\1 state="{state}"', xml)


@pytest.mark.parametrize("sheet", ["项目", "说明"])
@pytest.mark.parametrize("state, label", [("hidden", "隐藏"), ("veryHidden", "深度隐藏")])
def test_hidden_sheet_is_refused(world, sheet, state, label):
    e = refused(world.county, _workbook_xml_edit(world, _sheet_state(sheet, state)), "hidden_sheet")
    assert f"「{sheet}」" in e.message and label in e.message


def test_hidden_workbook_window_is_refused(world):
    hide = lambda xml: xml.replace('<workbookView visibility="visible"', '<workbookView visibility="hidden"')
    refused(world.county, _workbook_xml_edit(world, hide), "hidden_sheet")


def test_same_edit_with_visible_sheets_is_accepted(world):
    # the surgery itself is harmless: every sheet's state left out (visible by default), re-signed, imports
    w = world
    _, rc = w.county.import_(_workbook_xml_edit(w, lambda xml: xml.replace(' state="visible"', "")))
    assert rc["totals"]["new"] == 9


def test_exported_sheets_are_all_visible(world):
    import io

    wb = openpyxl.load_workbook(io.BytesIO(members(world.package)[WORKBOOK_NAME]), read_only=True)
    assert wb.sheetnames[0] == "说明"
    assert {ws.sheet_state for ws in wb.worksheets} == {"visible"}
    assert all(v.visibility == "visible" for v in wb.views)
    wb.close()
