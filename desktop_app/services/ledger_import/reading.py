"""Reading a ledger file into rows of cell values, each with its sheet row number.

.xlsx through openpyxl (read-only: a 2,000-row ledger streams), .xls through xlrd, .csv in UTF-8 or GBK
(GB18030, its superset) through the csv module. Anything else, or a damaged file, is refused in Chinese."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from desktop_app.errors import GovisError
from desktop_app.services.text_encoding import decode_text

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


class LedgerFileError(GovisError):
    """The file cannot be read as a ledger; the message says why and what to do."""


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[tuple[int, list]]   # (sheet row number, cell values); wholly blank rows left out


def sheet_names(path: str | Path) -> list[str]:
    path = _checked(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [path.stem]
    if suffix == ".xls":
        return _xls_book(path).sheet_names()
    wb = _xlsx_book(path)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_sheet(path: str | Path, sheet: str | None = None) -> Sheet:
    """The named sheet (default: the first) as rows of values."""
    path = _checked(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return Sheet(path.stem, _keep(enumerate(csv.reader(io.StringIO(_csv_text(path))), 1)))
    if suffix == ".xls":
        return _read_xls(path, sheet)
    wb = _xlsx_book(path)
    try:
        name = _pick(list(wb.sheetnames), sheet)
        ws = wb[name]
        return Sheet(name, _keep(enumerate(ws.iter_rows(values_only=True), 1)))
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise LedgerFileError(f"文件「{path.name}」已损坏，无法读取（{type(exc).__name__}）。"
                              "请用 WPS 或 Excel 打开后另存为 .xlsx 再导入。") from None
    finally:
        wb.close()


def _keep(rows) -> list[tuple[int, list]]:
    out = []
    for number, values in rows:
        values = list(values)
        while values and _empty(values[-1]):
            values.pop()
        if values:
            out.append((number, values))
    return out


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _pick(names: list[str], sheet: str | None) -> str:
    if sheet is None:
        return names[0]
    if sheet not in names:
        raise LedgerFileError(f"文件中没有名为「{sheet}」的工作表。现有工作表：{'、'.join(names)}")
    return sheet


def _checked(path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise LedgerFileError(f"找不到文件「{path}」，请核对文件位置。")
    if path.suffix.lower() not in SUFFIXES:
        raise LedgerFileError(f"不能读取「{path.name}」：台账须为 Excel 工作簿（.xlsx 或 .xls）或 CSV 文件。"
                              "请用 WPS 或 Excel 打开后另存为 .xlsx 再导入。")
    return path


def _xlsx_book(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise LedgerFileError(f"文件「{path.name}」不是有效的 .xlsx 工作簿或已损坏（{type(exc).__name__}）。"
                              "请用 WPS 或 Excel 打开后另存为 .xlsx 再导入。") from None


def _xls_book(path: Path):
    try:
        import xlrd
    except ImportError:
        raise LedgerFileError(f"本机不能读取 .xls 文件「{path.name}」。请用 WPS 或 Excel 打开后另存为 .xlsx 再导入。"
                              ) from None
    try:
        return xlrd.open_workbook(str(path))
    except Exception as exc:  # noqa: BLE001  (xlrd raises many kinds on a damaged file)
        raise LedgerFileError(f"文件「{path.name}」不是有效的 .xls 工作簿或已损坏（{type(exc).__name__}）。"
                              "请用 WPS 或 Excel 打开后另存为 .xlsx 再导入。") from None


def _read_xls(path: Path, sheet: str | None) -> Sheet:
    import xlrd

    book = _xls_book(path)
    name = _pick(book.sheet_names(), sheet)
    ws = book.sheet_by_name(name)

    def value(cell):
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate_as_datetime(cell.value, book.datemode)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return None
        return cell.value

    return Sheet(name, _keep((r + 1, [value(c) for c in ws.row(r)]) for r in range(ws.nrows)))


def _csv_text(path: Path) -> str:
    text = decode_text(path.read_bytes())
    if text is not None:
        return text
    raise LedgerFileError(f"文件「{path.name}」的文字编码无法识别（应为 UTF-8 或 GBK）。请用 WPS 或 Excel 打开后另存为 .xlsx。")

