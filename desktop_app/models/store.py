"""The one SQLite file: opening, migrations, transactions and plain record access.

Every connection gets `PRAGMA foreign_keys=ON`. Writes happen only inside `Store.tx()`, one
explicit transaction, so a crash leaves the last committed state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from desktop_app.errors import NotFound, StoreError
from desktop_app.models import snapshot, sqlite_errors
from desktop_app.models.kinds import KINDS, Kind
from desktop_app.models.migrations import LATEST, MIGRATIONS

COMMON = ("id", "owner_org", "rev", "created_at", "updated_at")


_now_cache: list = [None, ""]  # (whole second, its text): an import writes thousands of entries a second


def now_iso() -> str:
    second = int(time.time())
    if _now_cache[0] != second:
        _now_cache[:] = [second, dt.datetime.fromtimestamp(second).astimezone().isoformat(timespec="seconds")]
    return _now_cache[1]


def new_id() -> str:
    return str(uuid.uuid4())


def _friendly(exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if sqlite_errors.is_full(exc):
        return StoreError("磁盘空间已满，本次操作没有保存。请清理磁盘空间后重试，已保存的数据不受影响。")
    if sqlite_errors.is_busy(exc):
        return StoreError("数据库正被另一个程序占用，本次操作没有保存。请关闭其他正在使用该数据库的程序后重试。")
    if sqlite_errors.is_readonly(exc):
        return StoreError("数据库文件是只读的，无法保存。请检查文件权限或改用可写的位置。")
    if sqlite_errors.is_damaged(exc):
        err = StoreError("数据库文件已损坏或不是本程序的数据库。请从备份恢复，或选择正确的文件。")
        err.damaged = True  # services/integrity adds the newest good backup to the message
        return err
    if sqlite_errors.is_cantopen(exc):
        return StoreError("无法打开数据库文件：文件或所在的文件夹不可用（可能没有权限、U盘已拔出或位置不存在）。"
                          "请检查后重试，或把数据库放到本机硬盘上。")
    return StoreError(f"数据库错误：{text}。本次操作没有保存。")


def read_only_reason(path: Path) -> str | None:
    """Why this existing database file can only be read (None: it can be written)."""
    if not os.access(path, os.W_OK):
        return "数据库文件是只读的（文件属性或权限）"
    if not os.access(path.parent, os.W_OK):
        return "数据库所在的文件夹或存储介质（如光盘、写保护的U盘）不可写"
    return None


class Store:
    """A handle on one database file. Not shared across threads: each thread opens its own."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn)
        self.journal: list | None = None
        self.audit_head: tuple[int, str] | None = None  # the chain's head, cached inside a transaction
        self.bulk_depth = 0  # > 0 inside `batch()`
        self.deferred: dict[str, list[tuple]] = {}  # INSERT statement -> rows, written at the batch's end
        # Chinese reason every write is refused with (read-only medium, damaged file), else None
        self.writes_refused: str | None = None
        self.read_only = False
    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, create: bool = True, read_only: bool = False) -> Store:
        """Open (and migrate) the database. A file or folder that cannot be written, or `read_only`,
        opens it read-only: every write is then refused in Chinese (`writes_refused`)."""
        path = str(path)
        reason = "以只读方式打开" if read_only else None
        if path != ":memory:":
            p = Path(path)
            if not p.exists() and not create:
                raise StoreError(f"找不到数据库文件：{path}。请先运行 govis init 建立本单位数据库。")
            if p.exists():
                reason = reason or read_only_reason(p)
            else:
                try:
                    p.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"无法在 {p.parent} 建立数据库：该位置不可写或不存在。请换一个本机硬盘上的文件夹。"
                                     ) from exc
        try:
            if reason:
                conn = _connect_read_only(Path(path))
            else:
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=5000")
            store = cls(conn, path)
            if reason:
                store.read_only = True
                store.writes_refused = (f"本次以只读方式打开数据库：{reason}。不能保存任何修改。"
                                        "如需修改，请把数据库复制到本机硬盘上可写的文件夹，再用本程序打开。")
                return store
            if path != ":memory:":
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
            store.migrate()
        except sqlite3.Error as exc:
            raise _friendly(exc) from exc
        return store

    def close(self) -> None:
        self.conn.close()

    def schema_version(self) -> int:
        row = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
        ).fetchone()
        if not row:
            return 0
        return self.conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]

    def migrate(self) -> list[int]:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        current = self.schema_version()
        if current > LATEST:
            raise StoreError(
                f"该数据库由更新版本的程序建立（结构版本 {current}，本程序只支持到 {LATEST}）。"
                "请升级本程序后再打开。"
            )
        done = {r[0] for r in self.conn.execute("SELECT version FROM schema_migrations")}
        if current and any(v not in done for v, _, _ in MIGRATIONS):
            self.backup_before_migration()
        applied = []
        for version, name, sql in sorted(MIGRATIONS, key=lambda m: m[0]):
            if version in done:
                continue
            rebuild = callable(sql)
            if rebuild:  # a table rebuild (lang_altertable.html §7): foreign keys off outside the transaction
                self.conn.execute("PRAGMA foreign_keys=OFF")
            try:
                # executescript would COMMIT first; run statements one by one inside our transaction.
                with self.tx():
                    if rebuild:
                        sql(self.conn)
                        if self.conn.execute("PRAGMA foreign_key_check").fetchone():
                            raise StoreError(f"数据库升级（第{version}步）后发现引用不一致，已撤销升级，数据未改变。"
                                             "请联系技术支持，并附上数据库备份。")
                    else:
                        for statement in _split_sql(sql):
                            self.conn.execute(statement)
                    self.conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        (version, name, now_iso()),
                    )
            finally:
                if rebuild:
                    self.conn.execute("PRAGMA foreign_keys=ON")
            applied.append(version)
        return applied

    def backup_before_migration(self) -> Path | None:
        """An existing database with data is copied into the backups folder before its schema changes.
        (Plain snapshot here: models may not call services; the services keep the retention.)"""
        if self.path == ":memory:" or not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name='settings'"
                                                            ).fetchone():
            return None
        if not self.conn.execute("SELECT 1 FROM settings LIMIT 1").fetchone():
            return None
        folder = snapshot.backups_folder(self.path)
        now = dt.datetime.now()
        target = snapshot.free_name(folder, now, "migration")
        snapshot.write_snapshot(self.conn, target, "migration", now)
        return target

    # ---- transactions --------------------------------------------------------------------
    def refuse_writes(self, message: str) -> None:
        """From now on every write of this handle is refused with `message` (a damaged file)."""
        self.writes_refused = message

    def check_writable(self) -> None:
        if self.writes_refused:
            raise StoreError(self.writes_refused)

    @contextlib.contextmanager
    def tx(self) -> Iterator[Store]:
        """One explicit transaction; nested calls become savepoints. Any error rolls back.
        Refused (Chinese StoreError) when the database is read-only or damaged."""
        self.check_writable()
        outer = not self.conn.in_transaction
        if not outer and self.bulk_depth:  # inside one all-or-nothing batch: no savepoint per write
            yield self
            return
        try:
            with self.db.atomic():
                yield self
        except sqlite3.Error as exc:
            self.audit_head = None
            raise _friendly(exc) from exc
        except BaseException:
            self.audit_head = None  # rolled back: the cached head may be gone
            raise
        finally:
            if outer:
                self.audit_head = None

    def backup_to(self, target: str | Path, reason: str = "manual") -> dict:
        """Consistent copy through SQLite's backup API (never a file copy) into a new file `target`,
        written under a temporary name and renamed; returns its note (see models/snapshot.py)."""
        return snapshot.write_snapshot(self.conn, Path(target), reason)

    # ---- settings ------------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        self.write(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    # ---- records -------------------------------------------------------------------------
    def one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        row = self.conn.execute(sql, params).fetchone()
        return dict(row) if row else None

    def all(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        return [dict(r) for r in self.conn.execute(sql, params)]

    def get(self, kind: Kind | str, record_id: str) -> dict:
        k = KINDS[kind] if isinstance(kind, str) else kind
        row = self.one(f"SELECT * FROM {k.table} WHERE id=?", (record_id,))
        if row is None:
            raise NotFound(f"找不到{k.label}记录（{record_id}）")
        return row

    def find(self, kind: Kind | str, record_id: str) -> dict | None:
        k = KINDS[kind] if isinstance(kind, str) else kind
        return self.one(f"SELECT * FROM {k.table} WHERE id=?", (record_id,))

    def for_project(self, kind: Kind | str, project_id: str) -> list[dict]:
        k = KINDS[kind] if isinstance(kind, str) else kind
        return self.all(f"SELECT * FROM {k.table} WHERE project_id=? ORDER BY created_at, rowid", (project_id,))

    def write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        """Every write of the operations comes here, so a journal can record it (see `journal`)."""
        self.check_writable()
        if self.journal is not None:
            self.journal.append((sql, params))
        return self.conn.execute(sql, params)

    @contextlib.contextmanager
    def batch(self) -> Iterator[Store]:
        """Many operations as one all-or-nothing write (an import): inside an open transaction, with no
        savepoint per operation and the audit head stored once at the end. Any error undoes them all."""
        assert self.conn.in_transaction, "a batch runs inside a transaction"
        self.bulk_depth += 1
        try:
            yield self
            self.flush_deferred()
            if self.audit_head is not None:
                self.set_setting("audit_head", f"{self.audit_head[0]}:{self.audit_head[1]}")
        finally:
            self.bulk_depth -= 1
            self.deferred = {}

    def insert_deferred(self, table: str, row: dict[str, Any]) -> None:
        """Inside a batch: a row nothing reads before the batch ends (an audit entry), written then, all
        rows of a shape in one executemany. Outside a batch: written now."""
        if not self.bulk_depth:
            self.insert(table, row)
            return
        self.deferred.setdefault(_insert_sql(table, row), []).append(tuple(row.values()))

    def flush_deferred(self) -> None:
        deferred, self.deferred = self.deferred, {}
        for sql, rows in deferred.items():
            self.write_many(sql, rows)

    def write_many(self, sql: str, rows: list[tuple]) -> None:
        self.check_writable()
        if self.journal is not None:
            self.journal.append((sql, rows, True))
        self.conn.executemany(sql, rows)

    def replay_journal(self, journal: list) -> None:
        """Re-run a journal's writes in order (inside the caller's transaction)."""
        i, n = 0, len(journal)
        while i < n:
            entry = journal[i]
            if len(entry) == 3:
                self.conn.executemany(entry[0], entry[1])
                i += 1
                continue
            j = i + 1  # a run of the same statement (a kind's records, one after another): one executemany
            while j < n and len(journal[j]) == 2 and journal[j][0] == entry[0]:
                j += 1
            if j - i > 1:
                self.conn.executemany(entry[0], [e[1] for e in journal[i:j]])
            else:
                self.conn.execute(*entry)
            i = j

    @contextlib.contextmanager
    def journaled(self) -> Iterator[list]:
        """Record the writes made inside (SQL and parameters, in order): an import's preview is replayed
        on confirmation by re-running exactly these, as long as nothing else was written in between."""
        self.journal = []
        try:
            yield self.journal
        finally:
            self.journal = None

    def insert(self, table: str, row: dict[str, Any]) -> None:
        self.write(_insert_sql(table, row), tuple(row.values()))

    def update(self, table: str, record_id: str, changes: dict[str, Any]) -> None:
        sets = ", ".join(f"{c}=?" for c in changes)
        cur = self.write(f"UPDATE {table} SET {sets} WHERE id=?", (*changes.values(), record_id))
        if cur.rowcount != 1:
            raise NotFound(f"找不到要修改的记录（{record_id}）")


_INSERT_SQL: dict[tuple, str] = {}  # (table, *columns) -> statement: the same few shapes, built once


def _insert_sql(table: str, row: dict) -> str:
    key = (table, *row)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        sql = _INSERT_SQL[key] = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
    return sql


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """`mode=ro`; when the folder cannot take the -shm file and no -wal holds unread pages, `immutable=1`
    (otherwise SQLite answers a WAL database with "unable to open database file")."""
    uri = path.resolve().as_uri() + "?mode=ro"
    wal = Path(f"{path}-wal")
    if not os.access(path.parent, os.W_OK) and not Path(f"{path}-shm").exists() and \
            (not wal.exists() or wal.stat().st_size == 0):
        uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)


def _split_sql(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]
