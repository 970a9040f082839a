"""One program writes a database at a time: an OS lock on `<db>.lock` (portalocker), which the OS releases
when the process dies, so a crash never leaves a stale lock.

The holder's user, PC name, process id and since-time go into `<db>.lock.info` beside it, not into the
locked file: on Windows a locked byte range cannot be read by another process, and the second start must
be able to say who holds it. The info file is only believed while the lock is held.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
from pathlib import Path
from typing import Self

import portalocker

from desktop_app.errors import StoreError


class Held(StoreError):
    """Another program holds the database."""

    def __init__(self, message: str, holder: dict | None):
        super().__init__(message)
        self.holder = holder


def lock_path(db_path: str | Path) -> Path:
    return Path(f"{Path(db_path).resolve()}.lock")


def info_path(db_path: str | Path) -> Path:
    return Path(f"{Path(db_path).resolve()}.lock.info")


def _me(user: str | None) -> dict:
    try:
        login = getpass.getuser()
    except Exception:  # noqa: BLE001  (no login name on some service accounts)
        login = ""
    return {"user": user or login, "host": socket.gethostname(), "pid": os.getpid(),
            "since": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


def holder_text(holder: dict | None) -> str:
    if not holder:
        return "另一个程序"
    since = holder.get("since", "")
    try:
        since = dt.datetime.fromisoformat(since).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        pass
    return (f"用户 {holder.get('user') or '（未知）'}，计算机 {holder.get('host') or '（未知）'}，"
            f"进程号 {holder.get('pid')}，自 {since} 起")


def read_holder(db_path: str | Path) -> dict | None:
    try:
        return json.loads(info_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class InstanceLock:
    """`acquire()` or raise `Held` naming the holder; `release()` (or the process ending) frees it."""

    def __init__(self, db_path: str | Path, user: str | None = None):
        self.db_path = Path(db_path)
        self.user = user
        self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self) -> InstanceLock:
        if self._fh is not None:
            return self
        path = lock_path(self.db_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "a+b")  # noqa: SIM115  (kept open while the lock is held)
        except OSError:
            return self  # a read-only folder: the database opens read-only anyway, nothing to guard
        try:
            portalocker.lock(fh, portalocker.LOCK_EX | portalocker.LOCK_NB)
        except portalocker.LockException:
            fh.close()
            holder = read_holder(self.db_path)
            raise Held(f"该数据库正由另一个程序使用（{holder_text(holder)}）。同一数据库同一时间只能由一个程序修改。"
                       "请先关闭那个程序再试；查看台账、检查和打印等只读命令可以同时使用。", holder) from None
        self._fh = fh
        try:
            info_path(self.db_path).write_text(json.dumps(_me(self.user), ensure_ascii=False), encoding="utf-8")
        except OSError:
            pass  # who holds it is a courtesy; the lock itself is what guards
        return self

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            info_path(self.db_path).unlink(missing_ok=True)
        except OSError:
            pass
        try:
            portalocker.unlock(self._fh)
        finally:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
