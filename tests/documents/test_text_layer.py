"""Issue 11 item 15: characters beyond U+FFFF keep their Unicode in the PDF's text layer."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from desktop_app.documents import FormDocument, filled
from desktop_app.documents.tounicode import make_to_unicode_cmap, utf16_hex
from tests.core import builders as B

from .filled_county import TODAY
from .pdfcheck import compact, page_texts, reader

JI = "\U00020BB7"  # 𠮷 (CJK Ext-B), in the bundled 楷体 (LXGW WenKai) only


def test_cmap_destinations_are_utf16_surrogate_pairs_beyond_the_basic_plane():
    assert utf16_hex(0x20BB7) == "D842DFB7"
    assert utf16_hex(0x4E2D) == "4E2D"
    cmap = make_to_unicode_cmap("F1", [0x41, 0x20BB7])
    assert "<00> <0041>" in cmap and "<01> <D842DFB7>" in cmap
    assert "<20BB7>" not in cmap


def _cmaps(data: bytes) -> list[str]:
    """The ToUnicode CMaps of every font on every page."""
    out = []
    for page in reader(data).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/ToUnicode" in font:
                out.append(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
    return out


@pytest.fixture(scope="module")
def ji_pdf(registry) -> bytes:
    return FormDocument(f"{JI}家村便民服务系统", registry=registry).paragraph(f"吉野家的{JI}字，还有䶮。").build()


def test_pypdf_extracts_the_supplementary_character(ji_pdf):
    text = compact("".join(page_texts(ji_pdf)))
    assert f"{JI}家村便民服务系统" in text and f"吉野家的{JI}字" in text
    assert "\u20bb" not in text  # ₻, what the 4-digit CMap entry gave
    assert any("<D842DFB7>" in c for c in _cmaps(ji_pdf))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_pdftotext_extracts_the_supplementary_character(ji_pdf, tmp_path):
    path = tmp_path / "ji.pdf"
    path.write_bytes(ji_pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert f"吉野家的{JI}字" in compact(text)
    assert "\u20bb" not in text


def test_a_filled_form_keeps_the_character_searchable(tmp_path, registry):
    c = B.make_county(tmp_path / "ji.db")
    p = B.new_project(c, name=f"{JI}家村便民服务系统")
    data = filled.render(c.store, "application", project=p["code"], today=TODAY, registry=registry)
    c.store.close()
    assert f"{JI}家村便民服务系统" in compact("".join(page_texts(data)))
