"""Lateness is kept: the ledger shows obligations met late (已完成（逾期N个工作日）)."""

import pytest
from PySide6.QtCore import Qt

from desktop_app.services import operations as ops
from desktop_app.ui.ledger import COL, LedgerPage
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
