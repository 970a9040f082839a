"""Icons: small SVGs in desktop_app/resources/icons, else Qt's standard icons (always present)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from desktop_app import resources

SP = QStyle.StandardPixmap
# name -> (svg file, standard-icon fallback)
ICONS = {
    "workbench": ("workbench.svg", SP.SP_FileDialogDetailedView),
    "ledger": ("ledger.svg", SP.SP_FileDialogListView),
    "statistics": ("statistics.svg", SP.SP_FileDialogInfoView),
    "settings": ("settings.svg", SP.SP_ComputerIcon),
    "export": ("export.svg", SP.SP_DialogSaveButton),
    "backup": (None, SP.SP_DriveHDIcon),
    "new": (None, SP.SP_FileIcon),
    "refresh": (None, SP.SP_BrowserReload),
    "open": (None, SP.SP_DirOpenIcon),
    "quit": (None, SP.SP_DialogCloseButton),
    "about": (None, SP.SP_MessageBoxInformation),
    "search": (None, SP.SP_FileDialogContentsView),
    "save": (None, SP.SP_DialogSaveButton),
    "audit": (None, SP.SP_FileDialogContentsView),
    "units": (None, SP.SP_DirHomeIcon),
    "annual": (None, SP.SP_FileDialogStart),
}


@cache
def icon(name: str) -> QIcon:
    svg, standard = ICONS[name]
    if svg:
        path = resources.path(f"icons/{svg}")
        if path.is_file():
            ic = QIcon(str(path))
            if not ic.isNull():
                return ic
    return QApplication.style().standardIcon(standard)
