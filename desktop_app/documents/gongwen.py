"""公文 (official document) layout per GB/T 9704-2012.

    GongwenDocument(issuer="蒙阴县人民政府办公室", doc_no=format_doc_no("蒙政办字", 2026, 7),
                    title="关于……的通知", addressee="各乡镇人民政府，县政府各部门",
                    paragraphs=["……", Heading1("一、总体要求"), Heading2("（一）加强领导。", "……")],
                    signer="蒙阴县人民政府办公室", date=datetime.date(2026, 11, 24)).build("a.pdf")
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate, Spacer

from .fonts import FANGSONG, HEI, KAI, SONG, TITLE, FontRegistry, default_registry
from .formatting import format_cn_date
from .gridtext import (
    ALIGN_CENTER,
    ALIGN_LEFT,
    ALIGN_RIGHT,
    Breaking,
    GridParagraph,
    draw_atoms,
    line_width,
    make_atoms,
)
from .page import (
    CJK_ASCENT,
    GONGWEN_LINE,
    GONGWEN_PAGE,
    GONGWEN_PITCH,
    SIZE_2HAO,
    SIZE_3HAO,
    SIZE_4HAO,
    Target,
    draw_gongwen_page_number,
    write_pdf,
)

RED = Color(0.9, 0.0, 0.0)
STAMP_DIAMETER = 42 * mm  # the usual round 公章
MARK_MAX_SIZE = 42.0

# 信函格式 (GB/T 9704 §10.1): the mark's top 30 mm below the page top, a red double line
# (thick over thin) 4 mm under it and one (thin over thick) 20 mm above the page bottom, both 170 mm.
LETTER_MARK_TOP = 30 * mm
LETTER_MARK_MAX_SIZE = 36.0
LETTER_RULE_GAP = 4 * mm
LETTER_RULE_BOTTOM = 20 * mm
LETTER_RULE_LENGTH = 170 * mm
LETTER_THICK, LETTER_THIN, LETTER_RULE_SPACE = 1.0 * mm, 0.3 * mm, 0.7 * mm
LETTER_RULES_HEIGHT = LETTER_THICK + LETTER_RULE_SPACE + LETTER_THIN
# "与该线的距离为3号汉字高度的7/8": from the line to the glyphs of the first or last text line.
LETTER_TEXT_GAP = SIZE_3HAO * 7 / 8
# A grid line's glyphs sit this far inside its top and bottom edges.
GLYPH_INSET = (GONGWEN_LINE - SIZE_3HAO) / 2
# The first page of a 信函 carries text down to 7/8 of a character above the lower double line.
LETTER_TEXT_BOTTOM = LETTER_RULE_BOTTOM + LETTER_RULES_HEIGHT + LETTER_TEXT_GAP - GLYPH_INSET


@dataclass(frozen=True)
class Heading1:
    """一级标题 (一、……), 黑体, on its own line."""

    text: str


@dataclass(frozen=True)
class Heading2:
    """二级标题 (（一）……) in 楷体, optionally running on into body text in 仿宋."""

    text: str
    body: str = ""


Block = str | Heading1 | Heading2


class _IssuerMark(Flowable):
    """发文机关标志: red, centred, its top edge at the flowable's top."""

    def __init__(self, runs, size: float):
        super().__init__()
        self._atoms = make_atoms(runs, size, size)
        self.size = size

    def wrap(self, aw, ah):
        self.width, self.height = aw, self.size
        return aw, self.size

    def draw(self):
        used = line_width(self._atoms)
        draw_atoms(self.canv, self._atoms, (self.width - used) / 2,
                   self.size * (1 - CJK_ASCENT), self.size, color=RED)


class _Rule(Flowable):
    """A horizontal line `drop` below the flowable's top (版头分隔线, 版记 lines)."""

    def __init__(self, drop: float, thickness: float, color: Color):
        super().__init__()
        self.drop, self.thickness, self.color = drop, thickness, color

    def wrap(self, aw, ah):
        self.width, self.height = aw, self.drop
        return aw, self.drop

    def draw(self):
        c = self.canv
        c.saveState()
        c.setStrokeColor(self.color)
        c.setLineWidth(self.thickness)
        c.line(0, 0, self.width, 0)
        c.restoreState()


class _SignatureBlock(Flowable):
    """发文机关署名 centred over 成文日期 (右空四字), with room for the 印章 above.

    The stamp's top is half a line below the last text line (GB/T 9704 §7.3.5.1:
    within one line), and 署名 and 日期 sit just below the stamp's centre.
    """

    def __init__(self, signer_runs, date_runs):
        super().__init__()
        self._signer = make_atoms(signer_runs, SIZE_3HAO, GONGWEN_PITCH)
        self._date = make_atoms(date_runs, SIZE_3HAO, GONGWEN_PITCH)
        stamp_centre = GONGWEN_LINE / 2 + STAMP_DIAMETER / 2  # below the top
        pair_centre = stamp_centre + 3 * mm
        glyph_mid = SIZE_3HAO * (CJK_ASCENT - 0.5)
        self._signer_drop = pair_centre - GONGWEN_LINE / 2 + glyph_mid
        self._date_drop = self._signer_drop + GONGWEN_LINE
        bottom = self._date_drop + SIZE_3HAO * (1 - CJK_ASCENT)
        self._height = max(bottom, GONGWEN_LINE / 2 + STAMP_DIAMETER) + 2

    def wrap(self, aw, ah):
        self.width, self.height = aw, self._height
        return aw, self._height

    def draw(self):
        date_w = line_width(self._date)
        date_x = self.width - 4 * GONGWEN_PITCH - date_w
        signer_w = line_width(self._signer)
        signer_x = min(date_x + (date_w - signer_w) / 2, self.width - signer_w)
        signer_x = max(0.0, signer_x)
        draw_atoms(self.canv, self._signer, signer_x, self.height - self._signer_drop, SIZE_3HAO)
        draw_atoms(self.canv, self._date, date_x, self.height - self._date_drop, SIZE_3HAO)


class _KeepTail(Flowable):
    """The last paragraph and the signature: the signature never stands alone.

    When they do not fit, as many lines of the paragraph as fit stay on this page
    and at least one goes over with the signature (GB/T 9704 §7.3.5).
    """

    def __init__(self, paragraph: GridParagraph | None, block: Flowable):  # block: signature (with 附件说明)
        super().__init__()
        self.paragraph, self.block = paragraph, block

    def wrap(self, aw, ah):
        ph = self.paragraph.wrap(aw, ah)[1] if self.paragraph is not None else 0.0
        bh = self.block.wrap(aw, ah)[1]
        self.width, self.height = aw, ph + bh
        self._ph = ph
        return aw, self.height

    def split(self, aw, ah):
        if self.paragraph is None:
            return []
        lines = len(self.paragraph._layout(aw))
        fit = min(int((ah + 1e-6) // GONGWEN_LINE), lines - 1)
        if fit <= 0:
            return []
        head, tail = self.paragraph.split_lines(fit, aw)
        return [head, _KeepTail(tail, self.block)]

    def draw(self):
        if self.paragraph is not None:
            self.paragraph.drawOn(self.canv, 0, self.height - self._ph)
        self.block.drawOn(self.canv, 0, 0)


class _Group(Flowable):
    """Flowables one under another that never split (the 附件说明)."""

    def __init__(self, parts: list[Flowable]):
        super().__init__()
        self.parts = parts

    def wrap(self, aw, ah):
        self._heights = [p.wrap(aw, ah)[1] for p in self.parts]
        self.width, self.height = aw, sum(self._heights)
        return aw, self.height

    def draw(self):
        y = self.height
        for part, h in zip(self.parts, self._heights, strict=True):
            y -= h
            part.drawOn(self.canv, 0, y)


class _Colophon(Flowable):
    """版记 (抄送, 印发机关和印发日期) at the bottom of the last page.

    It claims the rest of the frame so its last line lies on the block's bottom edge.
    rules=False: the 信函 版记, 抄送 only, without the 分隔线 (§10.1).
    """

    def __init__(self, cc_para: GridParagraph | None, printer_atoms, date_atoms, rules: bool = True):
        super().__init__()
        self.cc_para = cc_para
        self.printer_atoms, self.date_atoms = printer_atoms, date_atoms
        self.rules = rules

    def _content_height(self, aw):
        cc_h = self.cc_para.wrap(aw, 10**6)[1] if self.cc_para is not None else 0.0
        return cc_h, cc_h + (GONGWEN_LINE if self.printer_atoms else 0.0)

    def wrap(self, aw, ah):
        self.width = aw
        self._cc_h, content = self._content_height(aw)
        self.height = max(ah, content)
        self._content = content
        return aw, self.height

    def draw(self):
        c = self.canv
        thick, thin = 0.35 * mm, 0.25 * mm
        top = self._content
        c.saveState()
        c.setStrokeColor(black)
        c.setLineWidth(thick)
        if self.rules:
            c.line(0, top, self.width, top)
            c.line(0, 0, self.width, 0)
        if self.cc_para is not None:
            self.cc_para.drawOn(c, 0, top - self._cc_h)
            if self.printer_atoms and self.rules:
                c.setLineWidth(thin)
                c.line(0, top - self._cc_h, self.width, top - self._cc_h)
        c.restoreState()
        if self.printer_atoms:
            baseline = (GONGWEN_LINE - SIZE_4HAO) / 2 + SIZE_4HAO * (1 - CJK_ASCENT)
            draw_atoms(c, self.printer_atoms, SIZE_4HAO, baseline, SIZE_4HAO)
            date_w = line_width(self.date_atoms)
            draw_atoms(c, self.date_atoms, self.width - SIZE_4HAO - date_w, baseline, SIZE_4HAO)


class _OnEvenPage(Flowable):
    """The 版记 goes on an even page, the back of a sheet printed on both sides.

    The body ending on an odd page: the 版记 goes on the next page. The body ending on an even
    page without room left: a blank page, then the 版记 page; neither shows a page number (§7.5).
    """

    def __init__(self, colophon: _Colophon, unnumbered: set[int]):
        super().__init__()
        self.colophon, self.unnumbered = colophon, unnumbered

    def _fits(self, aw, ah) -> bool:
        page = self._doctemplateAttr("page") or 1
        return page % 2 == 0 and self.colophon._content_height(aw)[1] <= ah + 1e-6

    def wrap(self, aw, ah):
        if self._fits(aw, ah):
            self.width, self.height = self.colophon.wrap(aw, ah)
        else:
            self.width, self.height = aw, ah + 1  # does not fit: split() turns the page
        return self.width, self.height

    def split(self, aw, ah):
        if self._fits(aw, ah):
            return [self.colophon]
        page = self._doctemplateAttr("page") or 1
        frame = getattr(self, "_frame", None)
        if page % 2 and getattr(frame, "_atTop", False):  # an odd page left blank
            self.unnumbered.update((page, page + 1))
        return [PageBreak(), _OnEvenPage(self.colophon, self.unnumbered)]

    def draw(self):
        self.colophon.drawOn(self.canv, 0, 0)


def _draw_double_rule(canvas, y_top: float, thick_first: bool) -> None:
    """A red double line of the 信函格式, 170 mm centred on the page, its top edge at y_top."""
    x0 = (GONGWEN_PAGE.width - LETTER_RULE_LENGTH) / 2
    widths = (LETTER_THICK, LETTER_THIN) if thick_first else (LETTER_THIN, LETTER_THICK)
    canvas.saveState()
    canvas.setStrokeColor(RED)
    y = y_top
    for k, w in enumerate(widths):
        canvas.setLineWidth(w)
        canvas.line(x0, y - w / 2, x0 + LETTER_RULE_LENGTH, y - w / 2)
        y -= w + (LETTER_RULE_SPACE if k == 0 else 0)
    canvas.restoreState()


class GongwenDocument:
    """A 公文 with 版头 (optional), 主体 and 版记 (optional), laid out per GB/T 9704-2012.

    Every text is checked for missing glyphs here, in the constructor, so the caller
    learns of a bad character (with its field name) before anything is drawn.
    """

    def __init__(
        self,
        issuer: str,
        doc_no: str | None,
        title: str,
        addressee: str | None,
        paragraphs: Sequence[Block],
        signer: str | None,
        date: _dt.date | None,
        *,
        issuer_mark: str | None = None,
        letterhead: bool = True,
        letter: bool = False,
        title_keep: Sequence[str] = (),
        attachments: Sequence[str] = (),
        cc: Sequence[str] = (),
        printer: str | None = None,
        print_date: _dt.date | None = None,
        registry: FontRegistry | None = None,
    ):
        self.registry = registry or default_registry()
        self.title = title
        self.issuer = issuer
        reg = self.registry
        self._page_font = reg.primary(SONG).name
        reg.check([("页码", "— 0123456789 —", SONG)])

        def grid(segments, **kw):
            kw.setdefault("size", SIZE_3HAO)
            kw.setdefault("pitch", GONGWEN_PITCH)
            kw.setdefault("leading", GONGWEN_LINE)
            return GridParagraph(segments, reg, **kw)

        self.letter = letter
        self._unnumbered: set[int] = set()
        self._story_parts: list = []
        head: list = []
        if letter:
            # 信函格式: the mark and the red double lines are drawn on the first page itself.
            mark = issuer_mark or issuer
            self._mark_size = min(LETTER_MARK_MAX_SIZE, LETTER_RULE_LENGTH / max(1, len(mark)))
            self._mark = make_atoms(reg.font_runs(mark, TITLE, "发文机关标志"), self._mark_size, self._mark_size)
            if doc_no:  # 顶格居版心右边缘, 7/8 of a character below the double line
                head += [Spacer(1, LETTER_TEXT_GAP - GLYPH_INSET),
                         grid([(FANGSONG, doc_no, "发文字号")], align=ALIGN_RIGHT)]
            head.append(Spacer(1, 2 * GONGWEN_LINE))
        elif letterhead:
            mark = issuer_mark or f"{issuer}文件"
            size = min(MARK_MAX_SIZE, GONGWEN_PAGE.block_width / max(1, len(mark)))
            head += [Spacer(1, 35 * mm), _IssuerMark(reg.font_runs(mark, TITLE, "发文机关标志"), size),
                     Spacer(1, 2 * GONGWEN_LINE)]
            if doc_no:
                head.append(grid([(FANGSONG, doc_no, "发文字号")], align=ALIGN_CENTER))
            # 发文字号之下 4 mm: measured from the glyph bottom, which is half the
            # spare line height above the grid line's bottom.
            head += [_Rule(4 * mm - (GONGWEN_LINE - SIZE_3HAO) / 2, 0.5 * mm, RED),
                     Spacer(1, 2 * GONGWEN_LINE)]
        # 回行时词意完整 (§7.3.1): between words, the issuer's and the caller's names whole, even lines.
        title_breaking = Breaking(words=True, balance=True, keep=(issuer, *title_keep))
        head.append(grid([(TITLE, title, "标题")], size=SIZE_2HAO, pitch=SIZE_2HAO, align=ALIGN_CENTER,
                         breaking=title_breaking))
        if addressee:
            text = addressee if addressee.endswith(("：", ":")) else addressee + "："
            head += [Spacer(1, GONGWEN_LINE), grid([(FANGSONG, text, "主送机关")], align=ALIGN_LEFT)]

        body: list[GridParagraph] = []
        for number, block in enumerate(paragraphs, start=1):
            field = f"正文第{number}段"
            if isinstance(block, Heading1):
                body.append(grid([(HEI, block.text, field)], first_indent_chars=2))
            elif isinstance(block, Heading2):
                segs = [(KAI, block.text, field)] + ([(FANGSONG, block.body, field)] if block.body else [])
                body.append(grid(segs, first_indent_chars=2))
            else:
                body.append(grid([(FANGSONG, str(block), field)], first_indent_chars=2))

        notes: list[Flowable] = []
        for i, name in enumerate(attachments):
            field = f"附件说明第{i + 1}项"
            if len(attachments) == 1:
                notes.append(grid([(FANGSONG, f"附件：{name}", field)], first_indent_chars=2,
                                  left_indent_chars=5))
            else:
                prefix = f"附件：{i + 1}．" if i == 0 else f"{i + 1}．"
                notes.append(grid([(FANGSONG, prefix + name, field)],
                                  first_indent_chars=2 if i == 0 else 5, left_indent_chars=7))
        tail_para = body.pop() if body else None
        signature: Flowable = _SignatureBlock(
            reg.font_runs(signer or "", FANGSONG, "发文机关署名"),
            reg.font_runs(format_cn_date(date) if date else "", FANGSONG, "成文日期"),
        )
        if notes:  # the 附件说明 stay together, with the signature and a line of the body before them
            signature = _Group([Spacer(1, GONGWEN_LINE), *notes, signature])
            notes = []
        colophon = None
        if cc or printer:
            cc_para = None
            if cc:
                cc_para = grid([(FANGSONG, "抄送：" + "，".join(cc) + "。", "抄送机关")], size=SIZE_4HAO,
                               pitch=SIZE_4HAO, first_indent_chars=1, left_indent_chars=4,
                               align=ALIGN_LEFT)
            if letter:  # 信函: 版记不加印发机关和印发日期、分隔线
                printer = None
            p_atoms = make_atoms(reg.font_runs(printer or "", FANGSONG, "印发机关"), SIZE_4HAO, SIZE_4HAO)
            d_text = format_cn_date(print_date or date) + "印发" if printer else ""
            d_atoms = make_atoms(reg.font_runs(d_text, FANGSONG, "印发日期"), SIZE_4HAO, SIZE_4HAO)
            colophon = _Colophon(cc_para, p_atoms if printer else [], d_atoms, rules=not letter)
        self._parts = (head, body, notes, tail_para, signature, colophon)

    def _story(self) -> list[Flowable]:
        head, body, notes, tail_para, signature, colophon = self._parts
        # Fresh shallow copies per build: the doc template marks flowables it had to
        # postpone, and a mark left from an earlier build breaks the next one.
        fresh = [copy.copy(f) for f in (*head, *body, *notes)]
        tail = _KeepTail(copy.copy(tail_para) if tail_para is not None else None, copy.copy(signature))
        story: list[Flowable] = [*fresh, tail]
        self._unnumbered = set()
        if colophon is not None:
            story.append(_OnEvenPage(copy.copy(colophon), self._unnumbered))
        return story

    def _page_end(self, canvas, doc):
        page = doc.page
        if page in self._unnumbered or (self.letter and page == 1):  # 信函: 首页不显示页码
            return
        draw_gongwen_page_number(canvas, page, self._page_font)

    def _letter_rule_top(self) -> float:
        """Height above the page bottom of the first double line's top edge."""
        return GONGWEN_PAGE.height - LETTER_MARK_TOP - self._mark_size - LETTER_RULE_GAP

    def _letter_first_page(self, canvas, doc):
        g = GONGWEN_PAGE
        used = line_width(self._mark)
        top = g.height - LETTER_MARK_TOP
        draw_atoms(canvas, self._mark, (g.width - used) / 2, top - self._mark_size * CJK_ASCENT,
                   self._mark_size, color=RED)
        _draw_double_rule(canvas, self._letter_rule_top(), thick_first=True)
        _draw_double_rule(canvas, LETTER_RULE_BOTTOM + LETTER_RULES_HEIGHT, thick_first=False)

    def _templates(self) -> list[PageTemplate]:
        g = GONGWEN_PAGE
        frame = Frame(g.left, g.bottom, g.block_width, g.block_height,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        body = PageTemplate("gongwen", [frame], onPageEnd=self._page_end)
        if not self.letter:
            return [body]
        bottom = LETTER_TEXT_BOTTOM
        top = self._letter_rule_top() - LETTER_RULES_HEIGHT
        first = Frame(g.left, bottom, g.block_width, top - bottom,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="letter")
        return [PageTemplate("letter", [first], onPage=self._letter_first_page, onPageEnd=self._page_end,
                             autoNextPageTemplate="gongwen"), body]

    def build(self, target: Target = None) -> bytes:
        """Render the PDF; write it to a path or file object if given; return the bytes."""

        def render(buffer):
            g = GONGWEN_PAGE
            doc = BaseDocTemplate(
                buffer, pagesize=g.size, title=self.title, author=self.issuer, creator="govis",
                # Else every page names Helvetica, a font that is never embedded.
                initialFontName=self._page_font,
                pageTemplates=self._templates(),
                leftMargin=g.left, rightMargin=g.right, topMargin=g.top, bottomMargin=g.bottom,
            )
            doc.build(self._story())

        return write_pdf(render, target)
