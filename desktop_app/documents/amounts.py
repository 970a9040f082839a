"""Money on printed forms: integer fen in, 万元 with 大写 (capital numerals) out.

Amounts are shown exactly, never rounded: a stamped form whose 万元 figure and
大写 disagree is worse than one with a long decimal. 1 万元 = 1,000,000 fen, so
万元 carries at most 6 decimals; we show at least 2 and drop trailing zeros beyond.
"""

from __future__ import annotations

import cn2an

from desktop_app.models.fields import FEN_PER_WAN, FEN_PER_YUAN, fen_to_wan_text


def _check(fen: int) -> int:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"amounts are integer fen, got {type(fen).__name__}")
    return fen


def yuan_str(fen: int) -> str:
    """12345.67 for 1234567 fen (always 2 decimals)."""
    fen = _check(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{yuan}.{cents:02d}"


def wan_str(fen: int) -> str:
    """123.45 for 123,450,000 fen; 1.234567 for 1,234,567 fen (exact, 2 to 6 decimals)."""
    return fen_to_wan_text(_check(fen), grouping=False)


def amount_in_words(fen: int) -> str:
    """The 大写 of an amount in 元角分: 壹佰贰拾叁万肆仟伍佰元整, 壹拾贰元叁角整, 壹拾贰元叁角伍分.

    《会计基础工作规范》第五十二条: 大写金额到"元"或"角"为止的，其后写"整"（或"正"）字；
    有"分"的，"分"字后面不写"整"字。We write 整. cn2an already ends 元 with 整, not 角.
    """
    fen = _check(fen)
    # A decimal string, never a float, so cn2an cannot round.
    words = cn2an.an2cn(yuan_str(fen), "rmb")
    return words + "整" if words.endswith("角") else words


def format_amount_wan(fen: int) -> str:
    """123.45万元（人民币壹佰贰拾叁万肆仟伍佰元整）."""
    return f"{wan_str(fen)}万元（人民币{amount_in_words(fen)}）"


def parse_wan(text: str) -> int:
    """Fen from a 万元 figure typed by a user ("123.45"); rejects more than 6 decimals."""
    s = text.strip().replace(",", "").replace("，", "")
    s = s.removesuffix("万元")
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    whole, _, frac = s.partition(".")
    if not whole.isdigit() and not (whole == "" and frac.isdigit()):
        raise ValueError(f"「{text}」不是有效的金额（万元）")
    if frac and not frac.isdigit() or len(frac) > 6:
        raise ValueError(f"「{text}」的小数位过多：万元金额最多精确到6位小数（即分）")
    return sign * (int(whole or "0") * FEN_PER_WAN + int(frac.ljust(6, "0") or "0"))
