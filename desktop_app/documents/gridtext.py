"""Text laid out on the 公文 character grid (22 lines x 28 characters of 三号).

ReportLab's Paragraph has no letter spacing, so 16 pt characters would fit only 27
to a 156 mm line. This flowable places full-width characters on a fixed pitch
(156 mm / 28), keeps Latin words and numbers whole, applies the usual line-breaking
rules (禁则: no closing punctuation at a line start, no opening bracket at a line
end), justifies all but the last line, and splits across pages by whole lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color, black
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from .fonts import FontRegistry, LoadedFont
from .page import CJK_ASCENT
from .words import amount_glue, word_glue

# Characters that may not begin a line (they stick to the character before).
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉］｝’”…—·%‰,.;:?!)]}>～ー℃")
# Characters that may not end a line (they stick to the character after).
NO_LINE_END = frozenset("（《「『【〔〈［｛‘“([{<")
# Runs of these stay together, like words.
_WORD_CHAR = re.compile(r"[A-Za-z0-9.,%/:_\-+@#&'’·×]")

# Justification adds at most this fraction of a character between two characters.
MAX_JUSTIFY_STRETCH = 0.3

ALIGN_JUSTIFY = "justify"
ALIGN_LEFT = "left"
ALIGN_CENTER = "center"
ALIGN_RIGHT = "right"


@dataclass(frozen=True)
class Atom:
    """One character with its font and the horizontal space it takes."""

    ch: str
    font: LoadedFont
    advance: float  # grid advance
    natural: float  # the glyph's own advance at this size

    @property
    def is_space(self) -> bool:
        return self.ch in (" ", "\u3000")


Line = tuple[tuple[Atom, ...], bool]  # atoms, ends the paragraph (or a forced break)


def make_atoms(runs: Sequence[tuple[LoadedFont, str]], size: float, pitch: float) -> list[Atom | None]:
    """Atoms for text runs; None stands for a forced line break ("\\n")."""
    atoms: list[Atom | None] = []
    for font, text in runs:
        for ch in text:
            if ch == "\n":
                atoms.append(None)
                continue
            if ch in "\r\t":
                ch = " "
            natural = stringWidth(ch, font.name, size)
            # Full-width glyphs go on the grid; half-width ones keep their own width.
            advance = pitch if natural >= 0.9 * size else natural
            atoms.append(Atom(ch, font, advance, natural))
    return atoms


def _groups(atoms: Sequence[Atom], glued: set[int] | frozenset[int] = frozenset()) -> list[list[Atom]]:
    """Unbreakable groups: Latin words and numbers, characters glued by the 禁则, and
    every index in `glued` (it stays with the character before it)."""
    groups: list[list[Atom]] = []
    glue_next = False
    for index, atom in enumerate(atoms):
        wordish = bool(_WORD_CHAR.match(atom.ch))
        prev = groups[-1][-1] if groups else None
        join = bool(groups) and (
            glue_next
            or index in glued
            or atom.ch in NO_LINE_START
            or (wordish and prev is not None and _WORD_CHAR.match(prev.ch) is not None)
        )
        if join:
            groups[-1].append(atom)
        else:
            groups.append([atom])
        glue_next = atom.ch in NO_LINE_END
    return groups


def _width(atoms: Sequence[Atom]) -> float:
    return sum(a.advance for a in atoms)


@dataclass(frozen=True)
class Breaking:
    """How a paragraph may break. Default: anywhere between characters (body text).

    words: only between words (titles, labels); keep: names that stay whole if a line allows;
    balance: lines of even length, never one character alone on a line (titles, labels).
    """

    words: bool = False
    keep: tuple[str, ...] = ()
    balance: bool = False


CHARACTERS = Breaking()


def _glued(para: Sequence[Atom], breaking: Breaking) -> set[int]:
    text = "".join(a.ch for a in para)
    glued = amount_glue(text)
    if breaking.words:
        glued |= word_glue(text, breaking.keep)
    return glued


def break_lines(atoms: Sequence[Atom | None], width: float, first_indent: float,
                left_indent: float = 0.0, breaking: Breaking = CHARACTERS) -> list[Line]:
    """Line filling over unbreakable groups; over-long groups are cut.

    The first line starts at `first_indent`, the others at `left_indent`. Greedy filling,
    or with `breaking.balance` the same number of lines made as even as the words allow.
    """
    lines: list[Line] = []
    paragraphs: list[list[Atom]] = [[]]
    for atom in atoms:
        if atom is None:
            paragraphs.append([])
        else:
            paragraphs[-1].append(atom)
    first = True
    for para in paragraphs:
        groups = _groups(para, _glued(para, breaking))
        avail_first = width - (first_indent if first else left_indent)
        first = False
        greedy = _greedy(groups, avail_first, width - left_indent)
        if breaking.balance and len(greedy) > 1:
            greedy = _balanced(groups, len(greedy), avail_first, width - left_indent) or greedy
        lines.extend(greedy)
    return lines


def _greedy(groups: list[list[Atom]], avail_first: float, avail_rest: float) -> list[Line]:
    lines: list[Line] = []
    current: list[Atom] = []
    avail = avail_first
    for group in groups:
        if current and _width(current) + _width(group) > avail + 1e-6:
            while current and current[-1].is_space:
                current.pop()
            lines.append((tuple(current), False))
            current, avail = [], avail_rest
            while group and group[0].ch == " ":
                group = group[1:]
        while _width(group) > avail + 1e-6:  # a word longer than the line
            cut = 1
            while cut < len(group) and _width(current) + _width(group[: cut + 1]) <= avail + 1e-6:
                cut += 1
            lines.append((tuple(current + group[:cut]), False))
            current, group, avail = [], group[cut:], avail_rest
        current.extend(group)
    lines.append((tuple(current), True))
    return lines


def _balanced(groups: list[list[Atom]], count: int, avail_first: float, avail_rest: float) -> list[Line] | None:
    """`count` lines over whole groups with the least sum of squared slack; a line of one
    character costs more than any slack. None when the groups do not fit in `count` lines."""
    n = len(groups)
    widths = [_width(g) for g in groups]
    chars = [sum(1 for a in g if not a.is_space) for g in groups]
    big = 1e12
    # best[k][j]: cost of putting groups[:j] on k lines
    best = [[big] * (n + 1) for _ in range(count + 1)]
    back = [[-1] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for k in range(1, count + 1):
        avail = avail_first if k == 1 else avail_rest
        for j in range(1, n + 1):
            used, glyphs = 0.0, 0
            for i in range(j - 1, -1, -1):
                used += widths[i]
                glyphs += chars[i]
                if used > avail + 1e-6:
                    break
                if best[k - 1][i] >= big:
                    continue
                cost = best[k - 1][i] + (avail - used) ** 2 + (big / 10 if glyphs == 1 else 0.0)
                if cost < best[k][j]:
                    best[k][j], back[k][j] = cost, i
    if best[count][n] >= big:
        return None
    cuts, j = [], n
    for k in range(count, 0, -1):
        i = back[k][j]
        cuts.append((i, j))
        j = i
    lines: list[Line] = []
    for index, (i, j) in enumerate(reversed(cuts)):
        atoms = [a for g in groups[i:j] for a in g]
        while atoms and atoms[-1].is_space:
            atoms.pop()
        while atoms and atoms[0].ch == " ":
            atoms.pop(0)
        lines.append((tuple(atoms), index == count - 1))
    return lines


def line_width(atoms: Sequence[Atom]) -> float:
    return _width(atoms)


def draw_atoms(canvas, atoms: Sequence[Atom], x: float, baseline: float, size: float,
               extra: float = 0.0, color: Color = black) -> None:
    """Draw atoms from x; `extra` is added after every character but the last.

    Consecutive characters with the same font and the same grid correction are
    drawn as one string with a character spacing, which keeps text extraction clean.
    """
    if not atoms:
        return
    text = canvas.beginText()
    text.setFillColor(color)
    chunk: list[Atom] = []
    chunk_x = x
    cursor = x

    def flush():
        if not chunk:
            return
        text.setTextOrigin(chunk_x, baseline)
        text.setFont(chunk[0].font.name, size)
        text.setCharSpace(chunk[0].advance - chunk[0].natural + extra)
        text.textOut("".join(a.ch for a in chunk))

    for atom in atoms:
        delta = atom.advance - atom.natural
        if chunk and (atom.font is not chunk[0].font or abs(delta - (chunk[0].advance - chunk[0].natural)) > 1e-6):
            flush()
            chunk, chunk_x = [], cursor
        chunk.append(atom)
        cursor += atom.advance + extra
    flush()
    text.setCharSpace(0)
    canvas.drawText(text)


class GridParagraph(Flowable):
    """A paragraph on the grid: one or more (face, text, field) segments in a row.

    Segments let a 二级标题 in 楷体 run on into 仿宋 body text in the same paragraph.
    Glyphs are checked when the paragraph is made, so a bad character is reported
    with its field name before any drawing starts.
    """

    def __init__(
        self,
        segments: Sequence[tuple[str, str, str]],
        registry: FontRegistry,
        *,
        size: float,
        pitch: float,
        leading: float,
        first_indent_chars: float = 0,
        left_indent_chars: float = 0,
        align: str = ALIGN_JUSTIFY,
        color: Color = black,
        breaking: Breaking = CHARACTERS,
        _lines: list[Line] | None = None,
        _width: float | None = None,
    ):
        super().__init__()
        self.size, self.pitch, self.leading = size, pitch, leading
        self.first_indent = first_indent_chars * pitch
        self.left_indent = left_indent_chars * pitch
        self.align, self.color, self.breaking = align, color, breaking
        self._registry = registry
        self._segments = tuple(segments)
        if _lines is None:
            runs = []
            for face, text, field in self._segments:
                runs.extend(registry.font_runs(text, face, field))
            self._atoms = make_atoms(runs, size, pitch)
        else:
            # A split piece keeps its own characters so a table may re-lay it at
            # another width; forced breaks are kept, soft ones dropped.
            self._atoms = []
            for i, (atoms, last) in enumerate(_lines):
                self._atoms.extend(atoms)
                if last and i < len(_lines) - 1:
                    self._atoms.append(None)
        self._lines = _lines
        self._laid_width = _width

    def _layout(self, width: float) -> list[Line]:
        if self._lines is None or self._laid_width is None or abs(self._laid_width - width) > 1e-6:
            self._lines = break_lines(self._atoms, width, self.first_indent, self.left_indent, self.breaking)
            self._laid_width = width
        return self._lines

    @property
    def lines(self) -> list[Line]:
        if self._lines is None:
            raise RuntimeError("wrap() the paragraph first")
        return self._lines

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = len(self._layout(availWidth)) * self.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        lines = self._layout(availWidth)
        fit = int((availHeight + 1e-6) // self.leading)
        if fit <= 0 or fit >= len(lines):
            return []
        return list(self.split_lines(fit, availWidth))

    def split_lines(self, count: int, width: float) -> tuple[GridParagraph, GridParagraph]:
        """The first `count` lines and the rest, as two paragraphs."""
        lines = self._layout(width)
        head = self._clone(lines[:count], width, self.first_indent)
        tail = self._clone(lines[count:], width, self.left_indent)
        return head, tail

    def _clone(self, lines: list[Line], width: float, first_indent: float) -> GridParagraph:
        return GridParagraph(
            self._segments, self._registry, size=self.size, pitch=self.pitch, leading=self.leading,
            first_indent_chars=first_indent / self.pitch, left_indent_chars=self.left_indent / self.pitch,
            align=self.align, color=self.color, breaking=self.breaking, _lines=lines, _width=width,
        )

    def draw(self):
        canvas = self.canv
        top = self.height
        # Centre the em box of each line vertically in its grid line.
        offset = (self.leading - self.size) / 2 + self.size * CJK_ASCENT
        for index, (atoms, last) in enumerate(self.lines):
            indent = self.first_indent if index == 0 else self.left_indent
            avail = self.width - indent
            used = line_width(atoms)
            extra = 0.0
            x = indent
            if self.align == ALIGN_JUSTIFY and not last and len(atoms) > 1:
                extra = max(0.0, (avail - used) / (len(atoms) - 1))
                if extra > self.pitch * MAX_JUSTIFY_STRETCH:
                    extra = 0.0  # a long unbreakable group went to the next line: ragged, not spaced out
            elif self.align == ALIGN_CENTER:
                x += (avail - used) / 2
            elif self.align == ALIGN_RIGHT:
                x += avail - used
            draw_atoms(canvas, atoms, x, top - index * self.leading - offset, self.size, extra, self.color)
