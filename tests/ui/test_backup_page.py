"""备份与恢复 and the start-up checks, driven through the real widgets: back up, restore (asked first, the
current state backed up), the integrity check; a damaged file at start offers the newest good backup; a
read-only database shows the banner; a second window on a held database is refused naming the holder."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from desktop_app.models.store import Store
from desktop_app.services import audit, backups
from desktop_app.services.session import Session
from desktop_app.ui import app as app_mod
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.startup_checks import DamagedDialog, open_checked
from tests.core import damage
from tests.core.builders import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(app, qtbot, shell_county, tmp_path, dialogs):
    w = MainWindow(shell_county.session, shell_county.path, QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _names(store) -> set[str]:
    return {r["name"] for r in store.all("SELECT name FROM projects")}


def test_backup_now_list_and_restore(window, qtbot, shell_county, dialogs, tmp_path):
    window.show_page("backup")
    page = window.pages["backup"]
    assert page.loaded and page.table.rowCount() == 0 and not page.restore_btn.isEnabled()
    task = page.backup_now()
    qtbot.waitUntil(lambda: task.state != "running", timeout=20000)
    assert task.state == "done" and page.table.rowCount() == 1
    assert page.table.item(0, 1).text() == "手动" and page.table.item(0, 3).text() == "5"
    assert page.table.item(0, 6).text() == "完好" and "已备份到" in page.status.text()
    before = _names(shell_county.session.store)
    from desktop_app.services import operations as ops
    from tests.core.builders import BASE, actor_for

    store = shell_county.session.store
    ops.create_project(store, actor_for(store, "MYJYJ"), {**BASE, "name": "备份之后的项目"})
    page.table.selectRow(0)
    assert page.restore_btn.isEnabled()
    task = page.restore_selected()
    qtbot.waitUntil(lambda: task.state != "running", timeout=20000)
    assert task.state == "done", dialogs.texts()
    question = next(m for k, _, m in dialogs.shown if k == "question")
    assert "恢复前会先自动备份当前状态" in question
    assert _names(window.session.store) == before  # reopened on the restored file
    assert audit.verify(window.session.store) == []
    reasons = [page.table.item(r, 1).text() for r in range(page.table.rowCount())]
    assert sorted(reasons) == ["恢复前", "手动"]
    window.resize(1280, 800)
    page.table.selectRow(0)
    qtbot.wait(50)
    # docs/screenshots/backup.png was taken here with GOVIS_SHOTS=docs/screenshots
    shots = Path(os.environ.get("GOVIS_SHOTS") or tmp_path)
    assert window.grab().save(str(shots / "backup.png"))


def test_integrity_check_button(window, qtbot, dialogs):
    window.show_page("backup")
    page = window.pages["backup"]
    task = page.check_now()
    qtbot.waitUntil(lambda: task.state != "running", timeout=20000)
    assert "完整性检查通过" in page.status.text()


def test_damaged_file_at_start_offers_the_newest_good_backup(app, qtbot, tmp_path, dialogs):
    db = tmp_path / "county.db"
    damage.build(db)
    store = Store.open(db)
    good = backups.make_backup(store, "daily", now=dt.datetime(2026, 11, 25, 8, 0))
    store.close()
    damage.overwrite_middle_of_index_page(db)
    seen = {}

    def choose_restore():
        dlg = next(w for w in QApplication.topLevelWidgets() if isinstance(w, DamagedDialog) and w.isVisible())
        seen["text"] = dlg.text.text()
        seen["buttons"] = (dlg.restore_btn.isEnabled(), dlg.read_btn.isEnabled(), dlg.quit_btn.text())
        QTimer.singleShot(0, sign_in_as_admin)
        dlg.restore_btn.click()

    def sign_in_as_admin():  # a restore needs an administrator, checked against the backup's accounts
        login = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible())
        seen["login"] = True
        login.password.setText(TEST_PASSWORD)
        login.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, choose_restore)
    store = open_checked(str(db))
    assert seen.get("login")
    assert "数据库文件已损坏" in seen["text"] and good.path.name in seen["text"]
    assert seen["buttons"] == (True, True, "退出")
    assert store is not None and not store.writes_refused
    assert store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok" and len(_names(store)) == 300
    store.close()
    assert any(t == "已从备份恢复" for _, t, _ in dialogs.shown)


def test_damaged_file_read_only_shows_the_banner(app, qtbot, tmp_path, dialogs):
    db = tmp_path / "county.db"
    damage.build(db, projects=200)
    damage.overwrite_middle_of_index_page(db)
    QTimer.singleShot(0, lambda: next(w for w in QApplication.topLevelWidgets()
                                      if isinstance(w, DamagedDialog) and w.isVisible()).read_btn.click())
    store = open_checked(str(db))
    from desktop_app.services import operations as ops

    w = MainWindow(Session(store, ops.installation_actor(store)), str(db),
                   QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    assert w.banner.isVisible() and "已损坏" in w.banner.text() and "没有找到完好的备份" in w.banner.text()
    store.close()


def test_read_only_database_banner(app, qtbot, shell_county, tmp_path):
    """As root chmod does not bind, so the read-only flag stands in for a read-only medium."""
    shell_county.session.store.close()
    store = Store.open(shell_county.path, read_only=True)
    shell_county.session.store = store
    w = MainWindow(shell_county.session, shell_county.path,
                   QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    assert w.banner.isVisible() and "只读" in w.banner.text()
    assert not w.pages["backup"].second_save.isEnabled()
    from desktop_app.errors import StoreError
    from desktop_app.services import operations as ops

    with pytest.raises(StoreError, match="只读"):
        ops.set_holidays(store, shell_county.session.actor, 2031, ["2031-01-01"], [])


HOLDER = """
import sys
from desktop_app.services.instance_lock import InstanceLock
lock = InstanceLock(sys.argv[1], "lihua").acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_second_window_refused_naming_the_holder(app, shell_county, dialogs):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, shell_county.path], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert app_mod.run(shell_county.path) == 1
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    [(kind, _title, text)] = dialogs.shown
    assert kind == "critical" and "lihua" in text and f"进程号 {holder.pid}" in text
