"""Signature algorithms behind one small interface, key fingerprints, and file digests.

`Signer`/`Verifier` carry an `algorithm` name so a package says which algorithm signed it and a
national-crypto option (SM2, see `sm2.py`) sits beside Ed25519 without changing callers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from abc import ABC, abstractmethod

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from desktop_app.exchange.errors import AlgorithmUnavailable, FingerprintFormatError, KeyFileError

ED25519 = "ed25519"
SM2 = "sm2"

SHA256 = "sha256"
SM3 = "sm3"
HASH_ALGORITHMS = (SHA256, SM3)

FINGERPRINT_HEX_LEN = 64
SHORT_FINGERPRINT_HEX_LEN = 32  # 8 groups of 4: what the printed 密钥登记表 shows


# ---------------------------------------------------------------------------- fingerprints


def fingerprint(public_key_raw: bytes) -> str:
    """SHA-256 of the raw public key as 64 uppercase hex digits, no separators (the canonical form)."""
    return hashlib.sha256(public_key_raw).hexdigest().upper()


def format_fingerprint(fp: str, short: bool = False) -> str:
    """'3F2A 9C01 …' groups of 4; `short` keeps the first 32 hex digits (8 groups)."""
    hexdigits = normalize_fingerprint(fp)
    if short:
        hexdigits = hexdigits[:SHORT_FINGERPRINT_HEX_LEN]
    return " ".join(hexdigits[i:i + 4] for i in range(0, len(hexdigits), 4))


_DASHES_AND_SPACES = re.compile(r"[\s\-_:·.]")


def normalize_fingerprint(text: str) -> str:
    """Canonical uppercase hex from what a person typed or copied.

    Ignores case, spaces, dashes (any Unicode dash) and full-width forms (NFKC folds ＡＢ１２ to AB12).
    Accepts the full form (64 hex digits) or the short form (32); anything else is refused.
    """
    if not isinstance(text, str):
        raise FingerprintFormatError(None, "公钥指纹格式不对：应为由0-9和A-F组成的字符串。请对照密钥登记表重新输入。")
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join("-" if unicodedata.category(ch) == "Pd" else ch for ch in folded)
    compact = _DASHES_AND_SPACES.sub("", folded).upper()
    if not compact or any(ch not in "0123456789ABCDEF" for ch in compact):
        raise FingerprintFormatError(
            None, "公钥指纹中含有0-9、A-F以外的字符。请对照密钥登记表逐组重新输入（字母不区分大小写，空格可省略）。"
        )
    if len(compact) not in (FINGERPRINT_HEX_LEN, SHORT_FINGERPRINT_HEX_LEN):
        raise FingerprintFormatError(
            None,
            f"公钥指纹位数不对：输入了{len(compact)}位，应为32位（登记表上的8组）或64位（完整指纹）。"
            "请对照密钥登记表重新输入。",
        )
    return compact


def fingerprints_match(typed: str, actual: str) -> bool:
    """Constant-time comparison of a typed fingerprint (short or full) with a key's full fingerprint."""
    a = normalize_fingerprint(typed)
    b = normalize_fingerprint(actual)
    n = min(len(a), len(b))
    # A short form matches the start of a full one; compare_digest runs in time independent of content.
    return hmac.compare_digest(a[:n].encode("ascii"), b[:n].encode("ascii"))


def differing_groups(typed: str, actual: str) -> list[int]:
    """The 4-character groups (numbered from 1, as printed on the 密钥登记表) in which a typed fingerprint
    (short or full) differs from a key's full fingerprint; [] when they match. For the refusal message
    only: whether to trust a key is decided by `fingerprints_match`."""
    a, b = normalize_fingerprint(typed), normalize_fingerprint(actual)
    n = min(len(a), len(b))
    return [i // 4 + 1 for i in range(0, n, 4) if a[i:i + 4] != b[i:i + 4]]


# ---------------------------------------------------------------------------- digests


def new_hash(algorithm: str):
    """An incremental hash object with update()/hexdigest() for 'sha256' or 'sm3'."""
    if algorithm == SHA256:
        return hashlib.sha256()
    if algorithm == SM3:
        return _Sm3()
    raise AlgorithmUnavailable(None, f"不支持的摘要算法「{algorithm}」。请使用SHA-256或SM3。")


def digest_hex(data: bytes, algorithm: str = SHA256) -> str:
    h = new_hash(algorithm)
    h.update(data)
    return h.hexdigest()


class _Sm3:
    """hashlib-like wrapper over cryptography's SM3 (OpenSSL), so callers treat both digests alike."""

    def __init__(self):
        self._h = hashes.Hash(hashes.SM3())

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def hexdigest(self) -> str:
        return self._h.finalize().hex()


# ---------------------------------------------------------------------------- interface


class Verifier(ABC):
    """A public key of some algorithm. `public_key_raw` is what the fingerprint is taken over."""

    algorithm: str

    @property
    @abstractmethod
    def public_key_raw(self) -> bytes: ...

    @abstractmethod
    def verify(self, signature: bytes, data: bytes) -> bool:
        """True if `signature` is valid over `data`; never raises on a bad signature."""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key_raw)

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Verifier)
            and other.algorithm == self.algorithm
            and other.public_key_raw == self.public_key_raw
        )

    def __hash__(self) -> int:
        return hash((self.algorithm, self.public_key_raw))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {format_fingerprint(self.fingerprint, short=True)}>"


class Signer(ABC):
    """A private key of some algorithm. Never printed, never written unencrypted (see keys.py)."""

    algorithm: str

    @abstractmethod
    def sign(self, data: bytes) -> bytes: ...

    @abstractmethod
    def verifier(self) -> Verifier: ...

    @abstractmethod
    def private_key_raw(self) -> bytes:
        """The secret scalar/seed, for the passphrase envelope only."""

    @property
    def fingerprint(self) -> str:
        return self.verifier().fingerprint

    def __repr__(self) -> str:  # never show key material
        return f"<{type(self).__name__} {format_fingerprint(self.fingerprint, short=True)}>"


# ---------------------------------------------------------------------------- Ed25519


class Ed25519Verifier(Verifier):
    algorithm = ED25519

    def __init__(self, public_key: ed25519.Ed25519PublicKey):
        self._key = public_key
        self._raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @classmethod
    def from_raw(cls, raw: bytes) -> Ed25519Verifier:
        if not isinstance(raw, bytes) or len(raw) != 32:
            raise KeyFileError(None, "Ed25519公钥长度不对（应为32字节），公钥文件可能已损坏。请向对方索取新的公钥文件。")
        try:
            return cls(ed25519.Ed25519PublicKey.from_public_bytes(raw))
        except ValueError:
            raise KeyFileError(None, "Ed25519公钥无效，公钥文件可能已损坏。请向对方索取新的公钥文件。") from None

    @property
    def public_key_raw(self) -> bytes:
        return self._raw

    def verify(self, signature: bytes, data: bytes) -> bool:
        if not isinstance(signature, bytes) or len(signature) != 64:
            return False
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


class Ed25519Signer(Signer):
    algorithm = ED25519

    def __init__(self, private_key: ed25519.Ed25519PrivateKey):
        self._key = private_key
        self._verifier = Ed25519Verifier(private_key.public_key())

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(ed25519.Ed25519PrivateKey.generate())

    @classmethod
    def from_private_raw(cls, raw: bytes, public_raw: bytes | None = None) -> Ed25519Signer:
        if len(raw) != 32:
            raise KeyFileError(None, "私钥文件内容长度不对，文件可能已损坏。请用备份的私钥文件，或由县政府办公室重新登记新密钥。")
        signer = cls(ed25519.Ed25519PrivateKey.from_private_bytes(raw))
        if public_raw is not None and signer.verifier().public_key_raw != public_raw:
            raise KeyFileError(None, "私钥与文件中记载的公钥不一致，私钥文件可能被改动。请用备份的私钥文件，或重新登记新密钥。")
        return signer

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def verifier(self) -> Ed25519Verifier:
        return self._verifier

    def private_key_raw(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )


# ---------------------------------------------------------------------------- registry


def available_algorithms() -> tuple[str, ...]:
    """Algorithms this installation can sign and verify with (SM2 only when gmssl-pyx is installed)."""
    from desktop_app.exchange import sm2

    return (ED25519, SM2) if sm2.is_available() else (ED25519,)


def generate_signer(algorithm: str = ED25519) -> Signer:
    if algorithm == ED25519:
        return Ed25519Signer.generate()
    if algorithm == SM2:
        from desktop_app.exchange import sm2

        return sm2.Sm2Signer.generate()
    raise _unknown_algorithm(algorithm)


def verifier_from_raw(algorithm: str, public_raw: bytes) -> Verifier:
    if algorithm == ED25519:
        return Ed25519Verifier.from_raw(public_raw)
    if algorithm == SM2:
        from desktop_app.exchange import sm2

        return sm2.Sm2Verifier.from_raw(public_raw)
    raise _unknown_algorithm(algorithm)


def signer_from_raw(algorithm: str, private_raw: bytes, public_raw: bytes) -> Signer:
    if algorithm == ED25519:
        return Ed25519Signer.from_private_raw(private_raw, public_raw)
    if algorithm == SM2:
        from desktop_app.exchange import sm2

        return sm2.Sm2Signer.from_private_raw(private_raw, public_raw)
    raise _unknown_algorithm(algorithm)


def _unknown_algorithm(algorithm: object) -> AlgorithmUnavailable:
    return AlgorithmUnavailable(
        None, f"不认识的签名算法「{algorithm}」。本程序支持ed25519（以及安装国密组件后的sm2）。请确认对方使用的程序版本。"
    )
