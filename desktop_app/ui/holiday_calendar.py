"""A month calendar with one year's days off and make-up working days coloured, for confirmation
before the holiday table is saved."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtGui import QBrush, QColor, QTextCharFormat
from PySide6.QtWidgets import QCalendarWidget, QHBoxLayout, QLabel, QVBoxLayout, QWidget

HOLIDAY_BG, HOLIDAY_FG = "#ffcdd2", "#b71c1c"   # 放假
WORKDAY_BG, WORKDAY_FG = "#bbdefb", "#0d47a1"   # 调休上班


def _fmt(bg: str, fg: str) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setBackground(QBrush(QColor(bg)))
    f.setForeground(QBrush(QColor(fg)))
    f.setFontWeight(700)
    return f


class HolidayCalendar(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setMinimumSize(340, 230)
        self.holidays: list[dt.date] = []
        self.workdays: list[dt.date] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.calendar)
        legend = QHBoxLayout()
        for text, bg, fg in (("放假", HOLIDAY_BG, HOLIDAY_FG), ("调休上班", WORKDAY_BG, WORKDAY_FG)):
            swatch = QLabel(f" {text} ")
            swatch.setStyleSheet(f"background:{bg}; color:{fg}; font-weight:bold; border-radius:3px")
            legend.addWidget(swatch)
        self.count = QLabel()
        legend.addWidget(self.count)
        legend.addStretch(1)
        lay.addLayout(legend)

    def show_days(self, holidays: list[dt.date], workdays: list[dt.date], year: int) -> None:
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clear every earlier mark
        self.holidays, self.workdays = sorted(holidays), sorted(workdays)
        self.calendar.setDateRange(QDate(year, 1, 1), QDate(year, 12, 31))
        for days, fmt in ((self.holidays, _fmt(HOLIDAY_BG, HOLIDAY_FG)), (self.workdays, _fmt(WORKDAY_BG, WORKDAY_FG))):
            for d in days:
                self.calendar.setDateTextFormat(QDate(d.year, d.month, d.day), fmt)
        first = self.holidays[0] if self.holidays else dt.date(year, 1, 1)
        self.calendar.setCurrentPage(first.year, first.month)
        self.calendar.setSelectedDate(QDate(first.year, first.month, first.day))
        self.count.setText(f"{year}年：放假{len(self.holidays)}天，调休上班{len(self.workdays)}天")

    def mark(self, day: dt.date) -> str:
        """放假 / 调休上班 / "" as the calendar shows the day (what a test reads back)."""
        fmt = self.calendar.dateTextFormat(QDate(day.year, day.month, day.day))
        colour = fmt.background().color().name()
        return {HOLIDAY_BG: "放假", WORKDAY_BG: "调休上班"}.get(colour, "")
