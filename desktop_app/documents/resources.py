"""Locate the program's resources folder, in a source tree and in a frozen build."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Lets a packager or a test point at another copy of the resources.
RESOURCES_ENV = "GOVIS_RESOURCES"


def resources_dir() -> Path:
    """The folder holding fonts/, icons/, templates/.

    Order: $GOVIS_RESOURCES; PyInstaller's unpack folder (sys._MEIPASS/resources,
    the spec adds the folder under that name); the repository root next to desktop_app/.
    """
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"
