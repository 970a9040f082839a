"""A fast reader for the exact cells this program's exporter writes into a worksheet's <sheetData>.

The general reader (`workbook._SheetTarget`, through defusedxml's expat parser) costs seven Python calls
per text cell, and a 1,000-project package has 290,000 of them. The exporter writes every data cell in
one of three shapes, so the body is read here with one regular-expression match per cell instead:

    <row r="N"> … </row>
    <c r="B2" s="1" t="inlineStr"><is><t>text</t></is></c>   (also <t xml:space="preserve">)
    <c r="E2" s="2" t="n"><v>123</v></c>
    <c r="F2" s="1" t="n"/>

Every token must follow the one before with nothing in between, so what this accepts is a strict subset
of well-formed XML: no other markup, no comments, no character references, no CR (which XML would
normalise), no character XML cannot hold. Anything else -- a hand-edited file, another program's
output, an attack -- returns None and the general reader decides (and gives the refusal). Where both
accept, both give the same rows: tests/exchange/test_sheet_fast.py checks that on generated and
mutated sheets. No library reads this subset faster; openpyxl and ElementTree are the general reader.
"""

from __future__ import annotations

import re

from openpyxl.utils import column_index_from_string, get_column_letter

# characters XML 1.0 allows in text, less "<" and "&" (markup) and CR (normalised by XML parsers)
_PLAIN = r"[^<&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*"
_TOKEN = re.compile(
    r'<row r="([1-9][0-9]{0,6})">'
    r'|</row>'
    r'|<c r="([A-Z]{1,3})([1-9][0-9]{0,6})" s="([0-9]{1,5})" t="(?:'
    r'inlineStr"><is><t(?: xml:space="preserve")?>(' + _PLAIN + r'(?:&(?:amp|lt|gt|quot|apos);' + _PLAIN + r')*)'
    r'</t></is></c>'
    r'|n"(?:/>|><v>(-?[0-9]{1,17}(?:\.[0-9]{1,17})?(?:[eE][-+]?[0-9]{1,3})?)</v></c>))'
)
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))
_COLUMN_INDEX = {get_column_letter(i): i for i in range(1, 1025)}


def _unescape(text: str) -> str:
    for entity, char in _ENTITIES:  # &amp; last: "&amp;lt;" is the text "&lt;"
        if entity in text:
            text = text.replace(entity, char)
    return text


def _number(text: str):
    """As openpyxl (and the general reader) converts a numeric cell's text."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def scan_body(body: str, date_styles, max_chars: int) -> list[tuple[int, list]] | None:
    """The rows of a <sheetData> body as (row number, [(column, value)]), or None when the body is not
    entirely in the exporter's shapes (or holds a number styled as a date, or an over-long text: the
    general reader refuses those with its message)."""
    match = _TOKEN.match
    rows: list[tuple[int, list]] = []
    cells: list | None = None
    row_no, row_text, last_col = 0, "", 0
    pos, end = 0, len(body)
    while pos < end:
        m = match(body, pos)
        if m is None:
            return None
        pos = m.end()
        row, letters, ref_row, style, text, number = m.groups()
        if letters is not None:
            if cells is None or ref_row != row_text:
                return None
            col = _COLUMN_INDEX.get(letters) or column_index_from_string(letters)
            if col <= last_col:
                return None
            last_col = col
            if text is not None:
                value = _unescape(text) if "&" in text else text
                if len(value) > max_chars:
                    return None
            elif number is not None:
                if date_styles and int(style) in date_styles:
                    return None
                value = _number(number)
            else:
                value = None
            cells.append((col, value))
        elif row is not None:
            number_ = int(row)
            if cells is not None or number_ <= row_no:
                return None
            row_no, row_text, last_col, cells = number_, row, 0, []
        else:
            if cells is None:
                return None
            rows.append((row_no, cells))
            cells = None
    return rows if cells is None else None
