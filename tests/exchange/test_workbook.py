import base64
import io
import os
import tracemalloc
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.exchange import workbook as wbmod
from desktop_app.exchange.errors import ExportRefused, PackageRejected
from desktop_app.exchange.workbook import (
    DATE,
    INT,
    MONEY,
    Column,
    Cover,
    SheetSpec,
    escape_text,
    read_workbook,
    unescape_text,
    write_workbook,
)
from desktop_app.services.sheet_text import looks_like_formula
from tests.exchange.conftest import replace_member

PROJECTS = SheetSpec("项目", (
    Column("code", "项目编号"),
    Column("name", "项目名称"),
    Column("category", "建设类型", choices=(("new", "新建"), ("upgrade", "升级改造"), ("om", "运行维护"))),
    Column("total_investment_fen", "总投资", MONEY),
    Column("plan_year", "计划年度", INT),
    Column("submitted_on", "申报日期", DATE),
    Column("summary", "建设内容"),
))
NOTES = SheetSpec("备注", (Column("id", "编号", INT), Column("text", "内容")))
COVER = Cover("蒙阴县大数据中心", "蒙阴县人民政府办公室", "2026年11月24日")

ROWS = [
    {"code": "MY-2027-001", "name": "蒙阴县政务服务平台升级改造", "category": "upgrade",
     "total_investment_fen": 1_234_567_89, "plan_year": 2027, "submitted_on": "2026-08-31",
     "summary": "一、建设内容：\n1. 统一身份认证\n2. 电子证照共享"},
    {"code": "=HYPERLINK(\"http://x\",\"点我\")", "name": "+1", "category": None,
     "total_investment_fen": 0, "plan_year": None, "submitted_on": None, "summary": "@SUM(A1:A9)"},
    {"code": "－1", "name": "\t=1+1", "category": "om", "total_investment_fen": -5,
     "plan_year": 0, "submitted_on": "2024-02-29", "summary": "\r\n=cmd|' /C calc'!A0"},
]


def book(rows=ROWS, extra=()):
    return write_workbook(COVER, [(PROJECTS, rows), *extra])


def test_round_trip_exact():
    data = book(extra=[(NOTES, [{"id": 1, "text": "😀 emoji 与 ＝全角"}])])
    got = read_workbook(data, [PROJECTS, NOTES])
    assert got == {"项目": ROWS, "备注": [{"id": 1, "text": "😀 emoji 与 ＝全角"}]}
    assert type(got["项目"][0]["total_investment_fen"]) is int


def test_empty_string_reads_back_as_none():
    got = read_workbook(book([{"code": "A", "name": ""}]), [PROJECTS])
    assert got["项目"][0]["name"] is None and got["项目"][0]["code"] == "A"


def test_text_never_becomes_a_formula():
    data = book()
    wb = openpyxl.load_workbook(io.BytesIO(data))  # full (not read-only) load, as a user's tool would
    ws = wb["项目"]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                assert cell.quotePrefix, cell.coordinate
    assert ws["A3"].value == "=HYPERLINK(\"http://x\",\"点我\")"
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    assert b'quotePrefix="1"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml")


def test_layout_for_people():
    wb = openpyxl.load_workbook(io.BytesIO(book(extra=[(NOTES, [{"id": 1, "text": "x"}])])))
    assert wb.sheetnames == ["说明", "项目", "备注"]
    cover = wb["说明"]
    values = [[c.value for c in row] for row in cover.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    for expected in ("发送单位", "蒙阴县大数据中心", "接收单位", "蒙阴县人民政府办公室", "日期", "2026年11月24日",
                     "内容清单", "工作表", "记录数"):
        assert expected in flat
    assert ["项目", 3] in [row[:2] for row in values] and ["备注", 1] in [row[:2] for row in values]
    ws = wb["项目"]
    headers = [c.value for c in ws[1]]
    assert headers == ["项目编号", "项目名称", "建设类型", "总投资（分）", "总投资（万元）", "计划年度", "申报日期", "建设内容"]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.column_dimensions["B"].width >= 2 * len("蒙阴县政务服务平台升级改造")  # CJK counted double
    assert ws["C2"].value == "升级改造"  # choices shown in Chinese
    assert ws["E2"].value == pytest.approx(123.456789)


def test_money_display_column_must_agree():
    data = book()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb["项目"]["E2"].value = 999.0
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(PackageRejected) as exc:
        read_workbook(out.getvalue(), [PROJECTS])
    assert exc.value.reason_code == "bad_value" and "不一致" in exc.value.message


def _edited(edit) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(book()))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def refused(data, specs=(PROJECTS,)) -> PackageRejected:
    with pytest.raises(PackageRejected) as exc:
        read_workbook(data, specs)
    assert "。" in exc.value.message
    return exc.value


def test_injected_formula_refused():
    def edit(wb):
        wb["项目"]["B2"] = "=1+1"  # openpyxl stores this as a formula cell
    err = refused(_edited(edit))
    assert err.reason_code == "formula_cell" and "B2" in err.message


def test_formula_on_cover_refused():
    def edit(wb):
        wb["说明"]["D1"] = "=WEBSERVICE(\"http://x\")"
    assert refused(_edited(edit)).reason_code == "formula_cell"


@pytest.mark.parametrize("edit, code", [
    (lambda wb: wb.create_sheet("陌生"), "unknown_sheet"),
    (lambda wb: setattr(wb["项目"]["I1"], "value", "多出来的列"), "bad_headers"),
    (lambda wb: setattr(wb["项目"]["B1"], "value", "名称"), "bad_headers"),
    (lambda wb: setattr(wb["项目"]["J3"], "value", "列外的内容"), "bad_headers"),
    (lambda wb: setattr(wb["项目"]["F2"], "value", "二〇二七"), "bad_value"),
    (lambda wb: setattr(wb["项目"]["F2"], "value", 2027.5), "bad_value"),
    (lambda wb: setattr(wb["项目"]["A2"], "value", 12345), "bad_value"),
    (lambda wb: setattr(wb["项目"]["C2"], "value", "改扩建"), "bad_value"),
    (lambda wb: setattr(wb["项目"]["G2"], "value", "2026/8/31"), "bad_value"),
    (lambda wb: setattr(wb["项目"]["A2"], "value", True), "formula_cell"),
])
def test_edited_workbook_refused(edit, code):
    assert refused(_edited(edit)).reason_code == code


def test_only_present_sheets_returned_and_expected_mapping_accepted():
    got = read_workbook(book(), {"项目": PROJECTS, "备注": NOTES})
    assert set(got) == {"项目"}


def test_wps_style_wrong_dimension_is_ignored():
    data = book()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml")
    import re

    xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', xml)
    assert read_workbook(replace_member(data, "xl/worksheets/sheet2.xml", xml), [PROJECTS])["项目"] == ROWS


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"])
def test_billion_laughs_refused(member):
    data = replace_member(book(), member, BOMB)
    tracemalloc.start()
    try:
        err = refused(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.reason_code == "xml_entities"
    assert peak < 64 * 1024 * 1024


def test_billion_laughs_refused_by_defusedxml_too(monkeypatch):
    # Without our own DOCTYPE pre-scan, openpyxl's defusedxml parser still refuses the entities.
    monkeypatch.setattr(wbmod, "_check_parts", lambda *a: None)
    data = replace_member(book(), "xl/worksheets/sheet2.xml", BOMB)
    assert refused(data).reason_code == "xml_entities"


def test_refuses_without_defusedxml(monkeypatch):
    monkeypatch.setattr(wbmod, "XML_PARSER_SAFE", False)
    assert refused(book()).reason_code == "unsafe_xml_parser"


def test_defusedxml_active():
    assert openpyxl.DEFUSEDXML is True and wbmod.XML_PARSER_SAFE


def _with_cell_text(text: str) -> bytes:
    data = book()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml")
    xml = xml.replace(b"MY-2027-001", text.encode(), 1)
    return replace_member(data, "xl/worksheets/sheet2.xml", xml)


def test_ten_megabyte_string_refused():
    # Incompressible text, so the ZIP ratio check lets it through and the string limit must catch it.
    text = base64.b64encode(os.urandom(7_500_000)).decode()
    assert len(text) >= 10_000_000
    err = refused(_with_cell_text(text))
    assert err.reason_code == "string_too_long"


def test_ten_megabyte_compressible_string_refused():
    assert refused(_with_cell_text("A" * 10_000_000)).reason_code in ("ratio_too_high", "string_too_long")


def test_long_string_refused_at_write():
    with pytest.raises(ExportRefused) as exc:
        book([{"code": "A", "summary": "字" * 40_000}])
    assert exc.value.reason_code == "text_too_long" and "第2行「建设内容」" in exc.value.message


def test_lone_surrogate_refused_at_write():
    with pytest.raises(ExportRefused) as exc:
        book([{"code": "A\ud800"}])
    assert exc.value.reason_code == "unstorable_text"


@pytest.mark.parametrize("record, code", [
    ({"code": 5}, "bad_value"),
    ({"code": "A", "plan_year": 2027.0}, "bad_value"),
    ({"code": "A", "plan_year": True}, "bad_value"),
    ({"code": "A", "total_investment_fen": 10**15}, "bad_value"),
    ({"code": "A", "category": "rebuild"}, "bad_value"),
    ({"code": "A", "submitted_on": "2026-02-30"}, "bad_value"),
    ({}, "empty_record"),
])
def test_bad_values_refused_at_write(record, code):
    with pytest.raises(ExportRefused) as exc:
        book([record])
    assert exc.value.reason_code == code


def test_escape_scheme():
    assert escape_text("a\rb") == "a_x000D_b"
    assert escape_text("_x0041_") == "_x005F_x0041_"
    assert escape_text("\x00\x1f\ufffe") == "_x0000__x001F__xFFFE_"
    assert escape_text("普通文字 = + - @\t\n") == "普通文字 = + - @\t\n"
    for s in ("_x005F_x0041_", "__x0041__", "_x000D_\r", "_x12_", "_xZZZZ_"):
        assert unescape_text(escape_text(s)) == s


def test_looks_like_formula():
    for s in ("=1", "+1", "-1", "@A", "＝1", "＋1", "－1", "＠A", "\t=1", "\r\n=1", "　=1"):
        assert looks_like_formula(s)
    for s in ("1=1", "a", "", "  "):
        assert not looks_like_formula(s)


# ---------------------------------------------------------------------------- property: exact round trip

TRICKY = st.sampled_from(["=", "+", "-", "@", "＝", "＋", "－", "＠", "\t=", "\r=", "\r\n", "_x0041_", "_x005F_",
                          "_x", "\x00", "\x0b", "\ufffe", "\uffff", "😀", "蒙阴", " ", "\u3000", "'", "\n"])
TEXT = st.lists(st.one_of(TRICKY, st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)),
                max_size=6).map("".join)
TEXT_SHEET = SheetSpec("文字", (Column("i", "序号", INT), Column("t", "文字")))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=1, max_size=8))
def test_any_text_round_trips_exactly(texts):
    rows = [{"i": i, "t": t} for i, t in enumerate(texts)]
    got = read_workbook(write_workbook(COVER, [(TEXT_SHEET, rows)]), [TEXT_SHEET])["文字"]
    assert got == [{"i": i, "t": t or None} for i, t in enumerate(texts)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(-(10**15) + 1, 10**15 - 1), st.dates().map(lambda d: d.isoformat())),
                min_size=1, max_size=10))
def test_money_and_dates_round_trip_exactly(values):
    spec = SheetSpec("金额", (Column("m", "金额", MONEY), Column("d", "日期", DATE)))
    rows = [{"m": m, "d": d} for m, d in values]
    assert read_workbook(write_workbook(COVER, [(spec, rows)]), [spec])["金额"] == rows


# ---------------------------------------------------------------------------- the streaming sheet reader


def _sheet_xml(data: bytes | None = None) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data or book())).read("xl/worksheets/sheet2.xml")


def _with_shared_strings(data: bytes) -> bytes:
    """The workbook as Excel or WPS would store it: the data sheet's text in xl/sharedStrings.xml."""
    import re

    files = {n: zipfile.ZipFile(io.BytesIO(data)).read(n) for n in zipfile.ZipFile(io.BytesIO(data)).namelist()}
    strings: list[bytes] = []

    def shared(m):
        strings.append(m.group(2))
        return b't="s"><v>%d</v>' % (len(strings) - 1)

    files["xl/worksheets/sheet2.xml"] = re.sub(rb't="inlineStr"><is><t( xml:space="preserve")?>(.*?)</t></is>', shared,
                                               files["xl/worksheets/sheet2.xml"], flags=re.DOTALL)
    files["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (
            len(strings), len(strings))
        + b"".join(b'<si><t xml:space="preserve">%s</t></si>' % s for s in strings) + b"</sst>")
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return out.getvalue()


def test_shared_strings_read_like_inline_strings():
    data = _with_shared_strings(book())
    assert b't="s"><v>' in _sheet_xml(data) and b"inlineStr" not in _sheet_xml(data)
    assert read_workbook(data, [PROJECTS]) == {"项目": ROWS}


def test_shared_string_index_out_of_range_refused():
    data = _with_shared_strings(book())
    xml = _sheet_xml(data).replace(b'<v>0</v>', b'<v>-1</v>', 1)
    assert refused(replace_member(data, "xl/worksheets/sheet2.xml", xml)).reason_code == "malformed_workbook"
    xml = _sheet_xml(data).replace(b'<v>0</v>', b'<v>99999</v>', 1)
    assert refused(replace_member(data, "xl/worksheets/sheet2.xml", xml)).reason_code == "malformed_workbook"


@pytest.mark.parametrize("edit", [
    lambda x: x.replace(b'<row r="3">', b'<row r="2">', 1),          # rows out of order
    lambda x: x.replace(b'<c r="B2"', b'<c r="B3"', 1),              # a cell naming another row
    lambda x: x.replace(b'<c r="B2"', b'<c r="A2"', 1),              # two cells in one place
    lambda x: x.replace(b'<c r="B2"', b'<c r="2"', 1),               # no column
    lambda x: x.replace(b't="inlineStr"', b't="x"', 1),              # unknown cell type
    lambda x: x.replace(b"</sheetData>", b"<foo/></sheetData>", 1),  # not a row
])
def test_hand_made_sheet_xml_refused(edit):
    xml = _sheet_xml()
    bad = edit(xml)
    assert bad != xml
    err = refused(replace_member(book(), "xl/worksheets/sheet2.xml", bad))
    assert err.reason_code == "malformed_workbook"


def test_content_far_right_of_the_headers_refused():
    # openpyxl's reader looked only 8 columns past the headers; every cell is looked at now.
    xml = _sheet_xml().replace(b'</row><row r="3">', b'<c r="ZZ2" t="inlineStr"><is><t>x</t></is></c></row><row r="3">', 1)
    assert b"ZZ2" in xml
    assert refused(replace_member(book(), "xl/worksheets/sheet2.xml", xml)).reason_code == "bad_headers"


@pytest.mark.parametrize("cell, code", [
    (b'<c r="I2" t="b"><v>1</v></c>', "formula_cell"),
    (b'<c r="I2" t="b"/>', "formula_cell"),
    (b'<c r="I2" t="e"><v>#N/A</v></c>', "error_cell"),
    (b'<c r="I2"><f>1+1</f></c>', "formula_cell"),
    (b'<c r="I2" t="inlineStr"><is><r><t>=1</t></r></is><f>A1</f></c>', "formula_cell"),
])
def test_non_data_cells_refused_by_the_streaming_reader(cell, code):
    xml = _sheet_xml().replace(b"</row>", cell + b"</row>", 2).replace(cell + b"</row>", b"</row>", 1)
    err = refused(replace_member(book(), "xl/worksheets/sheet2.xml", xml))
    assert err.reason_code == code and ("I2" in err.message)


def test_rich_text_runs_read_as_their_text():
    xml = _sheet_xml().replace(b"<t>MY-2027-001</t>", b"<r><t>MY-</t></r><r><rPr><b/></rPr><t>2027-001</t></r>", 1)
    assert read_workbook(replace_member(book(), "xl/worksheets/sheet2.xml", xml), [PROJECTS])["项目"] == ROWS


def test_billion_laughs_in_cover_refused_by_defusedxml_too(monkeypatch):
    monkeypatch.setattr(wbmod, "_check_parts", lambda *a: None)
    data = replace_member(book(), "xl/worksheets/sheet1.xml", BOMB)
    assert refused(data).reason_code == "xml_entities"


def test_big_workbook_round_trips_exactly():
    rows = [{"code": f"MY-{i:05d}", "name": f"项目{i} & <{i}>", "category": ("new", "om", None)[i % 3],
             "total_investment_fen": i * 1_234_567 - 5, "plan_year": 2000 + i % 30,
             "submitted_on": "2026-02-28", "summary": " 行首空格" if i % 7 == 0 else f"=SUM(A{i})"} for i in range(3000)]
    assert read_workbook(book(rows), [PROJECTS]) == {"项目": rows}
