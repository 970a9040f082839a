"""The main window: navigation, status bar, remembered geometry, project windows, statistics, settings."""

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings

from desktop_app.services import operations as ops
from desktop_app.ui import main_window as mw
from desktop_app.ui.main_window import PAGES, MainWindow
from tests.core.builders import actor_for


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "govis.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(app, qtbot, shell_county, settings, dialogs):
    w = MainWindow(shell_county.session, shell_county.path, settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_status_bar_names_org_role_user_and_database(window, shell_county):
    text = window.status_text()
    assert "单位：蒙阴县人民政府办公室（MYXZF）" in text
    assert "角色：县政府办公室" in text
    assert "用户：系统管理员（admin，管理员）" in text
    assert f"数据库：{shell_county.path}" in text
    assert window.windowTitle().endswith("蒙阴县人民政府办公室")


def test_navigation_has_only_built_screens_and_loads_lazily(window, qtbot):
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["工作台", "项目台账", "年度申报", "统计分析", "数据交换", "单位与密钥", "操作日志", "备份与恢复",
                      "系统设置"]
    qtbot.waitUntil(lambda: window.pages["workbench"].loaded, timeout=15000)
    assert not window.pages["ledger"].loaded
    window.page_actions[1].trigger()  # Ctrl+2
    assert window.current_key() == "ledger"
    qtbot.waitUntil(lambda: window.pages["ledger"].loaded, timeout=15000)
    assert window.pages["ledger"].model.rowCount() == 5
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["文件(&F)", "视图(&V)", "项目(&P)", "打印(&D)", "帮助(&H)"]


def test_geometry_and_last_screen_are_remembered(app, qtbot, shell_county, settings, dialogs):
    w = MainWindow(shell_county.session, shell_county.path, settings)
    qtbot.addWidget(w)
    w.show()
    w.resize(1111, 700)
    qtbot.wait(10)
    size = w.size()  # what the (small offscreen) screen allowed
    w.show_page("statistics")
    w.close()
    assert settings.value("main/page") == "statistics"
    w2 = MainWindow(shell_county.session, shell_county.path, settings)
    qtbot.addWidget(w2)
    assert w2.current_key() == "statistics"
    # restoreGeometry fits the window to the (small, 800x600) offscreen screen; the height shows it restored
    assert w2.size().height() == size.height() == 700


def test_statistics_charts_and_export(window, qtbot, tmp_path):
    window.show_page("statistics")
    page = window.pages["statistics"]
    qtbot.waitUntil(lambda: page.loaded, timeout=15000)
    assert all(v.chart() is not None for v in page.views.values())
    assert "共 5 个项目" in page.summary.text()
    by_key = {t.key: t for t in page.tables}
    assert by_key["by_year"].rows == [["2026年", 1, 120.0, 0.0], ["2027年", 4, 480.0, 0.0]]
    assert sum(r[1] for r in by_key["by_status"].rows) == 5
    overdue_total = sum(r[2] for r in by_key["overdue_by_rule"].rows)
    assert overdue_total == sum(1 for f in window.session.findings() if f.state == "overdue")
    # the two funded or built projects, none confirmed yet
    assert sum(r[1] for r in by_key["by_risk"].rows) == 0 and sum(r[2] for r in by_key["by_risk"].rows) == 2
    out = tmp_path / "统计.xlsx"
    done = []
    page.export_to(str(out), on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    wb = load_workbook(out)
    assert len(wb.sheetnames) == 6  # the four charts, the per-unit overdue/late table and the risk levels
    ws = wb[wb.sheetnames[0]]
    assert ws["A1"].value == "计划年度" and ws["C2"].number_format == "#,##0.00"


def test_open_a_project_that_does_not_exist_says_so_and_opens_nothing(window, monkeypatch):
    shown = []
    monkeypatch.setattr(mw, "show_error", lambda parent, exc: shown.append(exc))
    window.open_project("no-such-project", "basic")
    assert len(shown) == 1 and "no-such-project" not in window.project_windows


def test_open_project_window_on_tab_and_refresh_row(window, qtbot, shell_county):
    window.show_page("ledger")
    ledger = window.pages["ledger"]
    qtbot.waitUntil(lambda: ledger.loaded, timeout=15000)
    row = next(r for r in shell_county.session.ledger() if r["code"] == "MY-2027-004")
    window.open_project(row["id"], "acceptance")
    win = window.project_windows[row["id"]]
    qtbot.addWidget(win)
    assert win.current_tab() == "acceptance"
    window.open_project(row["id"], "funds")  # the same window, another tab
    assert len(window.project_windows) == 1 and win.current_tab() == "funds"
    resets = []
    ledger.model.modelReset.connect(lambda: resets.append(1))
    ops.update_project(shell_county.session.store, actor_for(shell_county.session.store, "MYJYJ"), row["id"],
                       {"responsible_person": "赵敏"})
    win.changed.emit(row["id"])
    i = ledger.model.position(row["id"])
    assert ledger.model.index(i, 7).data() == "赵敏" and not resets


def test_settings_holidays_in_place_errors_and_save(window, qtbot, dialogs):
    window.show_page("settings")
    page = window.pages["settings"]
    page.h_year.setValue(2031)
    page.h_days.setPlainText("2031-01-01, 2031-13-01")
    page.save_holidays()
    assert "不存在" in page.h_error.text()
    page.h_days.setPlainText("2031-01-01，2031-01-02")
    page.h_work.setPlainText("2031-01-04")
    page.save_holidays()
    assert page.h_error.text() == ""
    assert page.holiday_table.rowCount() == 1 and page.holiday_table.item(0, 1).text() == "2"
    # two days off and one make-up working day
    assert ("information", "节假日安排", "已保存2031年节假日安排，共 3 天。相关期限将按新的安排重新计算。") in dialogs.shown
    assert not any(kind in ("warning", "critical") for kind, _, _ in dialogs.shown)
    assert page.policy.inputs["contract_filing_workdays"].value() == 5


def test_pages_in_order():
    assert [k for k, _, _ in PAGES] == ["workbench", "ledger", "annual", "statistics", "exchange", "units", "audit", "backup",
                                      "settings"]
