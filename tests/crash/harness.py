"""Kill a `govis` command with SIGKILL at seeded-random moments and check what it leaves behind.

A `Case` names the command, how to lay out its starting state in an empty work folder, and the database
files the user relies on. `run_case` measures one uninterrupted run (its duration and the after-state),
then, per kill, lays the starting state out again, starts the command in a real subprocess, kills it at
`duration * rng.uniform(...)` seconds (random.Random(seed): the same moments every run) and asserts, whatever
the moment: every database present passes `PRAGMA quick_check`, its audit chain verifies, and the observed
state equals the state before OR after the operation, never anything in between.

Adding a case is a few lines (see `backup_case` / `restore_case` at the end, ready for `govis backup` and
`govis restore`).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.exchange.signing import format_fingerprint
from desktop_app.models.store import Store
from desktop_app.services import audit

ROOT = Path(__file__).resolve().parents[2]
DB = "govis.db"

# Bookkeeping left out of the comparison, and why (everything else is compared row for row):
# - the clock at the moment of writing: two runs of the same operation differ there and nowhere else;
CLOCK_COLUMNS = {
    "audit_log": {"at", "hash", "prev_hash"},  # the chain over `at`; audit.verify checks it separately
    "schema_migrations": {"applied_at"},
    "users": {"created_at", "password_changed_at", "password_hash"},  # the hash: over a random salt
    "exchange_keys": {"created_at", "envelope"},  # the envelope: a random salt and nonce around the key
    "trusted_keys": {"registered_on"},
    "audit_heads": {"received_at"},
    "packages": {"processed_at", "receipt"},  # the receipt repeats processed_at and the backup's file name
}
CLOCK_SETTINGS = {"audit_head"}  # seq:hash of the chain's last entry (its hash covers `at`)
# - the file's upkeep, done when any writing command opens it, whatever the command then does
UPKEEP_SETTINGS = {"integrity_full_checked_on"}  # the day the weekly full integrity check last passed
# - the installation's own identity, drawn at random when it is created (its organisation id, its users'
#   ids, its signing key; a package's id and signature): replaced by placeholders wherever they occur.
#   Numbered in the order they were written (rowid), so the same thing gets the same placeholder.
IDENTITY_SQL = (
    "SELECT value FROM settings WHERE key='installation_org_id'",
    "SELECT id FROM users ORDER BY rowid",
    "SELECT fingerprint FROM exchange_keys ORDER BY rowid",
    "SELECT public_key FROM exchange_keys ORDER BY rowid",
    "SELECT id FROM packages WHERE direction='sent' ORDER BY rowid",
    "SELECT file_sha256 FROM packages WHERE direction='sent' ORDER BY rowid",
    "SELECT created_at FROM packages WHERE direction='sent' ORDER BY rowid",
)
# - the clock values of set-up, wherever they are repeated (an audit entry's `after` holds the row it wrote)
CLOCK_SQL = (
    "SELECT created_at FROM organisations WHERE id=(SELECT value FROM settings WHERE key='installation_org_id')",
    "SELECT updated_at FROM organisations WHERE id=(SELECT value FROM settings WHERE key='installation_org_id')",
    "SELECT created_at FROM users",
    "SELECT created_at FROM exchange_keys",
    "SELECT applied_at FROM schema_migrations",
)


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), isolation_level=None)


def _identity_tokens(conn: sqlite3.Connection) -> dict[str, str]:
    tokens: dict[str, str] = {}
    for sql in IDENTITY_SQL:
        try:
            values = [r[0] for r in conn.execute(sql) if r[0]]
        except sqlite3.OperationalError:  # a table or setting this schema does not have
            continue
        for i, value in enumerate(values):
            mark = f"<{sql.split()[1]}#{i}>"
            tokens.setdefault(str(value), mark)
            if "fingerprint" in sql:  # also as printed, in groups of four (audit summaries)
                tokens.setdefault(format_fingerprint(value), mark)
                tokens.setdefault(format_fingerprint(value, short=True), mark)
    for sql in CLOCK_SQL:
        try:
            tokens.update({str(r[0]): "<clock>" for r in conn.execute(sql) if r[0]})
        except sqlite3.OperationalError:
            continue
    # longest first: a short fingerprint is the start of the full one
    return dict(sorted(tokens.items(), key=lambda kv: -len(kv[0])))


# Columns whose text may quote an identity or a clock value inside it; elsewhere only whole values are.
TEXT_COLUMNS = {"audit_log": {"summary", "before", "after"}, "settings": {"value"}}


# a backup's file name carries the minute it was made (govis-20261126-0930-恢复前.db), and a restore's
# audit entry names it: the clock again
BACKUP_STAMP = re.compile(r"govis-\d{8}-\d{4}(-\d+)?-")


def _norm(value, tokens: dict[str, str]):
    if isinstance(value, str):
        for token, mark in tokens.items():
            if token in value:
                value = value.replace(token, mark)
        value = BACKUP_STAMP.sub("govis-<clock>-", value)
    return value


def table_rows(path: Path) -> dict[str, list[tuple]]:
    """Every user table's rows, normalised (see above) and sorted: a comparable picture of the data."""
    conn = connect(path)
    try:
        tokens = _identity_tokens(conn)
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        out = {}
        for table in tables:
            cur = conn.execute(f"SELECT * FROM {table}")
            cols = [c[0] for c in cur.description]
            skip = CLOCK_COLUMNS.get(table, set())
            texts = TEXT_COLUMNS.get(table, set())
            if not skip and not texts and table not in ("settings", "organisations"):  # the bulk: whole values
                out[table] = sorted((tuple(tokens.get(v, v) for v in row) for row in cur), key=repr)
                continue
            rows = []
            for row in cur:
                values = dict(zip(cols, row))
                if table == "settings" and values.get("key") in UPKEEP_SETTINGS:
                    continue
                if table == "settings" and values.get("key") in CLOCK_SETTINGS:
                    values["value"] = "<clock>"
                if table == "organisations" and values.get("id") in tokens:  # made at set-up, by the clock
                    values["created_at"] = values["updated_at"] = "<clock>"
                rows.append(tuple(
                    "<clock>" if c in skip and v is not None else _norm(v, tokens) if c in texts
                    else tokens.get(v, v) for c, v in values.items()))
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()


def digest(path: Path) -> str | None:
    """None when there is no database (or an empty file: SQLite's own 'no database yet')."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    h = hashlib.sha256()
    for table, rows in table_rows(path).items():
        h.update(repr((table, rows)).encode("utf-8"))
    return h.hexdigest()


def differing_tables(a: Path, b: dict[str, list[tuple]]) -> list[str]:
    rows = table_rows(a)
    return sorted(t for t in set(rows) | set(b) if rows.get(t) != b.get(t))


def check_database(path: Path) -> None:
    """quick_check passes and the audit chain verifies (only for a database that exists)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    conn = connect(path)
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        assert result == ["ok"], f"{path.name}: quick_check {result[:5]}"
        problems = audit.verify(Store(conn, str(path)))
        assert not problems, f"{path.name}: audit chain broken: {[p.message for p in problems]}"
    finally:
        conn.close()


@dataclass
class Case:
    name: str
    argv: list[str]  # govis arguments; "{work}" stands for the work folder
    prepare: Callable[[Path], None]  # lays out the starting state in an empty work folder
    databases: tuple[str, ...] = (DB,)  # files (relative to the work folder) whose state is compared
    env: dict[str, str] = field(default_factory=dict)
    # extra assertions after each run: (work folder, "before" | "after") -> None
    check: Callable[[Path, str], None] | None = None


@dataclass
class Report:
    duration: float
    outcomes: list[tuple[float, str]]  # (seconds after start, "before" | "after" | "finished" before the kill)


def _command(case: Case, work: Path) -> tuple[list[str], dict[str, str]]:
    argv = [a.replace("{work}", str(work)) for a in case.argv]
    env = {**os.environ, "GOVIS_DB": str(work / DB), "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           **{k: v.replace("{work}", str(work)) for k, v in case.env.items()}}
    return [sys.executable, "-m", "desktop_app", *argv], env


def run_once(case: Case, work: Path, kill_after: float | None = None) -> tuple[bool, float, str]:
    """Run the command in `work`; kill it after `kill_after` seconds. (finished, seconds, stderr)"""
    cmd, env = _command(case, work)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=str(work), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        return False, time.perf_counter() - started, err.decode("utf-8", "replace")
    seconds = time.perf_counter() - started
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 0, f"{case.name}: uninterrupted run failed ({proc.returncode}):\n{text}"
    return True, seconds, text


def observe(case: Case, work: Path) -> tuple[str | None, ...]:
    for name in case.databases:
        check_database(work / name)
    return tuple(digest(work / name) for name in case.databases)


def _fresh(case: Case, work: Path) -> None:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    case.prepare(work)


def measure(case: Case, work: Path) -> tuple[tuple, tuple, float]:
    """(before, after, seconds) of one uninterrupted run; the work folder keeps the after-state."""
    _fresh(case, work)
    before = observe(case, work)
    _, seconds, _ = run_once(case, work)
    after = observe(case, work)
    assert before != after, f"{case.name}: the operation changed nothing; the test could not fail"
    if case.check:
        case.check(work, "after")
    return before, after, seconds


def kill_at_random(case: Case, work: Path, before: tuple, after: tuple, duration: float, moments: list[float],
                   after_rows: dict | None = None) -> Report:
    """Kill at each of `moments` (fractions of `duration`); `after_rows` (name -> table_rows) explains a failure."""
    after_rows = after_rows or {}
    outcomes = []
    for i, fraction in enumerate(moments):
        at = duration * fraction
        _fresh(case, work)
        finished, _, err = run_once(case, work, kill_after=at)
        state = observe(case, work)
        label = "before" if state == before else "after" if state == after else None
        if label is None:
            names = [n for n, s, b, a in zip(case.databases, state, before, after) if s not in (b, a)]
            detail = {n: differing_tables(work / n, after_rows[n]) for n in names if after_rows.get(n)}
            raise AssertionError(f"{case.name}: killed at {at:.2f}s (kill {i}, fraction {fraction:.3f}) left "
                                 f"{names} neither before nor after the operation; tables differing from "
                                 f"the after-state: {detail}\n{err[-2000:]}")
        assert label == "after" or not finished, f"{case.name}: finished, yet the data are as before"
        if case.check:
            case.check(work, label)
        outcomes.append((at, label if not finished else "finished"))
    return Report(duration, outcomes)


def moments(seed: int, kills: int, low: float = 0.02, high: float = 1.0) -> list[float]:
    """Seeded fractions of the uninterrupted run's duration, spread over it (stratified: one per slice)."""
    rng = random.Random(seed)
    width = (high - low) / kills
    return [low + width * (i + rng.random()) for i in range(kills)]


# ---- ready for the backup engineer's commands ----------------------------------------------------------

def backup_case(prepare: Callable[[Path], None]) -> Case:
    """`govis backup --out FILE`: the database is untouched, the backup file absent or complete."""
    return Case("backup", ["backup", "--out", "{work}/backup.db"], prepare, databases=(DB, "backup.db"))


def restore_case(prepare_with_backup: Callable[[Path], None]) -> Case:
    """`govis restore FILE --yes`: the database is the old one or the restored one (prepare puts the
    backup at {work}/backup.db)."""
    return Case("restore", ["restore", "{work}/backup.db", "--yes"], prepare_with_backup)
