"""Shared helpers for the exchange tests (no Qt, no database)."""

import io
import struct
import zipfile

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "libreoffice: needs LibreOffice (soffice); skipped when absent")


def make_zip(members, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """members: iterable of (name or ZipInfo, bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def patch_sizes(data: bytes, name: str, *, file_size=None, header_offset=None) -> bytes:
    """Rewrite the declared uncompressed size (central and local headers) or the offset of one entry."""
    raw = bytearray(data)
    encoded = name.encode("utf-8")
    pos = 0
    while True:
        pos = raw.find(b"PK\x01\x02", pos)
        if pos < 0:
            raise AssertionError(f"{name} not in central directory")
        name_len = struct.unpack_from("<H", raw, pos + 28)[0]
        if bytes(raw[pos + 46:pos + 46 + name_len]) == encoded:
            break
        pos += 4
    local = struct.unpack_from("<I", raw, pos + 42)[0]
    if file_size is not None:
        struct.pack_into("<I", raw, pos + 24, file_size)
        struct.pack_into("<I", raw, local + 22, file_size)
    if header_offset is not None:
        struct.pack_into("<I", raw, pos + 42, header_offset)
    return bytes(raw)


def replace_member(data: bytes, name: str, new: bytes) -> bytes:
    """Copy of a ZIP with one member's content replaced (everything else kept as it was)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, new if info.filename == name else src.read(info.filename))
    return out.getvalue()


@pytest.fixture(scope="session")
def ed_signer():
    from desktop_app.exchange.keys import generate_key_pair

    return generate_key_pair()
