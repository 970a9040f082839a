"""The ledger import's parsers: dates and amounts in the forms offices type, and header detection."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.services.ledger_import import values as V
from desktop_app.services.ledger_import.mapping import auto_mapping, find_header_row, match_target

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@given(days)
def test_every_written_form_of_a_date_reads_the_same_day(day):
    forms = [day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
             f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y%m%d"), day,
             dt.datetime.combine(day, dt.time(9, 30)), float((day - dt.date(1899, 12, 30)).days),
             (day - dt.date(1899, 12, 30)).days]
    assert {V.parse_date(f) for f in forms} == {day.isoformat()}


@pytest.mark.parametrize("bad", ["2026-02-30", "明年", "3.5", "2026-13-01", 12])
def test_a_bad_date_is_refused_in_chinese(bad):
    with pytest.raises(ValueError, match="日期"):
        V.parse_date(bad)


@given(st.integers(min_value=0, max_value=10**11))
def test_amounts_in_yuan_and_wan_with_separators(fen):
    yuan = f"{fen // 100:,}.{fen % 100:02d}"
    assert V.parse_amount(yuan, V.YUAN) == fen
    assert V.parse_amount(yuan + "元", V.WAN) == fen  # the cell's own unit wins
    wan = f"{fen / 1_000_000:.6f}"
    assert V.parse_amount(wan, V.WAN) == fen
    assert V.parse_amount(wan + "万元", V.YUAN) == fen


def test_amount_forms():
    assert V.parse_amount(120, V.WAN) == 120_000_000
    assert V.parse_amount("1,150,000.00", V.YUAN) == 115_000_000
    assert V.parse_amount("３０万元", V.YUAN) == 30_000_000
    assert V.parse_amount("¥ 2，500", V.YUAN) == 250_000
    for bad in ("abc", "-5", "1.2.3", "", True):
        with pytest.raises(ValueError):
            V.parse_amount(bad, V.WAN)


def test_headers_are_matched_by_their_usual_names():
    assert match_target("总投资（万元）") == "total"
    assert match_target("合同金额(元)") == "contract_amount"
    assert match_target("项目建设单位") == "unit"
    assert match_target(" 计划\n年度 ") == "plan_year"
    assert match_target("其中：财政资金") == "fiscal"
    assert match_target("甲乙丙") is None


title = st.text(alphabet="蒙阴县项目台账汇总（）年月 0123456789", min_size=1, max_size=20)


@given(st.lists(st.one_of(st.none(), title), max_size=6), st.integers(min_value=0, max_value=5))
def test_the_header_is_found_under_title_rows_and_blank_rows(above, blanks):
    """Whatever one-cell title rows and blank rows stand above it, the header row is the one found."""
    rows, n = [], 1
    for t in above:
        if t is not None:
            rows.append((n, [t]))
        n += 1
    n += blanks
    header = ["序号", "项目名称", "建设单位", "年度", "总投资(万元)"]
    rows.append((n, header))
    rows.append((n + 1, [1, "某系统", "某局", 2026, 10]))
    assert find_header_row(rows) == n
    m = auto_mapping(rows)
    assert m.columns == {"name": 1, "unit": 2, "plan_year": 3, "total": 4} and m.units == {"total": "wan"}
