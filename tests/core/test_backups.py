"""Backups: retention with fixed dates, round trip through restore, notes read without changing a backup,
a full disk or failing medium leaving no partial file, the second folder, the backup before a migration."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.errors import StoreError
from desktop_app.models import snapshot
from desktop_app.models import store as store_mod
from desktop_app.models.store import Store
from desktop_app.services import audit, backups
from desktop_app.services import operations as ops
from tests.core.builders import new_project

T = dt.datetime
TODAY = dt.date(2026, 11, 26)


# ---- retention ---------------------------------------------------------------------------------------

def test_keep_newest_per_day_for_30_days_and_per_month_for_12_months():
    items = [
        ("today-a", T(2026, 11, 26, 9, 0), True), ("today-b", T(2026, 11, 26, 15, 0), True),  # both kept
        ("d29-early", T(2026, 10, 28, 8, 0), True), ("d29-late", T(2026, 10, 28, 17, 0), True),  # 29 days back
        ("d30", T(2026, 10, 27, 12, 0), True),  # 30 days back: outside the daily window, newest of... no
        ("oct-first", T(2026, 10, 1, 12, 0), True),
        ("m11-back", T(2025, 12, 15, 12, 0), True),  # 11 months back: newest of its month, kept
        ("m12-back", T(2025, 11, 20, 12, 0), True),  # 12 months back: outside, deleted
        ("damaged-old", T(2026, 11, 20, 12, 0), False),  # damaged, not today: deleted
        ("future", T(2027, 1, 1, 0, 0), True),  # clock set wrong: never deleted
    ]
    kept = backups.keep(items, TODAY)
    assert {"today-a", "today-b", "d29-late", "m11-back", "future"} <= kept
    assert "d29-early" not in kept  # not the newest of its day
    assert "d30" not in kept and "oct-first" not in kept  # October's newest is d29-late
    assert "m12-back" not in kept and "damaged-old" not in kept


def test_keep_never_deletes_the_only_good_backup():
    items = [("ancient", T(2020, 1, 1), True), ("bad-recent", T(2026, 11, 20), False)]
    assert backups.keep(items, TODAY) == {"ancient"}


def test_prune_deletes_backup_and_note_and_leaves_other_files(county, tmp_path):
    folder = backups.folder_of(county.store.path)
    old = backups.make_backup(county.store, "daily", now=T(2025, 1, 5, 9, 0), prune=False).path
    new = backups.make_backup(county.store, "manual", now=T(2026, 11, 26, 9, 0)).path  # prunes
    (folder / "我的笔记.txt").write_text("x", encoding="utf-8")
    backups.prune_folder(folder, TODAY)
    assert new.exists() and not old.exists() and not snapshot.note_path(old).exists()
    assert (folder / "我的笔记.txt").exists()


# ---- making and listing ------------------------------------------------------------------------------

def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_backup_is_named_noted_and_read_without_change(county):
    new_project(county)
    made = backups.make_backup(county.store, "import", now=T(2026, 11, 26, 9, 30))
    assert made.path.name == "govis-20261126-0930-导入前.db"
    entries = county.store.one("SELECT COUNT(*) AS n FROM audit_log")["n"]
    assert made.note["counts"] == {"projects": 1, "records": 0, "audit": entries} and made.note["quick_check"] == "ok"
    assert not list(made.path.parent.glob(".*part")) and not Path(f"{made.path}-wal").exists()
    before = _sha(made.path)
    snapshot.note_path(made.path).unlink()  # without its note the list reads the file itself (read-only)
    [b] = backups.list_backups(made.path.parent)
    assert (b.reason, b.counts["projects"], b.ok) == ("import", 1, True)
    assert backups.list_backups(made.path.parent, check=True)[0].ok
    assert _sha(made.path) == before and sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]
    again = backups.make_backup(county.store, "import", now=T(2026, 11, 26, 9, 30))
    assert again.path.name == "govis-20261126-0930-导入前-2.db"


def test_second_folder_missing_is_said_and_first_copy_made(county, tmp_path):
    backups.set_second_folder(county.store, str(tmp_path / "U盘"))
    made = backups.make_backup(county.store, "manual")
    assert made.path.exists() and made.second is None and "不存在或未连接" in made.warning
    (tmp_path / "U盘").mkdir()
    made = backups.make_backup(county.store, "manual")
    assert made.second is not None and made.second.exists() and made.warning is None
    with pytest.raises(StoreError, match="完整的文件夹路径"):
        backups.set_second_folder(county.store, "relative/folder")


def test_full_disk_leaves_no_partial_file(county, tmp_path, monkeypatch):
    """The flush to the medium fails with ENOSPC (as the OS reports a full disk)."""
    import errno
    import os

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(snapshot.os, "fsync", full)
    with pytest.raises(StoreError) as exc:
        backups.make_backup(county.store, "manual")
    assert "磁盘空间已满" in exc.value.message and "没有留下不完整的备份文件" in exc.value.message
    assert list(backups.folder_of(county.store.path).iterdir()) == []


def test_medium_too_small_for_the_backup_real_os_limit(county, tmp_path):
    """A real OS limit on file size (RLIMIT_FSIZE) in a child process: SQLite's own writes fail mid-copy."""
    new_project(county)
    county.store.close()
    out = tmp_path / "小U盘"
    script = textwrap.dedent(f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
        from desktop_app.models.store import Store
        from desktop_app.services import backups
        from desktop_app.errors import GovisError
        store = Store.open({str(county.store.path)!r}, create=False)
        try:
            backups.make_backup(store, "manual", out={str(out / 'b.db')!r})
        except GovisError as exc:
            print(exc.message)
    """)
    r = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=60,
                       cwd=Path(__file__).resolve().parents[2])
    assert "备份没有完成" in r.stdout and "没有留下不完整的备份文件" in r.stdout, r.stdout + r.stderr
    assert list(out.iterdir()) == []


def test_out_never_overwrites(county, tmp_path):
    target = tmp_path / "b.db"
    target.write_text("mine")
    with pytest.raises(StoreError, match="已存在"):
        backups.make_backup(county.store, "manual", out=target)
    assert target.read_text() == "mine"


# ---- restore -----------------------------------------------------------------------------------------

def _dump(store: Store) -> dict:
    return {t: store.all(f"SELECT * FROM {t} ORDER BY rowid") for t in ("projects", "audit_log", "organisations")}


def test_round_trip_restores_data_and_the_audit_chain_verifies(county):
    new_project(county, name="备份前的项目")
    made = backups.make_backup(county.store, "manual")
    expected = _dump(county.store)
    new_project(county, name="备份后的项目")
    done = backups.restore(county.store.path, made.path)
    assert done.safety is not None and done.safety.exists()
    assert _dump(county.store) == expected  # the open connection sees the restored data (backup API, WAL intact)
    county.store.close()
    store = Store.open(county.store.path)
    assert _dump(store) == expected and audit.verify(store) == []
    ops.note_restore(store, ops.installation_actor(store), made.path.name, done.safety.name)
    assert audit.verify(store) == []
    assert store.one("SELECT operation FROM audit_log ORDER BY seq DESC LIMIT 1")["operation"] == "从备份恢复"
    # the state before the restore is in the safety backup
    safety = Store.open(done.safety, create=False)
    assert {p["name"] for p in safety.all("SELECT name FROM projects")} == {"备份前的项目", "备份后的项目"}
    safety.close()
    county.store = store


def test_restore_refuses_bad_files_and_changes_nothing(county, tmp_path):
    new_project(county)
    before = _dump(county.store)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="不能用 junk.db 恢复"):
        backups.restore(county.store.path, junk)
    newer = tmp_path / "newer.db"
    backups.make_backup(county.store, "manual", out=newer)
    import sqlite3

    con = sqlite3.connect(newer)
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="更新版本的程序"):
        backups.restore(county.store.path, newer)
    with pytest.raises(StoreError, match="找不到备份文件"):
        backups.restore(county.store.path, tmp_path / "nope.db")
    assert _dump(county.store) == before and not backups.folder_of(county.store.path).exists()


def test_migration_of_a_database_with_data_is_backed_up_first(county, monkeypatch):
    new_project(county)
    path = county.store.path
    county.store.close()
    current = store_mod.LATEST
    extra = (99, "test migration", "CREATE TABLE test_extra (x INTEGER)")
    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, extra])
    monkeypatch.setattr(store_mod, "LATEST", 99)
    county.store = Store.open(path)
    [b] = backups.list_backups(backups.folder_of(path))
    assert b.reason == "migration" and b.schema == current and b.counts["projects"] == 1


def test_daily_backup_once_a_day(county):
    assert backups.ensure_daily(county.store, T(2026, 11, 26, 8, 0)) is not None
    assert backups.ensure_daily(county.store, T(2026, 11, 26, 17, 0)) is None
    assert backups.ensure_daily(county.store, T(2026, 11, 27, 8, 0)) is not None


def test_a_killed_backups_leftovers_are_swept_only_when_stale(tmp_path):
    """A backup killed half-way leaves `.NAME.PID.part`; the next backup removes it once it is older than
    any backup could take, and never a part another program may be writing now."""
    import os

    from desktop_app.models import snapshot

    folder = tmp_path / "backups"
    folder.mkdir()
    old = folder / ".govis-20261125-0930-每日.db.4242.part"
    fresh = folder / ".govis-20261126-0930-每日.db.4243.part"
    kept = folder / "govis-20261124-0930-每日.db"
    for p in (old, fresh, kept):
        p.write_bytes(b"x")
    now = dt.datetime(2026, 11, 26, 10, 0)
    stamp = (now - dt.timedelta(hours=13)).timestamp()
    os.utime(old, (stamp, stamp))
    recent = (now - dt.timedelta(hours=11)).timestamp()
    os.utime(fresh, (recent, recent))
    os.utime(kept, (stamp, stamp))
    assert snapshot.sweep_partial(folder, now) == [old]
    assert not old.exists() and fresh.exists() and kept.exists()
