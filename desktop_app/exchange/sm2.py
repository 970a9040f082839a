"""SM2 signatures (GB/T 32918 / GM/T 0003) with SM3, as the national-crypto option.

Backed by gmssl-pyx: a C extension that statically links GmSSL 3 (wheels for Windows and Linux,
CPython 3.8–3.14). The nonce is drawn inside GmSSL from the OS random source: callers cannot pick
it (unlike the pure-Python `gmssl` package, which must never be used). The library is optional:
without it `is_available()` is False and using SM2 raises AlgorithmUnavailable.

Signatures are DER SEQUENCE{r, s}; the signer ID is the GM/T 0009 default "1234567812345678".
The public key is the SEC1 uncompressed point 04‖x‖y (65 bytes); the fingerprint is taken over it.
"""

from __future__ import annotations

from desktop_app.exchange.errors import AlgorithmUnavailable, KeyFileError
from desktop_app.exchange.signing import SM2, Signer, Verifier

SIGNER_ID = b"1234567812345678"

# Recommended curve sm2p256v1 (GB/T 32918.5), used here only to validate public keys.
_P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
_A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
_B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


def _lib():
    try:
        import gmssl_pyx
    except ImportError:
        raise AlgorithmUnavailable(
            None,
            "本机未安装国密SM2签名组件（gmssl-pyx），无法使用SM2签名。请改用Ed25519，或请技术支持人员安装该组件后再试。",
        ) from None
    return gmssl_pyx


def is_available() -> bool:
    try:
        _lib()
    except AlgorithmUnavailable:
        return False
    return True


def _check_point(raw: bytes) -> None:
    bad = KeyFileError(None, "SM2公钥无效（不是曲线上的点），公钥文件可能已损坏。请向对方索取新的公钥文件。")
    if not isinstance(raw, bytes) or len(raw) != 65 or raw[0] != 4:
        raise bad
    x = int.from_bytes(raw[1:33], "big")
    y = int.from_bytes(raw[33:], "big")
    if not (0 <= x < _P and 0 <= y < _P) or (y * y - (x * x * x + _A * x + _B)) % _P != 0:
        raise bad


class Sm2Verifier(Verifier):
    algorithm = SM2

    def __init__(self, public_raw: bytes):
        _check_point(public_raw)
        self._raw = public_raw

    @classmethod
    def from_raw(cls, raw: bytes) -> Sm2Verifier:
        return cls(raw)

    @property
    def public_key_raw(self) -> bytes:
        return self._raw

    def verify(self, signature: bytes, data: bytes) -> bool:
        lib = _lib()
        # A DER signature of two 256-bit integers is at most 72 bytes; refuse junk before the C code.
        if not isinstance(signature, bytes) or not 8 <= len(signature) <= 72:
            return False
        try:
            return bool(lib.sm2_verify(self._raw[1:], data, signature, signer_id=SIGNER_ID))
        except lib.GmsslInnerError:
            return False


class Sm2Signer(Signer):
    algorithm = SM2

    def __init__(self, private_raw: bytes, public_raw: bytes):
        self._priv = private_raw
        self._verifier = Sm2Verifier(public_raw)

    @classmethod
    def generate(cls) -> Sm2Signer:
        public64, private = _lib().sm2_key_generate()
        return cls(private, b"\x04" + public64)

    @classmethod
    def from_private_raw(cls, private_raw: bytes, public_raw: bytes) -> Sm2Signer:
        d = int.from_bytes(private_raw, "big") if isinstance(private_raw, bytes) else 0
        if len(private_raw) != 32 or not 1 <= d < _N - 1:
            raise KeyFileError(None, "私钥文件内容无效，文件可能已损坏。请用备份的私钥文件，或由县政府办公室重新登记新密钥。")
        signer = cls(private_raw, public_raw)
        # GmSSL takes the public key alongside the private one; a pair that does not match would
        # produce signatures nobody can verify, so prove the pair before use.
        probe = b"govis-sm2-key-check"
        if not signer.verifier().verify(signer.sign(probe), probe):
            raise KeyFileError(None, "私钥与文件中记载的公钥不一致，私钥文件可能被改动。请用备份的私钥文件，或重新登记新密钥。")
        return signer

    def sign(self, data: bytes) -> bytes:
        lib = _lib()
        return lib.sm2_sign(self._priv, self._verifier.public_key_raw[1:], data, signer_id=SIGNER_ID)

    def verifier(self) -> Sm2Verifier:
        return self._verifier

    def private_key_raw(self) -> bytes:
        return self._priv
