"""A full or write-protected USB stick: a clear refusal, nothing half-written; the key form fits one page."""

import errno

import pytest

from desktop_app.exchange import export
from desktop_app.exchange.errors import ExportRefused
from desktop_app.services import atomic_file
from tests.core.dbstate import snapshot
from tests.exchange.world import PASS, make_world, unit_application


def test_full_stick_refused_and_nothing_recorded(tmp_path, monkeypatch):
    w = make_world(tmp_path, with_finance=False)
    unit_application(w)
    usb = tmp_path / "usb"
    usb.mkdir()
    real_open = open

    class FullDisk:  # the stick fills up half-way through the package
        def __init__(self, path):
            self.fh = real_open(path, "wb")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_file, "open",
                        lambda path, mode="r", *a: FullDisk(path) if "w" in mode else real_open(path, mode, *a),
                        raising=False)
    before = snapshot(w.unit.store)
    with pytest.raises(ExportRefused) as e:
        export.export_package(w.unit.store, w.unit.actor, PASS, "MYXZF", usb / "包.zip")
    assert "已满" in e.value.message and "没有记入本机" in e.value.message
    assert list(usb.iterdir()) == []  # no partial file left behind
    assert snapshot(w.unit.store) == before


def test_key_registration_form_is_one_a4_page_with_the_fingerprint(tmp_path):
    import io

    from pypdf import PdfReader

    from desktop_app.exchange import keyring, receipt
    from desktop_app.exchange.signing import format_fingerprint

    w = make_world(tmp_path, with_finance=False)
    data = receipt.key_form_pdf(w.unit.store, w.unit.actor)
    pdf = PdfReader(io.BytesIO(data))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    fp = format_fingerprint(keyring.own_verifier(w.unit.store).fingerprint, short=True)
    assert fp.split(" ")[0] in text and "蒙阴县教育和体育局" in text and "经办人" in text


def test_receipt_holds_counts_digests_and_a_signature_block(tmp_path):
    import io

    from pypdf import PdfReader

    from desktop_app.exchange import receipt

    w = make_world(tmp_path, with_finance=False)
    unit_application(w)
    _preview, rc = w.county.import_(w.unit.export("MYXZF"))
    pdf = PdfReader(io.BytesIO(receipt.receipt_pdf(rc)))
    assert len(pdf.pages) <= 2  # five kinds of record; a one-kind package fits one page
    text = "".join(page.extract_text() for page in pdf.pages)
    assert rc["package_id"] in text and "records.xlsx（SHA-256）" in text and "申报材料" in text
    assert "经办人" in pdf.pages[-1].extract_text()
