"""The human-readable workbook (.xlsx) inside a package: written for people, read back exactly.

Layout: a first sheet 「说明」 (sender, recipient, date, contents with record counts), then one sheet per
record kind with Chinese headers (bold, frozen, repeated on every printed page, A4 landscape).

Values and how they round-trip (`read_workbook(write_workbook(x)) == x`, with "" read as None):

* text  – an inline string cell (data_type 's'), never a formula. Every text cell also carries the
  `quotePrefix` style, the spreadsheet's own "typed with a leading apostrophe" flag: Excel, WPS and
  LibreOffice show the text as it is, and keep it text even when someone edits the cell. Text that
  starts with = + - @ (or ＝ ＋ － ＠, or tab/CR before them) is therefore stored unchanged: nothing
  visible is prefixed, so nothing has to be stripped again and what officials read is the original.
  Characters XML 1.0 cannot hold (C0 controls other than tab and newline, CR, U+FFFE, U+FFFF) are
  written with the OOXML escape `_xHHHH_` that Excel and WPS decode for display; a literal
  `_xHHHH_` in the text has its underscore escaped as `_x005F_`, so the scheme is reversible. Lone
  surrogates cannot be stored at all and are refused at write time. At most 32,767 characters per
  cell (Excel's limit), checked on write and on read.
* int   – a number cell holding an int (|v| < 10^15, exact in every spreadsheet program).
* money – integer fen (分) in the column 「<label>（分）」: that column is the data. For people a second
  column 「<label>（万元）」 shows the same amount in 万元; on read it is only checked for consistency.
* date  – ISO text "2026-11-24" (text, so no program turns it into a date serial or a locale format).
* choices – a column with (code, 中文) choices shows the Chinese label and reads back the code.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import openpyxl
from defusedxml.ElementTree import DefusedXMLParser
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from desktop_app.exchange import sheet_fast
from desktop_app.exchange.errors import ExportRefused, PackageRejected
from desktop_app.exchange.zipsafe import MB, ZipLimits, open_zip
from desktop_app.models.fields import FEN_PER_WAN
from desktop_app.services.sheet_text import display_width, keep_as_text

TEXT, INT, MONEY, DATE = "text", "int", "money", "date"
COLUMN_TYPES = (TEXT, INT, MONEY, DATE)
COVER_SHEET = "说明"
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
MAX_EXACT_INT = 10**15   # spreadsheets keep 15 significant digits

# Fail closed: without defusedxml openpyxl parses entity declarations (billion laughs).
XML_PARSER_SAFE = bool(getattr(openpyxl, "DEFUSEDXML", False))


# ---------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class Column:
    key: str                 # key in the record dict
    header: str              # Chinese column header (for money: without the unit)
    type: str = TEXT
    choices: tuple[tuple[str, str], ...] = ()  # (code, 中文 label)
    width: float | None = None                 # in characters; None = from the content

    def __post_init__(self):
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {self.type!r}")
        if self.choices and self.type != TEXT:
            raise ValueError("choices only apply to text columns")
        labels = [label for _, label in self.choices]
        if len(set(labels)) != len(labels) or len({c for c, _ in self.choices}) != len(self.choices):
            raise ValueError(f"choices of {self.key!r} must have unique codes and labels")

    @property
    def headers(self) -> tuple[str, ...]:
        """The physical column headers: money takes two columns (data in 分, display in 万元)."""
        if self.type == MONEY:
            return (f"{self.header}（分）", f"{self.header}（万元）")
        return (self.header,)


@dataclass(frozen=True)
class SheetSpec:
    name: str                       # sheet title shown on the tab, ≤ 31 characters
    columns: tuple[Column, ...]

    def __post_init__(self):
        object.__setattr__(self, "columns", tuple(self.columns))
        if not self.name or len(self.name) > 31 or set(self.name) & set("[]:*?/\\") or self.name == COVER_SHEET \
                or self.name.startswith("'") or self.name.endswith("'"):
            raise ValueError(f"invalid sheet name {self.name!r}")
        headers = self.headers
        if len(set(headers)) != len(headers):
            raise ValueError(f"duplicate headers in sheet {self.name!r}")
        if len({c.key for c in self.columns}) != len(self.columns):
            raise ValueError(f"duplicate keys in sheet {self.name!r}")

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(h for c in self.columns for h in c.headers)


@dataclass(frozen=True)
class Cover:
    sender: str
    recipient: str
    date: str                        # shown as given, e.g. "2026年11月24日"
    title: str = "数据包内容说明"
    notes: tuple[str, ...] = ("本工作簿随数据包一同签名。请勿修改：修改过的数据包将无法导入。",)
    program: str = ""                # "govis 0.2.0（数据包格式第2版）": shown on the cover
    # sheet name -> (the format its layout dates from, columns added in that format): the cover's list
    versions: Mapping[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkbookLimits:
    zip: ZipLimits = field(default_factory=lambda: ZipLimits(max_file_size=100 * MB, max_entries=500,
                                                            max_entry_size=100 * MB, max_total_size=150 * MB))
    max_cell_chars: int = MAX_CELL_CHARS
    max_rows: int = 100_000          # data rows per sheet
    max_header_columns: int = 512


# ---------------------------------------------------------------------------- text escaping

# What XML 1.0 cannot carry, plus CR (an XML parser turns it into LF).
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def escape_text(text: str) -> str:
    """Original text -> what is stored in the cell (OOXML `_xHHHH_` escapes)."""
    return _NEEDS_ESCAPE.sub(_escape_match, text)


def _escape_match(m) -> str:
    return "_x005F_" if m.group() == "_" else f"_x{ord(m.group()):04X}_"


def unescape_text(stored: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), stored)


def find_unstorable(text: str) -> str | None:
    """The first character that cannot be written at all (a lone surrogate), or None."""
    m = _SURROGATE.search(text)
    return m.group() if m else None


# ---------------------------------------------------------------------------- writing

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, horizontal="center", vertical="center")
_WAN_FORMAT = "#,##0.00####"


def _body(cell) -> None:
    cell.border = _BORDER
    cell.alignment = _WRAP_TOP


def _fmt_int(cell) -> None:
    cell.number_format = "0"


def _fmt_wan(cell) -> None:
    cell.number_format = _WAN_FORMAT


def write_workbook(cover: Cover, sheets: Sequence[tuple[SheetSpec, Sequence[Mapping[str, object]]]]) -> bytes:
    """The .xlsx bytes. Raises ExportRefused (naming sheet, row and column) for a value it cannot keep exact.

    openpyxl writes the frame of every sheet (cover, styled header row, widths, frozen header, filter,
    print titles, page setup, styles); the data rows, which are all of one simple shape, are then
    written straight into each sheet's <sheetData> (`_body_xml`): the very cells openpyxl would write
    (inline strings with the quotePrefix style, numbers, styled empty cells), about ten times faster.
    """
    names = [spec.name for spec, _ in sheets]
    if len(set(names)) != len(names):
        raise ValueError("duplicate sheet names")
    wb = openpyxl.Workbook()
    wb.properties.creator = "govis"
    _write_cover(wb.active, cover, [(spec.name, len(rows)) for spec, rows in sheets])
    styles = _body_styles(wb)
    bodies = []
    for spec, rows in sheets:
        body, widths = _body_xml(spec, rows, styles)
        ws = wb.create_sheet(spec.name)
        _write_sheet(ws, spec, len(rows), widths)
        bodies.append((ws, body, len(spec.headers), len(rows)))
    out = io.BytesIO()
    wb.save(out)  # assigns each sheet its part name (ws.path)
    return _splice_bodies(out.getvalue(), {ws.path.lstrip("/"): (body, width, n) for ws, body, width, n in bodies})


def _text_cell(ws, row: int, col: int, text: str, where: str):
    stored = _stored_text(text, where)
    cell = ws.cell(row=row, column=col)
    cell.value = stored
    keep_as_text(cell)
    return cell


def _stored_text(text: str, where) -> str:
    """The escaped text to store, or ExportRefused. `where`: the place, or (spec, row, column) naming it."""
    if _SURROGATE.search(text):
        raise ExportRefused(
            "unstorable_text",
            f"{_where(where)}含有无法保存的字符（不成对的代理字符），无法导出。请在程序中修改该内容后重新导出。")
    stored = _NEEDS_ESCAPE.sub(_escape_match, text)
    if len(stored) > MAX_CELL_CHARS:
        raise ExportRefused(
            "text_too_long",
            f"{_where(where)}的文字过长（{len(text)} 字），超过Excel单元格上限（{MAX_CELL_CHARS} 字），无法导出。"
            "请精简内容，或将详细内容作为附件（PDF）随数据包发送。",
        )
    return stored


def _where(where) -> str:
    return where if isinstance(where, str) else _place(*where)


def _write_cover(ws, cover: Cover, counts: list[tuple[str, int]]) -> None:
    ws.title = COVER_SHEET
    ws.sheet_properties.tabColor = "4472C4"
    title = _text_cell(ws, 1, 1, cover.title, "说明页标题")
    title.font = Font(bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
    row = 3
    fields = [("发送单位", cover.sender), ("接收单位", cover.recipient), ("日期", cover.date)]
    if cover.program:
        fields.append(("生成程序", cover.program))
    for label, value in fields:
        _text_cell(ws, row, 1, label, "说明页").font = _HEADER_FONT
        _text_cell(ws, row, 2, value, f"说明页「{label}」")
        row += 1
    row += 1
    _text_cell(ws, row, 1, "内容清单", "说明页").font = Font(bold=True, size=12)
    row += 1
    heads = ((1, "工作表"), (2, "记录数")) + (((3, "格式版本"), (4, "该版新增的列")) if cover.versions else ())
    for col, label in heads:
        c = _text_cell(ws, row, col, label, "说明页")
        c.font, c.fill, c.border, c.alignment = _HEADER_FONT, _HEADER_FILL, _BORDER, _HEADER_ALIGN
    for name, count in counts:
        row += 1
        _text_cell(ws, row, 1, name, "说明页").border = _BORDER
        c = ws.cell(row=row, column=2, value=count)
        c.border = _BORDER
        if cover.versions:
            version, added = cover.versions.get(name, (1, ()))
            _text_cell(ws, row, 3, f"第{version}版", "说明页").border = _BORDER
            _text_cell(ws, row, 4, "、".join(added) or "—", "说明页").border = _BORDER
    row += 2
    for note in cover.notes:
        _text_cell(ws, row, 1, note, "说明页备注")
        row += 1
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = max(30, min(60, max(_display_width(str(v)) for v in
                                                          (cover.sender, cover.recipient, cover.date,
                                                           cover.program)) + 4))
    if cover.versions:
        ws.column_dimensions["C"].width = 10
        ws.column_dimensions["D"].width = 40
    _page_setup(ws, print_titles=False)


def _write_sheet(ws, spec: SheetSpec, n_rows: int, widths: list[int]) -> None:
    """The frame of a data sheet: styled header row, widths, frozen header, filter, page setup."""
    headers = spec.headers
    for col, header in enumerate(headers, start=1):
        c = _text_cell(ws, 1, col, header, f"工作表「{spec.name}」表头")
        c.font, c.fill, c.border, c.alignment = _HEADER_FONT, _HEADER_FILL, _BORDER, _HEADER_ALIGN
    for i, column in enumerate((c for col in spec.columns for c in [col] * len(col.headers)), start=1):
        width = column.width or min(max(widths[i - 1] + 2, 8), 50)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(n_rows + 1, 2)}"
    _page_setup(ws, print_titles=True)


@dataclass(frozen=True)
class _Styles:
    text: int    # quotePrefix + thin border + wrap/top: every text, date and choice cell
    plain: int   # border + wrap/top: int cells and empty cells
    fen: int     # ... + number format "0": money in 分
    wan: int     # ... + number format for 万元


def _body_styles(wb) -> _Styles:
    """Register the body cells' styles once in the workbook's style table; their ids."""
    def sid(*setters) -> int:
        cell = WriteOnlyCell(wb.active)  # detached: only its style is kept
        for setter in setters:
            setter(cell)
        return cell.style_id

    return _Styles(text=sid(keep_as_text, _body), plain=sid(_body), fen=sid(_fmt_int, _body), wan=sid(_fmt_wan, _body))


def _xml_text(stored: str) -> str:
    """An inline string's <is> element; `stored` is already free of characters XML cannot hold."""
    if "&" in stored:
        stored = stored.replace("&", "&amp;")
    if "<" in stored:
        stored = stored.replace("<", "&lt;")
    if ">" in stored:
        stored = stored.replace(">", "&gt;")
    if stored.strip() != stored:
        return f'<is><t xml:space="preserve">{stored}</t></is>'
    return f"<is><t>{stored}</t></is>"


def _body_xml(spec: SheetSpec, rows: Sequence[Mapping[str, object]], st: _Styles) -> tuple[str, list[int]]:
    """The <row> elements of the data rows (row 2 on), validated; and the content widths of the columns."""
    headers = spec.headers
    widths = [_display_width(h) for h in headers]
    keys = {c.key for c in spec.columns}
    letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
    plan = []   # (column, type, letter(s), physical index, label dict or None)
    col = 0
    for column in spec.columns:
        plan.append((column, column.type, letters[col], letters[col + 1] if column.type == MONEY else None, col,
                     dict(column.choices) if column.choices else None))
        col += len(column.headers)
    text_s, plain_s, fen_s, wan_s = (f'" s="{st.text}" t="inlineStr">', f'" s="{st.plain}" t="n"',
                                     f'" s="{st.fen}" t="n"><v>', f'" s="{st.wan}" t="n"><v>')
    out: list[str] = []
    add = out.append
    for r, record in enumerate(rows, start=2):
        if not keys.issuperset(record):
            unknown = set(record) - keys
            raise ValueError(f"sheet {spec.name!r} row {r}: keys not in the sheet spec: {sorted(unknown)}")
        if all(record.get(k) in (None, "") for k in keys):
            raise ExportRefused("empty_record", f"工作表「{spec.name}」第{r}行的记录全部为空，无法导出。请检查该记录。")
        rs = str(r)
        measure = r <= 201  # widths from the first 200 rows are representative enough
        add(f'<row r="{rs}">')
        for column, ctype, letter, letter2, i, labels in plan:
            value = record.get(column.key)
            if value is None or value == "":
                add(f'<c r="{letter}{rs}{plain_s}/>')
                if letter2:
                    add(f'<c r="{letter2}{rs}{plain_s}/>')
                continue
            if ctype == TEXT or ctype == DATE:
                if ctype == TEXT:
                    if not isinstance(value, str):
                        raise ExportRefused("bad_value", f"{_place(spec, r, column)}应为文字，实际为「{type(value).__name__}」，"
                                            "无法导出。请检查该记录。")
                    if labels is not None:
                        if value not in labels:
                            raise ExportRefused("bad_value", f"{_place(spec, r, column)}的取值「{value}」不在可选项中，"
                                                "无法导出。请在程序中修改后重新导出。")
                        value = labels[value]
                else:
                    value = _date_text(value, spec, r, column)
                stored = _stored_text(value, (spec, r, column))
                add(f'<c r="{letter}{rs}{text_s}{_xml_text(stored)}</c>')
                if measure:
                    widths[i] = max(widths[i], _display_width(stored))
                continue
            # INT and MONEY
            if type(value) is not int:
                raise ExportRefused("bad_value", f"{_place(spec, r, column)}应为整数，实际为「{value!r}」，无法导出。请检查该记录。")
            if abs(value) >= MAX_EXACT_INT:
                raise ExportRefused("bad_value", f"{_place(spec, r, column)}的数值过大（{value}），表格软件无法精确保存，"
                                    "无法导出。请检查该记录。")
            if ctype == INT:
                add(f'<c r="{letter}{rs}{plain_s}><v>{value}</v></c>')
            else:
                wan = value / FEN_PER_WAN
                add(f'<c r="{letter}{rs}{fen_s}{value}</v></c><c r="{letter2}{rs}{wan_s}{wan:.16g}</v></c>')
                if measure:
                    widths[i + 1] = max(widths[i + 1], len(f"{wan:,.2f}"))
            if measure:
                widths[i] = max(widths[i], len(str(value)))
        add("</row>")
    return "".join(out), widths


def _place(spec: SheetSpec, r: int, column: Column) -> str:
    return f"工作表「{spec.name}」第{r}行「{column.header}」"


def _date_text(value, spec: SheetSpec, r: int, column: Column) -> str:
    if isinstance(value, dt.datetime):
        raise ExportRefused("bad_value", f"{_place(spec, r, column)}应为日期（不含时间），无法导出。请检查该记录。")
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str) or not _is_iso_date(value):
        raise ExportRefused("bad_value", f"{_place(spec, r, column)}的日期「{value}」格式不对（应为2026-11-24这样的格式），"
                            "无法导出。请检查该记录。")
    return value


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def _splice_bodies(xlsx: bytes, bodies: dict[str, tuple[str, int, int]]) -> bytes:
    """Put each data sheet's rows after its header row (and fix its dimension) in openpyxl's output."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in bodies:
                body, width, n_rows = bodies.pop(info.filename)
                data = _splice_sheet(data, body.encode("utf-8"), width, n_rows)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    if bodies:
        raise AssertionError(f"sheets missing from openpyxl's output: {sorted(bodies)}")
    return out.getvalue()


def _splice_sheet(xml: bytes, body: bytes, width: int, n_rows: int) -> bytes:
    if not body:
        return xml
    head, sep, tail = xml.partition(b"</sheetData>")
    if not sep or b"</sheetData>" in tail or b"<sheetData>" not in head:
        raise AssertionError("unexpected worksheet XML from openpyxl")
    if width:
        ref = f'<dimension ref="A1:{get_column_letter(width)}{n_rows + 1}"/>'.encode()
        head, n = _DIMENSION.subn(ref, head, count=1)
        if n != 1:
            raise AssertionError("unexpected worksheet XML from openpyxl (dimension)")
    return head + body + sep + tail


def _page_setup(ws, print_titles: bool) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddHeader.center.text = "&A"  # the sheet name
    if print_titles:
        ws.print_title_rows = "1:1"


def _display_width(stored: str) -> int:
    """The width of a stored (escaped) text as it shows."""
    return display_width(unescape_text(stored))


def _is_iso_date(text: str) -> bool:
    if len(text) != 10:
        return False
    try:
        return dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


# ---------------------------------------------------------------------------- reading


def _rejected(code: str, message: str) -> PackageRejected:
    return PackageRejected(code, message)


_MALFORMED = "数据包中的工作簿已损坏，或不是本程序导出的格式，已拒绝。请向发送单位索取新的数据包。"


def read_workbook(data: bytes, expected_sheets: Iterable[SheetSpec] | Mapping[str, SheetSpec],
                  limits: WorkbookLimits = WorkbookLimits()) -> dict[str, list[dict]]:
    """Parse the workbook strictly into {sheet name: [record dict]} with plain str / int / None values.

    Refuses (PackageRejected): an unsafe XML parser, a ZIP that fails zipsafe's checks, DTDs/entities,
    macros or external links, hidden sheets, formula or error cells, strings over the limit, unknown or duplicated
    sheets or headers, missing headers, values of the wrong type, too many rows.
    """
    if not XML_PARSER_SAFE or not getattr(openpyxl, "DEFUSEDXML", False):
        raise _rejected(
            "unsafe_xml_parser",
            "本机缺少安全的XML解析组件（defusedxml），为防止恶意文件，暂不读取工作簿。请联系技术支持人员重新安装本程序。",
        )
    specs = dict(expected_sheets) if isinstance(expected_sheets, Mapping) else {s.name: s for s in expected_sheets}
    zf, entries = open_zip(data, limits.zip, label="工作簿")
    try:
        _check_parts(zf, entries, limits)
    finally:
        zf.close()
    wb = None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(bytes(data)), read_only=True, data_only=False,
                                    keep_links=False, keep_vba=False, rich_text=False)
        _check_visible(wb)
        result: dict[str, list[dict]] = {}
        for name in wb.sheetnames:
            ws = wb[name]
            if not isinstance(ws, ReadOnlyWorksheet):
                raise _rejected("unknown_sheet", f"工作簿中的「{name}」不是普通工作表，不是本程序导出的格式，已拒绝。请向发送单位索取新的数据包。")
            _check_shared_strings(ws._shared_strings, limits)
            # The sheets' cells are read by _SheetTarget (through defusedxml, like openpyxl's own reader),
            # which ignores the stored dimension (it may lie: WPS writes A1:A1).
            if name == COVER_SHEET:
                _scan_cover(wb, ws, limits)
            elif name in specs:
                result[name] = _read_sheet(wb, ws, specs[name], limits)
            else:
                raise _rejected("unknown_sheet", f"工作簿中有无法识别的工作表「{name}」，数据包可能被改动或来自不兼容的程序版本，已拒绝。请向发送单位索取新的数据包。")
        return result
    except PackageRejected:
        raise
    except Exception as exc:  # noqa: BLE001 -- hostile bytes fail inside openpyxl in countless ways
        if _caused_by_defusedxml(exc):
            raise _rejected("xml_entities", "工作簿中含有XML实体声明（可能是恶意的“实体炸弹”），已拒绝。请向发送单位索取新的数据包。") from None
        raise _rejected("malformed_workbook", _MALFORMED) from None
    finally:
        if wb is not None:
            try:
                wb.close()
            except Exception:  # noqa: BLE001, S110 -- closing must not hide the real refusal
                pass


_HIDDEN_STATES = {"hidden": "隐藏", "veryHidden": "深度隐藏"}


def _check_visible(wb) -> None:
    """Refuse a workbook with a hidden sheet, or whose window is hidden: the official who opens the package
    in WPS or Excel would not see what is imported. The states are the `state` attributes of the <sheet>
    elements of the workbook part (xl/workbook.xml) as openpyxl parsed them -- the very part and list of
    sheets read here, so no decoy part can disagree. The exporter writes every sheet visible."""
    for ws in wb._sheets:
        state = getattr(ws, "sheet_state", "visible")
        if state not in ("visible", None):
            how = _HIDDEN_STATES.get(state, "隐藏")
            raise _rejected(
                "hidden_sheet",
                f"工作簿中的工作表「{ws.title}」被设为{how}，在Excel/WPS中打开时看不到，但其内容会被导入，已拒绝。"
                "本程序导出的工作表都是可见的，说明工作簿被改动过。请向发送单位索取新的数据包。")
    for view in wb.views or ():
        if getattr(view, "visibility", "visible") not in ("visible", None):
            raise _rejected(
                "hidden_sheet",
                "工作簿的窗口被设为隐藏，在Excel/WPS中打开时什么也看不到，但其内容会被导入，已拒绝。"
                "请向发送单位索取新的数据包。")


def _caused_by_defusedxml(exc: BaseException) -> bool:
    # openpyxl wraps parser errors in ValueError; look along the chain for defusedxml's refusal.
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__module__.startswith("defusedxml"):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _check_parts(zf, entries, limits: WorkbookLimits) -> None:
    names = {e.name for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _rejected("malformed_workbook", _MALFORMED)
    for e in entries:
        lower = e.name.lower()
        if lower.endswith(".bin") or "vbaproject" in lower or lower.startswith("xl/externallinks/"):
            raise _rejected("workbook_macro", "工作簿中含有宏或外部链接，不是本程序导出的格式，已拒绝。请向发送单位索取新的数据包。")
        if lower.endswith((".xml", ".rels", ".vml")):
            # open_zip has read every entry in full (capped, sizes and CRC checked): the head is enough here
            with zf.open(e.name) as fh:
                head = fh.read(4096)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper() \
                    or head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 XML would hide a DOCTYPE from us
                raise _rejected("xml_entities", "工作簿中含有XML实体声明（可能是恶意的“实体炸弹”），已拒绝。请向发送单位索取新的数据包。")


def _check_shared_strings(table: list, limits: WorkbookLimits) -> None:
    """The reader's shared string table (every worksheet gets the same list; wb.shared_strings stays empty)."""
    if not isinstance(table, list):
        raise TypeError("unexpected shared string table")  # fail closed: malformed_workbook
    for s in table:
        if not isinstance(s, str) or len(s) > limits.max_cell_chars:
            raise _too_long("共享字符串表", len(s) if isinstance(s, str) else 0, limits)


def _too_long(where: str, n: int, limits: WorkbookLimits) -> PackageRejected:
    return _rejected(
        "string_too_long",
        f"工作簿{where}中有一段文字过长（{n} 字，上限 {limits.max_cell_chars} 字），不是本程序导出的内容，已拒绝。请向发送单位索取新的数据包。",
    )


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"  # expat's "namespace}name" form
_SHEET_DATA, _ROW, _C, _V, _F, _IS, _T, _RUN = (_MAIN_NS + t for t in ("sheetData", "row", "c", "v", "f", "is", "t", "r"))
_DIGITS = "0123456789"
_COLUMN_INDEX = {get_column_letter(i): i for i in range(1, 1025)}
_CHUNK = 256 * 1024
_DATA_TYPES = (str, int, float, dt.datetime)


def _cast_number(text: str):
    """A numeric cell's text as int or float, exactly as openpyxl's reader converts it."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _Malformed(Exception):
    """Worksheet XML that no spreadsheet program writes (read_workbook answers malformed_workbook)."""


class _SheetTarget:
    """Target for defusedxml's expat parser: the cells of one worksheet's <sheetData>, checked, row by row.

    Reads cells the way openpyxl's read-only worksheet does (inline and shared strings, numbers, dates by
    number format, t="str"/"d"), and refuses as `_check_cell` always did: formulas and booleans
    (formula_cell), error values (error_cell), over-long strings. Stricter than openpyxl where only a
    hand-made file differs: rows and cells must come in increasing order, a cell's reference must name
    its row, and only cells may sit in rows and only rows in <sheetData> (one of it). Everything outside
    <sheetData> (page setup, views ...) is parsed (defused) but not read. `rows` collects (row number, [(column, value)]).
    """

    def __init__(self, wb, ws, sheet: str, limits: WorkbookLimits):
        self.sheet, self.limits, self.max_chars = sheet, limits, limits.max_cell_chars
        self.shared = ws._shared_strings   # openpyxl's table of the workbook's shared strings
        self.date_formats, self.timedelta_formats = wb._date_formats, wb._timedelta_formats
        self.epoch = wb.epoch
        self.rows: list[tuple[int, list]] = []
        self.in_data = self.seen_data = False
        self.row_cells: list | None = None
        self.row_no, self.row_text, self.col = 0, "0", 0
        self.cell = None            # attributes of the open <c>
        self.path: list[str] = []   # elements open inside it
        self.buf: list[str] | None = None  # text of the open <v> or <t>
        self.v = self.plain = self.runs = None
        self.formula = self.inline = False

    def start(self, tag, attrib):
        if self.cell is not None:
            path = self.path
            if self.buf is not None:
                raise _Malformed
            if not path:
                if tag == _V or tag == _IS:
                    if self.v is not None or self.inline:
                        raise _Malformed
                    if tag == _V:
                        self.buf = []
                    else:
                        self.inline = True
                elif tag == _F:
                    self.formula = True
            elif tag == _T and path[0] == _IS and (len(path) == 1 or (len(path) == 2 and path[1] == _RUN)):
                if len(path) == 1 and self.plain is not None:
                    raise _Malformed
                self.buf = []
            path.append(tag)
        elif not self.in_data:
            if tag == _SHEET_DATA:
                if self.seen_data:
                    raise _Malformed
                self.in_data = self.seen_data = True
        elif tag == _C:
            if self.row_cells is None:
                raise _Malformed
            self.cell, self.v, self.plain, self.runs, self.formula, self.inline = attrib, None, None, None, False, False
        elif tag == _ROW:
            if self.row_cells is not None:
                raise _Malformed
            r = attrib.get("r")
            number = int(r) if r is not None else self.row_no + 1
            if number <= self.row_no:
                raise _Malformed
            self.row_no, self.row_text, self.col, self.row_cells = number, str(number), 0, []
        else:
            raise _Malformed  # inside <sheetData> only rows, inside rows only cells

    def data(self, text):
        if self.buf is not None:
            self.buf.append(text)

    def end(self, tag):
        if self.cell is not None:
            if self.path:
                closing = self.path.pop()
                if self.buf is not None:
                    text = "".join(self.buf)
                    self.buf = None
                    if closing == _V:
                        self.v = text
                    elif self.path and self.path[-1] == _RUN:
                        self.runs = [*(self.runs or ()), text]
                    else:
                        self.plain = text
                return
            self._end_cell()
        elif self.in_data:
            if tag == _ROW:
                self.rows.append((self.row_no, self.row_cells))
                self.row_cells = None
            elif tag == _SHEET_DATA:
                self.in_data = False

    def close(self):
        return None

    def _end_cell(self):
        a = self.cell
        self.cell = None
        ref = a.get("r")
        if ref is not None:
            letters = ref.rstrip(_DIGITS)
            col = _COLUMN_INDEX.get(letters) or column_index_from_string(letters)
            if ref[len(letters):] != self.row_text:
                raise _Malformed
        else:
            col = self.col + 1
        if col <= self.col:
            raise _Malformed
        self.col = col
        t = a.get("t", "n")
        value = None
        if self.formula:
            t = "f"
        elif t == "inlineStr":
            if self.inline:
                value = (self.plain or "") + "".join(self.runs) if self.runs else (self.plain or "")
        elif self.v:
            v = self.v
            if t == "n":
                value = _cast_number(v)
                style = int(a.get("s") or 0) if self.date_formats else 0
                if style in self.date_formats:
                    try:
                        value = from_excel(value, self.epoch, timedelta=style in self.timedelta_formats)
                    except (OverflowError, ValueError):
                        t = "e"
            elif t == "s":
                index = int(v)
                if index < 0:
                    raise _Malformed
                value = self.shared[index]
            elif t == "str":
                value = v
            elif t == "d":
                value = from_ISO8601(v)
            elif t not in ("b", "e"):
                raise _Malformed
        elif t not in ("n", "s", "str", "d", "b", "e"):
            raise _Malformed
        if t == "f" or t == "b" or (value is not None and type(value) not in _DATA_TYPES):
            raise _rejected(
                "formula_cell",
                f"工作簿单元格{self._where(ref, col)}含有公式或非数据内容，说明工作簿在导出后被改动过，已拒绝。"
                "请向发送单位索取新的数据包，不要在Excel/WPS中编辑后再导入。",
            )
        if t == "e":
            raise _rejected("error_cell", f"工作簿单元格{self._where(ref, col)}含有错误值，说明工作簿被改动过，已拒绝。"
                            "请向发送单位索取新的数据包。")
        if type(value) is str and len(value) > self.max_chars:
            raise _too_long(f"单元格{self._where(ref, col)}", len(value), self.limits)
        self.row_cells.append((col, value))

    def _where(self, ref, col: int) -> str:
        return f"「{self.sheet}」{ref or get_column_letter(col) + self.row_text}"


def _defused_parser(target: _SheetTarget) -> DefusedXMLParser:
    """defusedxml's expat parser (DTDs, entity declarations and external references refused), with the
    target's methods as expat's own element and text handlers: the same events without ElementTree's
    per-event Python layer in between, which cost more than reading the cells."""
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    expat = parser.parser
    if not (expat.StartDoctypeDeclHandler and expat.EntityDeclHandler and expat.ExternalEntityRefHandler):
        raise RuntimeError("defusedxml did not install its handlers")  # fail closed
    expat.ordered_attributes = 0  # attributes as a dict
    expat.StartElementHandler, expat.EndElementHandler = target.start, target.end
    expat.CharacterDataHandler = target.data
    return parser


def _sheet_rows(wb, ws, name: str, limits: WorkbookLimits):
    """Yield (row number, [(column, value)]) of a worksheet's rows with cells: the exporter's own cells
    through `sheet_fast`, anything else through defusedxml."""
    with wb._archive.open(ws._worksheet_path) as src:
        xml = src.read()  # open_zip has capped every entry's size
    fast = _own_rows(wb, ws, name, limits, xml)
    if fast is not None:
        yield from fast
    else:
        yield from _general_rows(wb, ws, name, limits, xml)


def _general_rows(wb, ws, name: str, limits: WorkbookLimits, xml: bytes):
    target = _SheetTarget(wb, ws, name, limits)
    parser = _defused_parser(target)
    for start in range(0, len(xml), _CHUNK):
        parser.feed(xml[start:start + _CHUNK])
        if target.rows:
            yield from target.rows
            target.rows.clear()
    parser.close()
    yield from target.rows


_OPEN_DATA, _CLOSE_DATA = b"<sheetData>", b"</sheetData>"
_DECLARED_ENCODING = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']([^\"']*)")


class _FrameTarget(_SheetTarget):
    """Parses the sheet with its body cut out, noting where <sheetData> really starts."""
    expat = None
    data_at: int | None = None

    def start(self, tag, attrib):
        if tag == _SHEET_DATA and self.data_at is None and self.cell is None:
            self.data_at = self.expat.CurrentByteIndex
        super().start(tag, attrib)


def _own_rows(wb, ws, name: str, limits: WorkbookLimits, xml: bytes) -> list | None:
    """The rows when the sheet is exactly as the exporter writes it, else None (the general reader then
    reads it). The frame (everything but the body of <sheetData>) goes through defusedxml as always; the
    body must be the first <sheetData> of the frame's own, in UTF-8, and wholly in `sheet_fast`'s shapes."""
    i, j = xml.find(_OPEN_DATA), xml.rfind(_CLOSE_DATA)
    if i < 0 or j < i + len(_OPEN_DATA):
        return None
    head = xml[:i]
    declared = _DECLARED_ENCODING.match(head)
    if declared and declared[1].lower() not in (b"utf-8", b"utf8"):
        return None
    target = _FrameTarget(wb, ws, name, limits)
    parser = _defused_parser(target)
    target.expat = parser.parser
    try:
        parser.feed(head + _OPEN_DATA + _CLOSE_DATA + xml[j + len(_CLOSE_DATA):])
        parser.close()
        body = xml[i + len(_OPEN_DATA):j].decode("utf-8")
    except Exception:  # noqa: BLE001 -- the general reader gives the refusal
        return None
    # the cut must be the element the frame's parser saw: not text inside a comment, CDATA or attribute
    if target.rows or target.data_at != i:
        return None
    dates = target.date_formats
    return sheet_fast.scan_body(body, dates, limits.max_cell_chars)


def _scan_cover(wb, ws, limits: WorkbookLimits) -> None:
    for row_no, _cells in _sheet_rows(wb, ws, COVER_SHEET, limits):
        if row_no > 1000:
            raise _rejected("too_many_rows", "工作簿的「说明」页行数异常，不是本程序导出的格式，已拒绝。请向发送单位索取新的数据包。")


def _read_sheet(wb, ws, spec: SheetSpec, limits: WorkbookLimits) -> list[dict]:
    name = spec.name
    expected = spec.headers
    rows = _sheet_rows(wb, ws, name, limits)
    first = next(rows, None)
    headers: list[str | None] = []
    if first is not None and first[0] == 1:
        for col, value in first[1]:
            if col > limits.max_header_columns:
                headers.append("")  # ... reported as an unknown column below
                break
            headers += [None] * (col - 1 - len(headers))
            headers.append(unescape_text(value) if isinstance(value, str) else (None if value is None else str(value)))
        first = None
    while headers and headers[-1] is None:
        headers.pop()
    found = [h for h in headers if h is not None]
    unknown = [h for h in found if h not in expected]
    missing = [h for h in expected if h not in found]
    if unknown or missing or len(found) != len(set(found)) or len(found) != len(headers):
        detail = "；".join(filter(None, [
            f"无法识别的列：{'、'.join(unknown)}" if unknown else "",
            f"缺少的列：{'、'.join(missing)}" if missing else "",
            "有重复或空白的列标题" if len(found) != len(set(found)) or len(found) != len(headers) else "",
        ]))
        raise _rejected("bad_headers", f"工作表「{name}」的列标题与本程序的格式不符（{detail}），已拒绝。请确认双方程序版本一致，或向发送单位索取新的数据包。")
    position = {h: i for i, h in enumerate(headers)}
    width = len(headers)
    plan = [(c.key, c.type, position[c.headers[0]], position[c.headers[1]] if c.type == MONEY else None,
             {label: code for code, label in c.choices} if c.choices else None, c) for c in spec.columns]
    records: list[dict] = []
    for row_no, cells in itertools.chain([first] if first is not None else [], rows):
        if row_no - 1 > limits.max_rows:
            raise _rejected("too_many_rows", f"工作表「{name}」的行数超过上限（{limits.max_rows} 行），已拒绝。请请发送单位分批导出。")
        values = [None] * width
        for col, value in cells:
            if col <= width:
                values[col - 1] = value
            elif value is not None:
                raise _rejected("bad_headers", f"工作表「{name}」第{row_no}行在列标题以外的位置有内容，已拒绝。请向发送单位索取新的数据包。")
        if all(v is None or v == "" for v in values):
            continue  # the writer never writes an empty record
        record = {}
        for key, ctype, i, i2, codes, column in plan:
            raw = values[i]
            # plain text, the commonest cell, inline: _parse_value's first TEXT case without the call
            if ctype == TEXT and codes is None and type(raw) is str and raw and "_x" not in raw:
                record[key] = raw
            else:
                record[key] = _parse_value(ctype, i, i2, codes, column, values, name, row_no)
        records.append(record)
    return records


def _parse_value(ctype: str, i: int, i2: int | None, codes: dict | None, column: Column, values: list,
                 sheet: str, row_no: int):
    raw = values[i]

    def bad(why: str) -> PackageRejected:
        where = f"工作表「{sheet}」第{row_no}行「{column.headers[0]}」"
        return _rejected("bad_value", f"{where}{why}，不是本程序导出的内容，已拒绝。请向发送单位索取新的数据包。")

    if raw is None or raw == "":
        if ctype == MONEY and values[i2] not in (None, ""):
            raise bad("为空但万元金额列有数值")
        return None
    if ctype == TEXT:
        if type(raw) is not str:
            raise bad("应为文字")
        text = unescape_text(raw) if "_x" in raw else raw
        if codes is not None:
            if text not in codes:
                raise bad(f"的取值「{text[:40]}」不在可选项中")
            return codes[text]
        return text
    if ctype == DATE:
        if isinstance(raw, dt.datetime):
            if raw.time() != dt.time(0):
                raise bad("应为日期")
            return raw.date().isoformat()
        if type(raw) is not str or not _is_iso_date(unescape_text(raw)):
            raise bad("应为2026-11-24格式的日期")
        return unescape_text(raw)
    if type(raw) is not int or abs(raw) >= MAX_EXACT_INT:
        raise bad("应为整数")
    if ctype == MONEY:
        shown = values[i2]
        if shown is not None and (not isinstance(shown, (int, float)) or isinstance(shown, bool)
                                  or round(shown * FEN_PER_WAN) != raw):
            raise bad(f"与「{column.headers[1]}」不一致")
    return raw
