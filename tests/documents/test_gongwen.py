import datetime as dt
from collections import defaultdict

import pytest
from reportlab.lib.units import mm

from desktop_app.documents import GongwenDocument, Heading1, MissingGlyphError
from desktop_app.documents.page import CJK_ASCENT, GONGWEN_PITCH
from desktop_app.documents.page import GONGWEN_PAGE as G

from .pdfcheck import compact, fonts, page_number_dash_mm, page_sizes, page_texts, text_runs
from .samples import gongwen_sample

BLOCK_TOP = G.height - G.top  # y of the text block's top edge
BLOCK_RIGHT = G.left + G.block_width


def plain(paragraphs, registry, **kw):
    return GongwenDocument("蒙阴县人民政府办公室", None, "关于测试版面的通知", None, paragraphs,
                           "蒙阴县人民政府办公室", dt.date(2026, 11, 24), letterhead=False, registry=registry, **kw)


def lines_by_page(data, size=16.0):
    lines = defaultdict(lambda: defaultdict(str))
    for r in text_runs(data):
        if abs(r.size - size) < 0.01:
            lines[r.page][round(r.y, 1)] += r.text
    return lines


def test_a4_and_fonts_embedded(gongwen_pdf):
    sizes = page_sizes(gongwen_pdf)
    assert len(sizes) >= 2
    assert all(abs(w - 595.27) < 0.01 and abs(h - 841.89) < 0.01 for w, h in sizes)
    found = fonts(gongwen_pdf)
    assert found and all(f["files"] == ["/FontFile2"] and "+" in f["base"] for f in found)


def test_text_is_in_the_pdf(gongwen_pdf):
    text = compact("".join(page_texts(gongwen_pdf)))
    for s in ("蒙阴县人民政府办公室文件", "蒙政办字〔2026〕7号", "做好2027年度政务信息系统项目申报工作的通知",
              "各乡镇人民政府（街道办事处），县政府各部门、各直属机构：", "一、申报范围", "（一）申报时间。",
              "附件：1．2027年度政务信息系统项目申请表", "2026年11月24日", "抄送：县委办公室，", "2026年11月24日印发"):
        assert s in text


def test_text_stays_inside_the_block(gongwen_pdf):
    for r in text_runs(gongwen_pdf):
        if r.text.startswith("—") and r.text.rstrip().endswith("—"):
            continue  # page numbers live below the block
        assert G.left - 0.01 <= r.x < BLOCK_RIGHT, r
        assert G.bottom - 0.01 <= r.y <= BLOCK_TOP, r
        if abs(r.size - 16) < 0.01 and all(ord(c) > 0x2e80 for c in r.text.strip()):
            assert r.x + len(r.text.strip()) * GONGWEN_PITCH <= BLOCK_RIGHT + 0.5, r


def test_issuer_mark_top_is_35mm_below_block_top(gongwen_pdf):
    mark = next(r for r in text_runs(gongwen_pdf) if r.text == "蒙阴县人民政府办公室文件")
    assert mark.page == 1
    assert abs(BLOCK_TOP - (mark.y + mark.size * CJK_ASCENT) - 35 * mm) < 0.5
    assert mark.size <= 42


def test_page_numbers_right_on_odd_left_on_even(gongwen_pdf):
    numbers = [r for r in text_runs(gongwen_pdf) if r.text.strip().startswith("— ")]
    pages = len(page_sizes(gongwen_pdf))
    assert [r.text.strip() for r in numbers] == [f"— {n} —" for n in range(1, pages + 1)]
    for r in numbers:
        assert abs(r.size - 14) < 0.01
        # The 一字线 7 mm below the text block (§7.5), measured on the rendered page.
        assert abs(page_number_dash_mm(gongwen_pdf, r.page, (G.height - G.bottom) / mm) - 7) < 0.5
        if r.page % 2:
            assert r.x > G.width / 2
        else:
            assert abs(r.x - (G.left + 14)) < 0.5


def test_28_characters_per_line_and_22_lines_per_page(registry):
    data = plain(["政" * 100] * 12, registry).build()
    lines = lines_by_page(data)
    first = [t for _, t in sorted(lines[1].items(), reverse=True) if set(t) == {"政"}]
    assert [len(t) for t in first[:4]] == [26, 28, 28, 18]  # 2-character indent, then 28
    assert len(lines[2]) == 22


def test_no_line_starts_with_closing_punctuation(registry):
    text = "根据通知要求，" * 40 + "各单位。"
    data = plain([text], registry).build()
    for page in lines_by_page(data).values():
        for line in page.values():
            assert line[0] not in "，。、；：）》」"


def test_signature_never_stands_alone(registry):
    # Whatever the length of the body, the page with the date also holds body text.
    for n in range(14, 22):
        data = plain(["务" * 56] * n, registry).build()
        texts = [compact(t) for t in page_texts(data)]
        date_page = next(i for i, t in enumerate(texts) if "2026年11月24日" in t)
        assert "务" in texts[date_page], n


def test_rare_character_in_heading_is_printed(registry):
    data = plain([Heading1("一、王䶮同志负责"), "正文。"], registry).build()
    assert "王䶮同志负责" in compact("".join(page_texts(data)))


def test_unprintable_character_is_refused_before_drawing(registry):
    with pytest.raises(MissingGlyphError) as info:
        plain(["第一段。", "第二段\U00030000。"], registry)
    assert info.value.field == "正文第2段"
    assert "字段「正文第2段」中的字符「\U00030000」" in str(info.value)


def test_build_writes_file_and_returns_bytes(tmp_path, registry):
    doc = gongwen_sample(registry, extra_paragraphs=0)
    target = tmp_path / "通知.pdf"
    data = doc.build(target)
    assert target.read_bytes() == data and data.startswith(b"%PDF")
    assert not list(tmp_path.glob("*.part"))
