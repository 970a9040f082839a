"""Issue 11 items 12-14, checked on the PDFs: page make-up of forms and 公文 (GB/T 9704-2012)."""

from __future__ import annotations

import datetime as dt

import jieba
import pytest
from reportlab.lib.units import mm

from desktop_app.documents import KV, FormDocument, GongwenDocument, Heading2, Signature, filled
from desktop_app.documents.fonts import KAI
from desktop_app.documents.gongwen import LETTER_MARK_TOP
from desktop_app.documents.gridtext import break_lines, make_atoms
from desktop_app.documents.page import CJK_ASCENT
from desktop_app.documents.page import GONGWEN_PAGE as G
from tests.core import builders as B

from .filled_county import TODAY, showcase
from .pdfcheck import compact, page_number_dash_mm, page_texts, signing_alone, text_runs

DAY = dt.date(2026, 11, 24)
FORMS = [code for code, d in filled.DOCUMENTS.items() if not d.gongwen]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    c = B.make_county(tmp_path_factory.mktemp("makeup") / "county.db")
    project = showcase(c)
    B.new_project(c, c.unit2, name="县卫生健康信息平台")
    yield c, project
    c.store.close()


@pytest.fixture(scope="module")
def pdfs(county, registry):
    c, project = county
    return {code: filled.render(c.store, code, project=project["code"], year=2027, today=TODAY, registry=registry)
            for code in filled.DOCUMENTS}


def _word_starts(text: str) -> set[int]:
    starts, pos = set(), 0
    for word in jieba.cut(text, HMM=False):
        starts.add(pos)
        pos += len(word)
    return starts


def _pieces(runs, label: str) -> list[list[str]]:
    """Each place `label` is printed, as the line pieces it was drawn in (consecutive runs)."""
    found = []
    texts = [compact(r.text) for r in runs]
    for i, t in enumerate(texts):
        if not t or not label.startswith(t):
            continue
        pieces, joined = [t], t
        k = i + 1
        while joined != label and k < len(texts) and label.startswith(joined + texts[k]) and texts[k]:
            joined += texts[k]
            pieces.append(texts[k])
            k += 1
        if joined == label:
            found.append(pieces)
    return found


def assert_breaks_between_words(runs, label: str) -> None:
    places = _pieces(runs, label)
    assert places, f"「{label}」 not printed"
    starts = _word_starts(label)
    for pieces in places:
        cut = 0
        for piece in pieces[:-1]:
            cut += len(piece)
            assert cut in starts, f"「{label}」 broken inside a word: {'/'.join(pieces)}"
        assert all(len(p) > 1 for p in pieces) or len(pieces) == 1, f"one character alone: {'/'.join(pieces)}"


# ---------------------------------------------------------------- item 12: signing blocks


@pytest.mark.parametrize("code", FORMS)
def test_no_page_holds_only_a_signing_block(pdfs, code):
    assert signing_alone(pdfs[code]) == []


def _form(rows: int, registry) -> FormDocument:
    doc = FormDocument("政务信息系统项目申请表", "（2027年度）", registry=registry)
    doc.meta_line("申报单位（盖章）：蒙阴县大数据中心", "填报日期：2026年11月24日")
    doc.table(["序号", "设备名称", "数量"], [[str(i), f"服务器（第{i}批）", "1"] for i in range(1, rows + 1)],
              col_widths=[1, 6, 1])
    doc.opinion_box("县政府办公室受理意见", lines=3)
    doc.signature_block(Signature("申报单位（盖章）", "单位负责人（签字）"))
    doc.notes(["金额单位为万元。"])
    return doc


def test_signing_blocks_never_start_a_page_wherever_the_page_ends(registry):
    """Every length of table from one page to two: the blocks always share a page with content."""
    seen_pages = set()
    for rows in range(4, 50):
        data = _form(rows, registry).build()
        assert signing_alone(data) == [], rows
        seen_pages.add(len(page_texts(data)))
    assert seen_pages >= {1, 2}  # the sweep crossed the page break


def test_the_last_rows_go_over_with_the_blocks_and_the_header_repeats(registry):
    for rows in range(18, 50):
        data = _form(rows, registry).build()
        texts = [compact(t) for t in page_texts(data)]
        if len(texts) < 2:
            continue
        last = texts[-1]
        if "县政府办公室受理意见" in last and "县政府办公室受理意见" not in texts[-2]:
            assert f"服务器（第{rows}批）" in last and "序号设备名称数量" in last, rows
            return
    pytest.fail("no length put the blocks on a new page")


# ---------------------------------------------------------------- item 13: labels and amounts


LABELS = {
    "application": ["县政府办公室受理意见", "是否属于原则上不得单独建设的类型（第一条）", "建设内容摘要"],
    "contract": ["工程监理单位", "县政府办公室备案意见"],
    "acceptance-application": ["自主可控", "申请单位签章", "县政府办公室意见"],
    "acceptance": ["软硬件产品安全可控情况（第九条）", "验收报告备案日期"],
    "change": ["县政府电子政务办公室审核意见", "调整后总投资"],
    "review": ["评审专家组组长", "工作单位及职称"],
}


@pytest.mark.parametrize("code", list(LABELS))
def test_labels_break_only_between_words(pdfs, code):
    runs = text_runs(pdfs[code])
    for label in LABELS[code]:
        assert_breaks_between_words(runs, label)


def test_short_labels_are_not_broken_at_all(pdfs):
    runs = text_runs(pdfs["contract"]) + text_runs(pdfs["acceptance-application"])
    for label in ("工程监理单位", "自主可控", "备案情况"):
        assert [label] in _pieces(runs, label), label


def test_label_column_takes_the_width_of_its_longest_label(registry):
    doc = FormDocument("表", registry=registry).kv_table(
        [KV("名称", "甲"), KV("工程监理单位", "乙"), KV("备注", "丙")], columns=2)
    data = doc.build()
    runs = {compact(r.text): r for r in text_runs(data)}
    assert "工程监理单位" in runs  # one line: the column fits it
    value = runs["乙"]
    label = runs["工程监理单位"]
    # the value column starts right after the label: 6 characters of 12 pt and the padding
    assert value.x - label.x < 6 * 12 + 12


def _printed_lines(data: bytes) -> list[str]:
    """Text of each printed line (runs on one baseline, left to right)."""
    lines: dict = {}
    for r in text_runs(data):
        lines.setdefault((r.page, round(r.y, 1)), []).append(r)
    return [compact("".join(r.text for r in sorted(runs, key=lambda r: r.x))) for runs in lines.values()]


def assert_amounts_whole(data: bytes) -> int:
    count = 0
    for line in _printed_lines(data):
        start = line.find("（人民币")
        while start >= 0:
            count += 1
            assert "）" in line[start:], line
            start = line.find("（人民币", start + 1)
    return count


@pytest.mark.parametrize("code", list(filled.DOCUMENTS))
def test_amounts_in_words_are_never_split(pdfs, code):
    assert_amounts_whole(pdfs[code])


def test_amount_in_words_moves_whole_to_the_next_line(registry):
    runs = registry.font_runs("已拨付合计：38699.86万元（人民币叁亿捌仟陆佰玖拾玖万捌仟陆佰元整）。", "fangsong")
    atoms = make_atoms([(f, t) for f, t in runs], 12, 12)
    lines = break_lines(atoms, 12 * 24, 0)
    texts = ["".join(a.ch for a in line) for line, _ in lines]
    assert texts == ["已拨付合计：38699.86万元", "（人民币叁亿捌仟陆佰玖拾玖万捌仟陆佰元整）。"]


def test_ledger_totals_keep_their_amounts_whole(tmp_path, registry):
    from desktop_app import demo
    from desktop_app.models.store import Store

    store = Store.open(tmp_path / "demo.db")
    demo.generate(store, projects=60, seed=11, today=TODAY)
    data = filled.render(store, "ledger", today=TODAY, registry=registry)
    store.close()
    assert assert_amounts_whole(data) == 2  # 总投资合计 and 已拨付合计


# ---------------------------------------------------------------- item 14: 公文


def _gongwen(paragraphs: int, registry, **kw) -> GongwenDocument:
    kw.setdefault("cc", ["县委办公室", "县财政局"])
    kw.setdefault("printer", "蒙阴县人民政府办公室")
    return GongwenDocument(
        "蒙阴县人民政府办公室", "蒙政办字〔2026〕7号",
        "蒙阴县人民政府办公室关于同意蒙阴县应急管理局申报县水质监测预警系统建设项目的批复",
        "蒙阴县应急管理局", ["各单位要严格执行项目建设程序，按照批复的建设内容组织实施。" * 3] * paragraphs,
        "蒙阴县人民政府办公室", DAY, registry=registry, **kw)


def _pages_with(data: bytes, text: str) -> list[int]:
    return [n for n, t in enumerate(page_texts(data), start=1) if text in compact(t)]


def test_page_number_dash_is_7mm_below_the_block(registry):
    data = _gongwen(8, registry).build()
    pages = len(page_texts(data))
    assert pages >= 2
    for page in (1, 2):
        assert abs(page_number_dash_mm(data, page, (G.height - G.bottom) / mm) - 7) < 0.5, page


def test_title_breaks_between_words_and_keeps_names(registry):
    data = _gongwen(1, registry).build()
    title = "蒙阴县人民政府办公室关于同意蒙阴县应急管理局申报县水质监测预警系统建设项目的批复"
    runs = [r for r in text_runs(data) if abs(r.size - 22) < 0.01]
    lines = [compact(r.text) for r in runs]
    assert "".join(lines) == title and len(lines) >= 2
    assert_breaks_between_words(runs, title)
    for name in ("蒙阴县人民政府办公室", "应急管理局", "水质"):
        assert any(name in line for line in lines), (name, lines)
    widths = [len(line) for line in lines]
    assert max(widths) - min(widths) <= 6, lines  # even lines (梯形/菱形), not one long and one short


def test_colophon_is_always_on_an_even_page(registry):
    shapes = set()
    for paragraphs in range(1, 16):
        data = _gongwen(paragraphs, registry).build()
        texts = [compact(t) for t in page_texts(data)]
        where = _pages_with(data, "抄送：")
        assert where == [len(texts)] and len(texts) % 2 == 0, paragraphs
        body_end = max(_pages_with(data, "2026年11月24日")[:1] or [0])
        numbers = [t for t in texts if "—" in t]
        if texts[-2] == "":  # a blank page before the 版记 page: neither numbered
            shapes.add("blank")
            assert f"—{len(texts)}—" not in texts[-1]
        elif body_end < len(texts):
            shapes.add("own page")
            assert f"—{len(texts)}—" in texts[-1]
        else:
            shapes.add("same page")
        assert numbers
    assert {"blank", "same page"} <= shapes


def test_attachment_notes_stay_together_with_the_signature(registry):
    for paragraphs in range(1, 14):
        data = _gongwen(paragraphs, registry, attachments=["年度项目申请表", "建设方案编制提纲", "投资预算表"],
                        cc=[], printer=None).build()
        first = _pages_with(data, "附件：1．年度项目申请表")
        assert len(first) == 1, paragraphs
        assert _pages_with(data, "3．投资预算表") == first, paragraphs
        assert _pages_with(data, "蒙阴县人民政府办公室2026年11月24日") == first, paragraphs
        # and never without a line of the body before them
        page = compact(page_texts(data)[first[0] - 1])
        assert page.index("附件：") > 0 and "组织实施" in page[:page.index("附件：")], paragraphs


def test_level_2_heading_wholly_in_kai(pdfs, registry):
    import io

    from pypdf import PdfReader

    kai = registry.primary(KAI).name
    found = []
    for page in PdfReader(io.BytesIO(pdfs["rectification"])).pages:
        def visit(text, cm, tm, font_dict, size):
            if text.strip() and font_dict is not None:
                found.append((text, str(font_dict.get("/BaseFont"))))
        page.extract_text(visitor_text=visit)
    start = next(i for i, (t, _) in enumerate(found) if t.startswith("（一）"))
    end = next(i for i, (t, _) in enumerate(found) if i >= start and "。" in t)
    heading = found[start:end + 1]  # （一）合同约定的监理日志缺失8月份记录。
    assert "8月份记录" in "".join(t for t, _ in heading)
    assert {f for _, f in heading} == {heading[0][1]}, heading  # one face from （一） to 。
    run_on = next(f for t, f in found[end:] if "整改期限" in t)
    assert run_on != heading[0][1]  # the run-on text is 仿宋
    assert kai.split("-")[2][:6] in heading[0][1], (kai, heading)  # the 楷体 face (LXGWWenKai here)
    assert Heading2("（一）标题。", "正文").text == "（一）标题。"


def test_consent_is_a_letter_in_the_letter_format(pdfs):
    data = pdfs["consent"]
    runs = text_runs(data)
    first = [compact(r.text) for r in runs if r.page == 1]
    assert "蒙阴县人民政府办公室" in first and not any(t.endswith("办公室文件") for t in first)
    mark = next(r for r in runs if compact(r.text) == "蒙阴县人民政府办公室" and r.page == 1)
    assert abs(G.height - (mark.y + mark.size * CJK_ASCENT) - LETTER_MARK_TOP) < 0.5
    number = next(r for r in runs if r.text.startswith("蒙政办字"))
    assert number.x > G.width / 2  # 发文字号 at the block's right edge
    assert not any(compact(r.text).startswith("—") for r in runs if r.page == 1)  # 首页不显示页码
    assert "印发" not in compact("".join(page_texts(data)))  # 版记: 抄送 only


def test_letter_has_red_double_lines(pdfs, tmp_path):
    import subprocess

    from PIL import Image

    pdf = tmp_path / "consent.pdf"
    pdf.write_bytes(pdfs["consent"])
    subprocess.run(["pdftoppm", "-r", "254", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp_path / "p")],
                   check=True)
    image = Image.open(tmp_path / "p.ppm").convert("RGB")
    per_mm = 10  # 254 dpi
    red_rows = []
    for y in range(image.height):
        reds = sum(1 for x in range(0, image.width, 4) if _red(image.getpixel((x, y))))
        if reds * 4 > 150 * per_mm:  # a red line at least 150 mm long
            red_rows.append(y)
    bands = []
    for y in red_rows:
        if bands and y - bands[-1][1] <= 1:
            bands[-1][1] = y
        else:
            bands.append([y, y])
    assert len(bands) == 4, bands  # two double lines
    top_pair, bottom_pair = bands[:2], bands[2:]
    assert top_pair[0][1] - top_pair[0][0] > top_pair[1][1] - top_pair[1][0]  # 上粗下细
    assert bottom_pair[0][1] - bottom_pair[0][0] < bottom_pair[1][1] - bottom_pair[1][0]  # 上细下粗
    assert abs((image.height - bottom_pair[1][1]) / per_mm - 20) < 0.5  # 20 mm above the page bottom
    mark = next(r for r in text_runs(pdfs["consent"]) if compact(r.text) == "蒙阴县人民政府办公室")
    # 4 mm under the mark (its em box 30 mm below the page top)
    assert abs(top_pair[0][0] / per_mm - (LETTER_MARK_TOP + mark.size + 4 * mm) / mm) < 0.5


def _red(pixel) -> bool:
    r, g, b = pixel
    return r > 180 and g < 90 and b < 90
