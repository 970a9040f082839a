"""What kind of SQLite failure an exception is, read from its result code (`sqlite_errorcode`, Python
3.11), never from its English message text, which SQLite may word differently from one version to the next.

An error this program raises itself (no code of its own) can be given one with `coded`.
"""

from __future__ import annotations

import sqlite3

FULL = (sqlite3.SQLITE_FULL,)
BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
READONLY = (sqlite3.SQLITE_READONLY,)
DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)  # malformed / not a database
CANTOPEN = (sqlite3.SQLITE_CANTOPEN,)


def primary_code(exc: BaseException | None) -> int | None:
    """The primary result code (an extended code such as SQLITE_BUSY_SNAPSHOT counts as SQLITE_BUSY)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_full(exc: BaseException | None) -> bool:
    return primary_code(exc) in FULL


def is_busy(exc: BaseException | None) -> bool:
    return primary_code(exc) in BUSY


def is_readonly(exc: BaseException | None) -> bool:
    return primary_code(exc) in READONLY


def is_damaged(exc: BaseException | None) -> bool:
    return primary_code(exc) in DAMAGED


def is_cantopen(exc: BaseException | None) -> bool:
    return primary_code(exc) in CANTOPEN


def coded(exc: sqlite3.Error, code: int) -> sqlite3.Error:
    """`exc` carrying `code`, as SQLite's own errors do."""
    exc.sqlite_errorcode = code
    return exc
