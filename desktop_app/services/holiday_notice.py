"""Read the State Council's holiday notice (国务院办公厅关于某年部分节假日安排的通知) as pasted text.

"一、元旦：1月1日至3日放假调休，共3天。1月4日（星期日）上班。二、春节：…" becomes, for one year, the
days off (放假) and the make-up working days (调休上班). Notes in brackets (星期、农历) are dropped,
full-width digits and punctuation are read as their plain forms, a range may cross a month
("1月28日至2月4日") and its end may omit the month ("2月15日至23日"). A date may carry its year
("2024年12月31日"); days of another year are reported in `other_year`, not entered.

Refused in Chinese (ValidationError, field "notice"): text with no dates, a date that does not exist,
a range that runs backwards, a day both off and working, a stated total (共N天) that the dates do not
give. Nothing here writes; the caller saves through operations.set_holidays.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from desktop_app.errors import ValidationError

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_ITEM = re.compile(r"(?:^|(?<=[\n。;]))\s*[一二三四五六七八九十]+[、.]")
_DATE = r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_RANGE = re.compile(_DATE + r"(?:\s*(?:至|到|~|-|—|–|―)\s*(?:(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*)?(\d{1,2})\s*日)?")
_TOTAL = re.compile(r"共\s*(\d{1,2})\s*天")
_CLAUSE = re.compile(r"[。;,，；\n]")


@dataclass
class Festival:
    """One numbered item of the notice: its name, days off and make-up working days (this year only)."""

    name: str
    holidays: list[dt.date] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)


@dataclass
class HolidayNotice:
    year: int
    festivals: list[Festival]
    other_year: list[dt.date] = field(default_factory=list)  # dated in the notice but of another year

    @property
    def holidays(self) -> list[dt.date]:
        return sorted(d for f in self.festivals for d in f.holidays)

    @property
    def workdays(self) -> list[dt.date]:
        return sorted(d for f in self.festivals for d in f.workdays)

    def summary(self) -> str:
        lines = []
        for f in self.festivals:
            text = f"{f.name}：放假{len(f.holidays)}天"
            if f.holidays:
                text += f"（{_md(f.holidays[0])}至{_md(f.holidays[-1])}）" if len(f.holidays) > 1 else \
                    f"（{_md(f.holidays[0])}）"
            if f.workdays:
                text += "，" + "、".join(_md(d) for d in f.workdays) + "上班"
            lines.append(text)
        if self.other_year:
            lines.append("不属于" + str(self.year) + "年、未录入：" + "、".join(d.isoformat() for d in self.other_year))
        return "\n".join(lines)


def _md(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def _refuse(message: str) -> ValidationError:
    return ValidationError({"notice": message})


def normalise(text: str) -> str:
    """Full-width digits and punctuation as plain ones, bracketed notes (星期、农历) removed."""
    text = unicodedata.normalize("NFKC", text).replace("\r", "\n").replace("\u3000", " ")
    text = text.replace("〜", "~").replace("～", "~")
    while True:  # innermost brackets first, so a note inside a note goes too
        stripped = _BRACKETS.sub("", text)
        if stripped == text:
            return text
        text = stripped


def _day(year: int | None, month: int, day: int, default_year: int, shown: str) -> dt.date:
    try:
        return dt.date(year or default_year, month, day)
    except ValueError:
        raise _refuse(f"通知中的日期「{shown}」不存在（{year or default_year}年{month}月没有{day}日），"
                      "请核对粘贴的原文") from None


def _dates(clause: str, year: int) -> list[dt.date]:
    out: list[dt.date] = []
    for m in _RANGE.finditer(clause):
        y1, m1, d1, y2, m2, d2 = m.groups()
        first = _day(int(y1) if y1 else None, int(m1), int(d1), year, m.group(0))
        if d2 is None:
            out.append(first)
            continue
        month2 = int(m2) if m2 else first.month
        # "12月30日至1月1日": a range that ends in an earlier month ends in the next year
        year2 = int(y2) if y2 else first.year + (month2 < first.month)
        last = _day(year2, month2, int(d2), year, m.group(0))
        if last < first:
            raise _refuse(f"「{m.group(0)}」的结束日期早于开始日期，请核对粘贴的原文")
        if (last - first).days > 31:
            raise _refuse(f"「{m.group(0)}」连续放假超过一个月，请核对粘贴的原文")
        out.extend(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return out


def _items(text: str) -> list[tuple[str, str]]:
    """(name, body) for each numbered item; a text without numbers is one item per line."""
    marks = list(_ITEM.finditer(text))
    if marks:
        chunks = [text[m.end():(marks[i + 1].start() if i + 1 < len(marks) else len(text))]
                  for i, m in enumerate(marks)]
    else:
        chunks = [line for line in text.split("\n") if line.strip()]
    out = []
    for chunk in chunks:
        head, sep, rest = chunk.partition(":")
        if sep and not re.search(r"\d", head) and len(head.strip()) <= 16:
            out.append((head.strip(), rest))
        else:
            out.append(("", chunk))
    return out


def parse(text: str, year: int) -> HolidayNotice:
    """The days off and make-up working days of `year` stated in the notice's text."""
    clean = normalise(text or "")
    festivals: list[Festival] = []
    other: set[dt.date] = set()
    seen: dict[dt.date, str] = {}
    ignored: list[dt.date] = []
    for n, (name, body) in enumerate(_items(clean), 1):
        fest = Festival(name or f"第{n}项")
        off_in_item: list[dt.date] = []
        for clause in _CLAUSE.split(body):
            days = _dates(clause, year)
            if not days:
                continue
            working = "上班" in clause
            if not working and "放假" not in clause and "休" not in clause:
                ignored.extend(days)  # e.g. the date the notice was signed
                continue
            if not working:
                off_in_item.extend(days)
            for d in days:
                kind = "上班" if working else "放假"
                if d in seen:
                    if seen[d] != kind:
                        raise _refuse(f"{d.month}月{d.day}日既写作放假又写作上班，请核对粘贴的原文")
                    raise _refuse(f"{d.month}月{d.day}日出现了两次，请核对粘贴的原文")
                seen[d] = kind
                if d.year != year:
                    other.add(d)
                elif working:
                    fest.workdays.append(d)
                else:
                    fest.holidays.append(d)
        total = _TOTAL.search(body)
        if total and off_in_item and int(total.group(1)) != len(off_in_item):
            raise _refuse(f"「{fest.name}」写明共{total.group(1)}天，但所列日期共{len(off_in_item)}天，请核对粘贴的原文")
        if fest.holidays or fest.workdays:
            fest.holidays.sort()
            fest.workdays.sort()
            festivals.append(fest)
    if not seen and not ignored:
        raise _refuse("粘贴的文字中没有找到日期（应如“1月1日至3日放假调休，共3天。1月4日（星期日）上班。”），"
                      "请粘贴国务院办公厅节假日安排通知的正文")
    notice = HolidayNotice(year, festivals, sorted(other))
    if not notice.holidays:
        raise _refuse(f"粘贴的文字中没有{year}年的放假日期（应写明“放假”），请核对年度和粘贴的原文")
    return notice
