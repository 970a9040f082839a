"""SM2/SM3 against the published vectors of GB/T 32918.5-2017 (GM/T 0003.5-2012) Annex A and GB/T 32905."""

import pytest

from desktop_app.exchange.signing import SM3, digest_hex


# SM3 needs only cryptography (OpenSSL): always run.
def test_sm3_vectors():
    assert digest_hex(b"abc", SM3) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert digest_hex(b"abcd" * 16, SM3) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


gmssl_pyx = pytest.importorskip("gmssl_pyx", reason="gmssl-pyx (optional SM2 backend) not installed")

from desktop_app.exchange import keys, sm2
from desktop_app.exchange.errors import KeyFileError

# Annex A.2: user A with ID "1234567812345678" signs "message digest" on the recommended curve.
PUB = bytes.fromhex(
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
PRIV = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
R = int("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3", 16)
S = int("B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA", 16)
MSG = b"message digest"


def _der(r: int, s: int) -> bytes:
    def integer(x):
        b = x.to_bytes((x.bit_length() + 8) // 8, "big")
        return b"\x02" + bytes([len(b)]) + b

    body = integer(r) + integer(s)
    return b"\x30" + bytes([len(body)]) + body


def test_published_signature_verifies():
    v = sm2.Sm2Verifier.from_raw(PUB)
    assert v.algorithm == "sm2"
    assert v.verify(_der(R, S), MSG)


def test_published_signature_rejects_changes():
    v = sm2.Sm2Verifier.from_raw(PUB)
    assert not v.verify(_der(R, S), b"message digesT")
    assert not v.verify(_der(R, S + 1), MSG)
    assert not v.verify(b"\x30\x00", MSG)
    assert not v.verify(b"junk" * 30, MSG)


def test_published_private_key_signs_verifiably():
    signer = sm2.Sm2Signer.from_private_raw(PRIV, PUB)  # also proves the published pair matches
    sig1, sig2 = signer.sign(MSG), signer.sign(MSG)
    assert sig1 != sig2  # fresh random nonce each time, chosen inside GmSSL
    assert signer.verifier().verify(sig1, MSG) and signer.verifier().verify(sig2, MSG)


def test_mismatched_pair_refused():
    other = sm2.Sm2Signer.generate().verifier().public_key_raw
    with pytest.raises(KeyFileError):
        sm2.Sm2Signer.from_private_raw(PRIV, other)


def test_point_not_on_curve_refused():
    bad = PUB[:-1] + bytes([PUB[-1] ^ 1])
    with pytest.raises(KeyFileError):
        sm2.Sm2Verifier.from_raw(bad)


def test_sm2_key_envelope_and_public_file_round_trip():
    signer = keys.generate_key_pair("sm2")
    env = keys.encrypt_private_key(signer, "口令口令口令口令")
    restored = keys.decrypt_private_key(env, "口令口令口令口令")
    assert restored.fingerprint == signer.fingerprint
    loaded = keys.import_public_key(keys.export_public_key(signer.verifier()))
    assert loaded.verifier.algorithm == "sm2"
    assert loaded.verifier.verify(restored.sign(b"x"), b"x")
