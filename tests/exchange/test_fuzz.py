"""Mutated bytes must only ever produce our own refusals (ExchangeError family), never a crash."""

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.keys import generate_key_pair
from desktop_app.exchange.manifest import verify_manifest
from desktop_app.exchange.workbook import read_workbook, write_workbook
from desktop_app.exchange.zipsafe import inspect_zip
from tests.exchange.conftest import make_zip, replace_member
from tests.exchange.test_workbook import COVER, NOTES, PROJECTS, ROWS

WORKBOOK = write_workbook(COVER, [(PROJECTS, ROWS), (NOTES, [{"id": 1, "text": "内容"}])])
STORED = io.BytesIO()
with zipfile.ZipFile(io.BytesIO(WORKBOOK)) as _src, zipfile.ZipFile(STORED, "w", zipfile.ZIP_STORED) as _dst:
    for _info in _src.infolist():
        _dst.writestr(_info.filename, _src.read(_info.filename))
WORKBOOK_STORED = STORED.getvalue()
SHEET = "xl/worksheets/sheet2.xml"
SHEET_XML = zipfile.ZipFile(io.BytesIO(WORKBOOK)).read(SHEET)
_KEY = generate_key_pair()
PACKAGE = make_zip([("manifest.json", b"{}"), ("manifest.sig", b"sig"), ("records.xlsx", WORKBOOK)])

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def mutate(data: bytes, draw) -> bytes:
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "set", "cut", "insert", "delete"]))
        pos = draw(st.integers(0, max(len(buf) - 1, 0)))
        if op == "flip" and buf:
            buf[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and buf:
            buf[pos] = draw(st.sampled_from([0, 0xFF, 0x7F, ord("<"), ord("&"), ord('"'), ord("="), ord("P")]))
        elif op == "cut":
            del buf[pos:]
        elif op == "insert":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del buf[pos:pos + draw(st.integers(1, 64))]
    return bytes(buf)


def only_our_errors(fn, *args):
    try:
        fn(*args)
    except ExchangeError as exc:
        assert exc.message and exc.reason_code
    # anything else propagates and fails the test


@FUZZ
@given(st.data())
def test_zip_reader_on_mutated_package(data):
    only_our_errors(inspect_zip, mutate(PACKAGE, data.draw))


@FUZZ
@given(st.data(), st.sampled_from([WORKBOOK, WORKBOOK_STORED]))
def test_workbook_reader_on_mutated_file(data, original):
    only_our_errors(read_workbook, mutate(original, data.draw), [PROJECTS, NOTES])


@FUZZ
@given(st.data())
def test_workbook_reader_on_mutated_sheet_xml(data):
    # Re-zipped with valid CRCs, so the mutated XML really reaches openpyxl's parser.
    bad = replace_member(WORKBOOK, SHEET, mutate(SHEET_XML, data.draw))
    only_our_errors(read_workbook, bad, [PROJECTS, NOTES])


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=80))
def test_manifest_verifier_on_random_bytes(manifest_bytes, sig):
    k = _KEY.verifier()
    only_our_errors(verify_manifest, manifest_bytes, sig, {k.fingerprint: k})


