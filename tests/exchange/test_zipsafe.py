import hashlib
import io
import zipfile

import pytest

from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.zipsafe import (
    MB,
    ZipLimits,
    inspect_zip,
    open_zip,
    read_package_file,
    safe_extract_bytes,
)
from tests.exchange.conftest import make_zip, patch_sizes

SMALL = ZipLimits(max_entries=10, max_entry_size=4 * MB, max_total_size=6 * MB, max_ratio=100,
                  ratio_min_size=1 * MB, max_file_size=8 * MB)


def rejected(data, limits=SMALL) -> PackageRejected:
    with pytest.raises(PackageRejected) as exc:
        inspect_zip(data, limits)
    assert exc.value.message and "。" in exc.value.message  # a sentence in Chinese, not a traceback
    return exc.value


def test_good_zip_lists_entries_with_digests():
    data = make_zip([("manifest.json", b"{}"), ("附件/合同扫描件.pdf", b"%PDF-1.7 ..."), ("records.xlsx", b"x" * 5000)])
    entries = inspect_zip(data, SMALL, hash_algorithms=("sha256", "sm3"))
    assert [e.name for e in entries] == ["manifest.json", "附件/合同扫描件.pdf", "records.xlsx"]
    assert entries[2].size == 5000 and entries[2].compressed_size < 5000
    assert entries[1].sha256 == hashlib.sha256(b"%PDF-1.7 ...").hexdigest()
    assert len(entries[1].digests["sm3"]) == 64


def test_path_source_is_read_once(tmp_path):
    p = tmp_path / "pkg.zip"
    p.write_bytes(make_zip([("a.txt", b"hello")]))
    assert inspect_zip(p, SMALL)[0].name == "a.txt"
    with pytest.raises(PackageRejected) as exc:
        read_package_file(p, ZipLimits(max_file_size=10))
    assert exc.value.reason_code == "file_too_large"
    with pytest.raises(PackageRejected) as exc:
        read_package_file(tmp_path / "missing.zip")
    assert exc.value.reason_code == "unreadable"


def test_not_a_zip():
    assert rejected(b"hello world").reason_code == "not_a_zip"
    assert rejected(b"").reason_code == "not_a_zip"
    assert rejected(b"%PDF-1.4 ...").reason_code == "not_a_zip"


def test_truncated_zip():
    data = make_zip([("a.txt", b"hello" * 1000), ("b.txt", b"world" * 1000)])
    for cut in (len(data) - 1, len(data) - 30, len(data) // 2, 40):
        assert rejected(data[:cut]).reason_code == "truncated", cut


def test_empty_zip():
    assert rejected(make_zip([])).reason_code == "empty_zip"


def test_zip_bomb_by_ratio():
    data = make_zip([("bomb.bin", b"\0" * (3 * MB))])
    assert len(data) < 10_000
    assert rejected(data).reason_code == "ratio_too_high"


def test_small_entries_may_compress_well():
    # XML parts of a workbook compress far beyond 100:1; below ratio_min_size that is fine.
    inspect_zip(make_zip([("xl/styles.xml", b"<a/>" * 200_000)]), SMALL)


def test_too_many_entries():
    data = make_zip([(f"f{i}.txt", b"x") for i in range(11)])
    assert rejected(data).reason_code == "too_many_entries"


def test_declared_entry_too_large():
    data = make_zip([("big.bin", b"\0" * (5 * MB))], compression=zipfile.ZIP_STORED)
    assert rejected(data, ZipLimits(max_entry_size=4 * MB, max_file_size=8 * MB)).reason_code == "entry_too_large"


def test_total_too_large():
    blob = bytes(range(256)) * 4096  # 1 MiB, barely compressible
    data = make_zip([(f"p{i}.bin", blob) for i in range(7)], compression=zipfile.ZIP_STORED)
    assert rejected(data, ZipLimits(max_total_size=6 * MB, max_file_size=8 * MB)).reason_code == "total_too_large"


@pytest.mark.parametrize("name", [
    "../evil.txt", "a/../../evil.txt", "a/..", "/etc/passwd", "C:/Windows/evil.dll", "c:evil",
    "a\\b.txt", "..\\evil.txt", "a//b.txt", "./a.txt", "a/./b", "CON.txt", "dir/aux", "a.txt.", "a.txt ",
    "a:stream", "a?.txt", "a\x01b",
])
def test_unsafe_names(name):
    data = make_zip([(zipfile.ZipInfo(name), b"x")])
    err = rejected(data)
    assert err.reason_code == "bad_name"
    assert "不安全" in err.message


def test_nul_in_stored_name_detected():
    data = make_zip([("aXb.txt", b"x")]).replace(b"aXb.txt", b"a\0b.txt")
    assert rejected(data).reason_code in ("bad_name", "corrupt_entry")


@pytest.mark.parametrize("names", [("a.txt", "a.txt"), ("Report.PDF", "report.pdf"),
                                   ("caf\u00e9.txt", "cafe\u0301.txt")])
def test_duplicate_names(names):
    with pytest.warns(UserWarning) if names[0] == names[1] else _nothing():
        data = make_zip([(n, b"x") for n in names])
    assert rejected(data).reason_code == "duplicate_name"


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_symlink_entry():
    info = zipfile.ZipInfo("link")
    info.create_system = 3
    info.external_attr = (0o120777 << 16)
    assert rejected(make_zip([(info, b"/etc/passwd")])).reason_code == "symlink"


def test_encrypted_entry():
    data = bytearray(make_zip([("a.txt", b"hello")]))
    cd = data.find(b"PK\x01\x02")
    data[cd + 8] |= 0x01  # general purpose flag bit 0: encrypted
    assert rejected(bytes(data)).reason_code == "encrypted_entry"


def test_unsupported_compression():
    data = make_zip([("a.txt", b"hello" * 100)], compression=zipfile.ZIP_BZIP2)
    assert rejected(data).reason_code == "unsupported_compression"


def test_declared_size_smaller_than_actual():
    # The central directory claims 1,000 bytes; the data inflate to 1 MiB.
    data = make_zip([("lie.bin", bytes(range(256)) * 4096)])
    data = patch_sizes(data, "lie.bin", file_size=1000)
    assert rejected(data).reason_code in ("size_mismatch", "corrupt_entry")


def test_declared_size_larger_than_actual():
    data = make_zip([("lie.bin", b"hello world" * 100)])
    data = patch_sizes(data, "lie.bin", file_size=50_000)
    assert rejected(data).reason_code in ("size_mismatch", "corrupt_entry")


def test_stored_size_lie():
    data = make_zip([("lie.bin", b"hello world")], compression=zipfile.ZIP_STORED)
    data = patch_sizes(data, "lie.bin", file_size=5)
    assert rejected(data).reason_code == "size_mismatch"


def test_overlapping_entries():
    data = make_zip([("a.bin", b"A" * 1000), ("b.bin", b"B" * 1000)])
    data = patch_sizes(data, "b.bin", header_offset=0)  # both entries point at the same data
    assert rejected(data).reason_code in ("overlapping_entries", "corrupt_entry")


def test_corrupted_data_is_caught():
    data = bytearray(make_zip([("a.txt", bytes(range(256)) * 40)]))
    data[60:70] = b"\xff" * 10
    assert rejected(bytes(data)).reason_code in ("corrupt_entry", "size_mismatch")


def test_safe_extract_bytes():
    data = make_zip([("a.txt", b"hello"), ("b.bin", b"x" * 10_000)])
    zf, _entries = open_zip(data, SMALL)
    with zf:
        assert safe_extract_bytes(zf, "a.txt", 100) == b"hello"
        with pytest.raises(PackageRejected) as exc:
            safe_extract_bytes(zf, "b.bin", 1000)
        assert exc.value.reason_code == "entry_too_large"
        with pytest.raises(PackageRejected) as exc:
            safe_extract_bytes(zf, "missing.txt", 1000)
        assert exc.value.reason_code == "missing_file"


def test_open_zip_needs_bytes():
    with pytest.raises(TypeError):
        open_zip(io.BytesIO(b""))
