"""Dates and document numbers in the forms official papers use."""

from __future__ import annotations

import datetime as _dt

# Blank date line for a person to fill in by hand: 年 月 日 with room before each.
BLANK_DATE = "\u3000\u3000年\u3000\u3000月\u3000\u3000日"


def format_cn_date(date: _dt.date | None) -> str:
    """2026年11月24日 (no leading zeros, as GB/T 9704 writes 成文日期); blank line for None."""
    if date is None:
        return BLANK_DATE
    if isinstance(date, _dt.datetime):
        date = date.date()
    return f"{date.year}年{date.month}月{date.day}日"


def format_doc_no(prefix: str, year: int, number: int) -> str:
    """发文字号: 蒙政办字〔2026〕7号 — year in full inside 六角括号, no 第, no leading zeros."""
    if not prefix.strip():
        raise ValueError("发文机关代字不能为空")
    if not (1000 <= int(year) <= 9999):
        raise ValueError(f"年份「{year}」应为四位数字")
    if int(number) < 1:
        raise ValueError(f"发文顺序号「{number}」应为正整数")
    return f"{prefix.strip()}〔{int(year)}〕{int(number)}号"
