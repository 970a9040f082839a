"""A damaged file is caught before any write, the newest good backup is named, the weekly full check is
remembered only when it passed; a read-only database refuses every write in Chinese."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from desktop_app.errors import StoreError
from desktop_app.models.store import Store
from desktop_app.services import backups, integrity, queries
from desktop_app.services import operations as ops
from tests.core import damage


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """(path, good backup): a 300-project database with a backup, then 12 bytes overwritten."""
    folder = tmp_path_factory.mktemp("damaged")
    path = folder / "county.db"
    damage.build(path)
    store = Store.open(path)
    good = backups.make_backup(store, "daily", now=dt.datetime(2026, 11, 25, 8, 0)).path
    store.close()
    damage.overwrite_middle_of_index_page(path)
    assert damage.quick_check(path) != ["ok"]  # the damage is real
    return path, good


def test_damage_is_detected_and_writes_refused(damaged):
    path, good = damaged
    with pytest.raises(StoreError) as exc:
        integrity.open_checked(path, writes=True, today=dt.date(2026, 11, 26))
    msg = exc.value.message
    assert "数据库文件已损坏" in msg and "不会再向它写入任何数据" in msg
    assert str(good) in msg and "govis restore" in msg
    store = integrity.open_checked(path, writes=False)  # reading goes on, with every write refused
    try:
        assert store.writes_refused and len(queries.ledger(store)) == 300
        with pytest.raises(StoreError, match="已损坏"):
            ops.add_organisation(store, ops.installation_actor(store), "MYX", "某单位", "unit")
    finally:
        store.close()


def test_full_check_weekly_and_remembered_only_when_passed(county):
    day = dt.date(2026, 11, 26)
    r = integrity.check(county.store, day)
    assert r.ok and r.full and county.store.get_setting(integrity.LAST_FULL) == day.isoformat()
    assert not integrity.check(county.store, day + dt.timedelta(days=6)).full
    assert integrity.check(county.store, day + dt.timedelta(days=7)).full
    # a failed full check is not remembered
    county.store.set_setting(integrity.LAST_FULL, "2020-01-01")
    original = integrity.run
    try:
        integrity.run = lambda store, full=False: integrity.Result(False, full, ["page 5 is damaged"])
        assert not integrity.check(county.store, day).ok
    finally:
        integrity.run = original
    assert county.store.get_setting(integrity.LAST_FULL) == "2020-01-01"
    assert "已损坏" in county.store.writes_refused


def test_no_good_backup_says_so(tmp_path):
    assert "没有找到完好的备份" in integrity.damaged_message(tmp_path / "x.db", ["bad"])


def _assert_read_only(path):
    store = Store.open(path, read_only=os.geteuid() == 0)  # root ignores chmod: say read-only ourselves
    try:
        assert store.read_only and len(queries.ledger(store)) == 0
        actor = ops.installation_actor(store)
        with pytest.raises(StoreError) as exc:
            ops.add_organisation(store, actor, "MYX", "某单位", "unit")
        assert "只读" in exc.value.message and "unable to open" not in exc.value.message
        if os.geteuid() != 0:  # a command that writes is refused at the door
            with pytest.raises(StoreError, match="只读"):
                integrity.open_checked(path, writes=True)
    finally:
        store.close()


def test_read_only_folder_opens_read_only(county, tmp_path):
    """chmod the folder (as root chmod does not bind: then the read-only flag stands in for it)."""
    path = county.store.path
    county.store.close()
    folder = tmp_path
    os.chmod(folder, 0o555)
    try:
        if os.geteuid() != 0:
            assert Store.open(path).read_only
        _assert_read_only(path)
    finally:
        os.chmod(folder, 0o755)
    county.store = Store.open(path)


def test_read_only_file(county):
    path = county.store.path
    county.store.close()
    os.chmod(path, 0o444)
    try:
        _assert_read_only(path)
    finally:
        os.chmod(path, 0o644)
    county.store = Store.open(path)
