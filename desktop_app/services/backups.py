"""Backups and restore: when they are made, where they go, how many are kept, and putting one back.

Every backup goes through SQLite's backup API into a temporary name, is flushed and then renamed
(`models/snapshot.py`), so a full disk or a pulled USB stick leaves no partial file.

When backups are made automatically:
- **daily**: the first time each day the database is opened for work — the window at start, and every
  `govis` command that writes — when the backups folder holds no backup made that day (of any reason).
  Read-only commands (ledger, check, show, print) never make one: they may run beside the window.
- **import**: before every package is applied (`exchange/importer.apply`).
- **restore**: the current state, before a backup replaces it (`restore`).
- **migration**: before the schema of an existing database with data changes (`Store.migrate`, which
  writes a plain snapshot itself because models may not call services; the retention here keeps it).

Where: `<data folder>/backups` (beside the database) and, when the setting `backup_second_folder` names
one (another disk or a USB stick), a second copy there; a missing second folder is said in Chinese and
the first copy is still made.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.errors import StoreError
from desktop_app.models import snapshot, sqlite_errors
from desktop_app.models.migrations import LATEST
from desktop_app.models.store import Store

SECOND_FOLDER = "backup_second_folder"
KEEP_DAYS = 30
KEEP_MONTHS = 12
REASON_LABELS = snapshot.REASONS


@dataclass
class Backup:
    path: Path
    made_at: dt.datetime
    reason: str
    size: int
    counts: dict = field(default_factory=dict)
    ok: bool = True
    problem: str | None = None
    schema: int = 0

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class Made:
    path: Path
    note: dict
    second: Path | None = None
    warning: str | None = None  # the second folder missing or failing; the first copy exists


@dataclass
class Restored:
    safety: Path | None  # the backup of the state that was replaced
    counts: dict
    warning: str | None = None


# ---- where ---------------------------------------------------------------------------------------------

def folder_of(db_path: str | Path) -> Path:
    return snapshot.backups_folder(db_path)


def second_folder(store: Store) -> str | None:
    try:
        value = store.get_setting(SECOND_FOLDER)
    except sqlite3.Error:
        return None
    return value or None


def set_second_folder(store: Store, folder: str | None) -> None:
    """The optional second place (another disk, a USB stick). Empty: none. Not an audited record: it says
    where copies go, and changes no project data."""
    folder = (folder or "").strip()
    if folder and not Path(folder).is_absolute():
        raise StoreError(f"第二备份位置「{folder}」应是完整的文件夹路径，例如 E:\\govis备份。")
    with store.tx():
        store.set_setting(SECOND_FOLDER, folder)


# ---- making ------------------------------------------------------------------------------------------

def make_backup(store: Store, reason: str, *, now: dt.datetime | None = None, out: str | Path | None = None,
                prune: bool = True) -> Made:
    """A backup of `store` for `reason` (daily / import / restore / migration / manual) into the backups
    folder (and the second folder, if set), or exactly into `out`. Raises a Chinese StoreError if the
    first copy cannot be made; nothing partial is left."""
    if reason not in REASON_LABELS:
        raise ValueError(reason)
    now = now or dt.datetime.now()
    if out is not None:
        target = Path(out)
        if target.is_dir():
            target = target / snapshot.snapshot_name(now, reason)
        if target.exists():
            raise StoreError(f"文件 {target} 已存在。请另选一个文件名，备份不会覆盖已有文件。")
        return Made(target, snapshot.write_snapshot(store.conn, target, reason, now))
    if store.path == ":memory:":
        raise StoreError("内存中的数据库没有备份位置。")
    folder = folder_of(store.path)
    snapshot.sweep_partial(folder)
    target = snapshot.free_name(folder, now, reason)
    made = Made(target, snapshot.write_snapshot(store.conn, target, reason, now))
    second = second_folder(store)
    if second:
        sf = Path(second)
        if not sf.is_dir():
            made.warning = (f"第二备份位置 {sf} 不存在或未连接（U盘没有插上？），这次只备份到了 {folder}。"
                            "请插上U盘或在“备份与恢复”中修改第二备份位置。")
        else:
            try:
                made.second = snapshot.free_name(sf, now, reason)
                snapshot.write_snapshot(store.conn, made.second, reason, now)
            except StoreError as exc:
                made.second = None
                made.warning = f"第二备份位置没有备份成功：{exc.message} 已备份到 {folder}。"
    if prune:
        prune_folder(folder, now.date())
        if made.second is not None:
            prune_folder(made.second.parent, now.date())
    return made


def daily_due(db_path: str | Path, today: dt.date) -> bool:
    return not any(when.date() == today for _p, when, _r in _named(folder_of(db_path)))


def ensure_daily(store: Store, now: dt.datetime | None = None) -> Made | None:
    """The first backup of the day (see the module note); None when one exists or there is nothing to keep.
    A failure is raised (Chinese) for the caller to show; it never blocks the work itself."""
    now = now or dt.datetime.now()
    if store.path == ":memory:" or not _has_data(store) or not daily_due(store.path, now.date()):
        return None
    return make_backup(store, "daily", now=now)


def _has_data(store: Store) -> bool:
    try:
        return store.conn.execute("SELECT 1 FROM settings WHERE key='installation_org_id'").fetchone() is not None
    except sqlite3.Error:
        return False


# ---- listing -----------------------------------------------------------------------------------------

def _named(folder: Path) -> list[tuple[Path, dt.datetime, str]]:
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        parsed = snapshot.parse_name(p.name)
        if parsed and p.is_file():
            out.append((p, *parsed))
    return out


def list_backups(folder: str | Path, *, check: bool = False) -> list[Backup]:
    """The backups in `folder`, newest first. Time, reason, size and counts come from each backup's note;
    a backup without one (or with `check`) is read read-only, which never changes it."""
    out = []
    for path, when, reason in _named(Path(folder)):
        note = _read_note(path)
        if note is None or check:
            insp = snapshot.inspect(path)
            out.append(Backup(path, when, reason, insp.size, insp.counts, insp.ok, insp.problem, insp.schema))
            continue
        made = _note_time(note) or when
        ok = note.get("quick_check") == "ok"
        out.append(Backup(path, made, reason, path.stat().st_size, note.get("counts", {}), ok,
                          None if ok else "备份时完整性检查未通过", note.get("schema", 0)))
    out.sort(key=lambda b: b.made_at, reverse=True)
    return out


def _read_note(path: Path) -> dict | None:
    try:
        return json.loads(snapshot.note_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _note_time(note: dict) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(note["made_at"]).replace(tzinfo=None)
    except (KeyError, TypeError, ValueError):
        return None


def newest_good(db_path: str | Path) -> Backup | None:
    """The newest backup that passes a read-only check now (the one to offer when the database is damaged)."""
    for b in list_backups(folder_of(db_path)):
        insp = snapshot.inspect(b.path)
        if insp.ok and insp.schema <= LATEST:
            return b
    return None


# ---- retention ---------------------------------------------------------------------------------------

def keep(backups: Iterable[tuple[str, dt.datetime, bool]], today: dt.date,
         days: int = KEEP_DAYS, months: int = KEEP_MONTHS) -> set[str]:
    """Which backups to keep, given (name, made at, good) and today. Pure; tested with fixed dates.

    Kept:
    1. every backup made today (several imports in one day each keep the state before them);
    2. for each of the `days` calendar days ending today (today and the 29 before it), the newest good
       backup of that day;
    3. for each of the `months` calendar months ending with this month, the newest good backup of that month;
    4. the newest good backup, however old (the only good one is never deleted);
    5. anything dated after today (a clock set wrong must not cost backups).
    Everything else — older backups, and damaged ones from before today — may be deleted.
    """
    items = list(backups)
    kept = {n for n, when, _ in items if when.date() >= today}
    good = sorted(((when, n) for n, when, ok in items if ok), reverse=True)
    first_day = today - dt.timedelta(days=days - 1)
    month_index = today.year * 12 + today.month - 1
    seen_days: set[dt.date] = set()
    seen_months: set[int] = set()
    for when, n in good:  # newest first: the first seen of a day/month is its newest
        d = when.date()
        if first_day <= d <= today and d not in seen_days:
            seen_days.add(d)
            kept.add(n)
        m = when.year * 12 + when.month - 1
        if month_index - months < m <= month_index and m not in seen_months:
            seen_months.add(m)
            kept.add(n)
    if good:
        kept.add(good[0][1])
    return kept


def prune_folder(folder: Path, today: dt.date) -> list[Path]:
    """Delete the backups `keep` does not keep (with their notes); returns what was deleted.
    Files whose names are not backups of this program are never touched."""
    backups = list_backups(folder)
    kept = keep([(b.name, b.made_at, b.ok) for b in backups], today)
    gone = []
    for b in backups:
        if b.name in kept:
            continue
        try:
            b.path.unlink()
            snapshot.note_path(b.path).unlink(missing_ok=True)
            gone.append(b.path)
        except OSError:
            pass  # a file we cannot delete stays; the next backup tries again
    return gone


# ---- restoring ---------------------------------------------------------------------------------------

def check_backup(backup_file: str | Path) -> snapshot.Inspection:
    """Refuses (Chinese) a file that is missing, damaged, not a govis database, or from a newer program."""
    path = Path(backup_file)
    if not path.is_file():
        raise StoreError(f"找不到备份文件：{path}。请检查文件名和位置。")
    insp = snapshot.inspect(path)
    if not insp.ok:
        raise StoreError(f"不能用 {path.name} 恢复：{insp.problem}。当前数据库没有任何改动。请选择另一个备份。")
    if insp.schema > LATEST:
        raise StoreError(f"不能用 {path.name} 恢复：它由更新版本的程序建立（结构版本 {insp.schema}，本程序只支持到 "
                         f"{LATEST}）。当前数据库没有任何改动。请先升级本程序。")
    return insp


def restore(db_path: str | Path, backup_file: str | Path, *, actor=None,
            now: dt.datetime | None = None) -> Restored:
    """Put `backup_file` back as the database at `db_path`.

    1. check the backup (quick_check, a govis database, schema not newer than this program);
    2. back up the current state (reason 恢复前) — if the current file is too damaged to be read, say so
       and go on, because restoring it is the point;
    3. copy the backup INTO the live database through the backup API (source = backup, destination = live
       database), so its -wal/-shm stay consistent for every connection. Only a file that is not a
       database at all is replaced by a renamed complete copy instead.
    With `actor` (who restores: an administrator), the audit entry saying so is written into a staging
    copy of the backup first, so the restored database and its entry arrive in the one copy: a crash
    leaves the old database or the restored one with its entry, never the one without the other.
    The caller holds the instance lock and has closed its own connections."""
    now = now or dt.datetime.now()
    db_path = Path(db_path)
    insp = check_backup(backup_file)
    if db_path.exists() and db_path.resolve() == Path(backup_file).resolve():
        raise StoreError("不能用数据库文件自身恢复。请选择备份文件夹中的备份。")
    safety, warning = None, None
    if db_path.exists():
        safety, warning = _safety_copy(db_path, now)
    staging = _staged_with_note(db_path, Path(backup_file), actor, safety) if actor is not None else None
    src = snapshot.open_read_only(staging or Path(backup_file))
    try:
        try:
            dest = sqlite3.connect(str(db_path), isolation_level=None)
            try:
                dest.execute("PRAGMA busy_timeout=5000")
                src.backup(dest)
                dest.execute("PRAGMA journal_mode=WAL")
            finally:
                dest.close()
        except sqlite3.DatabaseError as exc:
            if not sqlite_errors.is_damaged(exc):
                raise _restore_error(exc, safety) from exc
            _replace_whole_file(src, db_path)
    finally:
        src.close()
        if staging is not None:
            _remove_staging(staging)
    return Restored(safety, insp.counts, warning)


def _staging_path(db_path: Path) -> Path:
    return db_path.parent / f".{db_path.name}.restoring.db"


def _remove_staging(staging: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{staging}{suffix}").unlink(missing_ok=True)


def _staged_with_note(db_path: Path, backup: Path, actor, safety: Path | None) -> Path:
    """A copy of the backup beside the database, with the 从备份恢复 audit entry appended (a leftover of a
    killed restore is replaced)."""
    from desktop_app.services import operations as ops

    staging = _staging_path(db_path)
    _remove_staging(staging)
    src = snapshot.open_read_only(backup)
    try:
        dest = sqlite3.connect(str(staging), isolation_level=None)
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to copy from
        finally:
            dest.close()
    except sqlite3.Error as exc:
        _remove_staging(staging)
        raise _restore_error(exc, safety) from exc
    finally:
        src.close()
    store = Store.open(staging)
    try:
        ops.note_restore(store, actor, backup.name, safety.name if safety else None)
    except BaseException:
        store.close()
        _remove_staging(staging)
        raise
    store.close()
    return staging


def _safety_copy(db_path: Path, now: dt.datetime) -> tuple[Path | None, str | None]:
    folder = folder_of(db_path)
    target = snapshot.free_name(folder, now, "restore")
    try:
        conn = sqlite3.connect(str(db_path), isolation_level=None)
    except sqlite3.Error:
        return None, "当前数据库无法读取，恢复前没能备份它。"
    try:
        snapshot.write_snapshot(conn, target, "restore", now)
        return target, None
    except StoreError as exc:
        cause = exc.__cause__
        if sqlite_errors.is_damaged(cause):
            return None, "当前数据库已严重损坏，无法备份，恢复前没有保留它的副本。"
        raise StoreError(f"恢复没有进行：恢复前需要先备份当前数据库，但{exc.message}") from exc
    finally:
        conn.close()


def _replace_whole_file(src: sqlite3.Connection, db_path: Path) -> None:
    """The live file is not a database at all: write a complete copy beside it and rename it over."""
    folder = db_path.parent
    whole = folder / f".{db_path.name}.restored.db"
    try:
        snapshot.write_snapshot(src, whole, "restore")
        snapshot.note_path(whole).unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(whole, db_path)
    except OSError as exc:
        raise snapshot.medium_error(exc, folder) from exc


def _restore_error(exc: BaseException, safety: Path | None) -> StoreError:
    keep_note = f"恢复前的数据库已备份为 {safety}。" if safety else ""
    return StoreError(f"恢复没有完成：{exc}。{keep_note}请关闭其他正在使用该数据库的程序后重试。")


def describe(b: Backup) -> str:
    c = b.counts or {}
    return (f"{b.made_at:%Y-%m-%d %H:%M}  {b.reason_label}  {size_text(b.size)}  项目 {c.get('projects', '—')}  "
            f"记录 {c.get('records', '—')}  日志 {c.get('audit', '—')}" + ("" if b.ok else f"  【{b.problem}】"))


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{max(1, round(n / 1024))} KB"
