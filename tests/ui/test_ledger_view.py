"""项目台账: a search that finds nothing says so, an empty ledger says how to add projects, and the 风险
column says why a project is flagged (the services' findings, shown on hover)."""

from PySide6.QtCore import Qt

from desktop_app.lifecycle import rules as R
from desktop_app.services import queries
from desktop_app.ui.ledger import COL, RISK_TIP, LedgerPage

TIP = Qt.ItemDataRole.ToolTipRole


def _page(qtbot, county) -> LedgerPage:
    page = LedgerPage(county.session, county.path)
    qtbot.addWidget(page)
    page.resize(1100, 500)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_a_search_without_hits_says_so_and_clears(app, qtbot, shell_county):
    page = _page(qtbot, shell_county)
    page.set_rows(shell_county.session.ledger())
    assert page.proxy.rowCount() == 5 and not page.empty.is_shown() and page.clear_btn.isHidden()
    page.search.setText("区块链电子证照")
    assert page.proxy.rowCount() == 0
    assert page.empty.is_shown() and page.empty.isVisible()
    assert "没有找到符合条件的项目（搜索“区块链电子证照”）" in page.empty.text()
    assert "清除搜索和筛选" in page.empty.text() and page.clear_btn.isVisible()
    page.overdue.setChecked(True)
    assert "只看逾期" in page.empty.text()
    page.clear_btn.click()
    assert page.search.text() == "" and not page.overdue.isChecked()
    assert page.proxy.rowCount() == 5 and not page.empty.is_shown() and page.clear_btn.isHidden()


def test_an_empty_ledger_says_how_to_add_projects(app, qtbot, shell_county):
    page = _page(qtbot, shell_county)
    page.set_rows([])
    assert page.empty.is_shown()
    assert page.empty.text().startswith("还没有项目。") and "新建项目" in page.empty.text()
    assert page.clear_btn.isHidden()


def test_risk_column_says_why(app, qtbot, shell_county):
    session = shell_county.session
    page = _page(qtbot, shell_county)
    rows = session.ledger()
    page.set_rows(rows)
    model = page.model
    assert model.headerData(COL["risk"], Qt.Orientation.Horizontal, TIP) == RISK_TIP
    flagged = [r for r in rows if r["overdue"] or r["blocked"]]
    assert flagged and any(r["blocked"] for r in flagged)
    for row in flagged:
        cell = model.index(model.position(row["id"]), COL["risk"])
        found = queries.risk_findings(session.store, session.today, row["id"])
        # the reasons are exactly what the rules count for the column
        assert sum(f.state in (R.OVERDUE, R.VIOLATION) for f in found) == row["overdue"]
        assert sum(f.state == R.BLOCKED for f in found) == row["blocked"]
        tip = cell.data(TIP)
        assert tip.startswith("风险原因：")
        for f in found:
            assert f"【{R.STATE_LABELS[f.state]}】{f.clause} {f.message}" in tip
        assert ("逾期" in cell.data()) == bool(row["overdue"]) and ("受限" in cell.data()) == bool(row["blocked"])
    calm = next(r for r in rows if not (r["overdue"] or r["blocked"]))
    cell = model.index(model.position(calm["id"]), COL["risk"])
    assert cell.data() == "" and cell.data(TIP) is None
