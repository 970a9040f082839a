"""风险评级 driven through the real dialog: the suggestion and its reasons shown, another level refused
without a note (in Chinese, nothing written), confirmed with one; the ledger and 工作台 show it."""

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import Qt

from desktop_app.services import queries
from desktop_app.ui.ledger import COL, LedgerModel
from desktop_app.ui.risk_ratings import RiskRatingDialog
from desktop_app.ui.workbench import WorkbenchPage
from tests.ui.conftest import TODAY


def _count(session) -> int:
    return session.store.one("SELECT COUNT(*) AS n FROM risk_ratings")["n"]


def test_confirm_and_override_in_the_dialog(app, qtbot, shell_county, tmp_path):
    s = shell_county.session
    dlg = RiskRatingDialog(s)
    qtbot.addWidget(dlg)
    dlg.show()
    # only active projects (funded or built): not the drafts nor the submitted application
    names = {r.name for r in dlg.shown}
    assert names == {"县学校安防视频监控", "县教育资源公共服务平台"}
    dlg.select_project(next(r.code for r in dlg.shown if r.name == "县学校安防视频监控"))
    r = dlg.current()
    assert dlg.level.currentData() == r.suggested
    assert dlg.reasons.toPlainText() == ("\n".join(f"· {x}" for x in r.reasons) or "未发现风险事项")

    # another level than suggested, no note: refused, said in Chinese, nothing written
    other = 1 if r.suggested != 1 else 2
    dlg.level.setCurrentIndex(dlg.level.findData(other))
    qtbot.mouseClick(dlg.confirm_btn, Qt.MouseButton.LeftButton)
    assert "理由" in dlg.message.text() and _count(s) == 0

    dlg.note.setPlainText("监理周报显示关键设备到货延误两个月")
    qtbot.mouseClick(dlg.confirm_btn, Qt.MouseButton.LeftButton)
    assert _count(s) == 1 and "已将" in dlg.message.text()
    row = dlg.current()
    assert row.project_id == r.project_id and row.confirmed["level"] == other and not row.stale
    assert dlg.table.item(dlg.table.currentRow(), 3).text().startswith(str(other))
    # docs/screenshots/risk-rating.png: `python -m tests.ui.view_shots docs/screenshots risk-rating` (demo county)
    assert dlg.grab().save(str(Path(os.environ.get("GOVIS_SHOTS") or tmp_path) / "risk-rating.png"))

    # the ledger's 风险等级 column reads the confirmed level
    ledger = {x["id"]: x for x in queries.ledger(s.store, today=TODAY)}
    assert ledger[r.project_id]["risk_rating"].startswith(str(other))
    assert ledger[next(x.project_id for x in dlg.shown if x.project_id != r.project_id)]["risk_rating"] == ""
    model = LedgerModel()
    model.set_rows(list(ledger.values()))
    cell = model.index(model.position(r.project_id), COL["rating"])
    assert cell.data() == f"{other}级" and "监理" not in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert model.headerData(COL["rating"], Qt.Orientation.Horizontal) == "评级"
    # 91 days later the same rating is 已过期
    stale = queries.ledger(s.store, [r.project_id], today=TODAY + dt.timedelta(days=91))[0]
    assert stale["risk_rating"].endswith("（已过期）")


def test_workbench_shows_the_ratings_and_opens_the_dialog(app, qtbot, shell_county):
    page = WorkbenchPage(shell_county.session, shell_county.path)
    qtbot.addWidget(page)
    page.load()
    qtbot.waitUntil(lambda: page.loaded, timeout=20000)
    assert "风险评级：" in page.risk_label.text() and "未确认 2 个" in page.risk_label.text()
    dlg = page.open_risk_ratings()
    qtbot.addWidget(dlg)
    dlg.select_project(dlg.shown[0].code)
    qtbot.mouseClick(dlg.confirm_btn, Qt.MouseButton.LeftButton)
    assert "未确认 1 个" in page.risk_label.text()


def test_a_rating_confirmed_on_the_workbench_refreshes_the_ledger_row(app, qtbot, shell_county, tmp_path, dialogs):
    from PySide6.QtCore import QSettings

    from desktop_app.ui.main_window import MainWindow

    w = MainWindow(shell_county.session, shell_county.path, QSettings(str(tmp_path / "g.ini"),
                                                                      QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    w.show_page("ledger")
    ledger = w.pages["ledger"]
    qtbot.waitUntil(lambda: ledger.loaded, timeout=20000)
    w.show_page("workbench")
    bench = w.pages["workbench"]
    qtbot.waitUntil(lambda: bench.loaded, timeout=20000)
    dlg = bench.open_risk_ratings()
    qtbot.addWidget(dlg)
    r = dlg.shown[0]
    dlg.select_project(r.code)
    qtbot.mouseClick(dlg.confirm_btn, Qt.MouseButton.LeftButton)
    model = ledger.model
    assert model.index(model.position(r.project_id), COL["rating"]).data() == f"{r.suggested}级"
