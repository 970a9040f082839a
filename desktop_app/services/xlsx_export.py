"""Formatted xlsx for WPS/Excel users (台账, 工作台, 统计, 操作日志): bold frozen header, CJK-aware widths,
money format, and text that can never turn into a formula (`sheet_text.keep_as_text`, as in the package
workbook: the text is stored as it is, nothing visible is prefixed).

Plain openpyxl, no Qt: the window runs it in a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from desktop_app.services import atomic_file
from desktop_app.services.sheet_text import display_width, keep_as_text

MONEY_FORMAT = "#,##0.00"
MAX_WIDTH = 60


def write_sheet(ws, headers: Sequence[str], rows: Sequence[Sequence], kinds: Sequence[str],
                progress: Callable[[int, int], None] | None = None) -> None:
    """kinds per column: 'text', 'int', 'money' (float 万元), 'number'."""
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE8F5")
    widths = [display_width(h) for h in headers]
    for col, h in enumerate(headers, 1):
        c = ws.cell(row=1, column=col)
        c.value = h
        keep_as_text(c)
        c.font, c.fill = bold, fill
        c.alignment = Alignment(horizontal="center", vertical="center")
    total = len(rows)
    for i, row in enumerate(rows, 2):
        for col, (value, kind) in enumerate(zip(row, kinds), 1):
            c = ws.cell(row=i, column=col)
            if kind == "text" or value is None or isinstance(value, str):
                text = "" if value is None else str(value)
                c.value = text
                keep_as_text(c)
                widths[col - 1] = max(widths[col - 1], display_width(text))
            else:
                c.value = value
                if kind == "money":
                    c.number_format = MONEY_FORMAT
                widths[col - 1] = max(widths[col - 1], len(f"{value:,.2f}") if kind == "money" else len(str(value)))
        if progress and (i - 1) % 500 == 0:
            progress(i - 1, total)
    for col, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, w + 3)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 20


def save_workbook(path: str | Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence], Sequence[str]]],
                  progress: Callable[[int, int], None] | None = None) -> Path:
    """sheets: (title, headers, rows, kinds). Writes to a temp name, then renames (no half files)."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows, kinds in sheets:
        ws = wb.create_sheet(title=safe_sheet_title(title))
        write_sheet(ws, headers, rows, kinds, progress)
    # temp file, fsync, rename; a failed save (full disk, file open in WPS) leaves no half file and raises
    # FileWriteError with the Chinese advice
    with atomic_file.replacing(path) as tmp:
        wb.save(tmp)
    return path


def safe_sheet_title(title: str) -> str:
    for ch in '[]:*?/\\':
        title = title.replace(ch, "_")
    return title[:31] or "Sheet"
