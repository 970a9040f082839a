"""Show the project window on a demo county (for screenshots):

    python -m tests.ui.project_demo basic|construction|history|... [draft] [why] [delete]

`delete` opens the real confirmation of 删除草稿 (issue 11).

With `shot.sh`: ../shared/tools/shot.sh docs/screenshots/project-basic.png 5 \
    .venv/bin/python -m tests.ui.project_demo basic draft why
"""

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from desktop_app.ui.project_window import ProjectWindow
from tests.ui import project_fixtures as F


def build(town: F.Town, draft: bool) -> dict:
    if draft:
        p = F.draft(town, prohibited_types="server", large_project="1",
                    summary="建设全县中小学统一的教育资源云平台，整合现有教学、管理系统。")
        town.unit.add_record("material", p["id"], {"material_type": "application_report", "title": "项目申请报告"})
        town.unit.add_record("consultation", p["id"], {"consulted_on": "2026-11-02", "advisor": "李华"})
        return p
    p = F.in_construction(town)
    u = town.unit
    u.add_record("contract", p["id"], {
        "contract_no": "MYJY-2026-018", "title": "智慧教育云平台软件开发合同", "supplier": "山东某信息技术有限公司",
        "procurement_method": "open_tender", "amount_fen": "68.5", "signed_on": "2026-11-20",
        "supervisor": "临沂某监理公司"})
    u.add_record("contract", p["id"], {
        "contract_no": "MYJY-2026-011", "title": "云平台硬件采购合同", "supplier": "临沂某科技有限公司",
        "procurement_method": "inquiry", "amount_fen": "21.3", "signed_on": "2026-11-12", "filed_on": "2026-11-16"})
    u.add_record("progress_report", p["id"], {
        "year": "2026", "reported_on": "2026-11-23", "progress_pct": "15", "budget_executed_fen": "12.5",
        "trial_run": "否", "problems": "部分学校网络条件待改善"})
    return p


def main(argv: list[str]) -> int:
    tab = argv[0] if argv else "basic"
    app = QApplication([])
    app.setFont(QFont("WenQuanYi Micro Hei", 10))
    town = F.make_town(Path(tempfile.mkdtemp(prefix="govis-demo-")) / "county.db")
    p = build(town, "draft" in argv)
    w = ProjectWindow(town.unit, p["id"], tab)
    w.move(0, 0)
    w.resize(1440, 900)
    w.show()
    if "why" in argv:
        QTimer.singleShot(300, w.actions_bar.explain_all)
    if "delete" in argv:
        QTimer.singleShot(600, w.delete_project)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
