import importlib
import sqlite3
from pathlib import Path

import pytest

from desktop_app.errors import StoreError
from desktop_app.models.fields import BOOL, INT, MONEY
from desktop_app.models.kinds import KINDS
from desktop_app.models.migrations import LATEST, MIGRATIONS
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from tests.core import builders as B
from tests.core.dbstate import snapshot


def test_migrations_are_recorded_and_idempotent(tmp_path):
    s = Store.open(tmp_path / "a.db")
    assert s.schema_version() == LATEST
    assert s.migrate() == []
    recorded = [(r["version"], r["name"]) for r in s.all("SELECT version, name FROM schema_migrations ORDER BY version")]
    assert recorded == [(v, name) for v, name, _ in MIGRATIONS]


def test_every_migration_module_is_registered_once_in_order():
    """The list is derived from the files: a new mNNNN_*.py that is not registered (or registered under
    another number) fails here."""
    import desktop_app.models.migrations as pkg

    files = sorted(p.stem for p in Path(pkg.__file__).parent.glob("m[0-9][0-9][0-9][0-9]_*.py"))
    numbers = [int(stem[1:5]) for stem in files]
    assert numbers == list(range(1, len(files) + 1))  # no gap, no duplicate number
    assert [v for v, _, _ in MIGRATIONS] == numbers and LATEST == numbers[-1]
    for (v, _, step), stem in zip(MIGRATIONS, files, strict=True):
        module = importlib.import_module(f"desktop_app.models.migrations.{stem}")
        assert step in (getattr(module, "SQL", None), getattr(module, "migrate", None)), (v, stem)


def test_foreign_keys_on_every_connection(tmp_path):
    s = Store.open(tmp_path / "a.db")
    assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(StoreError), s.tx():
        s.conn.execute("INSERT INTO project_co_builders (id, owner_org, created_at, updated_at, project_id, org_id)"
                       " VALUES ('x', 'nobody', 'now', 'now', 'nope', 'nobody')")


def test_registry_matches_schema(tmp_path):
    s = Store.open(tmp_path / "a.db")
    for kind in KINDS.values():
        cols = {r[1]: r[2] for r in s.conn.execute(f"PRAGMA table_info({kind.table})")}
        for f in kind.fields:
            assert f.name in cols, (kind.name, f.name)
            assert cols[f.name] == ("INTEGER" if f.type in (MONEY, INT, BOOL) else "TEXT"), (kind.name, f.name)
        for common in ("id", "owner_org", "rev", "created_at", "updated_at"):
            assert common in cols
        assert ("project_id" in cols) == kind.project_scoped or kind.name == "project"


def test_newer_schema_refused(tmp_path):
    s = Store.open(tmp_path / "a.db")
    s.conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
    s.close()
    with pytest.raises(StoreError, match="更新版本"):
        Store.open(tmp_path / "a.db")


def test_missing_file_not_created_when_asked(tmp_path):
    with pytest.raises(StoreError, match="govis init"):
        Store.open(tmp_path / "none.db", create=False)


def test_not_a_database(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="损坏"):
        Store.open(bad)


def test_crash_mid_operation_leaves_last_good_state(county):
    c = county
    before = snapshot(c.store)
    with pytest.raises(RuntimeError), c.store.tx():
        c.store.conn.execute("UPDATE organisations SET name='x'")
        raise RuntimeError("power cut")
    assert snapshot(c.store) == before


def test_disk_full_gives_chinese_message_and_changes_nothing(county):
    c = county
    p = B.new_project(c)
    before = snapshot(c.store)
    pages = c.store.conn.execute("PRAGMA page_count").fetchone()[0]
    c.store.conn.execute(f"PRAGMA max_page_count={pages}")
    with pytest.raises(StoreError, match="磁盘空间已满"):
        ops.attach_file(c.store, c.unit, p["id"], _big_file(c.store.path), "project", p["id"])
    c.store.conn.execute("PRAGMA max_page_count=1073741823")
    assert snapshot(c.store) == before


def _big_file(db_path):
    from pathlib import Path
    f = Path(db_path).with_name("scan.pdf")
    f.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 4000)
    return f


def test_backup_is_a_consistent_copy(county, tmp_path):
    B.new_project(county)
    county.store.backup_to(tmp_path / "copy.db")
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT COUNT(*) FROM projects").fetchone()[0] == 1
