"""Package formats across versions (exchange/formats.py): an older format read with its own sheets and
upgraded, with the preview saying what changed; a newer one refused naming the version to install;
the cover lists each sheet's format version; the description of the changes matches the registry."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from desktop_app.exchange import formats, importer, keyring
from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.package import build_package, open_package
from desktop_app.exchange.records import ATTACHMENT_SPEC, KIND_SPECS, STATUS_SPEC
from desktop_app.exchange.workbook import Cover
from tests.exchange.helpers import members, quick_state, resign
from tests.exchange.world import PASS, make_world

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
CREATED = "2026-11-24T08:00:00Z"
PID = "9a1c2b3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("formats"), with_finance=False)
    yield w
    for site in (w.county, w.unit):
        site.store.close()


def _package(w, sheets, fmt: int, program: str | None, sequence: int = 60) -> bytes:
    signer = keyring.load_signer(w.unit.store, PASS)
    data, _ = build_package(signer=signer, kind="records", sender="MYJYJ", recipient="MYXZF", sequence=sequence,
                            schema_version=fmt, cover=Cover("单位", "县政府办公室", "2026年11月24日"), sheets=sheets,
                            attachments={}, public_key_text=keyring.export_public(w.unit.store, w.unit.actor),
                            created_at=CREATED, program_version=program)
    return data


def _row(spec, **values) -> dict:
    row = {c.key: None for c in spec.columns}
    row.update({"project_id": PID, "owner_org": "MYJYJ", "rev": 1, "created_at": "2026-11-20T08:00:00+08:00",
                "updated_at": "2026-11-20T08:00:00+08:00"})
    row.update(values)
    return row


def _open(w, data):
    return open_package(w.county.store, "MYXZF", data, importer.SPECS, now=NOW)


def test_format_1_package_is_read_with_its_own_sheets_and_upgraded(world):
    old = {s.name: s for s in formats.record_specs(KIND_SPECS, [STATUS_SPEC, ATTACHMENT_SPEC], 1)}
    assert "上级项目同意申报与备案" in old and "县政府办公室同意申报意见" not in old
    assert "budget_year" not in {c.key for c in old["资金拨付"].columns}
    pay = _row(old["资金拨付"], id="1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d", paid_on="2025-03-18", amount_fen=500_000,
               purpose="construction")
    filing = _row(old["上级项目同意申报与备案"], id="2c3d4e5f-6071-4b8c-9d0e-1f2a3b4c5d6e", consent_on="2026-03-01",
                  applied_upward_on="2026-03-05")
    data = _package(world, [(old["资金拨付"], [pay]), (old["上级项目同意申报与备案"], [filing])], 1, None)
    opened = _open(world, data)
    recs = opened.records
    assert set(recs) == {"资金拨付", "上级项目申报与备案"}  # today's sheet names
    assert recs["资金拨付"][0]["budget_year"] == 2025  # the default: the year it was paid (as the migration did)
    assert "consent_on" not in recs["上级项目申报与备案"][0]
    assert recs["上级项目申报与备案"][0]["applied_upward_on"] == "2026-03-05"
    notes = "\n".join(opened.format_notes)
    assert "govis 0.1.0（数据包格式第1版）" in notes
    assert "缺少列「预算年度」" in notes
    assert "「县政府办公室同意申报日期」有 1 条填写了内容，未导入" in notes  # reported, never dropped silently
    assert "工作表「上级项目同意申报与备案」在本版本中名为「上级项目申报与备案」" in notes


def test_format_1_digest_is_checked_over_what_the_sender_wrote(world):
    old = {s.name: s for s in formats.record_specs(KIND_SPECS, [STATUS_SPEC, ATTACHMENT_SPEC], 1)}
    pay = _row(old["资金拨付"], id="3d4e5f60-7182-4c9d-8e0f-2a3b4c5d6e7f", paid_on="2025-03-18", amount_fen=1,
               purpose="construction")
    data = _package(world, [(old["资金拨付"], [pay])], 1, None, sequence=61)
    signer = keyring.load_signer(world.unit.store, PASS)
    # a trusted signer's manifest whose records digest is not that of the format-1 records in the workbook
    forged = resign(data, signer, records_digest="0" * 64)
    with pytest.raises(PackageRejected) as e:
        _open(world, forged)
    assert e.value.reason_code == "records_mismatch"


@pytest.mark.parametrize("program", ["0.3.0", None])
def test_newer_format_is_refused_naming_the_version(world, program):
    spec = KIND_SPECS["disbursement"]
    pay = _row(spec, id="4e5f6071-8293-4d0e-8f1a-3b4c5d6e7f80", paid_on="2025-03-18", amount_fen=1,
               purpose="construction", budget_year=2025)
    data = _package(world, [(spec, [pay])], formats.FORMAT + 1, program, sequence=62)
    before = quick_state(world.county.store)
    with pytest.raises(PackageRejected) as e:
        importer.preview(world.county.store, world.county.actor, data, now=NOW)
    assert e.value.reason_code == "newer_format"
    assert f"请安装 govis {program}" in e.value.message if program else "请安装更新版本的 govis" in e.value.message
    assert f"本程序是 govis {formats.PROGRAM_VERSION}" in e.value.message
    assert quick_state(world.county.store) == before


def test_newer_manifest_with_fields_unknown_here_still_names_the_version(world):
    """A newer program may add manifest fields: the version is judged before the fields are."""
    spec = KIND_SPECS["disbursement"]
    pay = _row(spec, id="5f607182-93a4-4e0f-9a2b-4c5d6e7f8091", paid_on="2025-03-18", amount_fen=1,
               purpose="construction", budget_year=2025)
    data = _package(world, [(spec, [pay])], formats.FORMAT, "0.2.0", sequence=63)
    signer = keyring.load_signer(world.unit.store, PASS)

    import json

    from desktop_app.exchange.manifest import MANIFEST_NAME, SIGNATURE_NAME, canonical_json

    files = members(data)
    manifest = json.loads(files[MANIFEST_NAME])
    manifest.update(schema_version=formats.FORMAT + 1, program_version="0.4.1", attachments_index={"a": "b"})
    body = canonical_json(manifest)
    files[MANIFEST_NAME], files[SIGNATURE_NAME] = body, signer.sign(b"govis package manifest v1\x00" + body)
    from tests.exchange.helpers import rezip

    with pytest.raises(PackageRejected) as e:
        _open(world, rezip(files))
    assert e.value.reason_code == "newer_format" and "govis 0.4.1" in e.value.message


def test_exported_cover_names_program_and_each_sheets_format(world):
    from tests.exchange.world import unit_application

    unit_application(world)
    data = world.unit.export("MYXZF", now=NOW)
    wb = openpyxl.load_workbook(io.BytesIO(members(data)["records.xlsx"]), read_only=True)
    cells = [[c for c in row] for row in wb["说明"].iter_rows(values_only=True)]
    wb.close()
    flat = [c for row in cells for c in row if c is not None]
    assert f"govis {formats.PROGRAM_VERSION}（数据包格式第{formats.FORMAT}版）" in flat
    header = next(row for row in cells if row[0] == "工作表")
    assert list(header[:4]) == ["工作表", "记录数", "格式版本", "该版新增的列"]
    project = next(row for row in cells if row[0] == "项目")
    assert project[2] == "第1版"
    import json

    assert json.loads(members(data)["manifest.json"])["program_version"] == formats.PROGRAM_VERSION


def test_description_of_changes_matches_the_registry():
    for a in formats.ADDED:
        col = next(c for c in KIND_SPECS[a.kind].columns if c.key == a.column.key)
        assert col.headers == a.column.headers and col.type == a.column.type and col.choices == a.column.choices
        assert formats.column_version(a.kind, a.column.key) == a.since <= formats.FORMAT
    for r in formats.RETIRED:
        assert r.column.key not in {c.key for c in KIND_SPECS[r.kind].columns}
    for kind, names in formats.RENAMED_SHEETS.items():
        assert KIND_SPECS[kind].name not in names.values()
    assert formats.WRITTEN_BY[formats.FORMAT] == formats.PROGRAM_VERSION.rsplit(".", 1)[0] + ".0"
    from desktop_app.exchange.records import RECORDS_SCHEMA

    assert RECORDS_SCHEMA == formats.FORMAT
