"""Read back what a generated PDF holds: page sizes, fonts, text and its position."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import IndirectObject


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader(data).pages]


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def fonts(data: bytes) -> list[dict]:
    """Every font referenced by any page, with its subtype and embedded font file kind."""
    found = {}
    for page in reader(data).pages:
        res = _resolve(page.get("/Resources")) or {}
        for ref in (_resolve(res.get("/Font")) or {}).values():
            font = _resolve(ref)
            base = str(font.get("/BaseFont"))
            desc = _resolve(font.get("/FontDescriptor"))
            if desc is None and "/DescendantFonts" in font:
                desc = _resolve(_resolve(_resolve(font["/DescendantFonts"])[0]).get("/FontDescriptor"))
            files = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if desc is not None and k in desc]
            found[base] = {"base": base, "subtype": str(font.get("/Subtype")), "files": files}
    return list(found.values())


@dataclass
class Run:
    page: int  # 1-based
    text: str
    x: float
    y: float
    size: float


def text_runs(data: bytes) -> list[Run]:
    """Text shown on each page with the position of its origin in page space."""
    runs: list[Run] = []
    for number, page in enumerate(reader(data).pages, start=1):
        def visit(text, cm, tm, font_dict, font_size, number=number):
            if not text.strip():
                return
            # Origin = tm applied to (0, 0), then cm.
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append(Run(number, text, x, y, font_size * abs(tm[0]) * abs(cm[0] or 1)))

        page.extract_text(visitor_text=visit)
    return runs


def page_texts(data: bytes) -> list[str]:
    return [p.extract_text() for p in reader(data).pages]


def compact(s: str) -> str:
    """Text without whitespace, for substring checks across line breaks."""
    return "".join(s.split())


def marked_text(data: bytes) -> list[dict[str, int]]:
    """Per page, how many text-showing operators lie in each marked-content tag ("" = none).

    The form builder tags signing blocks /Signing, the 填表说明 /Notes and page numbers /Artifact.
    """
    from pypdf.generic import ContentStream

    pages = []
    for page in reader(data).pages:
        counts: dict[str, int] = {}
        stack: list[str] = []
        content = ContentStream(page.get_contents(), page.pdf)
        for operands, op in content.operations:
            if op in (b"BMC", b"BDC"):
                stack.append(str(operands[0]).lstrip("/"))
            elif op == b"EMC":
                stack.pop()
            elif op in (b"Tj", b"TJ", b"'", b'"') and any(len(o) for o in operands if hasattr(o, "__len__")):
                tag = stack[0] if stack else ""
                counts[tag] = counts.get(tag, 0) + 1
        pages.append(counts)
    return pages


def signing_alone(data: bytes) -> list[int]:
    """Pages (1-based) that hold a signing block and no other content (page numbers and
    填表说明 do not count as content)."""
    return [n for n, counts in enumerate(marked_text(data), start=1)
            if counts.get("Signing") and not counts.get("")]


def page_number_dash_mm(data: bytes, page: int, block_bottom_mm: float, dpi: int = 600) -> float:
    """How far below the text block the top edge of a page number's first 一字线 lies, in mm,
    measured on the page rendered by poppler (pdftoppm) at `dpi`."""
    import subprocess
    import tempfile
    from pathlib import Path

    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "doc.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-gray", "-singlefile",
                        str(pdf), str(Path(tmp) / "page")], check=True)
        image = Image.open(Path(tmp) / "page.pgm")
        image.load()
    per_mm = dpi / 25.4
    top = int((block_bottom_mm + 2) * per_mm)  # below any rule drawn on the block's bottom edge
    band = image.crop((0, top, image.width, int((block_bottom_mm + 20) * per_mm))).point(lambda v: 255 if v < 128 else 0)
    box = band.getbbox()
    if box is None:
        raise AssertionError(f"no page number below the text block on page {page}")
    dash = band.crop((box[0], 0, box[0] + int(2 * per_mm), band.height))  # the leftmost glyph: the dash
    dash_box = dash.getbbox()
    return (top + dash_box[1]) / per_mm - block_bottom_mm
