"""Lateness is kept: 统计分析 and the ledger show obligations met late (已完成（逾期N个工作日）)."""

import pytest
from PySide6.QtCore import Qt

from desktop_app.services import operations as ops
from desktop_app.ui.ledger import COL, LedgerPage
from desktop_app.ui.statistics import LATE_SERIES, StatisticsPage
from tests.core.builders import actor_for
from tests.ui.conftest import TODAY


@pytest.fixture
def late_county(shell_county):
    """The shell county plus one contract filed one working day late (due 28 October 2026, filed the 29th)."""
    s = shell_county.session
    row = next(r for r in s.ledger() if r["name"] == "县学校安防视频监控")
    ops.add_record(s.store, actor_for(s.store, "MYJYJ"), "contract", row["id"], {
        "contract_no": "HT-2026-09", "title": "监控平台软件", "supplier": "临沂某科技公司",
        "procurement_method": "open_tender", "amount_fen": "10", "signed_on": "2026-10-21",
        "filed_on": "2026-10-29"}, today=TODAY)
    shell_county.names["late"] = row["id"]
    return shell_county


def _bar_values(view) -> dict[str, list[float]]:
    series = view.chart().series()[0]
    return {s.label(): [s.at(i) for i in range(s.count())] for s in series.barSets()}


def test_statistics_shows_the_late_count(app, qtbot, late_county):
    page = StatisticsPage(late_county.session, late_county.path)
    qtbot.addWidget(page)
    page.show()
    page.load()
    qtbot.waitUntil(lambda: page.loaded, timeout=15000)
    assert f"{LATE_SERIES}（已完成但超过期限）1 项" in page.summary.text()
    by_key = {t.key: t for t in page.tables}
    [rule_row] = [r for r in by_key["overdue_by_rule"].rows if r[3]]
    assert rule_row[:2] == ["第四条", "签订采购合同5个工作日内报备案"] and rule_row[3] == 1
    assert by_key["late_by_unit"].rows[0][0] == "蒙阴县教育和体育局"
    assert [r[2] for r in by_key["late_by_unit"].rows] == [1] + [0] * (len(by_key["late_by_unit"].rows) - 1)
    # the charts: an orange 逾期完成 series beside today's overdue ones, by clause and by unit
    assert sum(_bar_values(page.views["overdue_by_rule"])[LATE_SERIES]) == 1
    assert sum(_bar_values(page.views["late_by_unit"])[LATE_SERIES]) == 1
    tabs = page.overdue_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["按条款", "按建设单位"]
    tabs.setCurrentIndex(1)
    assert tabs.currentWidget() is page.cells["late_by_unit"]
    assert page.cells["late_by_unit"].currentWidget() is page.views["late_by_unit"]


def test_ledger_shows_the_late_count(app, qtbot, late_county):
    page = LedgerPage(late_county.session, late_county.path)
    qtbot.addWidget(page)
    page.set_rows(late_county.session.ledger())
    late = page.model.index(page.model.position(late_county.names["late"]), COL["late"])
    assert late.data() == "1" and late.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "已完成但超过期限" in late.data(Qt.ItemDataRole.ToolTipRole)
    others = [page.model.index(i, COL["late"]).data() for i in range(page.model.rowCount())]
    assert sorted(others) == ["", "", "", "", "1"]
    assert page.model.headerData(COL["late"], Qt.Orientation.Horizontal) == "逾期完成"
