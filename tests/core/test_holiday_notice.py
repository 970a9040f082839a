"""The State Council's holiday notice, pasted as text, read into days off and make-up working days."""

import datetime as dt
from pathlib import Path

import pytest
from chinese_calendar import constants as official
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.errors import ValidationError
from desktop_app.services import holiday_notice as H

NOTICES = Path(__file__).parent / "notices"
D = dt.date


def days(*spans) -> list[dt.date]:
    out = []
    for first, last in spans:
        out += [first + dt.timedelta(i) for i in range((last - first).days + 1)]
    return out


def test_the_2025_notice():
    n = H.parse((NOTICES / "2025.txt").read_text(encoding="utf-8"), 2025)
    assert n.holidays == days((D(2025, 1, 1), D(2025, 1, 1)), (D(2025, 1, 28), D(2025, 2, 4)),
                              (D(2025, 4, 4), D(2025, 4, 6)), (D(2025, 5, 1), D(2025, 5, 5)),
                              (D(2025, 5, 31), D(2025, 6, 2)), (D(2025, 10, 1), D(2025, 10, 8)))
    assert n.workdays == [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]
    assert [f.name for f in n.festivals] == ["元旦", "春节", "清明节", "劳动节", "端午节", "国庆节、中秋节"]
    assert n.other_year == []  # the date the notice was signed (2024年11月12日) is neither off nor working


@pytest.mark.parametrize("year", [2025, 2026])
def test_real_notices_agree_with_chinesecalendar(year):
    n = H.parse((NOTICES / f"{year}.txt").read_text(encoding="utf-8"), year)
    assert set(n.holidays) == {d for d in official.holidays if d.year == year}
    assert set(n.workdays) == {d for d in official.workdays if d.year == year}


def test_the_example_from_the_issue_and_its_summary():
    text = ("一、元旦：1月1日至3日放假调休，共3天。1月4日（星期日）上班。二、春节：2月15日（农历腊月二十八）"
            "至23日（农历正月初七）放假调休，共9天。2月14日（星期六）、2月28日（星期六）上班。")
    n = H.parse(text, 2026)
    assert n.holidays == days((D(2026, 1, 1), D(2026, 1, 3)), (D(2026, 2, 15), D(2026, 2, 23)))
    assert n.workdays == [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28)]
    assert n.summary().splitlines() == ["元旦：放假3天（1月1日至1月3日），1月4日上班",
                                        "春节：放假9天（2月15日至2月23日），2月14日、2月28日上班"]


def test_full_width_digits_plain_brackets_and_one_line_per_festival():
    text = "元旦：１月１日(星期五)至３日放假,共３天。\r\n春节：2月10日～16日放假调休；2月7日（星期日）、2月20日上班"
    n = H.parse(text, 2027)
    assert n.holidays == days((D(2027, 1, 1), D(2027, 1, 3)), (D(2027, 2, 10), D(2027, 2, 16)))
    assert n.workdays == [D(2027, 2, 7), D(2027, 2, 20)]


def test_a_range_across_the_new_year_keeps_only_this_years_days():
    text = "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。"
    n = H.parse(text, 2023)
    assert n.holidays == [D(2023, 1, 1), D(2023, 1, 2)] and n.other_year == [D(2022, 12, 31)]
    n = H.parse("一、元旦：12月30日至1月1日放假调休，共3天。", 2029)
    assert n.holidays == [D(2029, 12, 30), D(2029, 12, 31)] and n.other_year == [D(2030, 1, 1)]
    assert "不属于2029年" in n.summary()


@pytest.mark.parametrize(("text", "says"), [
    ("", "没有找到日期"),
    ("经国务院批准，现将放假安排通知如下。", "没有找到日期"),
    ("二、春节：2月30日至3月2日放假调休，共3天。", "2月没有30日"),
    ("元旦：1月1日放假。2027年2月29日上班。", "2027年2月没有29日"),
    ("春节：2月16日至10日放假。", "结束日期早于开始日期"),
    ("元旦：1月1日至3日放假调休，共4天。", "写明共4天，但所列日期共3天"),
    ("元旦：1月1日至3日放假。1月3日上班。", "既写作放假又写作上班"),
    ("元旦：1月1日放假。春节：1月1日放假。", "出现了两次"),
    ("元旦：1月4日上班。", "没有2027年的放假日期"),
    ("国务院办公厅 2026年11月4日", "没有2027年的放假日期"),
])
def test_refusals_in_chinese(text, says):
    with pytest.raises(ValidationError) as exc:
        H.parse(text, 2027)
    assert says in exc.value.fields["notice"]


# ---- any notice the State Council could write reads back ------------------------------------------------

FULL = str.maketrans("0123456789:,;()", "０１２３４５６７８９：，；（）")
WEEK = "一二三四五六日"
NAMES = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


@st.composite
def notices(draw):
    year = draw(st.integers(2000, 2099))
    cursor = dt.date(year, 1, 1)
    festivals = []
    for _ in range(draw(st.integers(1, 7))):
        first = cursor + dt.timedelta(draw(st.integers(0, 40)))
        length = draw(st.integers(1, 9))
        last = first + dt.timedelta(length - 1)
        if last.year != year:
            break
        cursor = last + dt.timedelta(1)
        festivals.append([first, last, []])
    off = {d for f in festivals for d in days((f[0], f[1]))}
    pool = [d for d in days((dt.date(year, 1, 1), dt.date(year, 12, 31))) if d not in off]
    for f in festivals:
        f[2] = sorted(draw(st.sets(st.sampled_from(pool), max_size=3)))
        pool = [d for d in pool if d not in f[2]]
    return year, festivals, draw(st.booleans()), draw(st.booleans()), draw(st.booleans())


def md(d: dt.date, weekday: bool) -> str:
    return f"{d.month}月{d.day}日" + (f"（星期{WEEK[d.weekday()]}）" if weekday else "")


def render(festivals, weekday: bool, numbered: bool) -> str:
    items = []
    for i, (first, last, work) in enumerate(festivals):
        if first == last:
            off = md(first, weekday)
        else:
            end = f"{last.day}日" if last.month == first.month else f"{last.month}月{last.day}日"
            off = f"{md(first, weekday)}至{end}" + (f"（星期{WEEK[last.weekday()]}）" if weekday else "")
        text = f"{NAMES[i]}：{off}放假调休，共{(last - first).days + 1}天。"
        if work:
            text += "、".join(md(d, weekday) for d in work) + "上班。"
        items.append((f"{'一二三四五六七'[i]}、" if numbered else "") + text)
    return ("" if numbered else "\n").join(items)


@settings(max_examples=150, deadline=None)
@given(notices())
def test_any_rendered_notice_reads_back(case):
    year, festivals, weekday, numbered, full_width = case
    text = render(festivals, weekday, numbered)
    if full_width:
        text = text.translate(FULL)
    n = H.parse(text, year)
    assert n.holidays == sorted(d for f in festivals for d in days((f[0], f[1])))
    assert n.workdays == sorted(d for f in festivals for d in f[2])
    assert [f.name for f in n.festivals] == NAMES[:len(festivals)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789１２月日年至放假上班休共天、，。；：（）() 一二三\n-")), max_size=80))
def test_any_text_is_read_or_refused_in_chinese(text):
    try:
        n = H.parse(text, 2027)
    except ValidationError as exc:
        assert exc.fields["notice"]
    else:
        assert n.holidays and all(d.year == 2027 for d in n.holidays + n.workdays)
        assert not set(n.holidays) & set(n.workdays)
