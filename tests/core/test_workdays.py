import datetime as dt

from desktop_app.lifecycle.workdays import WorkCalendar, add_months
from desktop_app.services import operations as ops

D = dt.date


def test_contract_signed_before_national_day_2026_is_due_13_october():
    # 1-7 Oct holiday, 8 and 9 Oct working, 10 Oct (Saturday) a make-up working day
    due = WorkCalendar().add_workdays(D(2026, 9, 30), 5)
    assert due.day == D(2026, 10, 13)
    assert not due.tentative


def test_ordinary_week_counts_weekdays_only():
    due = WorkCalendar().add_workdays(D(2026, 11, 20), 5)  # a Friday
    assert due.day == D(2026, 11, 27)


def test_year_without_calendar_is_tentative():
    due = WorkCalendar().add_workdays(D(2027, 1, 4), 5)
    assert due.tentative
    assert due.day == D(2027, 1, 11)
    assert "暂定" in due.text()


def test_span_crossing_into_uncovered_year_is_tentative():
    due = WorkCalendar().add_workdays(D(2026, 12, 29), 5)
    assert due.tentative


def test_county_table_makes_2027_official(county):
    # the State Council's 2027 New Year holiday, typed in by the county office
    ops.set_holidays(county.store, county.county, 2027, ["2027-01-01"], [])
    cal = WorkCalendar.from_store(county.store)
    due = cal.add_workdays(D(2026, 12, 31), 1)
    assert due.day == D(2027, 1, 4) and not due.tentative
    assert cal.covered(2027) and not cal.covered(2028)


def test_county_table_makeup_day_counts(county):
    ops.set_holidays(county.store, county.county, 2027, ["2027-02-08", "2027-02-09"], ["2027-02-06"])
    cal = WorkCalendar.from_store(county.store)
    assert cal.is_workday(D(2027, 2, 6)) == (True, False)
    assert cal.is_workday(D(2027, 2, 8)) == (False, False)


def test_workdays_between_is_signed():
    cal = WorkCalendar()
    assert cal.workdays_between(D(2026, 11, 20), D(2026, 11, 27))[0] == 5
    assert cal.workdays_between(D(2026, 11, 27), D(2026, 11, 20))[0] == -5


def test_add_months_clamps_month_end():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 30), 14) == D(2028, 1, 30)
