"""One backup file of the database: how it is written, named and read. No policy here (which reasons,
when, how many are kept: `services/backups.py`); the store uses it itself before a migration.

Written through SQLite's backup API (never a file copy, which can catch a half-written page) into a
temporary name in the target folder, turned into a single self-contained file (journal_mode=DELETE, so a
USB stick carries one file and no -wal), flushed to the medium (fsync), then renamed: a full disk or a
pulled USB stick leaves no partial file behind, only the Chinese message.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop_app.errors import StoreError
from desktop_app.models import sqlite_errors
from desktop_app.models.kinds import KINDS

# reason code -> the word in the file name and the list
REASONS = {"daily": "每日", "import": "导入前", "restore": "恢复前", "migration": "升级前", "manual": "手动"}
FOLDER = "backups"
NOTE_SUFFIX = ".json"
_NAME = re.compile(r"^govis-(\d{8})-(\d{4})-([^-.]+)(?:-(\d+))?\.db$")


def backups_folder(db_path: str | Path) -> Path:
    """`<data folder>/backups`: beside the database, never inside a temp or program folder."""
    return Path(db_path).resolve().parent / FOLDER


def snapshot_name(when: dt.datetime, reason: str, n: int = 1) -> str:
    """A name a person can read: govis-20261126-0930-导入前.db (a second one that minute: …-导入前-2.db)."""
    label = REASONS[reason]
    return f"govis-{when:%Y%m%d-%H%M}-{label}" + (f"-{n}" if n > 1 else "") + ".db"


def parse_name(name: str) -> tuple[dt.datetime, str] | None:
    """(time to the minute, reason code) of a backup file name, or None for any other file."""
    m = _NAME.match(name)
    if not m:
        return None
    reason = next((code for code, label in REASONS.items() if label == m.group(3)), None)
    if reason is None:
        return None
    try:
        when = dt.datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M")
    except ValueError:
        return None
    return when + dt.timedelta(seconds=int(m.group(4) or 1) - 1), reason  # keeps same-minute order


def free_name(folder: Path, when: dt.datetime, reason: str) -> Path:
    n = 1
    while (folder / snapshot_name(when, reason, n)).exists():
        n += 1
    return folder / snapshot_name(when, reason, n)


def medium_error(exc: BaseException, folder: Path) -> StoreError:
    """The Chinese message for a write that failed on the target medium."""
    text = str(exc)
    errno_ = getattr(exc, "errno", None)
    if errno_ == 28 or sqlite_errors.is_full(exc):  # ENOSPC / SQLITE_FULL
        return StoreError(f"备份没有完成：{folder} 所在的磁盘空间已满。没有留下不完整的备份文件，数据库本身没有改动。"
                          "请清理磁盘空间或换一个有足够空间的位置后重试。")
    if errno_ in (13, 30) or sqlite_errors.is_readonly(exc) or isinstance(exc, PermissionError):
        return StoreError(f"备份没有完成：不能写入 {folder}（文件夹或U盘是只读的，或没有写入权限）。"
                          "数据库本身没有改动。请换一个可写的位置后重试。")
    return StoreError(f"备份没有完成：写入 {folder} 时出错（{text}），可能是U盘已拔出或存储介质有故障。"
                      "没有留下不完整的备份文件，数据库本身没有改动。请检查存储介质后重试。")


def count_records(conn: sqlite3.Connection) -> dict[str, int]:
    """Projects, project records (every project-scoped kind) and audit entries."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def n(table: str) -> int:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] if table in tables else 0

    return {"projects": n("projects"),
            "records": sum(n(k.table) for k in KINDS.values() if k.project_scoped),
            "audit": n("audit_log")}


def schema_version(conn: sqlite3.Connection) -> int:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'").fetchone():
        return 0
    return conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # Windows cannot open a folder for fsync; the rename is already durable there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def write_snapshot(conn: sqlite3.Connection, target: Path, reason: str,
                   now: dt.datetime | None = None) -> dict:
    """Copy the open database `conn` to `target` (a new file) and write its note beside it; returns the note.
    On any failure nothing is left at `target` and a Chinese StoreError is raised."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise medium_error(exc, folder) from exc
    part = folder / f".{target.name}.{os.getpid()}.part"
    note_part = folder / f".{target.name}{NOTE_SUFFIX}.{os.getpid()}.part"
    leftovers = (part, Path(f"{part}-journal"), note_part)
    try:
        dest = sqlite3.connect(str(part), isolation_level=None)
        try:
            conn.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            check = dest.execute("PRAGMA quick_check").fetchone()[0]
            note = {"made_at": (now or dt.datetime.now()).astimezone().isoformat(timespec="seconds"),
                    "reason": reason, "schema": schema_version(dest), "counts": count_records(dest),
                    "quick_check": check}
        finally:
            dest.close()
        _fsync_file(part)
        note["size"] = part.stat().st_size
        note_part.write_text(json.dumps(note, ensure_ascii=False, indent=1), encoding="utf-8")
        _fsync_file(note_part)
        os.replace(part, target)
        os.replace(note_part, note_path(target))
        _fsync_dir(folder)
    except (OSError, sqlite3.Error) as exc:
        for p in (*leftovers, target, note_path(target)):
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass
        raise medium_error(exc, folder) from exc
    return note


STALE_PART = dt.timedelta(hours=12)  # no backup takes this long; an older .part was left by a killed one


def sweep_partial(folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """Remove what a backup killed half-way left behind (`.NAME.PID.part`, its -journal): only files older
    than STALE_PART, so a backup another program is writing right now is never touched."""
    now = now or dt.datetime.now()
    gone = []
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(".") and
                      (p.name.endswith(".part") or p.name.endswith(".part-journal"))]
    except OSError:
        return gone
    for p in candidates:
        try:
            if now - dt.datetime.fromtimestamp(p.stat().st_mtime) > STALE_PART:
                p.unlink()
                gone.append(p)
        except OSError:
            pass
    return gone


def note_path(backup: Path) -> Path:
    return backup.with_name(backup.name + NOTE_SUFFIX)


def open_read_only(path: Path) -> sqlite3.Connection:
    """A backup opened so that reading it cannot change it (no journal, no -shm, no schema update)."""
    uri = Path(path).resolve().as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


@dataclass
class Inspection:
    ok: bool
    problem: str | None
    schema: int
    counts: dict[str, int]
    size: int


def inspect(path: Path) -> Inspection:
    """Read a backup file (read-only): quick_check, is it a govis database, its schema and counts."""
    size = path.stat().st_size if path.exists() else 0
    try:
        conn = open_read_only(path)
    except sqlite3.Error as exc:
        return Inspection(False, f"无法打开（{exc}）", 0, {}, size)
    try:
        check = conn.execute("PRAGMA quick_check").fetchall()
        if [r[0] for r in check] != ["ok"]:
            return Inspection(False, "文件已损坏（完整性检查未通过）", 0, {}, size)
        version = schema_version(conn)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version == 0 or not {"projects", "settings", "audit_log"} <= tables:
            return Inspection(False, "不是本程序的数据库", version, {}, size)
        return Inspection(True, None, version, count_records(conn), size)
    except sqlite3.DatabaseError as exc:
        msg = "不是数据库文件" if sqlite_errors.primary_code(exc) == sqlite3.SQLITE_NOTADB else f"文件已损坏（{exc}）"
        return Inspection(False, msg, 0, {}, size)
    finally:
        conn.close()
