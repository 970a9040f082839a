"""Is the database file sound? `PRAGMA quick_check` when the window opens and before every command that
writes; the full `integrity_check` once a week (the day of the last one that passed is kept in settings)
and on demand. A damaged file is opened for reading only: the store refuses every write with the message
that names the newest good backup and the way back (`govis restore`, or 从备份恢复 in the window).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.errors import StoreError
from desktop_app.models.store import Store
from desktop_app.services import backups

LAST_FULL = "integrity_full_checked_on"
FULL_EVERY_DAYS = 7
MAX_PROBLEMS = 20


@dataclass
class Result:
    ok: bool
    full: bool  # integrity_check (True) or quick_check
    problems: list[str] = field(default_factory=list)


def run(store: Store, full: bool = False) -> Result:
    """Run the check; a page so damaged that the PRAGMA itself fails counts as a problem, never a crash."""
    pragma = f"PRAGMA integrity_check({MAX_PROBLEMS})" if full else f"PRAGMA quick_check({MAX_PROBLEMS})"
    try:
        rows = [r[0] for r in store.conn.execute(pragma).fetchall()]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    ok = rows == ["ok"]
    return Result(ok, full, [] if ok else rows)


def full_due(store: Store, today: dt.date) -> bool:
    try:
        last = store.get_setting(LAST_FULL)
    except sqlite3.Error:
        return True
    if not last:
        return True
    try:
        return (today - dt.date.fromisoformat(last)).days >= FULL_EVERY_DAYS
    except ValueError:
        return True


def check(store: Store, today: dt.date | None = None, *, full: bool | None = None) -> Result:
    """quick_check, or the full check when asked or a week has passed. A passed full check is remembered
    (only when it passed and the file can be written); a failure makes the store refuse every write."""
    today = today or dt.date.today()
    if full is None:
        full = full_due(store, today)
    result = run(store, full)
    if not result.ok:
        store.refuse_writes(damaged_message(store.path, result.problems))
    elif full and not store.writes_refused:
        with store.tx():
            store.set_setting(LAST_FULL, today.isoformat())
    return result


def damaged_message(db_path: str | Path, problems: list[str] | None = None) -> str:
    """What is wrong, that nothing will be written, and what to do (naming the newest good backup)."""
    detail = ""
    if problems:
        detail = f"（完整性检查发现 {len(problems)} 处问题，例如：{problems[0][:80]}）"
    text = (f"数据库文件已损坏{detail}。为防止损坏扩大，本程序不会再向它写入任何数据；查看和打印仍可进行。")
    best = backups.newest_good(db_path) if str(db_path) != ":memory:" else None
    if best is not None:
        text += (f"最新的完好备份是 {best.path}（{best.made_at:%Y-%m-%d %H:%M}，{best.reason_label}）。"
                 f"请在“备份与恢复”中恢复它，或运行：govis restore \"{best.path}\""
                 "（恢复前会自动备份当前状态）。")
    else:
        text += "没有找到完好的备份。请不要继续使用该文件，把它复制一份后联系技术支持。"
    return text


def open_checked(path: str | Path, *, create: bool = False, writes: bool = True,
                 today: dt.date | None = None) -> Store:
    """Open for a command: a write command also gets the quick_check (weekly the full one) and is refused
    (Chinese StoreError) on a damaged, read-only or unreadable file. A read command opens as it can."""
    try:
        store = Store.open(path, create=create)
    except StoreError as exc:
        if exc.damaged:
            raise StoreError(damaged_message(path, [exc.message])) from exc
        raise
    if not writes:
        if not store.read_only:
            check(store, today, full=False)  # a damaged file is read with a warning, and never written
        return store
    if writes:
        if store.writes_refused:
            message = store.writes_refused
            store.close()
            raise StoreError(message)
        result = check(store, today)
        if not result.ok:
            message = store.writes_refused
            store.close()
            raise StoreError(message)
    return store
