"""Refusals raised by the exchange layer.

Every class carries a stable `reason_code` (for logs, receipts and tests) and a Simplified-Chinese
message that says what is wrong and what the user should do; the UI shows the message as it is.
"""

from __future__ import annotations

from desktop_app.errors import GovisError


class ExchangeError(GovisError):
    """Base of every exchange refusal: `reason_code` + `message` (Chinese)."""

    default_code = "exchange_error"

    def __init__(self, reason_code: str | None, message_zh: str):
        self.reason_code = reason_code or self.default_code
        super().__init__(message_zh)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason_code!r}, {self.message!r})"


class PackageRejected(ExchangeError):
    """An incoming package (or a part of it) is refused; nothing may be changed."""

    default_code = "package_rejected"


class AlreadyImported(PackageRejected):
    """The very same package was imported before: nothing to do (not an error for the user)."""

    def __init__(self, package_id: str, when: str):
        super().__init__("already_imported", f"该数据包已导入（{when}），本次没有做任何更改。")
        self.package_id = package_id


class ExportRefused(ExchangeError):
    """Outgoing data cannot be written faithfully (e.g. a text too long for an Excel cell)."""

    default_code = "export_refused"


class KeyFileError(ExchangeError):
    """A key file (private envelope or public key text) is damaged or of an unknown format."""

    default_code = "bad_key_file"


class WrongPassphrase(ExchangeError):
    """The passphrase does not open the private key envelope."""

    MESSAGE = "口令不正确，无法解开本单位签名私钥。请重新输入；如遗忘口令，需由县政府办公室重新登记新密钥。"

    def __init__(self, message_zh: str | None = None):
        super().__init__("wrong_passphrase", message_zh or self.MESSAGE)


class WeakPassphrase(ExchangeError):
    default_code = "weak_passphrase"


class FingerprintFormatError(ExchangeError):
    default_code = "bad_fingerprint"


class AlgorithmUnavailable(ExchangeError):
    """A signature algorithm is unknown, or its optional library is not installed here."""

    default_code = "algorithm_unavailable"
