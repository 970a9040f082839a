"""One place for each concept: the 分-per-万元 factor, the CJK width, the formula test and the way a
spreadsheet text cell is kept text are each defined once; every other module imports them."""

from __future__ import annotations

import re
from pathlib import Path

import desktop_app

ROOT = Path(desktop_app.__file__).parent


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def _where(pattern: str) -> list[str]:
    """The module of every match (once a match)."""
    rx = re.compile(pattern, re.MULTILINE)
    return [name for name, text in _sources() for _ in rx.finditer(text)]


# a million that is not money, each with its reason
NOT_MONEY = {
    "ui/ledger_import_wizard.py",  # the header row spin box's upper bound
    "ui/errors.py",                # the log file's size in bytes
    "documents/fonts.py",          # a short tag from a CRC
    "documents/forms.py",          # "as tall as needed" for a ReportLab wrap
    "documents/gongwen.py",        # likewise
}


def test_the_fen_per_wan_factor_is_written_once():
    # 1 万元 = 1,000,000 分, spelled any usual way in code
    millions = _where(r"\b(1_000_000|1000000|10\s*\*\*\s*6|1e6)\b")
    assert [w for w in millions if w not in NOT_MONEY] == ["models/fields.py"]
    assert _where(r"^[ \t]*FEN_PER_WAN\s*=") == ["models/fields.py"]
    assert _where(r"^[ \t]*FEN_PER_YUAN\s*=") == ["models/fields.py"]


def test_cjk_width_and_formula_leads_are_defined_once():
    assert _where(r"east_asian_width") == ["services/sheet_text.py"]
    assert _where(r"^def display_width\b") == ["services/sheet_text.py"]
    assert _where(r"^(FORMULA_\w+)\s*=") == ["services/sheet_text.py"]
    assert _where(r"quotePrefix\s*=") == ["services/sheet_text.py"]


def test_no_qt_free_spreadsheet_module_is_left_in_the_ui():
    assert not (ROOT / "ui" / "xlsx.py").exists()
    assert "PySide6" not in (ROOT / "services" / "xlsx_export.py").read_text(encoding="utf-8")
