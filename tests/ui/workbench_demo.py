"""Show 工作台 in the main window (for screenshots):

    python -m tests.ui.workbench_demo county|unit

`county`: the county office's 工作台 over a small county (every kind of finding); `unit`: a unit's own
installation after 提交申报, with the 尚未报送 reminder. With `shot.sh`:
    ../shared/tools/shot.sh docs/screenshots/workbench.png 8 .venv/bin/python -m tests.ui.workbench_demo county
"""

import datetime as dt
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from desktop_app.services import operations as ops
from desktop_app.services.session import Session
from desktop_app.ui.main_window import MainWindow


def county_session(folder: Path) -> Session:
    from tests.core.builders import accepted, in_construction, make_county, new_project, submitted

    path = folder / "county.db"
    c = make_county(path)
    new_project(c, name="县智慧教育云平台")
    new_project(c, c.unit2, name="县全民健康信息平台", plan_year="2026", planned_start="2026-03-01",
                planned_completion="2026-12-31")
    submitted(c, name="县卫生信息平台")
    p = in_construction(c, name="县学校安防视频监控", prohibited_types="surveillance", prohibited_justification="必要")
    ops.add_record(c.store, c.unit, "contract", p["id"], {
        "contract_no": "HT-2028-01", "title": "视频监控设备采购", "supplier": "临沂某科技公司",
        "procurement_method": "open_tender", "amount_fen": "80", "signed_on": "2028-01-28"}, today=dt.date(2028, 2, 1))
    accepted(c, name="县教育资源公共服务平台")
    return Session(c.store, c.county, today_override=dt.date(2028, 2, 1))


def unit_session(folder: Path) -> Session:
    from tests.exchange.world import make_world, unit_application

    w = make_world(folder, with_finance=False)
    unit_application(w)
    ops.create_project(w.unit.store, w.unit.actor, {
        "name": "县教育视频会议系统", "plan_year": "2027", "category": "new", "total_investment_fen": "35",
        "prohibited_types": "video_conf"})
    return Session(w.unit.store, w.unit.actor, today_override=dt.date(2026, 8, 24))


def main(argv: list[str]) -> int:
    app = QApplication([])
    app.setFont(QFont("WenQuanYi Micro Hei", 10))
    folder = Path(tempfile.mkdtemp(prefix="govis-wb-"))
    session = unit_session(folder) if argv and argv[0] == "unit" else county_session(folder)
    win = MainWindow(session, str(session.store.path), QSettings(str(folder / "g.ini"), QSettings.Format.IniFormat))
    win.move(0, 0)
    win.resize(1440, 900)
    win.show()
    win.show_page("workbench")
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
