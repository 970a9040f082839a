"""One test per attack; each asserts the receiving database is exactly unchanged."""

import io
import json
import zipfile

import openpyxl
import pytest

from desktop_app.exchange import export, keyring, trust
from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.keys import generate_key_pair
from desktop_app.exchange.manifest import MANIFEST_NAME
from desktop_app.exchange.package import WORKBOOK_NAME, AlreadyImported, build_package
from desktop_app.exchange.records import KIND_SPECS, RECORDS_SCHEMA, STATUS_SPEC
from desktop_app.exchange.workbook import Cover
from desktop_app.services import operations as ops
from tests.exchange.helpers import full_state, members, resign, rezip
from tests.exchange.world import PASS, make_world, unit_application


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("attacks"))
    w.project = unit_application(w)
    w.package = export.export_package(w.unit.store, w.unit.actor, PASS, "MYXZF", None).data
    w.signer = keyring.load_signer(w.unit.store, PASS)
    yield w


def refused(site, data, code=None, **kw):
    before = full_state(site.store)
    with pytest.raises(PackageRejected) as exc:
        site.import_(data, **kw)
    assert full_state(site.store) == before, "a refused import changed the database"
    assert exc.value.message
    if code:
        assert exc.value.reason_code == code, exc.value
    return exc.value


def _edit_workbook(data: bytes, edit) -> bytes:
    files = members(data)
    wb = openpyxl.load_workbook(io.BytesIO(files[WORKBOOK_NAME]))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    files[WORKBOOK_NAME] = out.getvalue()
    return files


def test_honest_package_passes_dry_run(world):
    before = full_state(world.county.store)
    pv, rc = world.county.import_(world.package, dry_run=True)
    assert rc is None and pv.totals()["new"] == 9
    assert full_state(world.county.store) == before


def test_flipped_byte_in_workbook(world):
    files = members(world.package)
    wb = bytearray(files[WORKBOOK_NAME])
    wb[len(wb) // 2] ^= 0x01
    files[WORKBOOK_NAME] = bytes(wb)
    refused(world.county, rezip(files), "file_mismatch")  # re-zipped: valid CRC, wrong hash
    raw = bytearray(world.package)
    start = raw.find(b"PK\x03\x04", raw.find(WORKBOOK_NAME.encode()) - 40)
    raw[start + 200] ^= 0x01  # in place: the ZIP's own CRC or the manifest's hash catches it
    refused(world.county, bytes(raw))


def test_cell_changed_and_saved_with_openpyxl(world):
    def edit(wb):
        ws = wb["申报材料"]
        ws["K2"] = "篡改后的材料名称"

    refused(world.county, rezip(_edit_workbook(world.package, edit)), "file_mismatch")


def test_manifest_edited(world):
    files = members(world.package)
    m = json.loads(files[MANIFEST_NAME])
    m["sequence"] = 99
    files[MANIFEST_NAME] = json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    refused(world.county, rezip(files), "bad_signature")


def test_signature_by_unknown_key(world):
    refused(world.county, resign(world.package, generate_key_pair()), "unknown_signer")


def test_revoked_key(tmp_path):
    w = make_world(tmp_path, with_finance=False)
    unit_application(w)
    data = w.unit.export("MYXZF")
    trust.revoke_key(w.county.store, w.county.actor, "MYJYJ")
    refused(w.county, data, "revoked_signer")


def test_wrong_recipient(world):
    to_finance = export.export_package(world.county.store, world.county.actor, PASS, "MYCZJ", None,
                                       kind="directory").data
    refused(world.unit, to_finance, "wrong_recipient")


def test_replayed_and_older_sequence(tmp_path):
    w = make_world(tmp_path, with_finance=False)
    p = unit_application(w)
    first = w.unit.export("MYXZF", "1.zip")
    ops.update_project(w.unit.store, w.unit.actor, p["id"], {"contact": "0539-1111111"})
    second = w.unit.export("MYXZF", "2.zip")
    w.county.import_(second)
    w.county.import_(first)                            # older but never imported: a late package, taken once
    for again in (first, second):                      # the same package again
        e = refused(w.county, again)
        assert isinstance(e, AlreadyImported) and "已导入" in e.message
    signer = keyring.load_signer(w.unit.store, PASS)
    for n, old in enumerate((second, first)):          # same sequence, new id
        replay = resign(old, signer, package_id=f"0b7a51f2-3c1d-4a8e-9f00-1234567890a{n}")
        refused(w.county, replay, "replayed_sequence")


def test_truncated_zip(world):
    refused(world.county, world.package[: len(world.package) // 2], "truncated")


def test_zip_bomb(world):
    files = members(world.package)
    files["attachments/bomb.bin"] = b"\0" * (20 * 1024 * 1024)
    refused(world.county, rezip(files), "ratio_too_high")


def test_xml_entity_bomb_inside_workbook(world):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
            b'&lol;&lol;&lol;&lol;&lol;">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<si><t>&lol2;</t></si></sst>')

    def change(files):
        wb = members(files[WORKBOOK_NAME])
        target = next(n for n in wb if n.startswith("xl/worksheets/"))
        wb[target] = bomb
        files[WORKBOOK_NAME] = rezip(wb)

    refused(world.county, resign(world.package, world.signer, change), "xml_entities")


def test_formula_cells(world):
    def change(files):
        edited = _edit_workbook(world.package, lambda wb: wb["申报材料"].cell(
            row=2, column=9, value='=HYPERLINK("http://evil","点我")'))
        files[WORKBOOK_NAME] = edited[WORKBOOK_NAME]

    refused(world.county, resign(world.package, world.signer, change), "formula_cell")


def test_ten_megabyte_string(world):
    # openpyxl itself truncates at 32,767 characters, so the string goes straight into the sheet XML;
    # both ZIP levels are stored (not deflated) so the string check, not the bomb check, answers.
    def change(files):
        wb = members(files[WORKBOOK_NAME])
        name = next(n for n, b in wb.items() if "项目申请报告".encode() in b)
        wb[name] = wb[name].replace("<t>项目申请报告</t>".encode(), ("<t>" + "长" * 10_000_000 + "</t>").encode(), 1)
        files[WORKBOOK_NAME] = rezip(wb, zipfile.ZIP_STORED)

    refused(world.county, resign(world.package, world.signer, change, zipfile.ZIP_STORED), "string_too_long")


def test_path_traversal_in_zip(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members(world.package).items():
            zf.writestr(name, data)
        zf.writestr("../../x", b"owned")
    refused(world.county, buf.getvalue(), "bad_name")


def _unit_package(w, sheets):
    signer = keyring.load_signer(w.unit.store, PASS)
    data, _ = build_package(signer=signer, kind="records", sender="MYJYJ", recipient="MYXZF", sequence=50,
                            schema_version=RECORDS_SCHEMA, cover=Cover("单位", "县政府办公室", "2026年11月24日"),
                            sheets=sheets, attachments={}, public_key_text=keyring.export_public(w.unit.store, w.unit.actor))
    return data


@pytest.mark.parametrize("owner", ["MYJYJ", "MYXZF"])
def test_unit_package_setting_its_own_review_opinion(world, owner):
    review = {"id": "5f0c8a34-9d3e-4b6a-8c2f-0a1b2c3d4e5f", "project_id": world.project["id"], "project_code": None,
              "owner_org": owner, "rev": 1, "created_at": "2026-11-24T08:00:00+08:00",
              "updated_at": "2026-11-24T08:00:00+08:00", "round": 1, "reviewed_on": "2026-09-15",
              "method": "central", "conclusion": "pass", "opinion": "自己批准自己", "opinion_no": None,
              "approved_investment_fen": None}
    e = refused(world.county, _unit_package(world, [(KIND_SPECS["review"], [review])]), "not_owner")
    assert "无权" in e.message or "不能由" in e.message


def test_unit_package_setting_county_status(world):
    row = {"project_id": world.project["id"], "project_code": None, "status": "approved", "status_since": "2026-09-15"}
    refused(world.county, _unit_package(world, [(STATUS_SPEC, [row])]), "not_owner")
