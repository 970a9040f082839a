"""SQLite failures are classified by their result code, from real failures, never by message text."""

from __future__ import annotations

import sqlite3

import pytest

from desktop_app.models import sqlite_errors as E
from desktop_app.models.store import _friendly


def _error(run) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as info:
        run()
    return info.value


def test_a_full_database(tmp_path):
    conn = sqlite3.connect(tmp_path / "full.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 2")  # SQLite's own way to make a file "full"
    exc = _error(lambda: conn.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 100))
    assert E.is_full(exc) and not E.is_busy(exc)
    assert "磁盘空间已满" in _friendly(exc).message


def test_a_locked_database(tmp_path):
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)
    exc = _error(lambda: other.execute("SELECT * FROM t").fetchall())
    holder.execute("ROLLBACK")
    assert E.is_busy(exc) and "占用" in _friendly(exc).message


def test_a_read_only_database(tmp_path):
    path = tmp_path / "ro.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    exc = _error(lambda: conn.execute("INSERT INTO t VALUES (1)"))
    assert E.is_readonly(exc) and "只读" in _friendly(exc).message


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a text file, not SQLite" * 200)
    exc = _error(lambda: sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall())
    assert E.is_damaged(exc)
    friendly = _friendly(exc)
    assert friendly.damaged and "已损坏" in friendly.message


def test_a_missing_folder(tmp_path):
    exc = _error(lambda: sqlite3.connect(tmp_path / "no" / "such" / "x.db"))
    assert E.is_cantopen(exc) and "无法打开数据库文件" in _friendly(exc).message


def test_message_text_alone_classifies_nothing():
    # the words SQLite uses, without its code: not mistaken for that failure
    for text in ("database is locked", "database or disk is full", "attempt to write a readonly database",
                 "file is not a database", "database disk image is malformed"):
        exc = sqlite3.OperationalError(text)
        assert not any(f(exc) for f in (E.is_full, E.is_busy, E.is_readonly, E.is_damaged, E.is_cantopen))
    assert E.is_busy(E.coded(sqlite3.OperationalError("x"), sqlite3.SQLITE_BUSY))
