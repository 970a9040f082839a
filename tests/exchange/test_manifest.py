import json

import pytest

from desktop_app.exchange import keys
from desktop_app.exchange.errors import ExportRefused, PackageRejected
from desktop_app.exchange.manifest import (
    DOMAIN,
    build_manifest,
    canonical_json,
    check_addressing,
    check_files,
    records_digest,
    sign_manifest,
    verify_manifest,
)
from desktop_app.exchange.signing import format_fingerprint
from desktop_app.exchange.zipsafe import inspect_zip
from tests.exchange.conftest import make_zip

RECORDS = {"项目": [{"code": "MY-2027-001", "name": "政务服务平台", "total_investment_fen": 12345678, "note": None}]}
FILES = {"records.xlsx": b"PK fake workbook", "attachments/合同.pdf": b"%PDF-1.7"}


def _manifest(signer, files=FILES, **kw):
    from desktop_app.exchange.signing import digest_hex

    args = {"kind": "records", "sender": "unit001", "recipient": "county_office", "sequence": 7,
            "schema_version": 1, "files": {n: digest_hex(b) for n, b in files.items()},
            "records_digest": records_digest(RECORDS), "signer": signer}
    args.update(kw)
    return build_manifest(**args)


@pytest.fixture(scope="module")
def signed(ed_signer):
    return sign_manifest(_manifest(ed_signer), ed_signer)


def trusted(*signers):
    return {format_fingerprint(s.fingerprint, short=False).lower(): s.verifier() for s in signers}


def test_canonical_json():
    assert canonical_json({"b": 1, "a": ["中文", None, True]}) == '{"a":["中文",null,true],"b":1}'.encode()
    with pytest.raises(ExportRefused) as exc:
        canonical_json({"amount": 1.5})
    assert exc.value.reason_code == "float_value"
    with pytest.raises(ExportRefused):
        canonical_json({"t": "\udc80"})


def test_records_digest_is_order_independent_for_keys_only():
    a = records_digest({"k": [{"x": 1, "y": 2}]})
    assert a == records_digest({"k": [{"y": 2, "x": 1}]})
    assert a != records_digest({"k": [{"x": 1, "y": 3}]})
    assert len(records_digest(RECORDS, "sm3")) == 64 and records_digest(RECORDS, "sm3") != records_digest(RECORDS)


def test_sign_and_verify(ed_signer, signed):
    data, sig = signed
    other = keys.generate_key_pair()
    m = verify_manifest(data, sig, trusted(ed_signer, other))
    assert m["signer"] == ed_signer.fingerprint and m["algorithm"] == "ed25519"
    assert m["sequence"] == 7 and m["recipient"] == "county_office"
    assert m["created_at"].endswith("Z") and len(m["package_id"]) == 36
    assert json.loads(data) == m and b" " not in data.replace("政务服务平台".encode(), b"")
    assert ed_signer.verifier().verify(sig, DOMAIN + data) and not ed_signer.verifier().verify(sig, data)


def rejected(data, sig, keys_, revoked=()) -> PackageRejected:
    with pytest.raises(PackageRejected) as exc:
        verify_manifest(data, sig, keys_, revoked)
    return exc.value


def test_tampered_manifest_bad_signature(ed_signer, signed):
    data, sig = signed
    forged = data.replace(b'"sequence":7', b'"sequence":9')
    assert rejected(forged, sig, trusted(ed_signer)).reason_code == "bad_signature"
    assert rejected(data, sig[:-1] + bytes([sig[-1] ^ 1]), trusted(ed_signer)).reason_code == "bad_signature"
    assert rejected(data, b"", trusted(ed_signer)).reason_code == "bad_signature"


def test_unknown_signer(ed_signer, signed):
    data, sig = signed
    err = rejected(data, sig, trusted(keys.generate_key_pair()))
    assert err.reason_code == "unknown_signer"
    assert format_fingerprint(ed_signer.fingerprint, short=True) in err.message


def test_revoked_signer(ed_signer, signed):
    data, sig = signed
    short_typed = format_fingerprint(ed_signer.fingerprint, short=True).lower()
    assert rejected(data, sig, trusted(ed_signer), {short_typed}).reason_code == "revoked_signer"


def test_impostor_naming_a_trusted_key(ed_signer):
    impostor = keys.generate_key_pair()
    m = _manifest(impostor)
    data, sig = sign_manifest(m, impostor)
    forged = data.replace(impostor.fingerprint.encode(), ed_signer.fingerprint.encode())
    assert rejected(forged, sig, trusted(ed_signer)).reason_code == "bad_signature"


def _sign_raw(signer, doc) -> tuple[bytes, bytes]:
    data = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
    return data, signer.sign(DOMAIN + data)


@pytest.mark.parametrize("mutate", [
    lambda m: m.update(extra="x"),
    lambda m: m.pop("files"),
    lambda m: m.update(sequence=0),
    lambda m: m.update(sequence="7"),
    lambda m: m.update(package_id="not-a-uuid"),
    lambda m: m.update(created_at="2026-11-24 08:00:00"),
    lambda m: m.update(files={"../evil": "0" * 64}),
    lambda m: m.update(files={}),
    lambda m: m.update(hash_algorithm="md5"),
    lambda m: m.update(manifest_version="2"),
    lambda m: m.update(program_version="零点二"),
    lambda m: None,  # valid content, but not canonical JSON (json.dumps adds spaces)
])
def test_signed_but_malformed(ed_signer, mutate):
    m = _manifest(ed_signer)
    mutate(m)
    data, sig = _sign_raw(ed_signer, m)
    err = rejected(data, sig, trusted(ed_signer))
    assert err.reason_code == "malformed_manifest"
    assert "签名清单格式不对" in err.message


@pytest.mark.parametrize("change", [{"manifest_version": 2}, {"schema_version": 99, "program_version": "0.9.1"}])
def test_signed_manifest_of_a_newer_program_names_the_version(ed_signer, change):
    """A newer manifest or format is not "malformed": the person is told which version to install."""
    m = _manifest(ed_signer)
    m.update(change)
    data, sig = _sign_raw(ed_signer, m)
    err = rejected(data, sig, trusted(ed_signer))
    assert err.reason_code == "newer_format"
    if "program_version" in change:
        assert "请安装 govis 0.9.1 或更新的版本" in err.message
    else:  # a newer manifest names no version: none is guessed (certainly not an older one)
        assert "请安装更新版本的 govis" in err.message and "0.1.0" not in err.message


@pytest.mark.parametrize("data", [b"", b"not json", b"[]", b'{"signer": 5}', b"\xff\xfe", b'{"signer":"zz","algorithm":"ed25519"}',
                                  b'{"a":1,"a":2}', b"[" * 100_000, b"x" * (2 * 1024 * 1024)])
def test_garbage_manifest(ed_signer, data):
    assert rejected(data, b"sig", trusted(ed_signer)).reason_code == "malformed_manifest"


def test_float_in_manifest_refused(ed_signer):
    m = _manifest(ed_signer)
    data = canonical_json(m).replace(b'"sequence":7', b'"sequence":7.0')
    assert rejected(*_sign_raw(ed_signer, data), trusted(ed_signer)).reason_code == "malformed_manifest"


def test_check_files(ed_signer):
    m = _manifest(ed_signer)
    data, sig = sign_manifest(m, ed_signer)
    members = [("manifest.json", data), ("manifest.sig", sig), *FILES.items()]
    check_files(m, inspect_zip(make_zip(members)))

    changed = [("manifest.json", data), ("manifest.sig", sig), ("records.xlsx", b"PK edited"),
               ("attachments/合同.pdf", FILES["attachments/合同.pdf"])]
    with pytest.raises(PackageRejected) as exc:
        check_files(m, inspect_zip(make_zip(changed)))
    assert exc.value.reason_code == "file_mismatch"
    assert exc.value.message == ("数据包中的文件「records.xlsx」与签名清单不符，数据包可能在传递中被改动。"
                                 "请向发送单位索取新的数据包。")

    with pytest.raises(PackageRejected) as exc:
        check_files(m, inspect_zip(make_zip(members[:3])))
    assert exc.value.reason_code == "missing_file" and "attachments/合同.pdf" in exc.value.message

    with pytest.raises(PackageRejected) as exc:
        check_files(m, inspect_zip(make_zip(members + [("extra.exe", b"MZ")])))
    assert exc.value.reason_code == "extra_file" and "extra.exe" in exc.value.message


def test_check_files_sm3(ed_signer):
    from desktop_app.exchange.signing import digest_hex

    m = build_manifest(kind="records", sender="unit001", recipient="county_office", sequence=1, schema_version=1,
                       files={n: digest_hex(b, "sm3") for n, b in FILES.items()}, hash_algorithm="sm3",
                       records_digest=records_digest(RECORDS, "sm3"), signer=ed_signer)
    check_files(m, inspect_zip(make_zip(list(FILES.items())), hash_algorithms=("sha256", "sm3")))


def test_check_addressing(ed_signer):
    # only the recipient: which sequences are welcome is sequence.check_sequence (test_sequence_time.py)
    m = _manifest(ed_signer)
    check_addressing(m, "county_office")
    with pytest.raises(PackageRejected) as exc:
        check_addressing(m, "finance")
    assert exc.value.reason_code == "wrong_recipient" and "finance" in exc.value.message


def test_sign_refuses_wrong_key(ed_signer):
    with pytest.raises(ValueError):
        sign_manifest(_manifest(ed_signer), keys.generate_key_pair())


def test_sm2_signed_manifest():
    pytest.importorskip("gmssl_pyx")
    s = keys.generate_key_pair("sm2")
    data, sig = sign_manifest(_manifest(s), s)
    assert verify_manifest(data, sig, trusted(s))["algorithm"] == "sm2"
    assert rejected(data.replace(b'"sequence":7', b'"sequence":8'), sig, trusted(s)).reason_code == "bad_signature"


def test_canonical_json_plain_records_fast_path_refuses_the_same():
    import pytest as _pytest

    from desktop_app.exchange.errors import ExportRefused as _Refused
    from desktop_app.exchange.manifest import canonical_json as _cj

    assert _cj({"表": [{"b": 1, "a": "蒙阴", "c": None, "d": True}]}) == \
        '{"表":[{"a":"蒙阴","b":1,"c":null,"d":true}]}'.encode()
    with _pytest.raises(_Refused) as exc:
        _cj({"表": [{"a": "x\ud800"}]})
    assert exc.value.reason_code == "unstorable_text" and ".表[0].a" in exc.value.message
    with _pytest.raises(_Refused) as exc:
        _cj({"表": [{"a": 1.5}]})
    assert exc.value.reason_code == "float_value"
    with _pytest.raises(TypeError):
        _cj({"表": [{1: "x"}]})
