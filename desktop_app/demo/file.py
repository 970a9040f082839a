"""A demo county as a file that appears whole or not at all.

`generate` commits in several steps (the county, the deadlines, the signing key). Run straight into the
user's file, a kill part-way left a database of projects with no signing key that `govis demo` then refused
to touch. So the county is built in `.NAME.demo-building` beside the target, its WAL folded in, and renamed
onto the target at the end. A kill leaves no database (or the old one, with --force) or the complete one,
plus perhaps the building file, which the next run removes first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from desktop_app.services import atomic_file

BUILDING_SUFFIX = ".demo-building"


def building_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(f".{path.name}{BUILDING_SUFFIX}")


def generate_file(path: str | Path, projects: int = 120, seed: int = 2018, today: dt.date | None = None,
                  progress: Callable[[int, int], None] | None = None) -> dict:
    """Build a demo county into a new file and put it at `path` (replacing whatever database is there;
    the caller decides whether that is allowed). Any error leaves `path` untouched."""
    from desktop_app import demo
    from desktop_app.models.store import Store

    path = Path(path)
    tmp = building_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_file.remove_database_files(tmp)  # what a killed run left behind
    try:
        store = Store.open(tmp)
        try:
            stats = demo.generate(store, projects=projects, seed=seed, today=today, progress=progress)
        finally:
            store.close()
        atomic_file.publish_database(tmp, path)
    except BaseException:
        atomic_file.remove_database_files(tmp)
        raise
    return stats
