"""Starting states for the crash tests, built once per session (per xdist worker)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from desktop_app.exchange import export
from desktop_app.services import atomic_file

IMPORT_PROJECTS = 1000
EXPORT_PROJECTS = 200


@pytest.fixture(scope="session")
def exchange_files(tmp_path_factory) -> dict:
    """The benchmark's county (1,000 demo projects) and its fresh finance installation, plus the package of
    all 1,000 projects for finance, as closed, checkpointed files to copy per kill."""
    from benchmarks.bench_exchange import _setup

    folder = tmp_path_factory.mktemp("crash-exchange")
    county, c_actor, c_pass, finance, _f_actor, fin_code = _setup(folder, IMPORT_PROJECTS)
    package = folder / "pkg.zip"
    export.export_package(county, c_actor, c_pass, fin_code, package, everything=True)
    for store in (county, finance):
        path = store.path
        store.close()
        atomic_file.checkpoint_away(path)
    return {"finance": Path(finance.path), "package": package}


@pytest.fixture(scope="session")
def demo_county(tmp_path_factory) -> dict:
    """A demo county of 200 projects that exports to its busiest unit (small enough to copy and compare
    per kill in a fraction of a second)."""
    from desktop_app.demo import DEMO_PASSPHRASE
    from desktop_app.demo.file import generate_file
    from desktop_app.models.store import Store

    path = tmp_path_factory.mktemp("crash-county") / "county.db"
    generate_file(path, projects=EXPORT_PROJECTS, seed=7, today=dt.date(2026, 11, 26))
    store = Store.open(path)
    unit = store.one("SELECT o.code FROM projects p JOIN organisations o ON o.id = p.lead_org_id "
                     "GROUP BY o.code ORDER BY COUNT(*) DESC, o.code LIMIT 1")["code"]
    store.close()
    atomic_file.checkpoint_away(path)
    return {"county": path, "county_passphrase": DEMO_PASSPHRASE, "unit": unit}


def copy_database(source: Path, target: Path) -> None:
    """The fixture's files are closed and checkpointed: one self-contained file each."""
    shutil.copyfile(source, target)
