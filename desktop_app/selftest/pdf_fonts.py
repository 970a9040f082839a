"""Is every font a PDF uses embedded? A PDF that names a font without carrying it prints with
whatever the other PC substitutes, or with empty boxes for Chinese."""

from __future__ import annotations

import io

from pypdf import PdfReader

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _descriptor(font):
    desc = font.get("/FontDescriptor")
    if desc is None and "/DescendantFonts" in font:  # Type0 (CID) fonts keep it on the descendant
        desc = font["/DescendantFonts"].get_object()[0].get_object().get("/FontDescriptor")
    return desc.get_object() if desc is not None else None


def unembedded_fonts(data: bytes) -> tuple[list[str], int]:
    """(names of fonts used but not embedded, number of pages). The 14 standard PDF fonts count as not
    embedded too: the forms are meant to carry every font they draw with."""
    reader = PdfReader(io.BytesIO(data))
    missing: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        for ref in (fonts.get_object() if fonts is not None else {}).values():
            font = ref.get_object()
            desc = _descriptor(font)
            if desc is None or not any(k in desc for k in FONT_FILES):
                missing.add(str(font.get("/BaseFont")).lstrip("/"))
    return sorted(missing), len(reader.pages)
