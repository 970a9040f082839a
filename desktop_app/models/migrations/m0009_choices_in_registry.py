"""Migration 0010: choice columns lose their CHECK (... IN (...)) constraints; the kind registry
(models/kinds.py) holds the choices and `fields.parse_value` validates them on every write, so adding a
choice (a new procurement method, a new material type) needs no table rebuild any more.

SQLite cannot drop a constraint in place: each table is rebuilt following the procedure of
https://www.sqlite.org/lang_altertable.html section 7 (foreign keys off, which `Store.migrate` arranges
for a migration given as a function; new table, rows copied with their rowids, old table dropped, new
one renamed, its indexes and triggers recreated, `PRAGMA foreign_key_check` before the commit).
Number checks (>= 0) and yes/no checks (IN (0, 1)) stay: they are not choices.
The tables are listed here, as they were when this migration was written: a migration never changes.
"""

from __future__ import annotations

import re
import sqlite3

TABLES = (
    "organisations", "projects", "application_materials", "reviews", "expert_opinions", "contracts",
    "change_requests", "change_decisions", "problem_reports", "sanctions", "acceptance_results", "evaluations",
    "resource_catalog", "platform_connections", "budgets", "disbursements", "security_records",
    "extension_decisions", "delay_acceptances",
)
# " CHECK (name IN ('a', 'b'))": a list of quoted text codes only
CHOICE_CHECK = re.compile(r"\s+CHECK\s*\(\s*\w+\s+IN\s*\(\s*'[^']*'(?:\s*,\s*'[^']*')*\s*\)\s*\)")
_CREATE = re.compile(r"^CREATE TABLE\s+\"?(\w+)\"?", re.IGNORECASE)


def without_choice_checks(sql: str) -> str:
    return CHOICE_CHECK.sub("", sql)


def migrate(conn: sqlite3.Connection) -> None:
    for table in TABLES:
        row = conn.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
        if row is None:
            continue
        new_sql = without_choice_checks(row[0])
        if new_sql == row[0]:
            continue
        temp = f"_m0009_{table}"
        new_sql = _CREATE.sub(f"CREATE TABLE {temp}", new_sql, count=1)
        extras = [r[0] for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name=? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            (table,))]
        cols = ", ".join(f'"{r[1]}"' for r in conn.execute(f"PRAGMA table_info({table})"))
        conn.execute(new_sql)
        conn.execute(f"INSERT INTO {temp} (rowid, {cols}) SELECT rowid, {cols} FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE {temp} RENAME TO {table}")
        for sql in extras:
            conn.execute(sql)
