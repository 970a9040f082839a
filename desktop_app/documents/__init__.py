"""Printing: official-format PDFs (公文 per GB/T 9704-2012 and bordered forms), no Qt.

Public API (see each module for details):
    GongwenDocument, Heading1, Heading2        -- 公文 layout (gongwen.py)
    FormDocument, KV, Signature                -- bordered forms (forms.py)
    format_cn_date, format_doc_no, BLANK_DATE  -- dates, 发文字号 (formatting.py)
    format_amount_wan, amount_in_words, wan_str, yuan_str, parse_wan  -- money (amounts.py)
    missing_characters, pick_font, font_runs, FontRegistry, default_registry  -- fonts (fonts.py)
    MissingGlyphError, NoFontError, DocumentError  -- errors (errors.py)
    resources_dir, fonts_dir                   -- resources folder, frozen or not (resources.py)
"""

from .amounts import amount_in_words, format_amount_wan, parse_wan, wan_str, yuan_str
from .errors import DocumentError, MissingGlyphError, NoFontError
from .fonts import (
    FACE_LABELS,
    FACES,
    FANGSONG,
    HEI,
    KAI,
    SONG,
    TITLE,
    FontRegistry,
    FontSource,
    LoadedFont,
    default_registry,
    font_runs,
    missing_characters,
    pick_font,
    set_default_registry,
)
from .formatting import BLANK_DATE, format_cn_date, format_doc_no
from .forms import KV, FormDocument, Signature
from .gongwen import GongwenDocument, Heading1, Heading2
from .page import A4_LANDSCAPE, A4_PORTRAIT, BUILD_LOCK, GONGWEN_PAGE, gongwen_page_number
from .resources import fonts_dir, resources_dir

__all__ = [
    "A4_LANDSCAPE",
    "A4_PORTRAIT",
    "BLANK_DATE",
    "BUILD_LOCK",
    "FACES",
    "FACE_LABELS",
    "FANGSONG",
    "GONGWEN_PAGE",
    "HEI",
    "KAI",
    "KV",
    "SONG",
    "TITLE",
    "DocumentError",
    "FontRegistry",
    "FontSource",
    "FormDocument",
    "GongwenDocument",
    "Heading1",
    "Heading2",
    "LoadedFont",
    "MissingGlyphError",
    "NoFontError",
    "Signature",
    "amount_in_words",
    "default_registry",
    "font_runs",
    "fonts_dir",
    "format_amount_wan",
    "format_cn_date",
    "format_doc_no",
    "gongwen_page_number",
    "missing_characters",
    "parse_wan",
    "pick_font",
    "resources_dir",
    "set_default_registry",
    "wan_str",
    "yuan_str",
]
