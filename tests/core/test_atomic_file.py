"""Files appear whole or not at all: the helper, and the demo county built beside its target."""

import datetime as dt
import errno
import os
import sqlite3

import pytest

from desktop_app.cli import main
from desktop_app.demo.file import building_path, generate_file
from desktop_app.models.store import Store
from desktop_app.services import atomic_file
from desktop_app.services import operations as ops
from tests.core.builders import TEST_PASSWORD

TODAY = dt.date(2026, 11, 26)


def test_write_bytes_replaces_whole_and_leaves_no_part(tmp_path):
    target = tmp_path / "表.pdf"
    target.write_bytes(b"old")
    atomic_file.write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["表.pdf"]
    assert atomic_file.write_text(tmp_path / "k.txt", "公钥").read_text(encoding="utf-8") == "公钥"


def test_failure_in_the_block_keeps_the_old_file(tmp_path):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_file.replacing(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the library failed half-way")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["台账.xlsx"]


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "空间已满"), (errno.EROFS, "只读"),
                                             (errno.EACCES, "没有权限"), (errno.EIO, "拔出")])
def test_os_errors_become_chinese_advice(tmp_path, code, words):
    target = tmp_path / "a.pdf"
    with pytest.raises(atomic_file.FileWriteError) as e, atomic_file.replacing(target):
        raise OSError(code, os.strerror(code))
    assert words in e.value.message and str(target) in e.value.message
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_no_file_name(tmp_path):
    (tmp_path / "out.pdf").mkdir()
    with pytest.raises(atomic_file.FileWriteError) as e:
        atomic_file.write_bytes(tmp_path / "out.pdf", b"x")
    assert "是一个文件夹" in e.value.message
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_demo_file_cleans_what_a_killed_run_left(tmp_path):
    path = tmp_path / "demo.db"
    stray = building_path(path)
    stray.write_bytes(b"half a database")
    (tmp_path / (stray.name + "-wal")).write_bytes(b"junk")
    stats = generate_file(path, projects=5, seed=1, today=TODAY)
    assert stats["projects"] == 5
    assert sorted(p.name for p in tmp_path.iterdir() if ".lock" not in p.name) == ["demo.db"]  # no -wal/-shm: one self-contained file
    store = Store.open(path)
    assert ops.is_initialised(store)
    assert store.one("SELECT COUNT(*) AS n FROM exchange_keys")["n"] == 1  # the signing key came with it
    store.close()


def test_cancelled_demo_leaves_nothing(tmp_path):
    class Cancelled(Exception):
        pass

    def cancel(done, total):
        if done == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        generate_file(tmp_path / "demo.db", projects=10, seed=1, today=TODAY, progress=cancel)
    assert list(tmp_path.iterdir()) == []


def test_force_over_a_database_with_a_pending_wal(tmp_path):
    """The old database's -wal must not be replayed onto the new file (that would corrupt it)."""
    path = tmp_path / "demo.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE old (x)")
    conn.execute("INSERT INTO old VALUES (1)")
    wal = (tmp_path / "demo.db-wal").read_bytes()
    conn.close()
    (tmp_path / "demo.db-wal").write_bytes(wal)  # as a crash leaves it: committed pages only in the WAL
    assert main(["demo", "--db", str(path), "--projects", "5", "--today", TODAY.isoformat(), "--force",
                 "--quiet"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if ".lock" not in p.name) == ["demo.db"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM projects").fetchone()[0] == 5
    assert conn.execute("SELECT name FROM sqlite_master WHERE name='old'").fetchone() is None
    conn.close()


def test_demo_refuses_a_county_without_force(tmp_path, capsys):
    path = tmp_path / "demo.db"
    generate_file(path, projects=3, seed=1, today=TODAY)
    before = path.read_bytes()
    assert main(["demo", "--db", str(path), "--projects", "3", "--today", TODAY.isoformat(), "--quiet"]) == 1
    assert "已有数据" in capsys.readouterr().err
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", [["keys", "print"], ["keys", "export-public"]])
def test_key_files_to_a_folder_are_a_chinese_refusal(tmp_path, capsys, command):
    from desktop_app.exchange import keyring

    store = Store.open(tmp_path / "unit.db")
    actor = ops.init_installation(store, "unit", "MYJYJ", "蒙阴县教育和体育局", admin_password=TEST_PASSWORD)
    keyring.setup_keys(store, actor, "单位口令2026abc")
    store.close()
    (tmp_path / "out").mkdir()
    assert main([*command, "--db", str(tmp_path / "unit.db"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "是一个文件夹" in err and "Traceback" not in err
    assert list((tmp_path / "out").iterdir()) == []
    assert main([*command, "--db", str(tmp_path / "unit.db"), "--out", str(tmp_path / "k.file")]) == 0
    assert (tmp_path / "k.file").stat().st_size > 0
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(atomic_file.PART_SUFFIX)]
