"""The crash acceptance test: SIGKILL at no fewer than 20 seeded-random moments of each operation.

After every kill: `PRAGMA quick_check` passes, the audit chain verifies, and the data equal the state
before or after the operation, never in between (see harness.py for what the comparison leaves out).
Each operation's kills are split into batches so pytest-xdist can run them side by side.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from pathlib import Path

import pytest

from desktop_app.demo import DEMO_PASSWORD
from desktop_app.demo.file import building_path
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from tests.crash import harness as H
from tests.crash.conftest import copy_database

KILLS = 20
# kills per test function: batches of one operation run side by side under pytest-xdist (the import is the
# long one: its kills come in four batches)
BATCHES = {"demo": 2, "import": 4, "export": 2, "backup": 2, "restore": 2}

PACKAGE_NAME = "包.zip"


def demo_case() -> H.Case:
    def leftovers(work: Path, label: str) -> None:
        # the instance lock's files stay (the OS lock itself dies with the process; see instance_lock)
        names = {p.name for p in work.iterdir()} - {H.DB + ".lock", H.DB + ".lock.info"}
        building = {building_path(work / H.DB).name + s for s in ("", "-wal", "-shm", "-journal")}
        if label == "before":
            assert names <= building, f"a killed demo left {names - building}"
        else:
            assert H.DB in names and not names - building - {H.DB}, names

    return H.Case("demo", ["demo", "--today", "2026-11-26", "--projects", "200", "--seed", "7", "--quiet"],
                  prepare=lambda work: None, check=leftovers)


def import_case(files: dict) -> H.Case:
    return H.Case("import", ["import", str(files["package"])],
                  prepare=lambda work: copy_database(files["finance"], work / H.DB),
                  env={"GOVIS_USER": "admin", "GOVIS_PASSWORD": DEMO_PASSWORD})


def export_case(files: dict) -> H.Case:
    def package_on_medium(work: Path, label: str) -> None:
        target = work / PACKAGE_NAME
        conn = sqlite3.connect(str(work / H.DB))
        sent = conn.execute("SELECT file_sha256 FROM packages WHERE direction='sent' AND peer_org=?",
                            (files["unit"],)).fetchall()
        conn.close()
        if label == "after":  # recorded as sent: the very package is whole on the medium
            assert len(sent) == 1 and hashlib.sha256(target.read_bytes()).hexdigest() == sent[0][0]
        else:
            assert sent == []
            if target.exists():  # killed between the rename and the commit: whole, merely unrecorded
                with zipfile.ZipFile(target) as z:
                    assert z.testzip() is None

    return H.Case("export", ["export", "--to", files["unit"], "--out", "{work}/" + PACKAGE_NAME],
                  prepare=lambda work: copy_database(files["county"], work / H.DB),
                  env={"GOVIS_PASSPHRASE": files["county_passphrase"], "GOVIS_USER": "admin",
                       "GOVIS_PASSWORD": DEMO_PASSWORD}, check=package_on_medium)


ADMIN_ENV = {"GOVIS_USER": "admin", "GOVIS_PASSWORD": DEMO_PASSWORD}


def backup_case(files: dict) -> H.Case:
    case = H.backup_case(lambda work: copy_database(files["county"], work / H.DB))
    case.env.update(ADMIN_ENV)
    return case


def restore_case(files: dict) -> H.Case:
    # the database one operation further on than its backup, made once (ids and times are random)
    current = Path(files["county"]).with_name("restore-current.db")
    if not current.exists():
        copy_database(files["county"], current)
        store = Store.open(current)
        try:
            ops.add_organisation(store, ops.installation_actor(store, "admin"), "MYCRASH", "崩溃测试局")
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            store.close()

    def prepare(work: Path) -> None:
        copy_database(files["county"], work / "backup.db")
        copy_database(current, work / H.DB)

    case = H.restore_case(prepare)
    case.env.update(ADMIN_ENV)
    return case


CASES = {"demo": lambda files: demo_case(), "import": import_case, "export": export_case, "backup": backup_case,
         "restore": restore_case}
FIXTURES = {"demo": None, "import": "exchange_files", "export": "demo_county", "backup": "demo_county",
            "restore": "demo_county"}
SEEDS = {"demo": 1801, "import": 1802, "export": 1803, "backup": 1804, "restore": 1805}


@pytest.fixture(scope="session")
def measured(tmp_path_factory):
    """One uninterrupted run per case: (case, before, after, seconds), made once per session."""
    done = {}

    def get(name: str, files: dict | None):
        if name not in done:
            case = CASES[name](files)
            work = tmp_path_factory.mktemp(f"measure-{name}")
            before, after, seconds = H.measure(case, work)
            rows = {n: H.table_rows(work / n) for n in case.databases if (work / n).exists()}
            done[name] = (case, before, after, seconds, rows)
        return done[name]

    return get


@pytest.mark.parametrize(("name", "batch"), [(name, b) for name, n in BATCHES.items() for b in range(n)])
def test_sigkill_leaves_before_or_after(name, batch, measured, request, tmp_path):
    files = request.getfixturevalue(FIXTURES[name]) if FIXTURES[name] else None
    case, before, after, seconds, after_rows = measured(name, files)
    moments = H.moments(SEEDS[name], KILLS)[batch::BATCHES[name]]
    report = H.kill_at_random(case, tmp_path / "work", before, after, seconds, moments, after_rows)
    assert len(report.outcomes) == KILLS // BATCHES[name]
    print(f"{name}: run {seconds:.2f}s; kills: " +
          ", ".join(f"{at:.2f}s→{label}" for at, label in report.outcomes))
