"""Cell values as county offices type them: dates in every usual form, amounts in 元 or 万元.

Each parser returns the stored form (ISO date text, integer fen) or raises ValueError with the Chinese
reason, which the plan shows beside the sheet row number."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from desktop_app.models.fields import FEN_PER_WAN, FEN_PER_YUAN
from desktop_app.services.sheet_text import looks_like_formula

YUAN, WAN = "yuan", "wan"
UNIT_LABELS = {YUAN: "元", WAN: "万元"}
FEN_PER = {YUAN: Decimal(FEN_PER_YUAN), WAN: Decimal(FEN_PER_WAN)}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug makes day 60 the 29th of Feb)
SERIAL_RANGE = (10_000, 80_000)      # 1927..2119: a bare number outside this is not a date

_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value) -> str:
    """2026-09-30, 2026/9/30, 2026.9.30, 2026年9月30日, 20260930, a date cell or an Excel serial number."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != int(value) and value - int(value) > 0.9999:  # a time of day rounding up
            value = round(value)
        if not SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            raise ValueError(f"「{value:g}」不是日期，请写成 2026-09-30 或 2026年9月30日")
        return (EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
    text = str(value).strip().replace("　", "")
    m = _YMD.fullmatch(text) or _COMPACT.fullmatch(text)
    if not m:
        if re.fullmatch(r"\d+(\.0+)?", text):
            return parse_date(float(text))
        raise ValueError(f"「{text}」不是日期，请写成 2026-09-30 或 2026年9月30日")
    y, mo, d = (int(g) for g in m.groups()[:3])
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        raise ValueError(f"日期「{text}」不存在，请核对年月日") from None


def unit_in_text(text: str) -> str | None:
    """The amount unit a header or a cell names: 万元 / 万 → wan, 元 → yuan."""
    if "万" in text:
        return WAN
    if "元" in text:
        return YUAN
    return None


def parse_amount(value, unit: str) -> int:
    """An amount in `unit` (元 or 万元) as integer fen; '1,234.5', '１２万元' and '300元' (the cell's own unit
    wins over the column's) are read."""
    if isinstance(value, bool):
        raise ValueError("金额必须是数字")  # noqa: TRY004  (callers catch ValueError for every bad cell)
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        text = str(value).strip()
        # full-width digits and punctuation (typed with a Chinese input method)
        text = text.translate(str.maketrans("０１２３４５６７８９．，－", "0123456789.,-"))
        text = re.sub(r"[\s,，¥￥]", "", text)
        own = unit_in_text(text)
        if own:
            unit = own
            text = re.sub(r"(万元|万|元|人民币)$", "", text)
        if not _NUMBER.fullmatch(text):
            raise ValueError(f"金额「{value}」不是数字")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"金额「{value}」不是数字") from None
    if not number.is_finite():
        raise ValueError(f"金额「{value}」不是数字")
    if number < 0:
        raise ValueError(f"金额「{value}」不能为负数")
    fen = (number * FEN_PER[unit]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if fen > 10**15:  # 100 亿元: beyond any county project; a misplaced unit or a pasted number
        raise ValueError(f"金额「{value}」{UNIT_LABELS[unit]}过大，请核对金额单位")
    return int(fen)


def parse_year(value) -> int:
    """2026, 2026.0, '2026', '2026年', '2026年度'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value):
        year = int(value)
    elif isinstance(value, (dt.date, dt.datetime)):
        year = value.year
    else:
        m = re.fullmatch(r"(\d{4})\s*(年度?)?", str(value).strip())
        if not m:
            raise ValueError(f"年度「{value}」应为四位数字，如 2026")
        year = int(m.group(1))
    if not 2000 <= year <= 2100:
        raise ValueError(f"年度「{value}」不在 2000—2100 之间")
    return year




def text(value) -> str:
    """A cell as text: a whole float loses its '.0' (a number typed into a text column); the apostrophe
    that kept a leading = + - @ from being a formula (typed by hand, or written by this program's exports
    before they marked text cells with quotePrefix instead) is taken off."""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    out = str(value)
    if out.startswith("'") and looks_like_formula(out[1:]):
        out = out[1:]
    return out.strip()
