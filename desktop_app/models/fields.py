"""Field types and value parsing. Money is integer fen (分), never float; dates are ISO text."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分: the one definition (tests/core/test_one_place.py)

TEXT, LONGTEXT, DATE, MONEY, INT, BOOL, ENUM, REF = (
    "text", "longtext", "date", "money", "int", "bool", "enum", "ref",
)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (code, 中文)
    min: int | None = None
    max: int | None = None
    max_len: int = 500
    ref_kind: str | None = None
    unit: str = ""

    def choice_label(self, code) -> str:
        for c, label in self.choices:
            if c == code:
                return label
        return "" if code is None else str(code)


@dataclass(frozen=True)
class Kind:
    """A record kind: one table, its fields, who owns it, and whether it hangs off a project."""

    name: str
    table: str
    label: str
    fields: tuple[Field, ...]
    project_scoped: bool = True
    parent: str | None = None  # name of a parent id column (e.g. review_id)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def owner_roles(self) -> tuple[str, ...]:
        """Roles that write this kind: declared once, in `models.authority`."""
        from desktop_app.models.authority import writers

        return writers(self.name)

    @functools.cached_property  # asked once per field checked; a kind's fields never change
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @functools.cached_property
    def column_set(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_money_wan(value) -> int:
    """'120.5' (万元) -> 120500000 fen. int input is taken as fen already."""
    if isinstance(value, bool):
        raise ValueError("金额必须是数字")  # noqa: TRY004  (callers catch ValueError for every bad input)
    if isinstance(value, int):
        fen = value
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        text = text.removesuffix("万元").strip()
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
            raise ValueError(f"金额「{value}」不是数字，请以万元为单位填写，例如 120.5")
        try:
            dec = Decimal(text) * FEN_PER_WAN
        except InvalidOperation as exc:  # pragma: no cover - regex already guards
            raise ValueError(f"金额「{value}」不是数字") from exc
        if dec != dec.to_integral_value():
            raise ValueError(f"金额「{value}」小数位过多：万元最多保留 6 位小数（精确到分）")
        fen = int(dec)
    if fen < 0:
        raise ValueError("金额不能为负数")
    if fen > 10**15:
        raise ValueError("金额过大，请核对单位（万元）")
    return fen


def fen_to_wan_text(fen: int | None, places: int = 2, *, grouping: bool = True) -> str:
    """The one money formatter: fen -> 万元, exact, never rounded (a refusal must not say "100.00 exceeds
    100.00"). At least `places` decimals, more (up to 6: 1 分) only when the amount needs them;
    thousands separated unless `grouping` is off (an edit field). None -> ""."""
    if fen is None or fen == "":
        return ""
    text = f"{Decimal(int(fen)) / FEN_PER_WAN:{',' if grouping else ''}.6f}"  # exact: a fen is 0.000001 万元
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(places, "0")
    return f"{whole}.{decimals}" if decimals else whole


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value) -> str:
    if type(value) is str and _ISO_DAY.fullmatch(value):  # the stored form already (packages, edits)
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise ValueError(f"日期「{value}」不存在，请核对年月日") from exc
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValueError(f"日期「{value}」格式不对，请填写如 2026-11-24")
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError as exc:
        raise ValueError(f"日期「{value}」不存在，请核对年月日") from exc


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # control characters other than tab and newline


def parse_value(f: Field, value):
    """Parse one raw value (str from a form/CLI, or typed) into its stored form. Raises ValueError (中文)."""
    if _blank(value):
        if f.required:
            raise ValueError(f"「{f.label}」为必填项，不能为空")
        return None
    if f.type in (TEXT, LONGTEXT, REF):
        text = str(value).strip()
        limit = f.max_len if f.type != LONGTEXT else max(f.max_len, 20000)
        if len(text) > limit:
            raise ValueError(f"「{f.label}」过长（{len(text)} 字），最多 {limit} 字")
        if _CONTROL.search(text):
            raise ValueError(f"「{f.label}」含有不可见的控制字符，请删除后再保存")
        return text
    if f.type == DATE:
        return parse_date(value)
    if f.type == MONEY:
        try:
            return parse_money_wan(value)
        except ValueError as exc:
            raise ValueError(f"「{f.label}」：{exc}") from None
    if f.type == INT:
        if isinstance(value, bool):
            raise ValueError(f"「{f.label}」必须是整数")
        try:
            n = value if type(value) is int else int(str(value).strip())
        except ValueError:
            raise ValueError(f"「{f.label}」必须是整数，现为「{value}」") from None
        if f.min is not None and n < f.min:
            raise ValueError(f"「{f.label}」不能小于 {f.min}")
        if f.max is not None and n > f.max:
            raise ValueError(f"「{f.label}」不能大于 {f.max}")
        return n
    if f.type == BOOL:
        if isinstance(value, bool):
            return int(value)
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "y", "是", "有", "√"):
            return 1
        if text in ("0", "false", "no", "n", "否", "无", "×"):
            return 0
        raise ValueError(f"「{f.label}」只能填“是”或“否”")
    if f.type == ENUM:
        text = str(value).strip()
        for code, label in f.choices:
            if text in (code, label):
                return code
        allowed = "、".join(label for _, label in f.choices)
        raise ValueError(f"「{f.label}」的值「{value}」不在可选范围内（可选：{allowed}）")
    raise AssertionError(f"unknown field type {f.type}")
