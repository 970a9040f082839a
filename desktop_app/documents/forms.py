"""Bordered forms (表): a small declarative builder.

    FormDocument("政务信息系统项目申请表", "（2027年度）")
        .meta_line("申报单位（盖章）：县大数据中心", "填报日期：2026年11月24日")
        .section("一、项目基本情况")
        .kv_table([("项目名称", name), ("建设单位", unit), KV("建设内容", text, wide=True)], columns=2)
        .table(["序号", "设备名称", "数量", "金额（万元）"], rows, col_widths=[1, 5, 1.5, 2.5])
        .opinion_box("县政府办公室审核意见")
        .signature_block(Signature("申报单位（盖章）", "负责人（签字）"))
        .build("申请表.pdf")

Cells grow with their text (CJK word wrap), long tables repeat their header row on
every page, and every text is checked for missing glyphs when it is added.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reportlab.lib.colors import black
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .fonts import FANGSONG, HEI, KAI, SONG, TITLE, FontRegistry, default_registry
from .formatting import BLANK_DATE, format_cn_date
from .gridtext import Breaking, GridParagraph, line_width
from .page import (
    FORM_LANDSCAPE,
    FORM_PORTRAIT,
    SIZE_2HAO,
    SIZE_3HAO,
    SIZE_5HAO,
    SIZE_XIAO4,
    Target,
    form_page_number,
    page_count_canvas,
    write_pdf,
)

CELL_PAD = 2.5  # points around the text inside a cell
GRID_WIDTH = 0.6
STAMP_ROOM = 38 * mm  # vertical room left for a round 公章 (42 mm, overlapping text lines)
# Labels, headers and titles break between words, in even lines, never one character alone.
LABEL_BREAKING = Breaking(words=True, balance=True)
# PDF marked-content tags: readers ignore them; they say which text is a signing block
# (盖章/签字 boxes), 填表说明 or a page number (tests check page make-up with them).
SIGNING, NOTES, ARTIFACT = "Signing", "Notes", "Artifact"


@dataclass(frozen=True)
class KV:
    """One label/value pair of a kv_table.

    wide: the value spans the rest of the row (long texts such as 建设内容).
    min_lines: keep at least this many text lines of height, for handwriting.
    """

    label: str
    value: str = ""
    wide: bool = False
    min_lines: int = 1


@dataclass(frozen=True)
class Signature:
    """One signing party: unit with stamp, responsible person, date."""

    unit_label: str = "单位（盖章）"
    person_label: str = "负责人（签字）"
    unit_name: str = ""
    date: _dt.date | None = None


KVItem = KV | tuple
Cell = str | int | float | None


class _MinHeight(Flowable):
    """Wraps a flowable so a table cell is at least `height` tall."""

    def __init__(self, child: Flowable, height: float):
        super().__init__()
        self.child, self.min_height = child, height

    def wrap(self, aw, ah):
        w, h = self.child.wrap(aw, ah)
        self._child_h = h
        self.width, self.height = w, max(h, self.min_height)
        return self.width, self.height

    def split(self, aw, ah):
        return self.child.split(aw, ah)

    def draw(self):
        self.child.drawOn(self.canv, 0, self.height - self._child_h)


class _Marked(Flowable):
    """A flowable inside a PDF marked-content sequence (/Signing BMC … EMC)."""

    def __init__(self, child: Flowable, tag: str):
        super().__init__()
        self.child, self.tag = child, tag

    def wrap(self, aw, ah):
        self.width, self.height = self.child.wrapOn(getattr(self, "canv", None), aw, ah)
        return self.width, self.height

    def split(self, aw, ah):
        return [_Marked(part, self.tag) for part in self.child.splitOn(getattr(self, "canv", None), aw, ah)]

    def draw(self):
        self.canv._code.append(f"/{self.tag} BMC")  # no public API for marked content
        self.child.drawOn(self.canv, 0, 0)
        self.canv._code.append("EMC")


class _Stack(Flowable):
    """Flowables one under another, split between them (the 填表说明 and its items)."""

    def __init__(self, parts: list[Flowable]):
        super().__init__()
        self.parts = parts

    def wrap(self, aw, ah):
        self._heights = [p.wrapOn(getattr(self, "canv", None), aw, ah)[1] for p in self.parts]
        self.width, self.height = aw, sum(self._heights)
        return self.width, self.height

    def split(self, aw, ah):
        self.wrap(aw, ah)
        used = 0.0
        for k, h in enumerate(self._heights):
            if used + h > ah + 1e-6:
                return [_Stack(self.parts[:k]), _Stack(self.parts[k:])] if k else []
            used += h
        return []

    def draw(self):
        y = self.height
        for p, h in zip(self.parts, self._heights, strict=True):
            y -= h
            p.drawOn(self.canv, 0, y)


def _is_signing(f: Flowable) -> bool:
    return isinstance(f, _Marked) and f.tag == SIGNING


def _rides_along(f: Flowable) -> bool:
    """Spacers, section headings (keepWithNext), signing blocks and 填表说明: what follows content."""
    return isinstance(f, (Spacer, _Marked)) or bool(getattr(f, "keepWithNext", False))


class _WithTail(Flowable):
    """Content and the signing blocks after it, so a signing block never starts a page alone.

    When the whole does not fit, the content is split so that its last part (a table's last
    rows, a paragraph's last line) goes over with the blocks; content that cannot be split goes
    over whole. A tail taller than a page gives up and flows as usual.
    """

    def __init__(self, head: Flowable, tail: list[Flowable], page_height: float):
        super().__init__()
        self.head, self.tail, self.page_height = head, tail, page_height

    def wrap(self, aw, ah):
        self._hh = self.head.wrapOn(self.canv, aw, ah)[1]
        self._th = [f.wrapOn(self.canv, aw, ah)[1] for f in self.tail]
        self.width, self.height = aw, self._hh + sum(self._th)
        return self.width, self.height

    def split(self, aw, ah):
        self.wrap(aw, ah)
        if self._hh <= ah:  # the content fits, the blocks do not: its last rows or lines go over
            parts = _split_between_rows(self.head, self.canv, aw, self._hh - 1)
        else:  # between rows too: a row cut here would leave a header over a sliver at the page's foot
            parts = _split_between_rows(self.head, self.canv, aw, ah)
            if not parts and self._hh > self.page_height:
                parts = self.head.splitOn(self.canv, aw, ah)
        if len(parts) >= 2:
            return [*parts[:-1], _WithTail(parts[-1], self.tail, self.page_height)]
        frame = getattr(self, "_frame", None)
        if self._hh + sum(self._th) > self.page_height and getattr(frame, "_atTop", True):
            return [self.head, *self.tail]  # cannot be kept together on any page
        return []  # to the next page

    def draw(self):
        y = self.height - self._hh
        self.head.drawOn(self.canv, 0, y)
        for f, h in zip(self.tail, self._th, strict=True):
            y -= h
            f.drawOn(self.canv, 0, y)


class _KeepWithNext(KeepTogether):
    """A heading kept with what follows (ReportLab groups keepWithNext flowables in this).

    ReportLab moves such a group to the next page whenever it does not fit, even when the
    group is longer than a page and would leave this page nearly empty: here a group longer
    than a page flows on from where it is, unless little room is left.
    """

    page_height = 0.0
    low_water = 40 * mm

    def split(self, aW, aH):
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        if self._H > self.page_height and aH > self.low_water:
            return list(self._content)
        return super().split(aW, aH)


def _split_between_rows(f: Flowable, canv, aw: float, ah: float) -> list[Flowable]:
    """Split a table only between rows (a row cut in two would carry a sliver over)."""
    in_row = getattr(f, "splitInRow", None)
    if not in_row:
        return f.splitOn(canv, aw, ah)
    f.splitInRow = 0
    try:
        parts = f.splitOn(canv, aw, ah)
    finally:
        f.splitInRow = in_row
    for part in parts:
        if isinstance(part, Table):
            part.splitInRow = in_row
    return parts


def keep_signing_with_content(story: list[Flowable], page_height: float) -> list[Flowable]:
    """Bind each run of signing blocks (with the spacers, headings and notes around them) to
    the content flowable before it."""
    out: list[Flowable] = []
    i = 0
    while i < len(story):
        j = i
        while j < len(story) and _rides_along(story[j]):
            j += 1
        run = story[i:j]
        # headings and spacers after the last block stay with the content that follows them
        end = max((k + 1 for k, f in enumerate(run) if isinstance(f, _Marked)), default=0)
        if any(_is_signing(f) for f in run) and out and not _rides_along(out[-1]):
            out.append(_WithTail(out.pop(), run[:end], page_height))
            out.extend(run[end:])
        else:
            out.extend(run)
        if j < len(story):
            out.append(story[j])
        i = j + 1
    return out


class FormDocument:
    """A printed form: title, sections, tables, opinion boxes and signature blocks."""

    def __init__(
        self,
        title: str,
        subtitle: str | None = None,
        *,
        landscape: bool = False,
        attachment_label: str | None = None,
        registry: FontRegistry | None = None,
        font_size: float = SIZE_XIAO4,
    ):
        self.registry = registry or default_registry()
        self.title = title
        self.geometry = FORM_LANDSCAPE if landscape else FORM_PORTRAIT
        self.font_size = font_size
        self.keywords = ""  # the PDF's Keywords entry (a receipt keeps machine-readable data there)
        self._blocks: list[Callable[[], list[Flowable]]] = []
        self._footer_font = self.registry.primary(SONG).name
        self.registry.check([("页码", form_page_number(0, 0) + "0123456789", SONG)])
        if attachment_label:
            label = self._para(attachment_label, HEI, SIZE_3HAO, "附件标识", align="left")
            self._add(lambda: [label(), Spacer(1, 2 * mm)])
        title_p = self._para(title, TITLE, SIZE_2HAO, "标题", align="center", leading=SIZE_2HAO * 1.35,
                             breaking=LABEL_BREAKING)
        parts = [title_p]
        if subtitle:
            parts.append(self._para(subtitle, KAI, SIZE_3HAO, "副标题", align="center"))
        self._add(lambda: [p() for p in parts] + [Spacer(1, 4 * mm)])

    # ------------------------------------------------------------ text helpers

    def _para(self, text: Cell, face: str, size: float, field: str, *, align: str = "left",
              leading: float | None = None, first_indent: float = 0,
              breaking: Breaking | None = None) -> Callable[[], GridParagraph]:
        """Check glyphs now (raising MissingGlyphError with `field`); return a factory.

        GridParagraph rather than ReportLab's Paragraph: its CJK wrap leaves text such
        as 金额（万元） unbroken and overflowing a narrow cell.
        """
        para = GridParagraph(
            [(face, "" if text is None else str(text), field)], self.registry, size=size, pitch=size,
            leading=leading or size * 1.4, first_indent_chars=first_indent / size, align=align,
            **({"breaking": breaking} if breaking else {}),
        )
        # A fresh copy per build: the doc template marks flowables it had to
        # postpone, and a mark left from an earlier build breaks the next one.
        return lambda: copy.copy(para)

    def _add(self, factory: Callable[[], list[Flowable]]) -> FormDocument:
        self._blocks.append(factory)
        return self

    def _plain_style(self, *commands) -> TableStyle:
        # FONTNAME: Table draws even empty string cells in its default Helvetica,
        # which would put an unembedded font into the PDF.
        return TableStyle([("FONTNAME", (0, 0), (-1, -1), self._footer_font), *commands])

    def _table_style(self, extra: Iterable = ()) -> TableStyle:
        return self._plain_style(
            ("GRID", (0, 0), (-1, -1), GRID_WIDTH, black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD + 1),
            *extra,
        )

    @property
    def width(self) -> float:
        return self.geometry.block_width

    # ------------------------------------------------------------ public builders

    def meta_line(self, left: str = "", right: str = "") -> FormDocument:
        """A line above a table, e.g. 填报单位（盖章）：…… on the left, 填报日期 on the right."""
        lp = self._para(left, FANGSONG, SIZE_XIAO4, "表头左侧")
        rp = self._para(right, FANGSONG, SIZE_XIAO4, "表头右侧", align="right")

        def make():
            t = Table([[lp(), rp()]], colWidths=[self.width * 0.6, self.width * 0.4])
            t.setStyle(self._plain_style(("LEFTPADDING", (0, 0), (-1, -1), 0),
                                          ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                          ("VALIGN", (0, 0), (-1, -1), "BOTTOM")))
            return [t, Spacer(1, 1.5 * mm)]

        return self._add(make)

    def section(self, title: str) -> FormDocument:
        """A section heading (黑体) above the next table."""
        p = self._para(title, HEI, SIZE_XIAO4 + 2, "栏目标题")
        return self._add(lambda: [Spacer(1, 2 * mm), p(), Spacer(1, 1.5 * mm)])

    def paragraph(self, text: str, *, field: str = "说明", face: str = FANGSONG,
                  size: float | None = None, indent: bool = True) -> FormDocument:
        size = size or self.font_size
        p = self._para(text, face, size, field, first_indent=2 * size if indent else 0)
        return self._add(lambda: [p(), Spacer(1, 1.5 * mm)])

    def _label_width(self, labels: Sequence[Callable[[], GridParagraph]], most: float) -> float:
        """The width of the longest label (no wider than `most`, where it breaks between words)."""
        inner = most - 2 * CELL_PAD
        widest = 0.0
        for make in labels:
            para = make()
            para.wrap(inner, 10**6)
            widest = max([widest] + [line_width(atoms) for atoms, _ in para.lines])
        return widest + 2 * CELL_PAD + 0.5

    def kv_table(self, items: Sequence[KVItem], *, columns: int = 1,
                 label_width: float | None = None) -> FormDocument:
        """Label/value rows; columns=2 puts two pairs side by side (wide items span).

        The label column takes the width of its longest label, up to `label_width`
        (default 32 mm beside two columns, 40 mm beside one); a longer label breaks between words.
        """
        if columns not in (1, 2):
            raise ValueError("columns must be 1 or 2")
        size = self.font_size
        most = label_width or (32 * mm if columns == 2 else 40 * mm)
        leading = size * 1.4
        cells = []
        for item in items:
            kv = item if isinstance(item, KV) else KV(*item)
            label = self._para(kv.label, HEI, size, f"{kv.label}（栏目名）", align="center",
                               breaking=LABEL_BREAKING)
            value = self._para(kv.value, FANGSONG, size, kv.label)
            min_h = kv.min_lines * leading
            cells.append((label, value, min_h, kv.wide or columns == 1))
        lw = self._label_width([c[0] for c in cells], most)
        vw = (self.width - columns * lw) / columns
        widths = [lw, vw] * columns

        def make():
            rows, spans = [], []
            row: list = []
            for label, value, min_h, wide in cells:
                if wide and row:  # finish a half-filled row first
                    row += ["", ""]
                    spans.append(("SPAN", (1, len(rows)), (3, len(rows))))
                    rows.append(row)
                    row = []
                row += [label(), _MinHeight(value(), min_h)]
                if wide or len(row) == 2 * columns:
                    if wide and columns == 2:
                        row += ["", ""]
                        spans.append(("SPAN", (1, len(rows)), (3, len(rows))))
                    rows.append(row)
                    row = []
            if row:
                row += ["", ""]
                spans.append(("SPAN", (1, len(rows)), (3, len(rows))))
                rows.append(row)
            if not rows:
                return []
            t = Table(rows, colWidths=widths, splitInRow=1)
            t.setStyle(self._table_style(spans))
            return [t, Spacer(1, 3 * mm)]

        return self._add(make)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Cell]], *,
              col_widths: Sequence[float] | None = None, align: Sequence[str] | None = None,
              font_size: float | None = None, name: str = "") -> FormDocument:
        """A ruled table whose header row repeats on every page.

        col_widths are relative weights; align is "left"/"center"/"right" per column.
        Field names in glyph errors read like 「设备名称」第3行.
        """
        size = font_size or self.font_size
        n = len(headers)
        weights = list(col_widths) if col_widths else [1.0] * n
        if len(weights) != n:
            raise ValueError("col_widths must match headers")
        total = float(sum(weights))
        widths = [self.width * w / total for w in weights]
        aligns = list(align) if align else ["left"] * n
        prefix = f"{name}" if name else ""
        head = [self._para(h, HEI, size, f"{prefix}表头「{h}」", align="center", breaking=LABEL_BREAKING)
                for h in headers]
        widths = self._fit_headers(head, widths)
        body = []
        for r, row in enumerate(rows, start=1):
            if len(row) != n:
                raise ValueError(f"row {r} has {len(row)} cells, expected {n}")
            body.append([self._para(cell, FANGSONG, size, f"{prefix}「{headers[c]}」第{r}行", align=aligns[c])
                         for c, cell in enumerate(row)])

        def make():
            data = [[h() for h in head]] + [[c() for c in row] for row in body]
            t = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)
            t.setStyle(self._table_style())
            return [t, Spacer(1, 3 * mm)]

        return self._add(make)

    def _fit_headers(self, head: Sequence[Callable[[], GridParagraph]], widths: list[float]) -> list[float]:
        """Widen a column whose header (up to 5 characters a line) would otherwise break,
        taking the room from the widest column: 自主可控, not 自主可/控."""
        widths = list(widths)
        for c, make in enumerate(head):
            para = make()
            para.wrap(10**6, 10**6)
            need = max(line_width(atoms) for atoms, _ in para.lines) + 2 * CELL_PAD + 0.5
            short = need - widths[c]
            widest = max(range(len(widths)), key=lambda k: widths[k])
            if 0 < short and need <= 5 * para.size + 2 * CELL_PAD + 0.5 and widest != c \
                    and widths[widest] - short >= 2 * need:
                widths[c] += short
                widths[widest] -= short
        return widths

    def opinion_box(self, label: str, text: str = "", *, signer: str = "（盖章）",
                    date: _dt.date | None = None, lines: int = 5) -> FormDocument:
        """A bordered box for an opinion: label, text (or room to write), stamp and date."""
        size = self.font_size
        lp = self._para(label, HEI, size, f"{label}（栏目名）", align="center", breaking=LABEL_BREAKING)
        tp = self._para(text, FANGSONG, size, label)
        sp = self._para(signer, FANGSONG, size, f"{label}署名", align="right")
        dp = self._para(format_cn_date(date), FANGSONG, size, f"{label}日期", align="right")
        lw = 32 * mm

        def make():
            inner = Table([[_MinHeight(tp(), lines * size * 1.4)], [sp()], [dp()]],
                          colWidths=[self.width - lw - 2 * CELL_PAD])
            inner.setStyle(self._plain_style(("LEFTPADDING", (0, 0), (-1, -1), 0),
                                              ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                              ("RIGHTPADDING", (0, 1), (-1, -1), 10 * mm)))
            t = Table([[lp(), inner]], colWidths=[lw, self.width - lw])  # one row: never split
            t.setStyle(self._table_style())
            return [_Marked(t, SIGNING), Spacer(1, 3 * mm)]

        return self._add(make)

    def signature_block(self, *parties: Signature) -> FormDocument:
        """Signing parties side by side, each with room for a stamp over its lines.

        Default: one party, 单位（盖章） and 负责人（签字）, with a blank date line.
        """
        parties = parties or (Signature(),)
        size = SIZE_3HAO - 2
        cols = []
        for i, p in enumerate(parties, start=1):
            unit = p.unit_label + ("：" + p.unit_name if p.unit_name else "：")
            cols.append((
                self._para(unit, FANGSONG, size, f"签章栏{i}单位"),
                self._para(p.person_label + "：", FANGSONG, size, f"签章栏{i}负责人"),
                self._para(format_cn_date(p.date) if p.date else BLANK_DATE, FANGSONG, size,
                           f"签章栏{i}日期", align="right"),
            ))

        def make():
            colw = self.width / len(cols)
            made = [(unit(), person(), date()) for unit, person, date in cols]
            # A unit name that wraps must not push its party's lines below the others': each line is
            # as tall as the tallest of its kind, so all parties share the signature baselines.
            tall = [max(m[k].wrap(colw - 6 * mm, self.geometry.block_height)[1] for m in made) for k in (0, 1)]
            cells = []
            for unit, person, date in made:
                inner = Table([[_MinHeight(unit, tall[0])], [Spacer(1, STAMP_ROOM / 2)], [_MinHeight(person, tall[1])],
                               [Spacer(1, STAMP_ROOM / 2)], [date]], colWidths=[colw - 6 * mm])
                inner.setStyle(self._plain_style(("LEFTPADDING", (0, 0), (-1, -1), 0),
                                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0)))
                cells.append(inner)
            t = Table([cells], colWidths=[colw] * len(cols))
            t.setStyle(self._plain_style(("VALIGN", (0, 0), (-1, -1), "TOP"),
                                          ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm)))
            return [Spacer(1, 4 * mm), _Marked(t, SIGNING)]  # one row: never split

        return self._add(make)

    def notes(self, lines: Sequence[str], title: str = "填表说明") -> FormDocument:
        """Small-print notes after the form (填表说明)."""
        head = self._para(title + "：", HEI, SIZE_5HAO, "填表说明标题")
        items = [self._para(f"{i}．{t}", FANGSONG, SIZE_5HAO, f"{title}第{i}条", first_indent=0)
                 for i, t in enumerate(lines, start=1)]
        return self._add(lambda: [Spacer(1, 3 * mm), _Marked(_Stack([head()] + [p() for p in items]), NOTES)])

    def spacer(self, height_mm: float) -> FormDocument:
        return self._add(lambda: [Spacer(1, height_mm * mm)])

    # ------------------------------------------------------------ output

    def _footer(self, canvas, page: int, total: int) -> None:
        g = self.geometry
        canvas.saveState()
        canvas._code.append(f"/{ARTIFACT} BMC")
        canvas.setFont(self._footer_font, SIZE_5HAO)
        canvas.drawCentredString(g.width / 2, g.bottom / 2 - SIZE_5HAO / 2, form_page_number(page, total))
        canvas._code.append("EMC")
        canvas.restoreState()

    def story(self) -> list[Flowable]:
        """Fresh flowables for one build."""
        out: list[Flowable] = []
        for factory in self._blocks:
            out.extend(factory())
        while out and isinstance(out[-1], Spacer):  # else a full last page may be followed by an empty one
            out.pop()
        return keep_signing_with_content(out, self.geometry.block_height)

    def build(self, target: Target = None) -> bytes:
        """Render the PDF; write it to a path or file object if given; return the bytes."""

        def render(buffer):
            g = self.geometry
            frame = Frame(g.left, g.bottom, g.block_width, g.block_height,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
            doc = BaseDocTemplate(
                buffer, pagesize=g.size, title=self.title, creator="govis", keywords=self.keywords,
                # Else every page names Helvetica, a font that is never embedded.
                initialFontName=self._footer_font,
                pageTemplates=[PageTemplate("form", [frame])],
                leftMargin=g.left, rightMargin=g.right, topMargin=g.top, bottomMargin=g.bottom,
            )
            doc.keepTogetherClass = type("KeepWithNext", (_KeepWithNext,), {"page_height": g.block_height})
            doc.build(self.story(), canvasmaker=page_count_canvas(self._footer))

        return write_pdf(render, target)
