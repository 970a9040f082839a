"""Choices live in the kind registry and are validated in Python (fields.parse_value on every write);
the database keeps no CHECK (... IN (...)) copy of them (migration 0010), so adding a choice needs no
migration. The few CHECKs on internal codes that remain are compared with their Python declarations."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from desktop_app.errors import ValidationError
from desktop_app.models import authority
from desktop_app.models.kinds import KINDS
from desktop_app.models.migrations import m0009_choices_in_registry as m09
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from tests.core.builders import TODAY, make_county, new_project

FIXTURE_DB = Path(__file__).resolve().parents[1] / "fixtures" / "v0.1.0" / "county.db"
IN_CHECK = re.compile(r"CHECK\s*\(\s*(\w+)\s+IN\s*\(([^)]*)\)\s*\)")
# CHECKs on codes the program itself writes (never offered as a choice to a person), with where they
# are declared in Python: these stay, and must equal their declaration
INTERNAL = {
    ("users", "role"): set(authority.USER_ROLES),
    ("exchange_keys", "state"): {"active", "retired"},  # exchange/keyring.py
    ("trusted_keys", "source"): {"form", "directory", "confirmed"},  # exchange/trust.py, directory.py
    ("packages", "direction"): {"sent", "received"},
}


def choice_checks(store: Store) -> dict[tuple[str, str], set[str]]:
    out = {}
    for name, sql in store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table' AND sql IS NOT NULL"):
        for column, values in IN_CHECK.findall(sql):
            codes = {v.strip().strip("'") for v in values.split(",")}
            if not codes <= {"0", "1"} or "'" in values:  # yes/no flags IN (0, 1) are not choices
                out[(name, column)] = codes
    return out


@pytest.fixture(params=["new", "0.1.0"])
def store(request, tmp_path):
    if request.param == "new":
        s = Store.open(tmp_path / "new.db")
    else:
        shutil.copyfile(FIXTURE_DB, tmp_path / "old.db")
        s = Store.open(tmp_path / "old.db")
    yield s
    s.close()


def test_no_registry_choice_is_a_database_constraint(store):
    checks = choice_checks(store)
    registry = {(k.table, f.name) for k in KINDS.values() for f in k.fields if f.choices and f.type == "enum"}
    assert registry, "the registry declares choices"
    assert not registry & set(checks), "a choice column still has a CHECK: adding a choice would need a rebuild"
    assert ("projects", "status") not in checks and ("organisations", "role") not in checks
    for key, codes in checks.items():
        assert key in INTERNAL, f"CHECK on {key} is neither removed nor declared in Python"
        assert codes == INTERNAL[key], f"CHECK on {key} differs from its Python declaration"


def test_rebuilt_tables_keep_keys_indexes_and_rows(store):
    fks = store.conn.execute("PRAGMA foreign_key_list(application_materials)").fetchall()
    assert {r["table"] for r in fks} >= {"projects", "organisations"}
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "idx_extension_decisions_project" in indexes
    for table in m09.TABLES:
        sql = store.one("SELECT sql FROM sqlite_master WHERE name=?", (table,))["sql"]
        assert m09.without_choice_checks(sql) == sql and "_m0009_" not in sql


def test_adding_a_choice_in_the_registry_needs_no_migration(tmp_path):
    c = make_county(tmp_path / "c.db")
    p = new_project(c)
    field = KINDS["material"].field("material_type")
    with pytest.raises(ValidationError):  # not a choice yet: refused in Python, before SQLite sees it
        ops.add_record(c.store, c.unit, "material", p["id"], {"material_type": "feasibility", "title": "可研报告"}, today=TODAY)
    original = field.choices
    object.__setattr__(field, "choices", (*original, ("feasibility", "可行性研究报告")))
    try:
        row = ops.add_record(c.store, c.unit, "material", p["id"],
                             {"material_type": "可行性研究报告", "title": "可行性研究报告"}, today=TODAY)
    finally:
        object.__setattr__(field, "choices", original)
    assert c.store.get("material", row["id"])["material_type"] == "feasibility"
    c.store.close()


def test_an_old_database_with_every_kind_of_row_migrates(tmp_path):
    """The 0.1.0 county (24 demo projects in every status) keeps every row through the rebuild."""
    shutil.copyfile(FIXTURE_DB, tmp_path / "old.db")
    import sqlite3

    raw = sqlite3.connect(tmp_path / "old.db")
    before = {t: raw.execute(f"SELECT COUNT(*), group_concat(id) FROM {t}").fetchone()
              for t in m09.TABLES if raw.execute("SELECT 1 FROM sqlite_master WHERE name=?", (t,)).fetchone()}
    raw.close()
    s = Store.open(tmp_path / "old.db")
    for table, (n, ids) in before.items():
        assert tuple(s.conn.execute(f"SELECT COUNT(*), group_concat(id) FROM {table}").fetchone()) == (n, ids)
    assert sum(n for n, _ in before.values()) > 100
    s.close()
