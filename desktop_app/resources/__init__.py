"""The program's own files: fonts, icons and the user manual, inside the package (no Qt).

    from desktop_app import resources
    resources.path("fonts/uming.ttc")          # Path of a bundled file (it may not exist: check .is_file())
    resources.path("manual/index.html")        # the built manual, put in desktop_app/resources/manual/
    resources.listing("icons", (".svg",))      # files directly in a folder, sorted, by suffix
    resources.root()                           # the folder itself

Found with `importlib.resources`, the same way in a source tree, an installed wheel and a PyInstaller
bundle (PyInstaller collects this folder as package data and answers `files()` from its unpack folder),
so no module asks PyInstaller where it unpacked. These files are read only: nothing is ever written beside the
program (the database, backups and printed files live in the user's data folder).
"""

from __future__ import annotations

import os
from importlib import resources as _ir
from pathlib import Path

# Lets a packager or a test point at another copy of the resources.
RESOURCES_ENV = "GOVIS_RESOURCES"


def root() -> Path:
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    base = _ir.files(__name__)
    # a regular package on disk (source, wheel, PyInstaller) is a real folder; Qt and ReportLab need paths
    return base if isinstance(base, Path) else Path(str(base))


def path(relative: str) -> Path:
    """The bundled file or folder at `relative` (forward slashes, e.g. "manual/index.html")."""
    rel = Path(relative)
    if rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"not a resource path: {relative}")
    return root().joinpath(*rel.parts)


def listing(folder: str, suffixes: tuple[str, ...] = ()) -> list[Path]:
    """Files directly in a bundled folder (sorted), only those ending in `suffixes` if given."""
    where = path(folder)
    if not where.is_dir():
        return []
    return sorted(p for p in where.iterdir()
                  if p.is_file() and (not suffixes or p.suffix.lower() in suffixes))
