"""工作台: groups and counts match Session.findings(); rows carry code, name, clause, due, message."""

from collections import Counter

import pytest

from desktop_app.lifecycle import rules as R
from desktop_app.ui.workbench import COL, GROUPS, HEADERS, WorkbenchPage


@pytest.fixture
def bench(app, qtbot, shell_county):
    p = WorkbenchPage(shell_county.session, shell_county.path)
    qtbot.addWidget(p)
    p.load()  # in the worker
    qtbot.waitUntil(lambda: p.loaded, timeout=15000)
    return p


def test_groups_and_counts_match_findings(bench, shell_county):
    expected = Counter(f.state for f in shell_county.session.findings() if f.state in GROUPS)
    assert set(expected) == set(GROUPS)  # the fixture's day has every kind
    assert bench.model.counts() == dict(expected)
    m = bench.model
    titles = [m.index(g, 0).data() for g in range(m.rowCount())]
    assert titles == [f"{R.STATE_LABELS[s]} ({expected[s]})" for s in GROUPS]
    for g in range(m.rowCount()):
        assert m.rowCount(m.index(g, 0)) == expected[GROUPS[g]]
    assert "逾期 4 项" in bench.summary.text()


def test_rows_show_code_name_clause_due_and_tentative(bench):
    m = bench.model
    overdue = m.index(0, 0)
    rows = [dict(zip(HEADERS, (m.index(r, c, overdue).data() for c in range(len(HEADERS)))))
            for r in range(m.rowCount(overdue))]
    by_code = {r["项目编号"]: r for r in rows}
    acc = by_code["MY-2027-004"]
    assert acc["项目名称"] == "县教育资源公共服务平台" and acc["条款"] == "第六条"
    assert acc["建设单位"] == "蒙阴县教育和体育局"
    assert acc["期限"] == "2027-12-14（暂定）" and "验收报告" in acc["事项"]
    assert acc["逾期天数"] == "49"  # 2027-12-14 to the fixture's 2028-02-01
    # sorted by due date within the group
    dues = [r["期限"] for r in rows]
    assert dues == sorted(dues)


def test_double_click_opens_the_findings_tab(bench, qtbot):
    m = bench.model
    overdue = m.index(0, 0)
    idx = next(m.index(r, 0, overdue) for r in range(m.rowCount(overdue))
               if m.index(r, 0, overdue).data() == "MY-2027-004")
    with qtbot.waitSignal(bench.open_project) as sig:
        bench.view.doubleClicked.emit(idx)
    f = m.finding(idx)
    assert sig.args == [f.project_id, "acceptance"]
    # a group row opens nothing
    with qtbot.assertNotEmitted(bench.open_project):
        bench.view.doubleClicked.emit(overdue)


def test_contract_filing_due_appears_on_workbench(app, qtbot, tmp_path):
    """A contract signed on 2026-11-20 must be filed within 5 working days: 2026-11-27 shows on 工作台."""
    import datetime as dt

    from desktop_app.services.session import Session
    from tests.core import builders as B

    c = B.make_county(tmp_path / "wb.db")
    p = B.in_construction(c)
    today = dt.date(2026, 11, 24)
    Session(c.store, c.unit, today_override=today).add_record("contract", p["id"], {
        "contract_no": "HT-2026-11", "title": "平台软件开发", "supplier": "山东某信息技术有限公司",
        "procurement_method": "公开招标", "amount_fen": "68.5", "signed_on": "2026-11-20"})
    page = WorkbenchPage(Session(c.store, c.county, today_override=today), str(tmp_path / "wb.db"))
    qtbot.addWidget(page)
    page.load()
    qtbot.waitUntil(lambda: page.loaded, timeout=15000)
    m = page.model
    titles = [m.index(g, 0).data() for g in range(m.rowCount())]
    parent = m.index(next(g for g, t in enumerate(titles) if t.startswith(R.STATE_LABELS[R.UPCOMING])), 0)
    rows = [[m.index(r, col, parent).data() for col in range(len(HEADERS))] for r in range(m.rowCount(parent))]
    contract = [r for r in rows if "HT-2026-11" in r[COL["事项"]]]
    assert contract and contract[0][COL["项目编号"]] == p["code"] and contract[0][COL["条款"]] == "第四条"
    assert contract[0][COL["期限"]] == "2026-11-27" and contract[0][COL["逾期天数"]] == ""
