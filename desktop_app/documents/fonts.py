"""Chinese fonts for printing: find them, register them once, check glyph coverage.

Logical faces (仿宋, 宋体, 黑体, 楷体, 小标宋) resolve to the PC's standard fonts when
present and to the open-licence fonts in resources/fonts otherwise. ReportLab draws a
missing glyph as a blank box without complaint, so every text is checked against the
font's cmap before it is printed (see `font_runs` and `pick_font`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from . import tounicode
from .errors import MissingGlyphError, NoFontError
from .resources import fonts_dir

# Every font we embed goes through ReportLab's TTFont: fix its text layer beyond U+FFFF first.
tounicode.install()

FANGSONG = "fangsong"
SONG = "song"
HEI = "hei"
KAI = "kai"
TITLE = "title"
FACES = (FANGSONG, SONG, HEI, KAI, TITLE)
FACE_LABELS = {FANGSONG: "仿宋", SONG: "宋体", HEI: "黑体", KAI: "楷体", TITLE: "小标宋"}

# Set to "bundled" to ignore the PC's fonts (reproducible output, tests).
FONTS_ENV = "GOVIS_FONTS"

# Code points that draw nothing and need no glyph: line breaks are layout, and
# variation selectors / zero-width marks are dropped before drawing (see printable_text).
_LAYOUT_CHARS = frozenset("\n\r\t")
_IGNORABLE_RE = re.compile("[\u200b-\u200d\u2060\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]")


@dataclass(frozen=True)
class FontSource:
    """One font file (and subfont of a .ttc) that may serve a face."""

    path: Path
    subfont_index: int = 0
    origin: str = "bundled"  # "system" or "bundled"

    @property
    def key(self) -> tuple[str, int]:
        return (str(self.path), self.subfont_index)


@dataclass(frozen=True, eq=False)  # identity: one object per registered font
class LoadedFont:
    """A registered ReportLab font plus its character map."""

    name: str  # the ReportLab font name to use in styles and canvas calls
    source: FontSource
    family: str
    char_map: Mapping[int, int]

    def has(self, ch: str) -> bool:
        return ord(ch) in self.char_map


# ---------------------------------------------------------------- bundled fonts

_BUNDLED_FILES = {
    "uming": ("uming.ttc", 0),
    "wenkai": ("LXGWWenKai-Regular.ttf", 0),
    "microhei": ("wqy-microhei.ttc", 0),
}
# No open FangSong TrueType font is bundled: 仿宋 falls back to the Ming (宋) face,
# the closest serif design. The title falls back to 黑体, the usual stand-in for 小标宋.
_BUNDLED_CHAINS = {
    FANGSONG: ("uming",),
    SONG: ("uming",),
    HEI: ("microhei",),
    KAI: ("wenkai",),
    TITLE: ("microhei",),
}
# Tried, in order, for single characters the face's own fonts lack (rare name characters).
_BUNDLED_FALLBACK = ("uming", "wenkai", "microhei")


def bundled_source(key: str, base: Path | None = None) -> FontSource:
    filename, index = _BUNDLED_FILES[key]
    return FontSource((base or fonts_dir()) / filename, index, "bundled")


# ---------------------------------------------------------------- system fonts

# File names in the Windows fonts folder, best first. 仿宋_GB2312 / 楷体_GB2312 and
# 方正小标宋简体 are common on government PCs.
_WINDOWS_FILES: dict[str, tuple[tuple[str, int], ...]] = {
    FANGSONG: (("simfang.ttf", 0), ("仿宋_GB2312.ttf", 0), ("FS_GB2312.ttf", 0)),
    SONG: (("simsun.ttc", 0), ("simsun.ttf", 0)),
    HEI: (("simhei.ttf", 0),),
    KAI: (("simkai.ttf", 0), ("楷体_GB2312.ttf", 0), ("KT_GB2312.ttf", 0)),
    TITLE: (("FZXBSJW.TTF", 0), ("方正小标宋简体.ttf", 0), ("FZXiaoBiaoSong-B05S.ttf", 0)),
}
# Family names asked of fontconfig on Linux; a match counts only if fontconfig
# returns that family (it always returns *some* font).
_FONTCONFIG_FAMILIES: dict[str, tuple[str, ...]] = {
    FANGSONG: ("FangSong", "FangSong_GB2312", "仿宋", "仿宋_GB2312"),
    SONG: ("SimSun", "NSimSun", "宋体"),
    HEI: ("SimHei", "黑体"),
    KAI: ("KaiTi", "KaiTi_GB2312", "楷体", "楷体_GB2312"),
    TITLE: ("FZXiaoBiaoSong-B05S", "方正小标宋简体", "FZXiaoBiaoSong-B05"),
}
# The title face borrows the system 黑体 before the bundled one.
_SYSTEM_BORROW = {TITLE: HEI}


def _windows_font_dirs() -> list[Path]:
    dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def _windows_sources(face: str) -> list[FontSource]:
    found = []
    for folder in _windows_font_dirs():
        for filename, index in _WINDOWS_FILES[face]:
            path = folder / filename
            if path.is_file():
                found.append(FontSource(path, index, "system"))
    return found


def _norm_family(name: str) -> str:
    return re.sub(r"[\s_-]", "", name).casefold()


def _fontconfig_sources(face: str) -> list[FontSource]:
    exe = shutil.which("fc-match")
    if not exe:
        return []
    found = []
    for family in _FONTCONFIG_FAMILIES[face]:
        try:
            out = subprocess.run(
                [exe, "-f", "%{family}\n%{file}\n%{index}", f"{family}:lang=zh-cn"],
                capture_output=True, text=True, timeout=10, check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return found
        lines = out.split("\n")
        if len(lines) < 2:
            continue
        families = {_norm_family(f) for f in lines[0].split(",")}
        if _norm_family(family) not in families:
            continue
        index = int(lines[2]) if len(lines) > 2 and lines[2].strip().isdigit() else 0
        found.append(FontSource(Path(lines[1]), index, "system"))
    return found


def system_sources(face: str) -> list[FontSource]:
    """The PC's own fonts for a face, best first (may be empty)."""
    if sys.platform.startswith("win"):
        own = _windows_sources(face)
    elif sys.platform.startswith("linux"):
        own = _fontconfig_sources(face)
    else:
        own = []
    borrowed = face in _SYSTEM_BORROW and system_sources(_SYSTEM_BORROW[face]) or []
    return own + borrowed


# ---------------------------------------------------------------- loading

_REGISTER_LOCK = threading.Lock()
_LOADED: dict[tuple[str, int], LoadedFont | None] = {}


@lru_cache(maxsize=1)
def _gb2312_hanzi() -> tuple[int, ...]:
    chars = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return tuple(chars)


def _covers_gb2312(char_map: Mapping[int, int]) -> bool:
    # A system "FangSong" that is really a Big5-only or Latin font would print
    # boxes for everyday words; demand (nearly) all 6763 GB 2312 hanzi.
    chars = _gb2312_hanzi()
    missing = sum(1 for c in chars if c not in char_map)
    return missing <= len(chars) // 100


def _font_name(source: FontSource) -> str:
    stem = re.sub(r"[^A-Za-z0-9]", "", source.path.stem) or "font"
    tag = zlib.crc32(str(source.path).encode("utf-8")) % 10**6
    return f"govis-{source.origin}-{stem}-{source.subfont_index}-{tag}"


def load_font(source: FontSource) -> LoadedFont | None:
    """Register a font once per process; None when it cannot be embedded or is unfit."""
    with _REGISTER_LOCK:
        if source.key in _LOADED:
            return _LOADED[source.key]
        loaded = None
        try:
            # TTFont parses the file (raises TTFError for CFF outlines and for fonts
            # whose licence bits forbid embedding) and always embeds a subset.
            font = TTFont(_font_name(source), str(source.path), subfontIndex=source.subfont_index)
            char_map = font.face.charToGlyph
            if source.origin == "bundled" or _covers_gb2312(char_map):
                pdfmetrics.registerFont(font)
                family = font.face.name
                family = family.decode("latin-1") if isinstance(family, bytes) else str(family)
                loaded = LoadedFont(font.fontName, source, family, char_map)
        except (TTFError, OSError, ValueError, KeyError, IndexError, AssertionError):
            loaded = None
        _LOADED[source.key] = loaded
        return loaded


# ---------------------------------------------------------------- registry


def printable_text(text: str) -> str:
    """Drop invisible code points that fonts lack but readers never miss."""
    return _IGNORABLE_RE.sub("", text)


def _glyph_chars(text: str) -> list[str]:
    return [c for c in dict.fromkeys(printable_text(text)) if c not in _LAYOUT_CHARS]


def code_label(ch: str) -> str:
    """［U+2A6A5］: how a character no font has is shown where the paper must print anyway."""
    return f"［U+{ord(ch):04X}］"


class FontRegistry:
    """Resolves faces to loaded fonts: a chain per face plus a shared fallback chain."""

    def __init__(self, chains: Mapping[str, Sequence[FontSource]], fallback: Sequence[FontSource]):
        self._chains = {face: tuple(chains.get(face, ())) for face in FACES}
        self._fallback = tuple(fallback)
        self._lock = threading.Lock()
        self._resolved: dict[str, tuple[LoadedFont, ...]] = {}
        self._fallback_fonts: tuple[LoadedFont, ...] | None = None

    @classmethod
    def bundled(cls, base: Path | None = None) -> FontRegistry:
        chains = {f: [bundled_source(k, base) for k in keys] for f, keys in _BUNDLED_CHAINS.items()}
        return cls(chains, [bundled_source(k, base) for k in _BUNDLED_FALLBACK])

    @classmethod
    def default(cls) -> FontRegistry:
        """System fonts first (unless $GOVIS_FONTS=bundled), bundled fonts after."""
        bundled = cls.bundled()
        if os.environ.get(FONTS_ENV, "").lower() == "bundled":
            return bundled
        found = {f: system_sources(f) for f in FACES}  # one fontconfig query per family
        chains = {f: found[f] + list(bundled._chains[f]) for f in FACES}
        system_all = [s for f in FACES for s in found[f]]
        return cls(chains, system_all + list(bundled._fallback))

    def fonts(self, face: str) -> tuple[LoadedFont, ...]:
        """Usable fonts for a face, best first. Raises NoFontError if there is none."""
        if face not in FACES:
            raise ValueError(f"unknown face {face!r}; expected one of {FACES}")
        with self._lock:
            if face not in self._resolved:
                fonts = [f for f in map(load_font, self._chains[face]) if f is not None]
                self._resolved[face] = tuple(dict.fromkeys(fonts))
            fonts = self._resolved[face]
        if not fonts:
            raise NoFontError(FACE_LABELS[face])
        return fonts

    def fallback_fonts(self) -> tuple[LoadedFont, ...]:
        with self._lock:
            if self._fallback_fonts is None:
                loaded = [f for f in map(load_font, self._fallback) if f is not None]
                self._fallback_fonts = tuple(dict.fromkeys(loaded))
            return self._fallback_fonts

    def primary(self, face: str) -> LoadedFont:
        return self.fonts(face)[0]

    def _search_order(self, face: str) -> list[LoadedFont]:
        return list(dict.fromkeys(self.fonts(face) + self.fallback_fonts()))

    def missing_characters(self, text: str, face: str) -> list[str]:
        """Characters of `text` the face's primary font has no glyph for."""
        font = self.primary(face)
        return [c for c in _glyph_chars(text) if not font.has(c)]

    def unprintable_characters(self, text: str, face: str) -> list[str]:
        """Characters no available font can draw."""
        order = self._search_order(face)
        return [c for c in _glyph_chars(text) if not any(f.has(c) for f in order)]

    def pick_font(self, text: str, face: str, field: str = "") -> LoadedFont:
        """The first font (face chain, then fallbacks) that has every character of `text`."""
        chars = _glyph_chars(text)
        for font in self._search_order(face):
            if all(font.has(c) for c in chars):
                return font
        bad = self.unprintable_characters(text, face)
        raise MissingGlyphError(field, bad or chars)

    def font_runs(self, text: str, face: str, field: str = "") -> list[tuple[LoadedFont, str]]:
        """Split `text` into runs drawn with the face's primary font, switching to a
        fallback font only for the characters the primary font lacks.

        Raises MissingGlyphError naming `field` and every character no font has.
        """
        text = printable_text(text)
        bad = self.unprintable_characters(text, face)
        if bad:
            raise MissingGlyphError(field, bad)
        order = self._search_order(face)
        primary = order[0]
        runs: list[tuple[LoadedFont, str]] = []
        for ch in text:
            if ch in _LAYOUT_CHARS or primary.has(ch):
                font = primary
            else:
                font = next(f for f in order if f.has(ch))
            if runs and runs[-1][0] is font:
                runs[-1] = (font, runs[-1][1] + ch)
            else:
                runs.append((font, ch))
        return runs

    def with_codes(self, text: str, face: str) -> tuple[str, list[str]]:
        """`text` with every character no font can draw replaced by its code (［U+2A6A5］),
        and those characters. For lists over many projects, which must print anyway."""
        bad = self.unprintable_characters(text, face)
        for ch in bad:
            text = text.replace(ch, code_label(ch))
        return text, bad

    def check(self, items: Iterable[tuple[str, str, str]]) -> None:
        """Check many (field, text, face) at once; raise for the first unprintable one."""
        for field, text, face in items:
            bad = self.unprintable_characters(text, face)
            if bad:
                raise MissingGlyphError(field, bad)


_DEFAULT_LOCK = threading.Lock()
_default: FontRegistry | None = None


def default_registry() -> FontRegistry:
    global _default
    with _DEFAULT_LOCK:
        if _default is None:
            _default = FontRegistry.default()
        return _default


def set_default_registry(registry: FontRegistry | None) -> None:
    """Replace the process-wide registry (None: rebuild from the PC on next use)."""
    global _default
    with _DEFAULT_LOCK:
        _default = registry


def missing_characters(text: str, face: str) -> list[str]:
    return default_registry().missing_characters(text, face)


def pick_font(text: str, face: str, field: str = "") -> LoadedFont:
    return default_registry().pick_font(text, face, field)


def font_runs(text: str, face: str, field: str = "") -> list[tuple[LoadedFont, str]]:
    return default_registry().font_runs(text, face, field)
