import json
import unicodedata

import pytest

from desktop_app.exchange import keys
from desktop_app.exchange.errors import (
    AlgorithmUnavailable,
    FingerprintFormatError,
    KeyFileError,
    WeakPassphrase,
    WrongPassphrase,
)
from desktop_app.exchange.signing import (
    ED25519,
    Ed25519Verifier,
    fingerprint,
    fingerprints_match,
    format_fingerprint,
    normalize_fingerprint,
)

PASS = "蒙阴县大数据中心2026"


@pytest.fixture(scope="module")
def envelope(ed_signer):
    return keys.encrypt_private_key(ed_signer, PASS)


def test_private_key_round_trip(ed_signer, envelope):
    restored = keys.decrypt_private_key(envelope, PASS)
    assert restored.algorithm == ED25519
    assert restored.private_key_raw() == ed_signer.private_key_raw()
    assert restored.verifier() == ed_signer.verifier()
    assert ed_signer.verifier().verify(restored.sign(b"data"), b"data")
    assert keys.read_envelope_public(envelope) == ed_signer.verifier()


def test_envelope_format(ed_signer, envelope):
    env = json.loads(envelope)
    assert env["format"] == "govis-private-key" and env["version"] == 1
    assert (env["kdf"], env["n"], env["r"], env["p"], env["cipher"]) == ("scrypt", 2**15, 8, 1, "aes-256-gcm")
    assert env["fingerprint"] == ed_signer.fingerprint
    assert ed_signer.private_key_raw().hex() not in envelope.decode()
    again = json.loads(keys.encrypt_private_key(ed_signer, PASS))
    assert again["salt"] != env["salt"] and again["nonce"] != env["nonce"]  # both random


def test_wrong_passphrase(envelope):
    with pytest.raises(WrongPassphrase) as exc:
        keys.decrypt_private_key(envelope, PASS + "x")
    assert exc.value.reason_code == "wrong_passphrase"
    assert str(exc.value) == "口令不正确，无法解开本单位签名私钥。请重新输入；如遗忘口令，需由县政府办公室重新登记新密钥。"


def test_passphrase_is_unicode_normalised(ed_signer):
    nfc = "Café口令12345"
    env = keys.encrypt_private_key(ed_signer, nfc)
    assert keys.decrypt_private_key(env, unicodedata.normalize("NFD", nfc)).fingerprint == ed_signer.fingerprint


def test_weak_passphrase_refused(ed_signer):
    with pytest.raises(WeakPassphrase, match="至少需要8个字符"):
        keys.encrypt_private_key(ed_signer, "short")


def _edit(envelope: bytes, **changes) -> bytes:
    env = json.loads(envelope)
    env.update(changes)
    return json.dumps(env).encode()


def test_swapped_public_key_detected(envelope):
    other = keys.generate_key_pair().verifier()
    import base64

    forged = _edit(envelope, public_key=base64.b64encode(other.public_key_raw).decode(),
                   fingerprint=other.fingerprint)
    # The header is bound to the ciphertext as associated data: the passphrase check fails.
    with pytest.raises(WrongPassphrase):
        keys.decrypt_private_key(forged, PASS)


@pytest.mark.parametrize("changes", [
    {"n": 2**30},            # would make scrypt allocate a terabyte
    {"r": 1024},
    {"kdf": "pbkdf2"},
    {"version": 2},
    {"salt": "not base64!"},
    {"fingerprint": "00" * 32},
])
def test_tampered_or_foreign_envelope_refused(envelope, changes):
    with pytest.raises(KeyFileError) as exc:
        keys.decrypt_private_key(_edit(envelope, **changes), PASS)
    assert "私钥文件" in str(exc.value)


@pytest.mark.parametrize("data", [b"", b"not json", b"[]", b"{}", b"\xff\xfe", b"x" * 100_000])
def test_garbage_envelope_refused(data):
    with pytest.raises(KeyFileError):
        keys.decrypt_private_key(data, PASS)


# ---------------------------------------------------------------------------- fingerprints


def test_fingerprint_is_sha256_of_raw_public_key(ed_signer):
    import hashlib

    raw = ed_signer.verifier().public_key_raw
    assert len(raw) == 32
    assert ed_signer.fingerprint == hashlib.sha256(raw).hexdigest().upper() == fingerprint(raw)


def test_fingerprint_display_forms():
    fp = "3F2A9C01" + "ABCDEF01" * 7
    full = format_fingerprint(fp)
    assert full.startswith("3F2A 9C01 ABCD EF01 ")
    assert len(full.split(" ")) == 16 and all(len(g) == 4 for g in full.split(" "))
    short = format_fingerprint(fp, short=True)
    assert short == "3F2A 9C01 ABCD EF01 ABCD EF01 ABCD EF01"


@pytest.mark.parametrize("typed", [
    "3f2a 9c01 abcd ef01 abcd ef01 abcd ef01",
    "3F2A-9C01-ABCD-EF01-ABCD-EF01-ABCD-EF01",
    "３Ｆ２Ａ　９Ｃ０１　ＡＢＣＤ　ＥＦ０１　ａｂｃｄ　ｅｆ０１　ＡＢＣＤ　ＥＦ０１",  # full-width, ideographic spaces
    "3F2A—9C01－ABCD–EF01 ABCD\tEF01\nABCD EF01",  # em dash, full-width hyphen, en dash
    " 3F2A9C01ABCDEF01ABCDEF01ABCDEF01 ",
])
def test_fingerprint_normalisation(typed):
    assert normalize_fingerprint(typed) == "3F2A9C01ABCDEF01ABCDEF01ABCDEF01"
    assert fingerprints_match(typed, "3F2A9C01" + "ABCDEF01" * 7)


def test_fingerprint_mismatch_and_bad_input():
    actual = "3F2A9C01" + "ABCDEF01" * 7
    assert not fingerprints_match("3F2A 9C01 ABCD EF01 ABCD EF01 ABCD EF02", actual)
    assert fingerprints_match(actual.lower(), actual)
    with pytest.raises(FingerprintFormatError, match="位数不对"):
        normalize_fingerprint("3F2A 9C01")
    with pytest.raises(FingerprintFormatError, match="0-9、A-F以外"):
        normalize_fingerprint("3F2A 9C0G ABCD EF01 ABCD EF01 ABCD EF01")
    with pytest.raises(FingerprintFormatError):
        normalize_fingerprint("")


# ---------------------------------------------------------------------------- public key files


def test_public_key_file_round_trip(ed_signer):
    text = keys.export_public_key(ed_signer.verifier(), org_code="11371328MB0000000X", org_name="蒙阴县大数据中心")
    assert text.isascii() and text.startswith("-----BEGIN GOVIS PUBLIC KEY-----")
    assert format_fingerprint(ed_signer.fingerprint) in text
    loaded = keys.import_public_key(text.replace("\n", "\r\n").encode("utf-8"))
    assert loaded.verifier == ed_signer.verifier()
    assert loaded.fingerprint == ed_signer.fingerprint
    assert (loaded.org_code, loaded.org_name) == ("11371328MB0000000X", "蒙阴县大数据中心")


def test_public_key_file_with_wrong_fingerprint_refused(ed_signer):
    text = keys.export_public_key(ed_signer.verifier())
    other = keys.generate_key_pair().verifier()
    forged = text.replace(format_fingerprint(ed_signer.fingerprint), format_fingerprint(other.fingerprint))
    with pytest.raises(KeyFileError, match="指纹与公钥本身不符"):
        keys.import_public_key(forged)


@pytest.mark.parametrize("text", ["", "hello", "-----BEGIN GOVIS PUBLIC KEY-----\n-----END GOVIS PUBLIC KEY-----",
                                  "-----BEGIN GOVIS PUBLIC KEY-----\nAlgorithm: ed25519\n\nAAAA\n-----END GOVIS PUBLIC KEY-----"])
def test_garbage_public_key_file_refused(text):
    with pytest.raises(KeyFileError):
        keys.import_public_key(text)


def test_unknown_algorithm_refused(ed_signer):
    text = keys.export_public_key(ed_signer.verifier()).replace("Algorithm: ed25519", "Algorithm: rsa")
    with pytest.raises(AlgorithmUnavailable) as exc:
        keys.import_public_key(text)
    assert "不认识的签名算法" in str(exc.value)


def test_signer_interface(ed_signer):
    v = ed_signer.verifier()
    assert ed_signer.algorithm == v.algorithm == "ed25519"
    sig = ed_signer.sign(b"abc")
    assert v.verify(sig, b"abc")
    assert not v.verify(sig, b"abd")
    assert not v.verify(sig[:-1], b"abc")
    assert not v.verify(b"", b"abc")
    assert Ed25519Verifier.from_raw(v.public_key_raw) == v
    assert ed_signer.private_key_raw().hex() not in repr(ed_signer)
