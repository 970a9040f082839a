"""Text files a county PC produces: UTF-8 (with or without the BOM WPS and Notepad write), else GB18030,
the superset of the GBK every Chinese Windows PC saves in. One place decides, for every reader."""

from __future__ import annotations

ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(raw: bytes) -> str | None:
    """The text of `raw`, or None when it is neither UTF-8 nor GB18030 (the caller says so in Chinese)."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
