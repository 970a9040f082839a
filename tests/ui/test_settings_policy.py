"""系统设置 driven through its real widgets: a policy value edited (an invalid one refused, a valid one
moves a due date on 工作台), a holiday table entered by pasting the State Council's notice."""

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop_app.lifecycle.policy import POLICY_FIELDS, load_profile
from desktop_app.lifecycle.rules import STATE_LABELS, UPCOMING
from desktop_app.services import stats
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.workbench import COL

NOTICES = Path(__file__).resolve().parents[1] / "core" / "notices"


@pytest.fixture
def window(app, qtbot, shell_county, tmp_path, dialogs):
    w = MainWindow(shell_county.session, shell_county.path, QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.pages["workbench"].loaded, timeout=15000)
    return w


def contract_due(bench) -> str:
    """The due date 工作台 shows for the contract HT-2028-01 (signed 2028-01-28, to be filed)."""
    m = bench.model
    for g in range(m.rowCount()):
        group = m.index(g, 0)
        if not group.data().startswith(STATE_LABELS[UPCOMING]):
            continue
        for r in range(m.rowCount(group)):
            if "HT-2028-01" in (m.index(r, COL["事项"], group).data() or ""):
                return m.index(r, COL["期限"], group).data()
    raise AssertionError("the contract's filing deadline is not on 工作台")


def test_policy_edit_refused_then_saved_moves_the_due_date_on_the_workbench(window, qtbot, shell_county):
    bench = window.pages["workbench"]
    assert contract_due(bench).startswith("2028-02-04")  # Friday 28 January + 5 working days
    window.show_page("settings")
    editor = window.pages["settings"].policy
    # each value shows its clause and basis; where the notice gives no number: 本县执行口径
    assert editor.inputs["contract_filing_workdays"].value() == 5
    assert editor.inputs["contract_filing_workdays"].suffix() == " 个工作日"
    texts = [w.text() for w in editor.findChildren(type(editor.error))]
    assert "合同及采购文件备案期限" in texts and "第四条" in texts and "本县执行口径" in texts

    # a day that does not exist in the month: refused naming the field, nothing stored
    editor.inputs["application_month"].setValue(2)
    editor.inputs["application_day"].setValue(30)
    editor.save_button.click()
    assert "「年度申报截止日」：2月没有30日" in editor.error.text()
    assert "#c62828" in editor.inputs["application_day"].styleSheet()
    assert load_profile(shell_county.session.store).application_month == 8
    # a window whose lower bound is not below its upper bound
    editor.revert_button.click()
    assert editor.inputs["application_month"].value() == 8 and editor.error.text() == ""
    editor.inputs["self_eval_min_months"].setValue(24)
    editor.save_button.click()
    assert "必须小于" in editor.error.text()
    editor.revert_button.click()

    # a valid value: saved, audited, and 工作台 shows the new due date
    editor.inputs["contract_filing_workdays"].setValue(3)
    with qtbot.waitSignal(window.pages["settings"].deadlines_changed, timeout=15000):
        editor.save_button.click()
    assert editor.error.text() == "" and "已保存政策参数" in editor.message.text()
    assert load_profile(shell_county.session.store).contract_filing_workdays == 3
    qtbot.waitUntil(lambda: contract_due(bench).startswith("2028-02-02"), timeout=15000)
    entry = shell_county.session.store.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert entry["operation"] == "修改政策参数" and "contract_filing_workdays" in entry["summary"]


def test_holiday_table_from_pasted_notice_shown_on_the_calendar_then_saved(window, qtbot, dialogs, shell_county):
    window.show_page("settings")
    page = window.pages["settings"]
    page.h_year.setValue(2026)
    # text with no dates: refused, the boxes keep what they had
    page.h_notice.setPlainText("国务院办公厅关于2026年部分节假日安排的通知")
    page.h_parse.click()
    assert "没有找到日期" in page.h_error.text()
    page.h_notice.setPlainText((NOTICES / "2026.txt").read_text(encoding="utf-8"))
    page.h_parse.click()
    assert page.h_error.text() == ""
    assert "春节：放假9天（2月15日至2月23日），2月14日、2月28日上班" in page.h_summary.text()
    cal = page.h_calendar
    assert cal.mark(dt.date(2026, 2, 16)) == "放假" and cal.mark(dt.date(2026, 2, 14)) == "调休上班"
    assert cal.mark(dt.date(2026, 2, 13)) == "" and cal.mark(dt.date(2026, 10, 10)) == "调休上班"
    assert (cal.calendar.yearShown(), cal.calendar.monthShown()) == (2026, 1)
    assert "放假33天，调休上班6天" in cal.count.text()
    assert stats.holidays_of_year(shell_county.session.store, 2026) == ([], [])  # nothing saved yet
    with qtbot.waitSignal(page.deadlines_changed, timeout=15000):  # deadlines recomputed in the worker
        page.h_save.click()
    days, work = stats.holidays_of_year(shell_county.session.store, 2026)
    assert len(days) == 33 and work == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
                                        "2026-10-10"]
    assert any(t == "节假日安排" for _, t, _ in dialogs.shown)
    # a date that does not exist in the pasted text: refused in Chinese, the stored table unchanged
    page.h_notice.setPlainText("一、元旦：1月1日放假。二、春节：2月30日至3月2日放假调休。")
    page.h_parse.click()
    assert "2月没有30日" in page.h_error.text()
    assert len(stats.holidays_of_year(shell_county.session.store, 2026)[0]) == 33


def test_policy_is_read_only_for_a_unit(app, qtbot, tmp_path):
    from desktop_app.services.session import Session
    from desktop_app.ui.settings_page import SettingsPage
    from tests.core.builders import make_county

    c = make_county(tmp_path / "u.db")
    page = SettingsPage(Session(c.store, c.unit), str(tmp_path / "u.db"))
    qtbot.addWidget(page)
    editor = page.policy
    assert not editor.save_button.isEnabled() and not editor.inputs["application_month"].isEnabled()
    assert "县政府办公室" in editor.message.text()
    assert not page.h_parse.isEnabled()
    assert set(editor.inputs) == set(POLICY_FIELDS)
