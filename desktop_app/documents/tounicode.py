"""The text layer of our PDFs: a ToUnicode CMap that also maps characters beyond U+FFFF.

ReportLab (checked up to 5.1.0, the newest release) writes each glyph's code point into the
subset's ToUnicode CMap as ``<%04X>``. For a character outside the basic plane, such as 𠮷
(U+20BB7), that gives the 5-digit ``<20BB7>``, which is not UTF-16BE: readers take the first
four digits and copying or searching the PDF yields ₻ (U+20BB). The PDF reference
(ISO 32000-1, 9.10.3) wants the destination in UTF-16BE, i.e. a surrogate pair ``<D842DFB7>``.

`install()` replaces ReportLab's module-level ``makeToUnicodeCMap`` (the function TTFont's
``addObjects`` calls by name when it writes each subset) with one that writes UTF-16BE.
Basic-plane characters come out exactly as before.
"""

from __future__ import annotations

from reportlab.pdfbase import ttfonts


def utf16_hex(code_point: int) -> str:
    """D842DFB7 for U+20BB7, 4E2D for U+4E2D: the UTF-16BE code units in hex."""
    return chr(code_point).encode("utf-16-be", "surrogatepass").hex().upper()


def make_to_unicode_cmap(fontname: str, subset) -> str:
    """The same CMap as ReportLab's, with UTF-16BE destinations (surrogate pairs beyond U+FFFF)."""
    return "\n".join([
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16_hex(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ])


def install() -> None:
    """Use our CMap writer for every TrueType subset from now on (idempotent)."""
    if not hasattr(ttfonts, "makeToUnicodeCMap"):
        # A ReportLab that renamed the hook would silently bring ₻ back; fail loudly instead.
        raise RuntimeError("reportlab.pdfbase.ttfonts.makeToUnicodeCMap not found; check tounicode.py")
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap
