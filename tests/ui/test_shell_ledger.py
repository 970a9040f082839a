"""项目台账: model, filters, search, sorting, row refresh and xlsx export on a real county."""

import random

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from desktop_app.services import operations as ops
from desktop_app.ui.ledger import COL, ID_ROLE, Filters, LedgerPage
from tests.ui.conftest import FORMULA_NAME


@pytest.fixture
def page(app, qtbot, shell_county):
    p = LedgerPage(shell_county.session, shell_county.path)
    qtbot.addWidget(p)
    p.set_rows(shell_county.session.ledger())
    return p


def shown(page, col="code"):
    return [page.proxy.index(i, COL[col]).data() for i in range(page.proxy.rowCount())]


def test_loads_in_worker_and_counts(app, qtbot, shell_county):
    p = LedgerPage(shell_county.session, shell_county.path)
    qtbot.addWidget(p)
    p.load()
    qtbot.waitUntil(lambda: p.loaded, timeout=10000)
    assert p.model.rowCount() == 5
    # the fixture's operations ran on earlier days, so the first read also recomputes today's deadlines
    qtbot.waitUntil(lambda: "重新计算" not in p.count.text(), timeout=15000)
    assert p.count.text() == "显示 5 个项目，共 5 个"


def test_risk_is_text_and_colour(page):
    rows = {r.data["code"]: r for r in page.model._rows}
    i = page.model.position(rows["MY-2027-003"].data["id"])
    idx = page.model.index(i, COL["risk"])
    assert idx.data() == "逾期2项，受限2项"
    assert idx.data(Qt.ItemDataRole.ForegroundRole) is not None
    quiet = page.model.index(page.model.position(rows["MY-2027-002"].data["id"]), COL["risk"])
    assert quiet.data() == "" and quiet.data(Qt.ItemDataRole.ForegroundRole) is None
    due = page.model.index(page.model.position(rows["MY-2027-004"].data["id"]), COL["due"])
    assert due.data() == "2027-12-14（暂定）"


def test_filters_by_year_unit_status_overdue(page, shell_county):
    rows = shell_county.session.ledger()
    page.year.setCurrentIndex(page.year.findData(2026))
    assert page.proxy.rowCount() == sum(r["plan_year"] == 2026 for r in rows) == 1
    page.year.setCurrentIndex(0)
    page.status.setCurrentIndex(page.status.findData("draft"))
    assert page.proxy.rowCount() == sum(r["status"] == "draft" for r in rows) == 2
    page.unit.setCurrentIndex(page.unit.findData("蒙阴县卫生健康局"))
    assert shown(page, "name") == [FORMULA_NAME]
    page.unit.setCurrentIndex(0)
    page.status.setCurrentIndex(0)
    page.overdue.setChecked(True)
    assert page.proxy.rowCount() == sum(1 for r in rows if r["overdue"]) == 4
    page.overdue.setChecked(False)
    assert page.proxy.rowCount() == 5
    assert page.count.text() == "显示 5 个项目，共 5 个"


def test_free_text_search_over_code_name_unit(page):
    page.search.setText("卫生")  # one project's name, another project's unit
    assert sorted(shown(page, "name")) == sorted([FORMULA_NAME, "县卫生信息平台"])
    page.search.setText("my-2027-00")  # code, case-insensitive
    assert page.proxy.rowCount() == 4
    page.search.setText("教育和体育局")
    assert page.proxy.rowCount() == 4
    page.search.setText("没有这样的项目")
    assert page.proxy.rowCount() == 0
    page.search.clear()
    assert page.proxy.rowCount() == 5


def test_sorting_uses_numbers_dates_and_lifecycle_order(page):
    page.view.sortByColumn(COL["plan_year"], Qt.SortOrder.AscendingOrder)
    assert shown(page, "plan_year")[0] == "2026"
    page.view.sortByColumn(COL["status"], Qt.SortOrder.AscendingOrder)
    assert shown(page, "status") == ["草稿", "草稿", "已申报", "建设中", "通过验收"]
    page.view.sortByColumn(COL["due"], Qt.SortOrder.AscendingOrder)
    dues = shown(page, "due")
    assert dues[0].startswith("2025-08-31") and dues[-1] == ""  # no deadline sorts last
    page.view.sortByColumn(COL["risk"], Qt.SortOrder.DescendingOrder)
    assert shown(page, "risk")[0] == "逾期2项，受限2项"
    # a filter keeps the chosen order
    page.search.setText("2027")
    assert shown(page, "risk")[0] == "逾期2项，受限2项"


def test_money_sorts_as_number(app, qtbot, shell_county):
    p = LedgerPage(shell_county.session, shell_county.path)
    qtbot.addWidget(p)
    rows = shell_county.session.ledger()
    for r, fen in zip(rows, (9 * 10**6, 10**8, 2 * 10**6, 5 * 10**7, 3 * 10**8)):
        r["total_investment_fen"] = fen  # 9, 100, 2, 50, 300 万元: text order would differ
    p.set_rows(rows)
    p.view.sortByColumn(COL["total"], Qt.SortOrder.AscendingOrder)
    assert shown(p, "total") == ["2.00", "9.00", "50.00", "100.00", "300.00"]
    p.view.sortByColumn(COL["total"], Qt.SortOrder.DescendingOrder)
    assert shown(p, "total")[0] == "300.00"


def test_changed_project_refreshes_one_row_without_reset(page, shell_county, qtbot):
    s = shell_county.session
    target = next(r for r in s.ledger() if r["code"] == "MY-2027-001")
    resets = []
    page.model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(page.model.dataChanged) as sig:
        from tests.core.builders import actor_for

        ops.update_project(s.store, actor_for(s.store, "MYJYJ"), target["id"], {"responsible_person": "李新"})
        page.refresh_row(target["id"])
    top, bottom = sig.args[0], sig.args[1]
    assert top.row() == bottom.row() == page.model.position(target["id"])
    assert not resets
    i = page.model.position(target["id"])
    assert page.model.index(i, COL["person"]).data() == "李新"
    assert page.model.index(i, 0).data(ID_ROLE) == target["id"]


def test_export_current_view_keeps_formula_text_as_text(page, tmp_path, qtbot):
    page.search.setText("公式")
    page.search.clear()
    page.year.setCurrentIndex(page.year.findData(2026))
    out = tmp_path / "台账.xlsx"
    done = []
    page.export_to(str(out), on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    wb = load_workbook(out)
    ws = wb.active
    assert [c.value for c in ws[1]][:3] == ["编号", "项目名称", "建设单位"]
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert ws.max_row == 2  # header + the one 2026 project: the filtered view, not the whole ledger
    name = ws["B2"]
    # kept text the way the package workbook keeps it: the name as typed, in a quotePrefix string cell
    assert name.data_type == "s" and name.value == FORMULA_NAME and name.quotePrefix
    assert ws["F2"].number_format == "#,##0.00" and ws["F2"].value == 120.0
    assert ws.column_dimensions["B"].width > ws.column_dimensions["D"].width


def test_export_follows_sort_order(page, tmp_path, qtbot):
    page.view.sortByColumn(COL["code"], Qt.SortOrder.DescendingOrder)
    out = tmp_path / "sorted.xlsx"
    done = []
    page.export_to(str(out), on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    codes = [r[0].value for r in load_workbook(out).active.iter_rows(min_row=2)]
    assert codes == sorted(codes, reverse=True) and len(codes) == 5


def synthetic_rows(n=10_000):
    rnd = random.Random(7)
    units = [f"蒙阴县第{i}单位" for i in range(60)]
    words = "教育卫生交通农业水利政务应急民政公安医保"
    rows = []
    for i in range(n):
        rows.append({
            "id": f"id{i}", "code": f"MY-{2018 + i % 9}-{i:05d}", "name": f"县{rnd.choice(words)}平台{i}",
            "unit": rnd.choice(units), "unit_code": "U", "plan_year": 2018 + i % 9, "status": "in_construction",
            "total_investment_fen": rnd.randint(1, 10**9), "disbursed_fen": 0, "responsible_person": "张三",
            "next_due": None if i % 3 else "2027-05-01", "next_due_tentative": 0, "next_message": None,
            "overdue": 2 if i % 5 == 0 else 0, "blocked": 0})
    return rows


def test_search_narrows_and_restores_ten_thousand_projects(app, qtbot, shell_county):
    """What the search finds over 10,000 rows; how fast it does is benchmarks/bench_ui.py's to measure
    (a timed assertion here failed on a busy machine and passed on an idle one)."""
    p = LedgerPage(shell_county.session, shell_county.path)
    qtbot.addWidget(p)
    rows = synthetic_rows()
    p.set_rows(rows)
    p.view.sortByColumn(COL["total"], Qt.SortOrder.DescendingOrder)
    for text in ["MY-2025", "教", ""]:
        p.proxy.set_filters(Filters(text=text))
        expected = sum(1 for r in rows if text in r["code"] or text in r["name"]) if text else len(rows)
        assert p.proxy.rowCount() == expected, text
        assert 0 < expected
    assert p.proxy.rowCount() == 10_000


def test_columns_fit_the_window_without_sideways_scrolling(app, qtbot, shell_county):
    p = LedgerPage(shell_county.session, shell_county.path)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    qtbot.waitExposed(p)
    p.set_rows(shell_county.session.ledger() * 1)
    qtbot.wait(20)
    header = p.view.horizontalHeader()
    assert header.length() <= p.view.viewport().width()
    assert p.view.columnWidth(COL["name"]) >= p.fontMetrics().horizontalAdvance("县" * 14)


def test_first_read_of_a_day_shows_rows_then_recomputes_deadlines(app, qtbot, shell_county):
    store = shell_county.session.store
    store.set_setting("deadlines_computed_for", "2000-01-01")  # computed on an earlier day
    p = LedgerPage(shell_county.session, shell_county.path)
    qtbot.addWidget(p)
    p.load()
    qtbot.waitUntil(lambda: p.loaded, timeout=10000)
    assert p.model.rowCount() == 5  # rows at once, from the cache
    qtbot.waitUntil(lambda: "重新计算" not in p.count.text(), timeout=15000)
    assert shell_county.session.deadlines_fresh()
    assert p.count.text() == "显示 5 个项目，共 5 个"
