import pytest

from desktop_app.documents import KV, FormDocument, MissingGlyphError
from desktop_app.documents.gridtext import GridParagraph, line_width
from desktop_app.documents.page import FORM_PORTRAIT as G

from .pdfcheck import compact, fonts, page_sizes, page_texts, text_runs
from .samples import TABLE_HEADERS, form_sample, table_rows


def test_a4_portrait_and_landscape(form_pdf, registry):
    assert all(abs(w - 595.27) < 0.01 and abs(h - 841.89) < 0.01 for w, h in page_sizes(form_pdf))
    wide = form_sample(registry, rows=5, landscape=True).build()
    assert all(abs(w - 841.89) < 0.01 and abs(h - 595.27) < 0.01 for w, h in page_sizes(wide))


def test_every_font_embedded(form_pdf):
    found = fonts(form_pdf)
    assert found and all(f["files"] == ["/FontFile2"] and "+" in f["base"] for f in found)


def test_long_table_repeats_header_on_every_page(form_pdf):
    texts = [compact(t) for t in page_texts(form_pdf)]
    assert len(texts) >= 4
    pages_with_rows = [i for i, t in enumerate(texts) if "服务器及存储设备（第" in t]
    assert len(pages_with_rows) >= 3
    for i in pages_with_rows:
        assert "序号设备名称单位数量" in texts[i], i
    every = "".join(texts)
    for n in (1, 57, 128, 200):
        assert f"服务器及存储设备（第{n}批）" in every
    # Rows keep their order across pages.
    positions = [every.index(f"服务器及存储设备（第{n}批）") for n in range(1, 201)]
    assert positions == sorted(positions)


def test_page_count_footer(form_pdf):
    texts = page_texts(form_pdf)
    for n, text in enumerate(texts, start=1):
        assert f"第 {n} 页  共 {len(texts)} 页" in text


def test_content_is_printed(form_pdf):
    text = compact("".join(page_texts(form_pdf)))
    for s in ("附件1", "政务信息系统项目申请表", "（2027年度）", "申报单位（盖章）：蒙阴县大数据中心",
              "填报日期：2026年11月24日", "王䶮", "123.45万元（人民币壹佰贰拾叁万肆仟伍佰元整）",
              "县政府办公室审核意见", "（盖章）", "单位负责人（签字）：", "主管部门（盖章）：", "年月日", "填表说明："):
        assert s in text, s


def test_text_inside_margins(form_pdf):
    for r in text_runs(form_pdf):
        if r.text.startswith("第 "):
            continue  # the page footer sits in the bottom margin
        assert G.left - 0.01 <= r.x < G.left + G.block_width, r
        assert G.bottom - 0.01 <= r.y <= G.height - G.top, r


def test_narrow_cells_wrap_inside_their_column(registry):
    p = GridParagraph([("hei", "金额（万元）", "表头")], registry, size=12, pitch=12, leading=16)
    p.wrap(40, 1000)
    assert len(p.lines) >= 2 and all(line_width(atoms) <= 40 for atoms, _ in p.lines)


def test_cell_longer_than_a_page_splits(registry):
    doc = FormDocument("测试表", registry=registry).kv_table([KV("建设内容", "政务信息化" * 1500)])
    assert len(page_sizes(doc.build())) >= 3


def test_missing_glyph_names_table_cell_and_kv_field(registry):
    rows = table_rows(5)
    rows[2][1] = "设备\U00030000"
    with pytest.raises(MissingGlyphError) as info:
        FormDocument("测试表", registry=registry).table(TABLE_HEADERS, rows)
    assert info.value.field == "「设备名称」第3行"
    with pytest.raises(MissingGlyphError) as info:
        FormDocument("测试表", registry=registry).kv_table([("建设单位", "蒙阴县\U00030000局")])
    assert str(info.value).startswith("字段「建设单位」中的字符「\U00030000」在所有可用字体中都没有字形")


def test_row_length_is_checked(registry):
    with pytest.raises(ValueError):
        FormDocument("测试表", registry=registry).table(["a", "b"], [["1"]])


def test_same_document_builds_twice(registry):
    doc = form_sample(registry, rows=60)
    assert compact("".join(page_texts(doc.build()))) == compact("".join(page_texts(doc.build())))
