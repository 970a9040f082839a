"""Page geometry, page numbers and the serialised PDF build (no Qt).

Sizes follow GB/T 9704-2012 for 公文 and common practice for bordered forms (表).
"""

from __future__ import annotations

import functools
import io
import os
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from desktop_app.services import atomic_file

# 字号 (Chinese type sizes) in points.
SIZE_2HAO = 22.0  # 二号: 公文 title
SIZE_3HAO = 16.0  # 三号: 公文 body
SIZE_XIAO3 = 15.0
SIZE_4HAO = 14.0  # 四号: page numbers, 版记
SIZE_XIAO4 = 12.0  # 小四: table text
SIZE_5HAO = 10.5

A4_PORTRAIT = A4  # 595.27 x 841.89 pt
A4_LANDSCAPE = landscape(A4)


@dataclass(frozen=True)
class PageGeometry:
    """Page size and the text block (版心) inside it, in points."""

    width: float
    height: float
    left: float
    top: float
    block_width: float
    block_height: float

    @property
    def bottom(self) -> float:
        """Distance from the page's bottom edge to the block's bottom edge."""
        return self.height - self.top - self.block_height

    @property
    def right(self) -> float:
        return self.width - self.left - self.block_width

    @property
    def size(self) -> tuple[float, float]:
        return (self.width, self.height)


# GB/T 9704-2012 §5.2.1: 天头 37 mm, 订口 28 mm, 版心 156 mm x 225 mm.
GONGWEN_PAGE = PageGeometry(A4[0], A4[1], 28 * mm, 37 * mm, 156 * mm, 225 * mm)
GONGWEN_LINES = 22
GONGWEN_CHARS = 28
# One grid line and one character cell of the 22 x 28 grid.
GONGWEN_LINE = GONGWEN_PAGE.block_height / GONGWEN_LINES
GONGWEN_PITCH = GONGWEN_PAGE.block_width / GONGWEN_CHARS
# Page number: 4号, its 一字线 7 mm below the block (§7.5), one character in from the edge.
PAGE_NUMBER_GAP = 7 * mm

# Forms: bound on the left like other papers, a little more room than 公文 for wide tables.
FORM_PORTRAIT = PageGeometry(A4[0], A4[1], 25 * mm, 22 * mm, A4[0] - 45 * mm, A4[1] - 44 * mm)
FORM_LANDSCAPE = PageGeometry(
    A4_LANDSCAPE[0], A4_LANDSCAPE[1], 20 * mm, 20 * mm, A4_LANDSCAPE[0] - 40 * mm, A4_LANDSCAPE[1] - 40 * mm
)

# Ascent of the ideographic em box: CJK glyphs sit in [-0.12, 0.88] of the size.
CJK_ASCENT = 0.88


def gongwen_page_number(n: int) -> str:
    """GB/T 9704 page number: 一字线, the number, 一字线 — "— 1 —"."""
    return f"— {n} —"


@functools.lru_cache(maxsize=64)
def glyph_top(font_name: str, ch: str, default: float = 0.39) -> float:
    """Top of a glyph's outline above the baseline, in ems (read from the TrueType glyf table)."""
    try:
        face = pdfmetrics.getFont(font_name).face
        glyph = face.charToGlyph[ord(ch)]
        head = face.get_table("head")
        units = struct.unpack(">H", head[18:20])[0]
        long_offsets = struct.unpack(">h", head[50:52])[0] == 1
        loca = face.get_table("loca")
        if long_offsets:
            offset = struct.unpack(">I", loca[4 * glyph:4 * glyph + 4])[0]
        else:
            offset = struct.unpack(">H", loca[2 * glyph:2 * glyph + 2])[0] * 2
        y_max = struct.unpack(">h", face.get_table("glyf")[offset + 8:offset + 10])[0]
        return y_max / units
    except (AttributeError, KeyError, struct.error, TypeError):
        return default


def draw_gongwen_page_number(canvas: Canvas, page: int, font_name: str,
                             geometry: PageGeometry = GONGWEN_PAGE) -> None:
    """Odd pages right, even pages left, each one character in from the block edge.

    §7.5: the 一字线 lie 7 mm below the block's bottom edge, so the baseline sits lower by the
    dash's height above it in this font.
    """
    text = gongwen_page_number(page)
    size = SIZE_4HAO
    baseline = geometry.bottom - PAGE_NUMBER_GAP - size * glyph_top(font_name, "—")
    canvas.saveState()
    canvas.setFont(font_name, size)
    if page % 2:
        canvas.drawRightString(geometry.left + geometry.block_width - size, baseline, text)
    else:
        canvas.drawString(geometry.left + size, baseline, text)
    canvas.restoreState()


def form_page_number(page: int, total: int) -> str:
    return f"第 {page} 页  共 {total} 页"


class PageCountCanvas(Canvas):
    """Defers page decorations until the page count is known ("第 1 页 共 3 页").

    Subclasses of this are made per build by `page_count_canvas` so the footer
    callback is not shared between concurrent builds.
    """

    footer: Callable[[Canvas, int, int], None] = staticmethod(lambda c, p, t: None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            type(self).footer(self, number, total)
            Canvas.showPage(self)
        Canvas.save(self)


def page_count_canvas(footer: Callable[[Canvas, int, int], None]) -> type[PageCountCanvas]:
    return type("BoundPageCountCanvas", (PageCountCanvas,), {"footer": staticmethod(footer)})


# ReportLab keeps per-document state inside shared TTFont objects and in module
# globals; one build at a time per process keeps two documents from mixing subsets.
BUILD_LOCK = threading.RLock()

Target = str | os.PathLike | BinaryIO | None


def write_pdf(render: Callable[[BinaryIO], None], target: Target = None) -> bytes:
    """Run `render` into memory under the build lock; write to `target`; return the bytes.

    A path is written through a temporary file and renamed, so a failed build never
    leaves half a PDF where the user expects the finished one.
    """
    buffer = io.BytesIO()
    with BUILD_LOCK:
        render(buffer)
    data = buffer.getvalue()
    if target is None:
        return data
    if isinstance(target, (str, os.PathLike)):
        atomic_file.write_bytes(target, data)  # temp file, fsync, rename: FileWriteError (Chinese) on failure
    else:
        target.write(data)
    return data
