"""Official working days: chinesecalendar, then the county's own holiday table, else 暂定.

The State Council publishes next year's holidays around November; `chinesecalendar` lags behind.
For a year neither source covers we count Monday-Friday and flag every date derived from it as
tentative (暂定) instead of guessing silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache

import chinese_calendar


@cache
def _package_years() -> frozenset[int]:
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return frozenset(years)


@lru_cache(maxsize=100_000)
def _package_is_workday(day: dt.date) -> bool:
    return chinese_calendar.is_workday(day)


@dataclass(frozen=True)
class DueDate:
    day: dt.date
    tentative: bool  # 暂定: some day in the span fell in a year with no official calendar

    def text(self) -> str:
        return self.day.isoformat() + ("（暂定）" if self.tentative else "")


class WorkCalendar:
    """Answers 'is this a working day' from the package, the county's table, or weekday fallback."""

    def __init__(self, table: dict[dt.date, bool] | None = None):
        # table: day -> is_workday, as typed in by the county office from the State Council notice
        self.table = dict(table or {})
        self.table_years = frozenset(d.year for d in self.table)

    @classmethod
    def from_store(cls, store) -> WorkCalendar:
        rows = store.all("SELECT day, is_workday FROM holidays")
        return cls({dt.date.fromisoformat(r["day"]): bool(r["is_workday"]) for r in rows})

    def covered(self, year: int) -> bool:
        return year in _package_years() or year in self.table_years

    def is_workday(self, day: dt.date) -> tuple[bool, bool]:
        """(is working day, tentative)."""
        if day.year in _package_years():
            return _package_is_workday(day), False
        if day.year in self.table_years:
            if day in self.table:
                return self.table[day], False
            return day.weekday() < 5, False
        return day.weekday() < 5, True

    def add_workdays(self, start: dt.date, n: int) -> DueDate:
        """The n-th working day after `start` (start itself not counted)."""
        day, tentative, left = start, False, n
        while left > 0:
            day += dt.timedelta(days=1)
            work, tent = self.is_workday(day)
            tentative = tentative or tent
            if work:
                left -= 1
        return DueDate(day, tentative)

    def workdays_between(self, start: dt.date, end: dt.date) -> tuple[int, bool]:
        """Working days in (start, end]; negative if end < start."""
        if end < start:
            n, t = self.workdays_between(end, start)
            return -n, t
        count, tentative, day = 0, False, start
        while day < end:
            day += dt.timedelta(days=1)
            work, tent = self.is_workday(day)
            tentative = tentative or tent
            count += work
        return count, tentative


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
