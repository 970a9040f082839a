"""Key pairs of an installation: generation, the passphrase-encrypted private key, public key files.

Private key envelope (a small UTF-8 JSON file, version 1)::

    {"format": "govis-private-key", "version": 1, "algorithm": "ed25519",
     "kdf": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": <b64, 16 random bytes>,
     "cipher": "aes-256-gcm", "nonce": <b64, 12 random bytes>,
     "public_key": <b64 raw public key>, "fingerprint": <64 hex>,
     "ciphertext": <b64 AES-GCM(raw private key) incl. 16-byte tag>}

key = scrypt(NFC(passphrase) as UTF-8, salt, n, r, p, length 32); AES-256-GCM with the canonical JSON of
every other field as associated data, so the public key, fingerprint and KDF parameters cannot be
swapped without the passphrase check failing. Reading refuses KDF parameters outside a small range,
so a tampered file cannot make scrypt allocate gigabytes.

Public key file: PEM-like armour around the raw key, with readable (untrusted) labels::

    -----BEGIN GOVIS PUBLIC KEY-----
    Algorithm: ed25519
    Fingerprint: 3F2A 9C01 …
    Org-Code: 1137132800
    Org-Name: <base64 UTF-8>

    <base64 raw public key>
    -----END GOVIS PUBLIC KEY-----

Trust never comes from this file: the county office compares the fingerprint with the stamped
密钥登记表 before it trusts the key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from desktop_app.exchange.errors import FingerprintFormatError, KeyFileError, WeakPassphrase, WrongPassphrase
from desktop_app.exchange.signing import (  # re-exported: callers think of these as "key" functions
    ED25519,
    Signer,
    Verifier,
    fingerprint,
    fingerprints_match,
    format_fingerprint,
    generate_signer,
    normalize_fingerprint,
    signer_from_raw,
    verifier_from_raw,
)

__all__ = [
    "ED25519",
    "MIN_PASSPHRASE_LEN",
    "PublicKeyFile",
    "Signer",
    "Verifier",
    "decrypt_private_key",
    "encrypt_private_key",
    "export_public_key",
    "fingerprint",
    "fingerprints_match",
    "format_fingerprint",
    "generate_key_pair",
    "import_public_key",
    "normalize_fingerprint",
]

ENVELOPE_FORMAT = "govis-private-key"
ENVELOPE_VERSION = 1
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE_LEN = 8
MAX_KEY_FILE_BYTES = 16 * 1024

_PUB_BEGIN = "-----BEGIN GOVIS PUBLIC KEY-----"
_PUB_END = "-----END GOVIS PUBLIC KEY-----"

_CORRUPT = "私钥文件已损坏或不是本程序生成的私钥文件。请改用备份的私钥文件；如无备份，需由县政府办公室重新登记新密钥。"
_BAD_PUBLIC = "公钥文件已损坏或格式不对。请向对方索取新的公钥文件（由对方程序的“导出公钥”功能生成）。"


def generate_key_pair(algorithm: str = ED25519) -> Signer:
    """A fresh key pair; store it at once with encrypt_private_key()."""
    return generate_signer(algorithm)


def _passphrase_bytes(passphrase: str) -> bytes:
    # NFC so the same passphrase typed through different input methods derives the same key.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(_passphrase_bytes(passphrase))


def _aad(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def check_passphrase_strength(passphrase: str) -> None:
    if not isinstance(passphrase, str) or len(passphrase.strip()) < MIN_PASSPHRASE_LEN:
        raise WeakPassphrase(
            None, f"口令太短：至少需要{MIN_PASSPHRASE_LEN}个字符。请设置一个更长、只有经办人知道的口令，并妥善保管。"
        )


def encrypt_private_key(signer: Signer, passphrase: str) -> bytes:
    """The envelope bytes to write to the private key file."""
    check_passphrase_strength(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    public_raw = signer.verifier().public_key_raw
    header = {
        "format": ENVELOPE_FORMAT, "version": ENVELOPE_VERSION, "algorithm": signer.algorithm,
        "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt),
        "cipher": "aes-256-gcm", "nonce": _b64(nonce),
        "public_key": _b64(public_raw), "fingerprint": fingerprint(public_raw),
    }
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    ciphertext = AESGCM(key).encrypt(nonce, signer.private_key_raw(), _aad(header))
    envelope = dict(header, ciphertext=_b64(ciphertext))
    return (json.dumps(envelope, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def read_envelope_public(data: bytes) -> Verifier:
    """The public key recorded in an envelope, without the passphrase (for display only)."""
    header, _ = _parse_envelope(data)
    return verifier_from_raw(header["algorithm"], _unb64(header["public_key"]))


def decrypt_private_key(data: bytes, passphrase: str) -> Signer:
    """Open the envelope; WrongPassphrase if the passphrase does not fit, KeyFileError if damaged."""
    header, ciphertext = _parse_envelope(data)
    key = _derive(passphrase, _unb64(header["salt"]), header["n"], header["r"], header["p"])
    try:
        private_raw = AESGCM(key).decrypt(_unb64(header["nonce"]), ciphertext, _aad(header))
    except InvalidTag:
        # Also raised when the file was edited: GCM cannot tell the two apart, and either way the
        # key cannot be opened; the message tells the user both ways forward.
        raise WrongPassphrase() from None
    return signer_from_raw(header["algorithm"], private_raw, _unb64(header["public_key"]))


def _parse_envelope(data: bytes) -> tuple[dict, bytes]:
    if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(None, _CORRUPT)
    try:
        env = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise KeyFileError(None, _CORRUPT) from None
    expected = {"format", "version", "algorithm", "kdf", "n", "r", "p", "salt", "cipher", "nonce",
                "public_key", "fingerprint", "ciphertext"}
    if not isinstance(env, dict) or set(env) != expected:
        raise KeyFileError(None, _CORRUPT)
    if env["format"] != ENVELOPE_FORMAT or env["version"] != ENVELOPE_VERSION:
        raise KeyFileError(None, "私钥文件的版本不受本程序支持。请升级本程序，或改用本程序生成的私钥文件。")
    n, r, p = env["n"], env["r"], env["p"]
    if not (
        env["kdf"] == "scrypt" and env["cipher"] == "aes-256-gcm"
        and all(type(v) is int for v in (n, r, p))
        and 2**14 <= n <= 2**18 and n & (n - 1) == 0 and r == 8 and 1 <= p <= 4
        and all(isinstance(env[k], str) for k in ("algorithm", "salt", "nonce", "public_key",
                                                   "fingerprint", "ciphertext"))
    ):
        raise KeyFileError(None, _CORRUPT)
    salt, nonce, ciphertext = _unb64(env["salt"]), _unb64(env["nonce"]), _unb64(env["ciphertext"])
    if len(salt) < 16 or len(nonce) != 12 or not 16 < len(ciphertext) <= 16 + 64:
        raise KeyFileError(None, _CORRUPT)
    if fingerprint(_unb64(env["public_key"])) != env["fingerprint"]:
        raise KeyFileError(None, _CORRUPT)
    header = {k: v for k, v in env.items() if k != "ciphertext"}
    return header, ciphertext


# ---------------------------------------------------------------------------- public key files


@dataclass(frozen=True)
class PublicKeyFile:
    verifier: Verifier
    org_code: str | None = None  # labels as the sender wrote them: informative, not trusted
    org_name: str | None = None

    @property
    def fingerprint(self) -> str:
        return self.verifier.fingerprint


def export_public_key(verifier: Verifier, org_code: str | None = None, org_name: str | None = None) -> str:
    lines = [_PUB_BEGIN, f"Algorithm: {verifier.algorithm}", f"Fingerprint: {format_fingerprint(verifier.fingerprint)}"]
    if org_code:
        if not org_code.isascii() or not org_code.isprintable() or ":" in org_code:
            raise KeyFileError(None, "单位代码只能由字母、数字等半角字符组成。请检查本单位的单位代码设置。")
        lines.append(f"Org-Code: {org_code}")
    if org_name:
        # base64 so the file stays ASCII and survives any editor's charset guess
        lines.append(f"Org-Name: {_b64(org_name.encode('utf-8'))}")
    lines += ["", _b64(verifier.public_key_raw), _PUB_END, ""]
    return "\n".join(lines)


def import_public_key(text: str | bytes) -> PublicKeyFile:
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_KEY_FILE_BYTES:
            raise KeyFileError(None, _BAD_PUBLIC)
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KeyFileError(None, _BAD_PUBLIC) from None
    if not isinstance(text, str) or len(text) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(None, _BAD_PUBLIC)
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    try:
        start, end = lines.index(_PUB_BEGIN), lines.index(_PUB_END)
    except ValueError:
        raise KeyFileError(None, _BAD_PUBLIC) from None
    body = lines[start + 1:end]
    if "" not in body:
        raise KeyFileError(None, _BAD_PUBLIC)
    blank = body.index("")
    headers: dict[str, str] = {}
    for ln in body[:blank]:
        name, sep, value = ln.partition(":")
        if not sep or name in headers:
            raise KeyFileError(None, _BAD_PUBLIC)
        headers[name.strip()] = value.strip()
    raw = _unb64("".join(body[blank + 1:]), error=_BAD_PUBLIC)
    if "Algorithm" not in headers or "Fingerprint" not in headers:
        raise KeyFileError(None, _BAD_PUBLIC)
    verifier = verifier_from_raw(headers["Algorithm"], raw)
    try:
        stated = normalize_fingerprint(headers["Fingerprint"])
    except FingerprintFormatError:
        raise KeyFileError(None, _BAD_PUBLIC) from None
    if stated != verifier.fingerprint:
        raise KeyFileError(None, "公钥文件中写明的指纹与公钥本身不符，文件可能被改动。请向对方索取新的公钥文件。")
    org_name = None
    if headers.get("Org-Name"):
        try:
            org_name = _unb64(headers["Org-Name"], error=_BAD_PUBLIC).decode("utf-8")
        except UnicodeDecodeError:
            raise KeyFileError(None, _BAD_PUBLIC) from None
    return PublicKeyFile(verifier, headers.get("Org-Code") or None, org_name)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, error: str = _CORRUPT) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise KeyFileError(None, error) from None
