"""Every released version's databases and packages work with this one (tests/fixtures/v*/, made by
tests/fixtures/make_fixtures.sh with that version's own code): the database opens, is backed up, migrates
and its audit chain verifies; its packages import (dry run and for real), each into the other side's
database of the same version, which is how they would meet in a county that upgrades one PC at a time."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.exchange import importer
from desktop_app.models import snapshot
from desktop_app.models.migrations import LATEST
from desktop_app.models.store import Store
from desktop_app.services import accounts, audit
from tests.core.builders import TEST_PASSWORD

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RELEASES = sorted(p.name for p in FIXTURES.glob("v*") if (p / "fingerprints.json").exists())
# the packages were made on 2026-11-26 (UTC); read them the next morning
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
SIDES = {"county": ("unit-to-county.zip", "MYXZF"), "unit": ("county-to-unit.zip", "MYQXJ")}


def test_fixtures_of_the_first_release_are_present():
    assert "v0.1.0" in RELEASES
    info = json.loads((FIXTURES / "v0.1.0" / "fingerprints.json").read_text("utf-8"))
    assert info["commit"].startswith("862684b")


def _copy(release: str, side: str, tmp_path: Path) -> Path:
    target = tmp_path / f"{side}.db"
    shutil.copyfile(FIXTURES / release / f"{side}.db", target)
    return target


def _schema_of_file(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("side", ["county", "unit"])
def test_old_database_is_backed_up_migrated_and_verifies(release, side, tmp_path):
    db = _copy(release, side, tmp_path)
    old_schema = _schema_of_file(db)
    assert old_schema < LATEST
    store = Store.open(db)
    try:
        assert store.schema_version() == LATEST
        backups = list(snapshot.backups_folder(db).glob("*.db"))
        assert len(backups) == 1  # taken before the first migration ran, with the old schema in it
        assert _schema_of_file(backups[0]) == old_schema
        assert audit.verify(store) == []
        assert store.one("SELECT COUNT(*) AS n FROM projects")["n"] > 0
        # the administrator of that version had no password: first use sets one, then the person signs in
        actor = accounts.set_first_password(store, "admin", TEST_PASSWORD)
        assert actor.user_role == "admin"
    finally:
        store.close()
    store = Store.open(db)  # opening again migrates nothing and backs up nothing more
    assert len(list(snapshot.backups_folder(db).glob("*.db"))) == 1
    store.close()


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("side", ["county", "unit"])
def test_old_package_imports_into_the_current_version(release, side, tmp_path):
    db = _copy(release, side, tmp_path)
    package, own = SIDES[side]
    store = Store.open(db)
    try:
        actor = accounts.set_first_password(store, "admin", TEST_PASSWORD)
        assert actor.org_code == own
        pv, result = importer.import_package(store, actor, FIXTURES / release / package, now=NOW)
        assert result is not None
        assert any(f"govis {release[1:]}" in n for n in pv.opened.format_notes)  # the preview says which
        assert sum(c["new"] + c["changed"] for c in pv.counts.values()) >= 1
        assert audit.verify(store) == []
        info = json.loads((FIXTURES / release / "fingerprints.json").read_text("utf-8"))
        project = store.one("SELECT status FROM projects WHERE code=?", (info["project"],))
        if side == "unit":  # the county office's review opinion arrived, and with it the status
            assert project["status"] == "approved"
            assert store.one("SELECT COUNT(*) AS n FROM reviews")["n"] == 1
        else:  # the unit's second project arrived
            assert store.one("SELECT COUNT(*) AS n FROM projects WHERE code LIKE 'QX-%'")["n"] == 2
    finally:
        store.close()


def test_old_county_database_through_the_command_line(tmp_path, capsys):
    """What an office does after installing the new version: set the password, verify, import."""
    db = _copy("v0.1.0", "county", tmp_path)
    assert main(["--db", str(db), "users", "passwd"]) == 0
    assert main(["--db", str(db), "audit", "verify"]) == 0
    assert "逐条校验通过" in capsys.readouterr().out
    assert main(["--db", str(db), "import", str(FIXTURES / "v0.1.0" / "unit-to-county.zip"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "版本说明：该数据包由 govis 0.1.0（数据包格式第1版）生成" in out
    assert "未写入任何数据" in out
