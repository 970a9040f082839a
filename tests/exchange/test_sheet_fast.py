"""The fast reader of the exporter's own cells (exchange/sheet_fast.py) agrees with the general
(defusedxml) reader wherever it answers, and steps aside for everything else."""

from __future__ import annotations

import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.exchange import workbook as W
from desktop_app.exchange.errors import PackageRejected
from tests.exchange.test_workbook import COVER, NOTES, PROJECTS, ROWS

LIMITS = W.WorkbookLimits()


def _sheets(data: bytes):
    """(wb, ws, xml) of every sheet of a written workbook."""
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    for name in wb.sheetnames:
        ws = wb[name]
        with wb._archive.open(ws._worksheet_path) as src:
            yield wb, ws, name, src.read()


def _general(wb, ws, name, xml):
    try:
        return list(W._general_rows(wb, ws, name, LIMITS, xml))
    except (W._Malformed, PackageRejected, Exception) as exc:  # noqa: BLE001 -- compared by kind only
        return type(exc)


def _agree(data: bytes, *, must_be_fast: bool) -> None:
    for wb, ws, name, xml in _sheets(data):
        fast = W._own_rows(wb, ws, name, LIMITS, xml)
        if must_be_fast:
            assert fast is not None, name
        if fast is not None:
            assert fast == _general(wb, ws, name, xml), name


def test_exporter_output_is_read_fast_and_the_same():
    _agree(W.write_workbook(COVER, [(PROJECTS, ROWS), (NOTES, [{"id": 1, "text": "😀 a&b <c> \"d\" 'e'"}])]),
           must_be_fast=True)


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(-10**14, 10**14), _text), min_size=1, max_size=8))
def test_any_exported_text_reads_the_same_both_ways(rows):
    records = [{"id": i, "text": t or None} for i, t in rows if t or i]
    if not records:
        return
    data = W.write_workbook(COVER, [(NOTES, records)])
    _agree(data, must_be_fast=True)  # whatever text the exporter writes, it writes in the fast shapes
    assert W.read_workbook(data, [NOTES])["备注"] == [{"id": r["id"], "text": r["text"]} for r in records]


# edits a hand, another program or an attacker could make to a sheet's XML
MUTATIONS = [
    lambda x: x.replace(b"<t>", b"<t>&#65;", 1),                          # a character reference
    lambda x: x.replace(b"</t>", b"\r</t>", 1),                            # CR (XML normalises it)
    lambda x: x.replace(b"<row r=\"2\">", b"<row r=\"2\"><!-- note -->", 1),  # a comment in the body
    lambda x: x.replace(b" s=\"", b" t=\"n\" s=\"", 1),                    # attributes in another order
    lambda x: x.replace(b"<row r=\"3\">", b"<row r=\"3\" spans=\"1:7\">", 1),
    lambda x: x.replace(b"t=\"n\"><v>", b"t=\"n\"><f>1+1</f><v>", 1),     # a formula
    lambda x: x.replace(b"<row r=\"3\">", b"<row r=\"2\">", 1),            # rows out of order
    lambda x: x.replace(b"<sheetData>", b"<!--<sheetData>", 1).replace(b"</sheetData>", b"</sheetData>--><sheetData/>"),
    lambda x: x.replace(b"<sheetData>", b"<![CDATA[<sheetData>", 1).replace(b"</sheetData>", b"</sheetData>]]><sheetData/>"),
    lambda x: x.replace(b"</sheetData>", b"</sheetData><sheetData></sheetData>", 1),
    lambda x: x.replace(b"encoding=\"UTF-8\"", b"encoding=\"GBK\"", 1) if b"encoding=" in x
    else b"<?xml version=\"1.0\" encoding=\"GBK\"?>" + x,
    lambda x: x.replace(b"<t>", b"<t>\x01", 1),                             # not an XML character
    lambda x: x.replace(b"</is></c>", b"</is></c><c r=\"A2\" s=\"1\" t=\"n\"/>", 1),  # a cell behind its neighbour
    lambda x: x.replace(b"</row>", b"", 1),                                   # unclosed row
]


@pytest.mark.parametrize("mutate", MUTATIONS)
def test_edited_sheets_agree_or_step_aside(mutate):
    data = W.write_workbook(COVER, [(PROJECTS, ROWS)])
    for wb, ws, name, xml in _sheets(data):
        if name != "项目":
            continue
        edited = mutate(xml)
        assert edited != xml
        fast = W._own_rows(wb, ws, name, LIMITS, edited)
        if fast is not None:
            assert fast == _general(wb, ws, name, edited)


def test_a_body_hidden_in_a_comment_is_not_read():
    """The general reader sees an empty sheet (the rows sit inside a comment): so must the import."""
    data = W.write_workbook(COVER, [(PROJECTS, ROWS)])
    for wb, ws, name, xml in _sheets(data):
        if name == "项目":
            edited = MUTATIONS[7](xml)
            assert W._own_rows(wb, ws, name, LIMITS, edited) is None
            assert _general(wb, ws, name, edited) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_byte_edits_agree_or_step_aside(data):
    book = W.write_workbook(COVER, [(PROJECTS, ROWS)])
    wb, ws, name, xml = next(s for s in _sheets(book) if s[2] == "项目")
    start = xml.find(b"<sheetData>")
    at = data.draw(st.integers(start, len(xml) - 1))
    edit = data.draw(st.sampled_from([b"", b"<", b"&", b"\"", b"1", b"A", b"\r", b"<c/>", b"</row>", b"\xe4"]))
    cut = data.draw(st.integers(0, 3))
    edited = xml[:at] + edit + xml[at + cut:]
    fast = W._own_rows(wb, ws, name, LIMITS, edited)
    if fast is not None:
        assert fast == _general(wb, ws, name, edited)
