"""Attachment names, allowed types and content signatures (services.attachment_files)."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.services import attachment_files as AF
from tests.core import builders as B

# ---- names ---------------------------------------------------------------------------------------

BIDI_AND_ZERO_WIDTH = "\u202e\u202d\u202a\u202b\u202c\u200e\u200f\u2066\u2067\u2068\u2069\u061c" \
                      "\u200b\u200c\u200d\u2060\ufeff"


def is_bad_char(ch: str) -> bool:
    return ch in BIDI_AND_ZERO_WIDTH or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"}


def test_rlo_name_is_cleaned_and_the_real_extension_refused():
    name = "项目申请报告\u202efdp.exe"  # shows as 项目申请报告exe.pdf
    assert AF.clean_filename(name) == "项目申请报告fdp.exe"
    with pytest.raises(ValueError, match=r"不允许的附件类型 \.exe") as exc:
        AF.check_attachment(name, "application/pdf", b"%PDF-1.4\n")
    assert "隐藏的控制字符" in str(exc.value) and "项目申请报告fdp.exe" in str(exc.value)


@pytest.mark.parametrize("raw", ["..\\a.pdf", "C:\\x\\a.pdf", "/etc/a.pdf", "../../a.pdf", "C:a.pdf",
                                 "\\\\server\\share\\a.pdf", "x/y\\a.pdf"])
def test_path_parts_are_dropped(raw):
    assert AF.clean_filename(raw) == "a.pdf"


@pytest.mark.parametrize("raw,clean", [
    ("a\x00b\x1f\x7f.pdf", "ab.pdf"),
    ("合同\u200b扫描\ufeff件.pdf", "合同扫描件.pdf"),
    ("报告\u2066\u2069\u200e\u200f.pdf", "报告.pdf"),
    ("a\tb\r\nc.pdf", "abc.pdf"),
    ("a\u3000 b\xa0c.pdf", "a b c.pdf"),
    ('a<b>:c"|?*.pdf', "a_b__c____.pdf"),
    ("a...b..pdf", "a.b.pdf"),
    ("  .hidden.pdf. ", "hidden.pdf"),
    ("CON.pdf", "_CON.pdf"),
    ("lpt1.txt", "_lpt1.txt"),
])
def test_control_and_windows_unsafe_characters(raw, clean):
    assert AF.clean_filename(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "\u202e\u200b", "..", "/", "C:\\dir\\", ". . ."])
def test_nothing_left_is_a_chinese_refusal(raw):
    with pytest.raises(ValueError, match="附件文件名为空"):
        AF.clean_filename(raw)


def test_long_names_are_truncated_keeping_the_extension():
    clean = AF.clean_filename("很长" * 200 + ".pdf")
    assert len(clean) <= AF.MAX_NAME and clean.endswith(".pdf")


@pytest.mark.parametrize("name,ext", [("a.PDF", "pdf"), ("扫描.Jpeg", "jpeg"), ("表.et", "et"), ("x.tar.zip", "zip")])
def test_checked_extension(name, ext):
    assert AF.checked_extension(name) == ext


@pytest.mark.parametrize("name,needle", [
    ("a.exe", r"不允许的附件类型 \.exe，允许：\.pdf、\.ofd"),
    ("a.pdf.js", r"不允许的附件类型 \.js"),
    ("报告", "没有扩展名"),
    ("a.tiff", r"不允许的附件类型 \.tiff"),
])
def test_checked_extension_refuses(name, needle):
    with pytest.raises(ValueError, match=needle):
        AF.checked_extension(name)


NASTY = st.sampled_from(list(BIDI_AND_ZERO_WIDTH + "/\\.:.. \x00\x1f\x7f\u2028\u2029\u3000CONcon1*?<>\"|é\u0301"))
NAMES = st.text(alphabet=st.one_of(st.characters(), NASTY), max_size=300)


@settings(max_examples=400)
@given(NAMES)
def test_clean_filename_never_leaves_bidi_control_separator_or_dotdot(raw):
    try:
        clean = AF.clean_filename(raw)
    except ValueError as exc:
        assert str(exc)  # a Chinese message, nothing else escapes
        return
    assert clean and not any(is_bad_char(ch) for ch in clean)
    assert "/" not in clean and "\\" not in clean and ".." not in clean
    assert clean == clean.strip(" .") and len(clean) <= AF.MAX_NAME
    assert AF.clean_filename(clean) == clean  # idempotent


@settings(max_examples=300)
@given(NAMES, st.one_of(st.none(), st.text(max_size=40), st.sampled_from(sorted(AF._DECLARED))),
       st.binary(max_size=64))
def test_check_attachment_raises_only_value_error(raw, media_type, content):
    try:
        clean, ext, derived = AF.check_attachment(raw, media_type, content)
    except ValueError as exc:
        assert str(exc)
        return
    assert ext in AF.ALLOWED and ext in AF.sniff(content) and derived == AF.media_type_for(ext)
    assert clean == AF.clean_filename(raw)


@given(st.binary(max_size=256))
def test_sniff_only_names_allowed_extensions(content):
    assert AF.sniff(content) <= set(AF.ALLOWED)


@given(st.text(max_size=200), st.sampled_from(sorted(AF.ALLOWED)))
def test_open_copy_name_is_the_cleaned_title_plus_extension(title, ext):
    name = AF.open_copy_name(title, ext)
    assert name.endswith("." + ext) and len(name) <= AF.MAX_TITLE + len(ext) + 1
    assert not any(is_bad_char(ch) for ch in name) and "/" not in name and "\\" not in name
    assert ".." not in name and ":" not in name
    assert AF.clean_filename(name) == name and AF.checked_extension(name) == ext


def test_open_copy_name_examples():
    assert AF.open_copy_name("XX系统\u202e采购合同", "pdf") == "XX系统采购合同.pdf"
    assert AF.open_copy_name("合同/补充协议", "PDF") == "合同_补充协议.pdf"
    assert AF.open_copy_name("", "png") == "附件.png"
    assert AF.open_copy_name("aux", "txt") == "_aux.txt"
    with pytest.raises(ValueError, match=r"不允许的附件类型 \.exe"):
        AF.open_copy_name("报告", "exe")


# ---- content -------------------------------------------------------------------------------------

def _zip(**members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


GOOD = {
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "ofd": _zip(**{"OFD.xml": "<ofd:OFD/>"}),
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
    "jpeg": b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "tif": b"II*\x00\x08\x00\x00\x00",
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32,
    "docx": _zip(**{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32,
    "xlsx": _zip(**{"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
    "wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32,
    "et": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32,
    "txt": "会议纪要：同意建设。\n".encode("gb18030"),
    "zip": _zip(**{"说明.txt": "x"}),
}
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def test_every_allowed_type_has_a_sample():
    assert set(GOOD) == set(AF.ALLOWED)


@pytest.mark.parametrize("ext", sorted(AF.ALLOWED))
def test_each_allowed_type_with_its_leading_bytes_is_accepted(ext):
    clean, got, media_type = AF.check_attachment(f"扫描件.{ext.upper()}", None, GOOD[ext])
    assert (clean, got, media_type) == (f"扫描件.{ext.upper()}", ext, AF.ALLOWED[ext][2])


@pytest.mark.parametrize("ext", sorted(AF.ALLOWED))
def test_each_allowed_type_with_wrong_bytes_is_refused(ext):
    with pytest.raises(ValueError, match=f"附件声明为.*{AF.ALLOWED[ext][0]}.*但内容不是"):
        AF.check_attachment(f"扫描件.{ext}", None, EXE)


@pytest.mark.parametrize("ext,other", [("pdf", "png"), ("png", "jpg"), ("jpg", "pdf"), ("docx", "doc"),
                                       ("doc", "xlsx"), ("tif", "pdf"), ("ofd", "pdf"), ("zip", "doc")])
def test_another_types_bytes_are_refused(ext, other):
    with pytest.raises(ValueError, match="但内容不是"):
        AF.check_attachment(f"a.{ext}", None, GOOD[other])


def test_pdf_message_reads_as_specified():
    with pytest.raises(ValueError, match="^附件声明为 PDF，但内容不是 PDF 文件。"):
        AF.check_attachment("a.pdf", "application/pdf", b"<html>")


def test_a_real_small_pdf_is_accepted():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(72, 720, "scan")
    page.save()
    assert AF.check_attachment("项目申请报告.pdf", "application/pdf", buf.getvalue()) == \
        ("项目申请报告.pdf", "pdf", "application/pdf")


def test_a_real_xlsx_is_accepted():
    from openpyxl import Workbook

    buf = io.BytesIO()
    Workbook().save(buf)
    assert AF.check_attachment("预算.xlsx", None, buf.getvalue())[1] == "xlsx"


@pytest.mark.parametrize("content,ok", [
    ("中文 UTF-8".encode(), True), (b"\xef\xbb\xbf\xe4\xb8\xad", True), ("中文".encode("gbk"), True),
    (b"a\x00b", False), ("ab".encode("utf-16"), False), (b"\x80\xff\xfe", False),
])
def test_text_is_utf8_or_gb18030_without_nul(content, ok):
    assert ("txt" in AF.sniff(content)) is ok


def test_empty_file_and_contradicting_declared_type_are_refused():
    with pytest.raises(ValueError, match="空文件"):
        AF.check_attachment("a.txt", None, b"")
    with pytest.raises(ValueError, match="扩展名为 .pdf，但声明的类型为 image/png"):
        AF.check_attachment("a.pdf", "image/png", GOOD["pdf"])
    # a declared type we do not know is ignored: the stored type comes from the extension
    assert AF.check_attachment("a.pdf", "application/x-whatever", GOOD["pdf"])[2] == "application/pdf"
    assert AF.check_attachment("a.wps", "application/vnd.ms-works", GOOD["wps"])[2] == AF.ALLOWED["wps"][2]


# ---- record titles and binding (for the importer) -----------------------------------------------

def test_record_title_prefers_a_name_then_kind_label_and_date():
    assert AF.record_title("contract", {"contract_no": "HT-1", "title": "云平台采购合同"}) == "云平台采购合同"
    assert AF.record_title("project", {"code": "P1", "name": "县智慧教育云平台"}) == "县智慧教育云平台"
    assert AF.record_title("review", {"round": 1, "reviewed_on": "2026-09-15"}) == "评审意见（2026-09-15）"
    assert AF.record_title("co_builder", {}) == "共建单位"
    assert AF.record_title(None, None) == "附件"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    c = B.make_county(tmp_path_factory.mktemp("att") / "c.db")
    p = B.new_project(c)
    q = B.new_project(c, actor=c.unit2, name="县医共体信息平台")
    B.add_materials(c, p["id"])
    yield c, p, q
    c.store.close()


def test_check_incoming_attachment(world):
    c, p, q = world
    material = c.store.for_project("material", p["id"])[0]
    got = AF.check_incoming_attachment(c.store, p["id"], "material", material["id"], "..\\申请\u202e报告.PDF",
                                       "application/octet-stream", GOOD["pdf"])
    assert got["filename"] == "申请报告.PDF" and got["media_type"] == "application/pdf" and got["ext"] == "pdf"
    assert got["size"] == len(GOOD["pdf"]) and len(got["sha256"]) == 64
    assert AF.check_incoming_attachment(c.store, p["id"], "project", p["id"], "a.png", None, GOOD["png"])
    for kind, rid, needle in [(None, None, "必须关联"), ("material", None, "必须关联"),
                              ("material", material["id"] + "x", "记录不存在"), ("nosuch", "x", "类型「nosuch」无效"),
                              ("project", q["id"], "不一致"), ("organisation", "x", "无效")]:
        with pytest.raises(ValueError, match=needle):
            AF.check_incoming_attachment(c.store, p["id"], kind, rid, "a.pdf", None, GOOD["pdf"])
    with pytest.raises(ValueError, match="不属于本项目"):  # another project's record
        AF.check_incoming_attachment(c.store, q["id"], "material", material["id"], "a.pdf", None, GOOD["pdf"])
    with pytest.raises(ValueError, match="所属项目不存在"):
        AF.check_incoming_attachment(c.store, "no-such-project", "project", "no-such-project", "a.pdf", None,
                                     GOOD["pdf"])
    # records arriving in the same package count, and are looked up first
    incoming = {"project": {"new-p": {"id": "new-p"}},
                "contract": {"new-c": {"id": "new-c", "project_id": "new-p"}}}
    assert AF.check_incoming_attachment(c.store, "new-p", "contract", "new-c", "合同.pdf", None, GOOD["pdf"],
                                        incoming_records=incoming)["filename"] == "合同.pdf"
    with pytest.raises(ValueError, match="不属于本项目"):
        AF.check_incoming_attachment(c.store, p["id"], "contract", "new-c", "合同.pdf", None, GOOD["pdf"],
                                     incoming_records=incoming)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.one_of(st.none(), st.sampled_from(["project", "material", "contract", "x"]), st.text(max_size=10)),
       rid=st.one_of(st.none(), st.text(max_size=40)), name=NAMES, media=st.one_of(st.none(), st.text(max_size=20)),
       content=st.one_of(st.binary(max_size=32), st.sampled_from(list(GOOD.values()))))
def test_check_incoming_attachment_raises_only_value_error(world, kind, rid, name, media, content):
    c, p, _ = world
    try:
        got = AF.check_incoming_attachment(c.store, p["id"], kind, rid, name, media, content)
    except ValueError as exc:
        assert str(exc)
        return
    assert got["filename"] == AF.clean_filename(name)
