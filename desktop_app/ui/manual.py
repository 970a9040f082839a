"""帮助 → 使用手册: the manual built by scripts/build_manual.py, shown with its chapter list; F1 opens the
section about the screen in front of the user (SECTIONS / TAB_SECTIONS below, so pages need not know)."""

from __future__ import annotations

import json
import logging
from contextlib import ExitStack
from importlib.resources import as_file, files

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

MANUAL_DIR = "resources/manual"
# main window page key (main_window.PAGES) -> anchor in the manual
SECTIONS = {
    "workbench": "workbench", "ledger": "ledger", "annual": "annual", "statistics": "statistics", "exchange": "exchange",
    "units": "units", "audit": "audit-log", "backup": "backup", "settings": "settings",
}
# project window tab key (project_view.TABS) -> anchor
TAB_SECTIONS = {
    "basic": "project-basic", "materials": "materials", "similar": "similar", "review": "review", "construction": "construction",
    "changes": "changes", "problems": "problems", "acceptance": "acceptance", "evaluation": "evaluation",
    "sharing": "sharing", "funds": "funds", "security": "security", "attachments": "attachments",
    "history": "project-history",
}
MISSING = ("<h2>找不到使用手册</h2><p>程序文件夹中缺少使用手册（resources/manual/index.html）。"
           "请重新安装本程序；开发人员可运行 <code>python scripts/build_manual.py</code> 重新生成。</p>")


def section_for(window: QWidget | None) -> str:
    """The anchor about what `window` shows now; "" (the beginning) for any other window."""
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.project_window import ProjectWindow

    if isinstance(window, ManualDialog):
        return window.anchor  # F1 in the manual itself: stay where the reader is
    if isinstance(window, ProjectWindow):
        return TAB_SECTIONS.get(window.current_tab(), "project-window")
    if isinstance(window, MainWindow):
        return SECTIONS.get(window.current_key(), "")
    return ""


class ManualDialog(QDialog):
    """Chapter list on the left, the manual on the right; one per application (see open_manual)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("使用手册")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1100, 760)
        self._files = ExitStack()  # keeps the folder as_file gave us for as long as the dialog lives
        self.anchor = ""
        self.items: dict[str, QTreeWidgetItem] = {}
        self.contents = QTreeWidget()
        self.contents.setHeaderHidden(True)
        self.contents.itemClicked.connect(lambda item, _c: self.show_section(item.data(0, Qt.ItemDataRole.UserRole)))
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)  # the PCs are offline; every link is an anchor inside
        self.browser.anchorClicked.connect(self._link)
        self.browser.setOpenLinks(False)
        split = QSplitter()
        split.addWidget(self.contents)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 800])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addWidget(buttons)
        self.loaded = self._load()

    def _load(self) -> bool:
        folder = files("desktop_app").joinpath(MANUAL_DIR)
        try:
            path = self._files.enter_context(as_file(folder))
            index = path / "index.html"
            text = index.read_text(encoding="utf-8")
            toc = json.loads((path / "contents.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("manual not available: %s", exc)
            self.browser.setHtml(MISSING)
            return False
        self.browser.setSearchPaths([str(path)])
        self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(index)))
        self.browser.setHtml(text)
        chapter = None
        for entry in toc:
            item = QTreeWidgetItem([entry["title"]])
            item.setData(0, Qt.ItemDataRole.UserRole, entry["id"])
            if entry["level"] == 1 or chapter is None:
                self.contents.addTopLevelItem(item)
                chapter = item
            else:
                chapter.addChild(item)
            self.items[entry["id"]] = item
        return True

    def _link(self, url: QUrl) -> None:
        if url.hasFragment() and not url.path().strip("/").removesuffix("index.html"):
            self.show_section(url.fragment())

    def show_section(self, anchor: str) -> None:
        """Scroll to `anchor` ("" = the beginning) and select it in the chapter list."""
        self.anchor = anchor if anchor in self.items else ""
        if self.anchor:
            self.browser.scrollToAnchor(self.anchor)
            # once more when the window has its final size: the text reflows and the heading moves
            QTimer.singleShot(0, lambda a=self.anchor: a == self.anchor and self.browser.scrollToAnchor(a))
            item = self.items[self.anchor]
            if item.parent():
                item.parent().setExpanded(True)
            self.contents.setCurrentItem(item)
        else:
            self.browser.verticalScrollBar().setValue(0)
            self.contents.clearSelection()


def open_manual(parent: QWidget, anchor: str = "") -> ManualDialog:
    """Show `parent`'s manual window (made on first use, closing only hides it) at `anchor`."""
    dialog = getattr(parent, "manual_dialog", None)
    if dialog is None:
        dialog = parent.manual_dialog = ManualDialog(parent)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.show_section(anchor)
    return dialog
