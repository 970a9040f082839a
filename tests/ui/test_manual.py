"""帮助 → 使用手册: the built manual opens from the menu; F1 opens the section about the screen in front."""

import json
import re
from importlib.resources import files

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from desktop_app.services import project_view as PV
from desktop_app.ui import manual
from desktop_app.ui.main_window import PAGES, MainWindow

SHIPPED = files("desktop_app").joinpath("resources/manual")


@pytest.fixture
def window(app, qtbot, shell_county, tmp_path, dialogs):
    w = MainWindow(shell_county.session, shell_county.path, QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def heading_at_top(dialog) -> str:
    """The text of the block shown at the top of the manual's viewport."""
    return dialog.browser.cursorForPosition(QPoint(4, 4)).block().text()


def activate(qtbot, w) -> None:
    """F1 reads the active window, as a user's key press would find it."""
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)


def titles() -> dict[str, str]:
    return {e["id"]: e["title"] for e in json.loads(SHIPPED.joinpath("contents.json").read_text("utf-8"))}


def test_help_menu_opens_the_manual_with_its_chapter_list(window, qtbot):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "帮助(&H)")
    entry = help_menu.actions()[0]
    assert entry.text() == "使用手册(&M)" and entry.shortcut().toString() == "F1"
    entry.trigger()
    dialog = window.manual_dialog
    qtbot.waitExposed(dialog)
    assert dialog.loaded and dialog.isVisible()
    chapters = [dialog.contents.topLevelItem(i).text(0) for i in range(dialog.contents.topLevelItemCount())]
    assert chapters[0] == "第一天：安装和初始设置" and "数据交换（U 盘数据包）" in chapters and len(chapters) == 9
    assert "政务信息系统项目" in dialog.browser.toPlainText()
    # a chapter picked in the list scrolls the text to it
    exchange = next(dialog.contents.topLevelItem(i) for i in range(dialog.contents.topLevelItemCount())
                    if dialog.contents.topLevelItem(i).text(0).startswith("数据交换"))
    rect = dialog.contents.visualItemRect(exchange)
    qtbot.mouseClick(dialog.contents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.anchor == "exchange" and heading_at_top(dialog) == "数据交换（U 盘数据包）"


@pytest.mark.parametrize("page, anchor", [("workbench", "workbench"), ("ledger", "ledger"),
                                          ("exchange", "exchange"), ("settings", "settings"),
                                          ("backup", "backup"), ("audit", "audit-log")])
def test_f1_on_a_page_opens_its_section(window, qtbot, page, anchor):
    window.show_page(page)
    activate(qtbot, window)
    qtbot.keyClick(window.pages[page], Qt.Key.Key_F1)
    dialog = window.manual_dialog
    assert dialog.isVisible() and dialog.anchor == anchor
    assert heading_at_top(dialog) == titles()[anchor]
    assert dialog.contents.currentItem().text(0) == titles()[anchor]


def test_f1_in_the_project_window_opens_the_tab_section(window, qtbot, shell_county):
    row = next(r for r in shell_county.session.ledger() if r["code"] == "MY-2027-004")
    window.open_project(row["id"], "construction")
    win = window.project_windows[row["id"]]
    qtbot.addWidget(win)
    activate(qtbot, win)
    qtbot.keyClick(win.tabs.currentWidget(), Qt.Key.Key_F1)
    dialog = window.manual_dialog
    assert dialog.anchor == "construction" and heading_at_top(dialog) == "建设与合同（建设单位）"
    win.show_tab("acceptance")
    activate(qtbot, win)
    qtbot.keyClick(win.tabs.currentWidget(), Qt.Key.Key_F1)
    assert window.manual_dialog is dialog and dialog.anchor == "acceptance"
    assert heading_at_top(dialog) == titles()["acceptance"]


def test_every_screen_and_tab_has_a_section():
    anchors = titles()
    assert set(manual.SECTIONS) == {key for key, _label, _icon in PAGES}
    assert set(manual.TAB_SECTIONS) == set(PV.TABS)
    missing = {a for a in [*manual.SECTIONS.values(), *manual.TAB_SECTIONS.values(), "project-window"]
               if a not in anchors}
    assert not missing


def test_the_shipped_manual_references_only_images_it_ships():
    page = SHIPPED.joinpath("index.html").read_text("utf-8")
    images = re.findall(r'<img[^>]*src="([^"]+)"', page)
    assert len(images) >= 10
    for src in images:
        assert src.startswith("images/") and SHIPPED.joinpath(src).is_file(), src


def test_a_missing_manual_says_so_in_chinese(app, qtbot, monkeypatch):
    monkeypatch.setattr(manual, "MANUAL_DIR", "resources/no-such-manual")
    dialog = manual.ManualDialog()
    qtbot.addWidget(dialog)
    assert not dialog.loaded
    assert "找不到使用手册" in dialog.browser.toPlainText()
    dialog.show_section("exchange")  # nothing to jump to: stays at the beginning, no error
    assert dialog.anchor == ""
