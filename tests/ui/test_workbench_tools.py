"""Issue 11 items 4-5 on 工作台: search, filters, sort, export and print of what is shown; the 逾期天数
column; the reminder of what waits to be sent to the county office, and the hint without a directory."""

import datetime as dt
import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QHeaderView

from desktop_app.exchange import pending
from desktop_app.lifecycle import rules as R
from desktop_app.services.session import Session
from desktop_app.ui.workbench import COL, HEADERS, MESSAGE_COL, WorkbenchPage
from tests.ui.conftest import FORMULA_NAME


def loaded(qtbot, session, path):
    page = WorkbenchPage(session, path)
    qtbot.addWidget(page)
    page.show()
    page.load()
    qtbot.waitUntil(lambda: page.loaded, timeout=15000)
    return page


@pytest.fixture
def bench(app, qtbot, shell_county):
    return loaded(qtbot, shell_county.session, shell_county.path)


def rows(page):
    m = page.model
    out = []
    for g in range(m.rowCount()):
        group = m.index(g, 0)
        out += [dict(zip(HEADERS, (m.index(r, c, group).data() for c in range(len(HEADERS)))))
                for r in range(m.rowCount(group))]
    return out


def choose(combo, text):
    i = combo.findText(text)
    assert i >= 0, [combo.itemText(k) for k in range(combo.count())]
    combo.setCurrentIndex(i)


def test_search_and_filters_narrow_what_is_shown(bench, qtbot):
    everything = rows(bench)
    units = {r["建设单位"] for r in everything}
    assert {"蒙阴县教育和体育局", "蒙阴县卫生健康局"} <= units
    qtbot.keyClicks(bench.search, "MY-2027-004")
    shown = rows(bench)
    assert shown and {r["项目编号"] for r in shown} == {"MY-2027-004"}
    assert bench.summary.text().startswith("筛选结果：")
    bench.search.clear()
    assert len(rows(bench)) == len(everything)

    choose(bench.unit, "蒙阴县卫生健康局")
    assert rows(bench) and {r["建设单位"] for r in rows(bench)} == {"蒙阴县卫生健康局"}
    choose(bench.unit, "全部单位")
    choose(bench.clause, "第六条")
    assert rows(bench) and {r["条款"] for r in rows(bench)} == {"第六条"}
    choose(bench.clause, "全部条款")
    choose(bench.state, R.STATE_LABELS[R.OVERDUE])
    assert bench.model.counts() == {R.OVERDUE: 4}
    assert all(r["逾期天数"].isdigit() for r in rows(bench))
    bench.search.setText("没有这样的事项")
    assert bench.model.counts() == {} and "没有符合筛选条件" in bench.summary.text()
    assert not bench.export_btn.isEnabled() and not bench.print_btn.isEnabled()


def test_sort_by_a_column_and_the_message_column_takes_the_width(bench):
    bench.view.sortByColumn(COL["逾期天数"], Qt.SortOrder.DescendingOrder)
    overdue = [int(r["逾期天数"]) for r in rows(bench) if r["逾期天数"]]
    assert len(overdue) == 4 and overdue == sorted(overdue, reverse=True)
    bench.view.sortByColumn(COL["项目编号"], Qt.SortOrder.AscendingOrder)
    m = bench.model
    for g in range(m.rowCount()):
        codes = [m.index(r, COL["项目编号"], m.index(g, 0)).data() for r in range(m.rowCount(m.index(g, 0)))]
        assert codes == sorted(codes)
    assert bench.view.header().sectionResizeMode(MESSAGE_COL) == QHeaderView.ResizeMode.Stretch
    first = m.index(0, MESSAGE_COL, m.index(0, 0))
    f = m.finding(first)
    assert first.data(Qt.ItemDataRole.ToolTipRole) == f"{f.message}（依据：通知{f.clause}）"


def test_export_and_print_take_what_is_shown(bench, monkeypatch, tmp_path):
    choose(bench.state, R.STATE_LABELS[R.OVERDUE])
    target = tmp_path / "工作台"
    monkeypatch.setattr(WorkbenchPage, "ask_save_path", classmethod(lambda cls, parent, suggested: str(target)))
    assert bench.export_dialog() == str(target) + ".xlsx"
    ws = load_workbook(str(target) + ".xlsx").active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == ["类别", *HEADERS]
    assert len(values) == 1 + 4 and {v[0] for v in values[1:]} == {"逾期"}
    assert all(isinstance(v[1 + COL["逾期天数"]], int) for v in values[1:])  # a number, not text
    assert "已导出 4 项" in bench.message.text()

    choose(bench.state, "全部类别")
    bench.search.setText("公式样项目")  # a name that starts with '=': never a formula in the workbook
    assert bench.model.shown()  # its 2026 plan year is long overdue on the fixture's day
    bench.export_to(str(tmp_path / "formula.xlsx"))
    cell = load_workbook(tmp_path / "formula.xlsx").active.cell(row=2, column=1 + COL["项目名称"] + 1)
    assert cell.data_type == "s" and cell.value == FORMULA_NAME and cell.quotePrefix
    bench.search.clear()

    previews = []
    monkeypatch.setattr(WorkbenchPage, "show_preview",
                        classmethod(lambda cls, parent, data, name: previews.append((data, name))))
    choose(bench.unit, "蒙阴县卫生健康局")
    bench.print_preview()
    [(data, name)] = previews
    assert data.startswith(b"%PDF") and name == "工作台事项_2028-02-01.pdf"
    page_html = bench.printable_html()
    assert "筛选：蒙阴县卫生健康局" in page_html and "蒙阴县教育和体育局" not in page_html


def test_export_to_a_folder_name_says_what_to_do_and_writes_nothing(bench, tmp_path):
    folder = tmp_path / "是个文件夹.xlsx"
    folder.mkdir()
    assert bench.export_to(str(folder)) is None
    assert bench.message.text().startswith("未能导出：") and folder.is_dir()


# ---- 尚未报送 ----------------------------------------------------------------------------------

def test_unit_workbench_reminds_what_waits_to_be_sent(app, qtbot, tmp_path):
    from tests.exchange.world import make_world, unit_application

    w = make_world(tmp_path, with_finance=False)
    unit_application(w)  # 提交申报: the application and its materials wait to be sent
    session = Session(w.unit.store, w.unit.actor, today_override=dt.date(2026, 7, 2))
    page = loaded(qtbot, session, str(w.unit.store.path))
    banner = page.waiting
    assert banner.isVisible()
    [waiting] = pending.waiting(w.unit.store, w.unit.actor)
    assert waiting.count >= 9  # the project, its status, four materials, three years, the consultation
    assert f"有{waiting.count}项内容尚未报送蒙阴县人民政府办公室" in banner.label.text()
    with qtbot.waitSignal(page.export_requested) as sig:
        banner.button.click()
    assert sig.args == ["MYXZF"]

    w.unit.export("MYXZF")  # sent: nothing waits any more
    page.load()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=15000)


def test_export_button_opens_the_exchange_page_on_that_recipient(app, qtbot, tmp_path):
    from desktop_app.ui.main_window import MainWindow
    from tests.exchange.world import make_world, unit_application

    w = make_world(tmp_path, with_finance=False)
    unit_application(w)
    session = Session(w.unit.store, w.unit.actor, today_override=dt.date(2026, 7, 2))
    win = MainWindow(session, str(w.unit.store.path), QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.pages["workbench"].loaded, timeout=15000)
    win.pages["workbench"].waiting.button.click()
    assert win.current_key() == "exchange"
    assert win.pages["exchange"].recipient.currentData() == "MYXZF"


def test_without_the_county_directory_the_unit_is_told_how_to_get_it(app, qtbot, tmp_path):
    from desktop_app.models.store import Store
    from desktop_app.services import operations as ops
    from desktop_app.ui.exchange_page import ExchangePage
    from tests.core.builders import TEST_PASSWORD

    store = Store.open(tmp_path / "fresh.db")
    actor = ops.init_installation(store, "unit", "MYJYJ", "蒙阴县教育和体育局", admin_password=TEST_PASSWORD)
    session = Session(store, actor, today_override=dt.date(2026, 7, 2))
    page = loaded(qtbot, session, str(tmp_path / "fresh.db"))
    assert page.waiting.isVisible()
    assert "单位及密钥目录" in page.waiting.label.text() and "导入" in page.waiting.label.text()
    with qtbot.waitSignal(page.export_requested) as sig:
        page.waiting.button.click()
    assert sig.args == [""]
    exchange = ExchangePage(session, str(tmp_path / "fresh.db"))
    qtbot.addWidget(exchange)
    exchange.show()
    assert exchange.recipient.count() == 0
    assert exchange.no_recipient.isVisible() and exchange.no_recipient.text() == pending.NO_DIRECTORY
    store.close()
