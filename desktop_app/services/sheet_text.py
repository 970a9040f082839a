"""Text in a spreadsheet, one definition of each: how wide it shows, and how a text cell is kept text.

Used by the package workbook (`exchange/workbook.py`), the exports for WPS/Excel (`services/xlsx_export.py`),
the old-ledger import and the command line's tables. No Qt, and openpyxl only through the cell it is given.
"""

from __future__ import annotations

import unicodedata

# what makes a spreadsheet read typed text as a formula (ASCII and full-width forms)
FORMULA_LEADS = "=+-@＝＋－＠"


def looks_like_formula(text: str) -> bool:
    """True if a spreadsheet would read this text as a formula when typed in (after blanks/controls)."""
    stripped = text.lstrip(" \t\r\n\u3000")
    return bool(stripped) and stripped[0] in FORMULA_LEADS


def keep_as_text(cell) -> None:
    """Neutralise an openpyxl cell's text: an inline string (never a formula, whatever it starts with) with
    the quotePrefix style, the spreadsheet's own "typed with a leading apostrophe" flag, so Excel, WPS and
    LibreOffice show the text unchanged and keep it text when someone edits the cell."""
    cell.data_type = "s"  # openpyxl turns text starting with "=" into a formula: undo that
    cell.quotePrefix = True


def display_width(text: str) -> int:
    """Width in Latin character cells of the longest line: CJK (wide, full-width) characters count two.
    Only the first 50 lines of 200 characters are measured: a column is capped long before that."""
    best = 0
    for line in str(text).split("\n")[:50]:
        best = max(best, sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[:200]))
    return best
