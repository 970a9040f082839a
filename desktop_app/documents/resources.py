"""The fonts folder for printing; the files themselves are found by `desktop_app.resources`."""

from __future__ import annotations

from pathlib import Path

from desktop_app import resources as _res
from desktop_app.resources import RESOURCES_ENV  # noqa: F401  (kept for callers that name it here)


def resources_dir() -> Path:
    """The folder holding fonts/, icons/ and manual/ (see desktop_app.resources)."""
    return _res.root()


def fonts_dir() -> Path:
    return _res.path("fonts")
