"""Every write goes through the operations layer (house rule, issue 8): no module outside it inserts,
updates or deletes rows. The exceptions are the store itself and bookkeeping that holds no one's facts,
each named here with its reason; a new write anywhere else fails this test."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "desktop_app"

OPERATIONS = {"services/operations.py", "services/exchange_writes.py"}
BOOKKEEPING = {
    "models/store.py": "the store: transactions, the journal of a previewed import, settings",
    "services/audit.py": "the audit chain's head, kept inside the operation's own transaction",
    "services/queries.py": "the ledger's cache of next deadlines, recomputed from the records",
    "services/integrity.py": "the date of the last full integrity check",
    "services/backups.py": "the second backup folder: where copies go, no project data",
    "demo/__init__.py": "the demo county, built in a side file that is not yet anyone's database",
    "demo/sink.py": "the demo county's records, written in bulk into the same side file",
}
WRITES = re.compile(
    r"\bstore\.(insert|update|write|write_many|insert_deferred|set_setting|replay_journal)\("
    r"|\b(INSERT (OR \w+ )?INTO|UPDATE \w+ SET|DELETE FROM|REPLACE INTO)\b"
)


def _writes(text: str) -> list[str]:
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0]
        if WRITES.search(code) and ('"' in code or "store." in code):
            found.append(f"{n}: {line.strip()[:100]}")
    return found


def test_no_write_outside_the_operations_layer():
    offenders = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in OPERATIONS or rel in BOOKKEEPING or rel.startswith("models/migrations/"):
            continue
        found = _writes(path.read_text(encoding="utf-8"))
        if found:
            offenders[rel] = found
    assert offenders == {}, "writes outside services/operations.py and services/exchange_writes.py"


def test_the_guard_sees_a_write():
    assert _writes('    store.conn.execute("UPDATE projects SET status=? WHERE id=?", (s, pid))')
    assert _writes("        store.insert('packages', row)")
    assert not _writes('    raise Refused("更新失败")')


def test_the_window_holds_no_sql():
    """The UI reads through services and writes through operations: no statement of its own."""
    sql = re.compile(r"[\"'](SELECT|INSERT|UPDATE|DELETE|WITH)\s")
    found = {p.name: n for p in sorted((ROOT / "ui").glob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if sql.search(line)}
    assert found == {}
