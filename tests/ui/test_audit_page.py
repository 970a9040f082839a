"""操作日志 screen driven through its real widgets: filters narrow the rows, an entry shows its before/after
field by field, 验证完整性 selects the broken entry of a tampered database, export writes a real xlsx."""

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt

from desktop_app.exchange import audit_heads
from desktop_app.services import audit_log
from desktop_app.services import operations as ops
from desktop_app.ui.audit_page import BROKEN_BG, CHANGED_BG, AuditPage


@pytest.fixture
def page(app, shell_county, qtbot):
    s = shell_county.session
    pid = s.store.one("SELECT id FROM projects WHERE name='县智慧教育云平台'")["id"]
    unit = s.store.one("SELECT * FROM organisations WHERE code='MYJYJ'")
    actor = ops.Actor(unit["id"], unit["code"], unit["name"], unit["role"], "clerk", "clerk")
    ops.update_project(s.store, actor, pid, {"contact": "0539-4270000", "responsible_person": "李强"})
    w = AuditPage(s, shell_county.path)
    qtbot.addWidget(w)
    w.resize(1280, 760)
    w.show()
    w.load()
    return w


def combo_select(combo, data):
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)


def test_filters_narrow_the_rows(page, qtbot):
    store = page.session.store
    everything = store.one("SELECT COUNT(*) AS n FROM audit_log")["n"]
    assert page.model.rowCount() == everything and page.model.seq_at(0) == everything  # newest first
    code = store.one("SELECT code FROM projects WHERE name='县智慧教育云平台'")["code"]
    qtbot.keyClicks(page.project, code)
    qtbot.waitUntil(lambda: page.model.rowCount() < everything, timeout=3000)
    of_project = page.model.rowCount()
    assert of_project == store.one("SELECT COUNT(*) AS n FROM audit_log a JOIN projects p ON p.id=a.project_id "
                                   "WHERE p.code=?", (code,))["n"] > 0
    assert all(code in page.model.data(page.model.index(r, 5)) for r in range(of_project))
    combo_select(page.operation, "修改项目")
    assert 0 < page.model.rowCount() < of_project
    page.project.clear()
    page.apply_filters()
    combo_select(page.operation, "__all__")
    combo_select(page.user, "admin")
    assert 0 < page.model.rowCount() < everything
    assert {page.model.row(r)["actor"] for r in range(page.model.rowCount())} == {"admin"}
    combo_select(page.user, "__all__")
    page.use_dates.setChecked(True)
    page.date_from.setDate(QDate(2000, 1, 1))
    page.date_to.setDate(QDate(2000, 1, 2))
    assert page.model.rowCount() == 0
    page.date_to.setDate(QDate(2100, 1, 1))
    assert page.model.rowCount() == everything


def test_entry_shows_before_and_after_with_labels_and_changes_marked(page):
    page.view.selectRow(0)  # the newest: the update made in the fixture
    assert "修改项目" in page.entry_title.text()
    rows = {page.fields.item(r, 0).text(): r for r in range(page.fields.rowCount())}
    assert "联系电话" in rows and "项目责任人" in rows
    r = rows["项目责任人"]
    assert page.fields.item(r, 1).text() == "张明" and page.fields.item(r, 2).text() == "李强"
    for i in rows.values():  # highlighted exactly where the two sides differ
        differs = page.fields.item(i, 1).text() != page.fields.item(i, 2).text()
        assert (page.fields.item(i, 2).background().color() == CHANGED_BG) == differs


def test_verify_on_a_tampered_database_selects_the_broken_entry(page, qtbot):
    page.session.store.conn.execute("UPDATE audit_log SET summary='改过的摘要' WHERE seq=5")
    combo_select(page.operation, "修改项目")  # a filter that hides entry 5: verify clears it
    page.verify()
    qtbot.waitUntil(lambda: page.last_problems is not None, timeout=20000)
    assert [p.seq for p in page.last_problems] == [5]
    assert "第 5 条" in page.result.text() and "改动" in page.result.text()
    assert page.selected_seq() == 5 and page.model.filters == audit_log.Filters()
    row = page.view.currentIndex().row()
    assert page.model.data(page.model.index(row, 0), Qt.ItemDataRole.BackgroundRole).color() == BROKEN_BG
    page.grab().save(str(page.session.store.path) + "-verify.png")


def test_verify_on_an_intact_database_says_so(page, qtbot):
    page.verify()
    qtbot.waitUntil(lambda: page.last_problems is not None, timeout=20000)
    assert page.last_problems == [] and "操作日志完整" in page.result.text()


def test_export_writes_an_xlsx_openpyxl_reads_back(page, qtbot, tmp_path):
    combo_select(page.user, "clerk")
    n = page.model.rowCount()
    out = []
    page.export_to(str(tmp_path / "操作日志.xlsx"), on_done=out.append)
    qtbot.waitUntil(lambda: bool(out), timeout=20000)
    wb = load_workbook(out[0], read_only=True)
    rows = list(wb["操作日志"].iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "时间", "单位", "操作人", "操作") and len(rows) == n + 1
    assert rows[1][0] == page.model.seq_at(0) and rows[1][3] == "clerk" and "李强" in rows[1][9]
    assert "操作人：clerk" in [r[1] for r in wb["说明"].iter_rows(values_only=True)][1]
    wb.close()


def test_print_builds_the_filtered_log(page, qtbot):
    combo_select(page.operation, "修改项目")
    out = []
    page.print_log(on_done=out.append)
    qtbot.waitUntil(lambda: bool(out), timeout=30000)
    assert out[0].startswith(b"%PDF")


def test_county_sees_each_units_last_head(page, shell_county):
    store = shell_county.session.store
    with store.tx():
        for seq, count in ((1, 40), (2, 55)):
            store.insert("audit_heads", audit_heads.received_row(
                store, {"package_id": f"p{seq}", "sender": "MYJYJ", "sequence": seq,
                        "audit_head": {"count": count, "hash": f"{seq:x}" * 64}},
                dt.datetime(2028, 1, seq).isoformat()))
    page.load()
    assert page.heads_box.isVisibleTo(page) and page.heads.rowCount() == 1
    assert [page.heads.item(0, c).text() for c in range(3)] == ["蒙阴县教育和体育局", "55", "2" * 12]
