"""文件 → 导入原有台账: the wizard run with one column mapping corrected and a suggested unit confirmed;
the program's own ledger export imports back with nothing lost."""

import datetime as dt
import os
from pathlib import Path

from openpyxl import Workbook
from PySide6.QtCore import Qt

from desktop_app.services import ledger_import as L
from desktop_app.services import operations as ops
from desktop_app.services import queries
from desktop_app.services.session import Session
from desktop_app.ui.ledger import _Row, export_rows, write_ledger_xlsx
from desktop_app.ui.ledger_import_wizard import LedgerImportWizard
from tests.core.builders import accepted, in_construction, make_county, new_project, submitted

TODAY = dt.date(2026, 10, 15)


def shots_dir(tmp_path) -> Path:
    """Screenshots of each step: into docs/screenshots when GOVIS_SHOTS is set, else a temp folder."""
    return Path(os.environ["GOVIS_SHOTS"]) if os.environ.get("GOVIS_SHOTS") else tmp_path


def ledger_with_an_odd_header(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "2025年台账"
    ws["A1"] = "蒙阴县政务信息系统项目台账（2025年）"
    ws.merge_cells("A1:H1")
    ws.append([])
    ws.append(["序号", "项目名称", "建设单位", "年度", "投资金额合计（万元）", "合同签订日期", "合同金额(元)", "中标单位"])
    ws.append([1, "县智慧教育云平台", "蒙阴县教育和体育局", 2025, 120, "2025/5/10", "1,150,000", "山东某信息公司"])
    ws.append([2, "县卫生健康信息平台", "蒙阴县卫健局", 2025, "85.5", None, None, None])
    ws.append([])
    ws.append([3, "县教育资源共享系统", "蒙阴县教育和体育局", "2026年", 30, None, None, None])
    wb.save(path)
    return path


def test_wizard_with_one_mapping_corrected(qtbot, tmp_path, app):
    db = tmp_path / "county.db"
    make_county(db).store.close()
    session = Session.open(str(db))
    session.today_override = TODAY
    shots = shots_dir(tmp_path)
    try:
        w = LedgerImportWizard(session, str(db))
        qtbot.addWidget(w)
        w.show()
        w.file_page.set_file(str(ledger_with_an_odd_header(tmp_path / "原有台账.xlsx")))
        qtbot.waitUntil(w.file_page.isComplete, timeout=10000)
        assert w.file_page.sheet_combo.currentText() == "2025年台账"
        w.grab().save(str(shots / "ledger-import-1-file.png"))
        w.next()

        page = w.mapping_page
        assert page.header_spin.value() == 3
        assert [c.currentData() for c in page.combos] == [None, "name", "unit", "plan_year", None,
                                                          "contract_signed", "contract_amount", "supplier"]
        assert "总投资" in page.problem.text() and not page.isComplete()
        page.set_target(4, "total")  # 投资金额合计（万元） is the total investment: the user says so
        assert page.isComplete() and page.unit_combos[4].currentData() == "wan"
        assert page.unit_combos[6].currentData() == "yuan"
        w.grab().save(str(shots / "ledger-import-2-mapping.png"))
        w.next()

        units = w.units_page
        qtbot.waitUntil(units.isComplete, timeout=10000)
        near = {u.text: combo.currentData() for u, combo in units.combos}
        assert near == {"蒙阴县卫健局": "MYWJJ", "蒙阴县教育和体育局": "MYJYJ"}  # the suggestion pre-selected
        w.grab().save(str(shots / "ledger-import-3-units.png"))
        w.next()

        preview = w.preview_page
        qtbot.waitUntil(preview.isComplete, timeout=10000)
        assert w.plan.counts()["new"] == 3 and not w.plan.invalid
        assert [preview.model.data(preview.model.index(i, 1)) for i in range(3)] == ["新增"] * 3
        w.grab().save(str(shots / "ledger-import-4-preview.png"))
        imported = []
        w.imported.connect(imported.append)
        w.next()  # 导入: written in the worker, then the wizard moves on
        qtbot.waitUntil(lambda: w.currentPage() is w.done_page, timeout=20000)
        assert "新增 3 个项目" in w.done_page.label.text()
        w.grab().save(str(shots / "ledger-import-5-done.png"))
        assert len(imported[0].project_ids) == 3

        rows = {r["name"]: r for r in queries.ledger(session.store)}
        assert rows["县卫生健康信息平台"]["unit_code"] == "MYWJJ"
        assert rows["县卫生健康信息平台"]["total_investment_fen"] == 85_500_000
        assert rows["县智慧教育云平台"]["status"] == "in_construction"
        assert rows["县教育资源共享系统"]["plan_year"] == 2026
    finally:
        session.store.close()


KEPT_COLUMNS = ("code", "name", "unit_code", "plan_year", "status", "total_investment_fen", "responsible_person")


def test_own_ledger_export_imports_back_with_nothing_lost(tmp_path, app):
    src = make_county(tmp_path / "a.db")
    new_project(src, name="县智慧教育云平台", responsible_person="王五")
    submitted(src, name="县卫生信息平台")
    in_construction(src, name="县学校安防监控", prohibited_types="surveillance", prohibited_justification="必要")
    accepted(src, name="县教育资源公共服务平台")
    new_project(src, src.unit2, name='=HYPERLINK("x") 公式样项目', total_investment_fen="0.01", fiscal_share_fen="0.01")
    rows = queries.ledger(src.store)
    book = write_ledger_xlsx(tmp_path / "项目台账.xlsx", export_rows([_Row.of(r) for r in rows]))

    # into the same database: every row recognised, nothing to write
    plan = L.preview(src.store, book, today=TODAY)
    assert plan.counts()["same"] == len(rows) and not plan.writes

    # into a fresh county office with the same units: the same ledger
    dst = make_county(tmp_path / "b.db")
    plan = L.preview(dst.store, book, today=TODAY)
    assert not plan.invalid, plan.problems()
    ops.import_ledger_rows(dst.store, dst.county, plan.writes, plan.source, TODAY)

    def kept(store):
        return sorted(tuple(r[k] for k in KEPT_COLUMNS) for r in queries.ledger(store))

    assert kept(dst.store) == kept(src.store)
    src.store.close()
    dst.store.close()


def test_preview_marks_rows_like_a_held_project_or_another_row(qtbot, tmp_path, app):
    """第一条: the preview's 疑似重复 column names the held project (or the other row) a row repeats."""
    db = tmp_path / "county.db"
    c = make_county(db)
    river = "建设河长制河湖名录和一河一档，河长巡河APP记录巡河轨迹，问题上报与交办督办。"
    held = new_project(c, name="县河长制信息化平台", summary=river)
    c.store.close()
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "建设单位", "年度", "总投资（万元）", "建设内容"])
    ws.append([1, "河湖长制管理系统", "蒙阴县教育和体育局", 2025, 50,
               "建立河湖名录和一河一档，开发河长巡河APP记录巡河轨迹，实现问题上报和交办督办。"])
    ws.append([2, "县农村饮水安全监测平台", "蒙阴县教育和体育局", 2025, 30, "村级供水站水质在线监测，水泵远程启停，管网漏损报警。"])
    ws.append([3, "农村饮水工程监管系统", "蒙阴县卫生健康局", 2025, 20, "供水站水质在线监测和水泵远程启停，管网漏损报警推送。"])
    ws.append([4, "智慧旅游服务平台", "蒙阴县教育和体育局", 2025, 10, "建设智慧旅游综合管理系统，提供平台服务。"])
    wb.save(tmp_path / "台账.xlsx")
    session = Session.open(str(db))
    session.today_override = TODAY
    try:
        w = LedgerImportWizard(session, str(db))
        qtbot.addWidget(w)
        w.resize(1200, 640)
        w.show()
        w.file_page.set_file(str(tmp_path / "台账.xlsx"))
        qtbot.waitUntil(w.file_page.isComplete, timeout=10000)
        w.next()
        assert w.mapping_page.isComplete(), w.mapping_page.problem.text()
        w.next()
        qtbot.waitUntil(w.units_page.isComplete, timeout=10000)
        w.next()
        preview = w.preview_page
        qtbot.waitUntil(preview.isComplete, timeout=10000)
        model = preview.model
        col = model.HEADERS.index("疑似重复")
        cells = {model.rows[i].name: model.data(model.index(i, col)) for i in range(model.rowCount())}
        assert cells["河湖长制管理系统"].startswith(f"重复：{held['code']} 县河长制信息化平台")
        assert cells["县农村饮水安全监测平台"].startswith("重复：第4行 农村饮水工程监管系统")  # another row
        assert cells["农村饮水工程监管系统"].startswith("重复：第3行 县农村饮水安全监测平台")
        assert cells["智慧旅游服务平台"] == ""
        tip = model.data(model.index(0, col), Qt.ItemDataRole.ToolTipRole)
        assert "河湖名录和一河一档" in tip and "蒙阴县教育和体育局" in tip
        assert "有 3 行与本机已有项目或台账中其他行内容相似" in preview.summary.text()
        w.grab().save(str(shots_dir(tmp_path) / "ledger-import-duplicates.png"))
    finally:
        session.store.close()
