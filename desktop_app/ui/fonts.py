"""Chinese UI fonts: register the bundled fonts, then prefer the PC's own Chinese UI face.

The bundled files (desktop_app/resources/fonts, found by desktop_app.resources frozen or not) make the
window readable on a PC with no Chinese fonts at all; a real Windows PC has 微软雅黑 and looks
native with it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop_app.documents.resources import fonts_dir

log = logging.getLogger(__name__)

FONT_SUFFIXES = (".ttf", ".ttc", ".otf")
# Most native first. Windows: 微软雅黑, then 宋体; Linux: Noto/Source Han, WenQuanYi.
SYSTEM_PREFERRED = (
    "Microsoft YaHei UI", "Microsoft YaHei", "微软雅黑", "SimSun", "宋体", "NSimSun",
    "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "文泉驿微米黑", "WenQuanYi Zen Hei",
)
# Among the bundled families a sans face reads best at UI sizes.
BUNDLED_PREFERRED = ("WenQuanYi Micro Hei", "AR PL UMing CN", "LXGW WenKai")

_registered: list[str] | None = None


def font_files(folder: Path | None = None) -> list[Path]:
    folder = folder or fonts_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file())


def register_bundled(folder: Path | None = None) -> list[str]:
    """Add every bundled font file to Qt's font database once; return the families they add."""
    global _registered
    if _registered is not None and folder is None:
        return _registered
    families: list[str] = []
    for path in font_files(folder):
        fid = QFontDatabase.addApplicationFont(str(path))
        if fid < 0:
            log.warning("could not load font %s", path)
            continue
        for fam in QFontDatabase.applicationFontFamilies(fid):
            if fam not in families:
                families.append(fam)
    if folder is None:
        _registered = families
    return families


def choose_family(available: list[str], bundled: list[str]) -> str | None:
    """The PC's own Chinese UI face when it has one, else the best bundled face."""
    have = set(available)
    for fam in SYSTEM_PREFERRED:
        if fam in have and fam not in bundled:
            return fam
    for fam in BUNDLED_PREFERRED:
        if fam in bundled:
            return fam
    return bundled[0] if bundled else None


def apply_ui_font(app: QApplication, point_size: float = 10.0) -> str | None:
    bundled = register_bundled()
    family = choose_family(QFontDatabase.families(), bundled)
    if family is None:
        log.warning("no Chinese font found: neither system nor bundled")
        return None
    font = QFont(app.font())
    # The rest of the bundled families follow as fallbacks for rare characters.
    font.setFamilies([family] + [f for f in bundled if f != family])
    font.setPointSizeF(point_size)
    app.setFont(font)
    log.info("UI font: %s", family)
    return family
