"""Centralised review (第三条): the scoring sheet and the panel's result. Pure: no store, no Qt.

The sheet is data in the county policy profile (`PolicyProfile.review_sheet`, text such as
"必要性:25；可行性:25；…"): each item has a weight, the weights add up to 100. An expert scores every
item from 0 to 100; the expert's total is the weighted mean. The panel's result is the average and the
spread (highest minus lowest) of the experts' totals, and an outlier flag: an expert whose total lies
more than `outlier_points` (profile: `review_outlier_points`) from the panel's median. With fewer than
three experts no one is flagged: of two differing experts neither is "the odd one out".
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

DEFAULT_SHEET = "必要性:25；可行性:25；整合共享:20；投资合理性:15；安全保障:15"
SCORE_MAX = 100
MIN_FOR_OUTLIERS = 3
ITEM_NAME_MAX = 12


class SheetError(ValueError):
    """The sheet text cannot be read; the message says what is wrong, in Chinese."""


@dataclass(frozen=True)
class SheetItem:
    name: str
    weight: int


def parse_sheet(text: str) -> tuple[SheetItem, ...]:
    """The items of a sheet text ("名称:权重" separated by ；or ;), or SheetError naming the fault."""
    parts = [p.strip() for p in re.split(r"[;；\n]", text or "") if p.strip()]
    if not parts:
        raise SheetError("评分表至少要有一个评分项，格式如“必要性:25；可行性:25”")
    items: list[SheetItem] = []
    for part in parts:
        m = re.fullmatch(r"(.+?)\s*[:：]\s*(\d{1,3})", part)
        if not m:
            raise SheetError(f"评分项「{part}」应写成“名称:权重”，如“必要性:25”")
        name, weight = m.group(1).strip(), int(m.group(2))
        if len(name) > ITEM_NAME_MAX:
            raise SheetError(f"评分项名称「{name}」太长（不超过{ITEM_NAME_MAX}个字）")
        if weight <= 0:
            raise SheetError(f"评分项「{name}」的权重须大于0")
        if any(i.name == name for i in items):
            raise SheetError(f"评分项「{name}」重复")
        items.append(SheetItem(name, weight))
    total = sum(i.weight for i in items)
    if total != 100:
        raise SheetError(f"各评分项权重之和须为100，现为{total}")
    return tuple(items)


def sheet_text(items: tuple[SheetItem, ...]) -> str:
    return "；".join(f"{i.name}:{i.weight}" for i in items)


def check_scores(items: tuple[SheetItem, ...], scores: dict[str, object]) -> dict[str, int]:
    """Every item scored with a whole number 0..100, nothing else; raises SheetError in Chinese."""
    names = [i.name for i in items]
    unknown = [k for k in scores if k not in names]
    if unknown:
        raise SheetError(f"评分表没有「{'、'.join(unknown)}」这一项（评分项：{'、'.join(names)}）")
    missing = [n for n in names if scores.get(n) in (None, "")]
    if missing:
        raise SheetError(f"请为「{'、'.join(missing)}」打分（0至{SCORE_MAX}分）")
    clean = {}
    for n in names:
        raw = str(scores[n]).strip()
        if not raw.isdigit() or not 0 <= int(raw) <= SCORE_MAX:
            raise SheetError(f"「{n}」的得分应为0至{SCORE_MAX}的整数，现为「{scores[n]}」")
        clean[n] = int(raw)
    return clean


def weighted_total(items: tuple[SheetItem, ...], scores: dict[str, int]) -> Fraction:
    """The expert's total: Σ score × weight / Σ weight, exact (rounded only for display)."""
    weights = sum(i.weight for i in items)
    return Fraction(sum(scores[i.name] * i.weight for i in items), weights)


def points(value: Fraction | None) -> str:
    """A score as printed: one decimal, halves rounded up (85.25 → 85.3)."""
    if value is None:
        return "—"
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return str(d.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Panel:
    totals: dict[str, Fraction]        # expert -> weighted total
    average: Fraction | None
    median: Fraction | None
    spread: Fraction | None            # highest minus lowest total
    outliers: frozenset[str]           # experts more than `outlier_points` from the median
    outlier_points: int


def panel(totals: dict[str, Fraction], outlier_points: int) -> Panel:
    if not totals:
        return Panel({}, None, None, None, frozenset(), outlier_points)
    values = list(totals.values())
    average = sum(values, Fraction(0)) / len(values)
    median = Fraction(statistics.median(values))
    spread = max(values) - min(values)
    outliers = frozenset(
        e for e, t in totals.items() if len(values) >= MIN_FOR_OUTLIERS and abs(t - median) > outlier_points)
    return Panel(dict(totals), average, median, spread, outliers, outlier_points)
