"""The main window: navigation, menus, toolbar, status bar; pages do the work.

It owns one Session (GUI thread) and the open project windows; a project window's `changed`
signal refreshes just that project's ledger row and marks the findings stale.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME_ZH, __version__
from desktop_app.models.authority import USER_ROLES
from desktop_app.models.kinds import COUNTY, FINANCE
from desktop_app.services import stats
from desktop_app.ui.annual_page import AnnualPage
from desktop_app.ui.audit_page import AuditPage
from desktop_app.ui.backup_page import BackupPage
from desktop_app.ui.errors import log_file, show_error
from desktop_app.ui.exchange_page import ExchangePage
from desktop_app.ui.icons import icon
from desktop_app.ui.ledger import LedgerPage
from desktop_app.ui.project_window import ProjectWindow
from desktop_app.ui.settings_page import SettingsPage
from desktop_app.ui.statistics import StatisticsPage
from desktop_app.ui.units_page import UnitsPage
from desktop_app.ui.workbench import WorkbenchPage, load_snapshot
from desktop_app.ui.worker import run_task

log = logging.getLogger(__name__)

# (key, label, icon) — only screens that exist
PAGES = (("workbench", "工作台", "workbench"), ("ledger", "项目台账", "ledger"), ("annual", "年度申报", "annual"),
         ("statistics", "统计分析", "statistics"), ("exchange", "数据交换", "export"),
         ("units", "单位与密钥", "units"), ("audit", "操作日志", "audit"), ("backup", "备份与恢复", "backup"), ("settings", "系统设置", "settings"))


def county_check(session):
    """Worker: the ledger, today's findings and the chart tables in one rule pass."""
    snap = load_snapshot(session)
    return snap, stats.figures(snap.rows, snap.findings, snap.risk)


class CheckHub:
    """Feeds 工作台 and 统计分析 from one rule pass: the rules over a county are the slow part
    (seconds for 10,000 projects) and two passes at once would also starve the GUI thread of the GIL."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.task = None
        self.pages = (window.pages["workbench"], window.pages["statistics"])
        for page in self.pages:
            page.loader = self.load

    def load(self) -> None:
        if self.task is not None and self.task.state == "running":
            return
        for page in self.pages:
            page.begin_loading()
        like = self.window.session
        self.task = run_task(lambda job: county_check(job.session(like)), parent_widget=self.window,
                             db_path=self.window.db_path, on_done=self._done, on_error=self._failed)
        for page in self.pages:
            page.task = self.task

    def _done(self, result) -> None:
        snap, tables = result
        self.pages[0].set_snapshot(snap)
        self.pages[1].set_tables(tables)

    def _failed(self, exc, tb) -> None:
        for page in self.pages:
            page.loading_failed()
        show_error(self.window, exc, tb)


class MainWindow(QMainWindow):
    def __init__(self, session, db_path: str, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.settings = settings or QSettings()
        self.info = stats.installation_info(session.store, session.actor.user)
        self.project_windows: dict[str, QWidget] = {}
        self.new_windows: set[QWidget] = set()
        self.setWindowTitle(f"{APP_NAME_ZH} — {self.info.org_name}")
        self.setMinimumSize(QSize(960, 600))

        self.pages = {
            "workbench": WorkbenchPage(session, db_path),
            "ledger": LedgerPage(session, db_path),
            "annual": AnnualPage(session, db_path),
            "statistics": StatisticsPage(session, db_path),
            "exchange": ExchangePage(session, db_path),
            "units": UnitsPage(session, db_path),
            "audit": AuditPage(session, db_path),
            "backup": BackupPage(session, db_path),
            "settings": SettingsPage(session, db_path),
        }
        self.pages["backup"].restored.connect(self.reopen_after_restore)
        self.pages["workbench"].open_project.connect(self.open_project)
        self.pages["workbench"].export_requested.connect(self.export_to)
        self.pages["workbench"].risk_rated.connect(self.risk_rated)
        self.pages["ledger"].open_project.connect(lambda pid: self.open_project(pid, "basic"))
        self.pages["annual"].changed.connect(self.project_changed)
        self.pages["settings"].deadlines_changed.connect(self.refresh_all)
        self.pages["exchange"].imported.connect(self.refresh_all)
        self.pages["exchange"].exported.connect(self.refresh_all)
        self.pages["exchange"].imported.connect(self.pages["units"].refresh)  # a directory or a new audit head
        self.pages["units"].key_changed.connect(self.pages["exchange"].refresh)
        self.check_hub = CheckHub(self)

        self.nav = QListWidget()
        self.nav.setIconSize(QSize(24, 24))
        self.nav.setSpacing(2)
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        for key, label, ic in PAGES:
            item = QListWidgetItem(icon(ic), label)
            item.setSizeHint(QSize(140, 40))
            self.nav.addItem(item)
            self.stack.addWidget(self.pages[key])
        self.nav.currentRowChanged.connect(self.show_page_index)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        # read-only medium or damaged file: said once, at the top, for as long as the window is open
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff3cd; color: #7a4b00; padding: 6px 10px;"
                                  "border-bottom: 1px solid #e0c36a")
        outer.addWidget(self.banner)
        row = QHBoxLayout()
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        outer.addLayout(row, 1)
        self.setCentralWidget(central)
        self.update_banner()

        self._actions()
        self._status_bar()
        self._restore()

    # ---- chrome ------------------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, ic: str | None = None, tip: str | None = None) -> QAction:
        a = QAction(icon(ic), text, self) if ic else QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.triggered.connect(slot)
        return a

    def _actions(self) -> None:
        self.act_refresh = self._action("刷新(&R)", self.refresh_current, QKeySequence.StandardKey.Refresh, "refresh",
                                        "重新读取当前页面的数据")
        self.act_export = self._action("导出台账(&E)…", self.export_ledger, "Ctrl+E", "export",
                                       "把当前筛选和排序下的项目台账导出为 Excel")
        self.act_find = self._action("查找项目(&F)", self.find_project, QKeySequence.StandardKey.Find, "search",
                                     "在项目台账中搜索编号、名称或单位")
        self.act_new = self._action("新建项目(&N)…", self.new_project, QKeySequence.StandardKey.New, "new",
                                    "填写基本信息，建立项目草稿")
        # Only when this role may create projects: no dead buttons.
        self.act_new.setVisible(self.session.actor.role != FINANCE)
        why = self.session.may("draft")  # a 只读审计 account: the same rule the operations check
        self.act_new.setEnabled(why is None)
        if why:
            self.act_new.setToolTip(why)
        self.act_import_ledger = self._action("导入原有台账(&I)…", self.import_ledger, None, None,
                                              "把原有的 Excel 项目台账导入本程序（先预览，确认后写入）")
        # the county office keeps the full ledger; its reviewer or administrator brings the old one in
        self.act_import_ledger.setVisible(self.session.actor.role == COUNTY)
        why = self.session.may("ledger_import")
        self.act_import_ledger.setEnabled(why is None)
        if why:
            self.act_import_ledger.setToolTip(why)
        self.act_review = self._action("评审会(&R)…", self.open_review_sessions, None, None,
                                       "集中评审：评审会、专家评分和评审结论（第三条）")
        self.act_review.setVisible(self.session.actor.role == COUNTY)  # the county office organises review
        self.act_quit = self._action("退出(&X)", self.close, QKeySequence.StandardKey.Quit, "quit")
        self.act_about = self._action("关于本程序(&A)", self.about, None, "about")
        self.act_policy = self._action("政策依据(&P)", self.show_policy)
        self.act_selftest = self._action("自检(&T)…", self.run_selftest, None, None,
                                         "在临时文件夹中试运行本程序的主要功能，逐项显示结果")
        self.act_manual = self._action("使用手册(&M)", self.open_manual, "F1", "about", "按 F1 打开当前页面的说明")
        self.act_manual.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # F1 in a project window too
        self.act_print_ledger = self._action("打印项目台账(&L)…", self.print_ledger, "Ctrl+P", "export",
                                             "预览、打印或另存为PDF：项目台账（按台账当前的年度筛选）")
        self.act_print_summary = self._action("打印年度项目申报汇总表(&S)…", self.print_plan_summary, None, None,
                                              "预览、打印或另存为PDF：某一计划年度的申报汇总表")
        self.act_batch_print = self._action("批量打印(&B)…", self.batch_print, None, None,
                                            "为某一计划年度的全部项目生成同一种文书，逐份打印或保存到文件夹")
        self.page_actions = []
        for n, (key, label, ic) in enumerate(PAGES):
            a = self._action(label, lambda _c=False, i=n: self.show_page_index(i), f"Ctrl+{n + 1}", ic)
            self.page_actions.append(a)

        bar = self.menuBar()
        m = bar.addMenu("文件(&F)")
        m.addAction(self.act_new)
        m.addAction(self.act_export)
        m.addAction(self.act_import_ledger)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = bar.addMenu("视图(&V)")
        for a in self.page_actions:
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_refresh)
        m = bar.addMenu("项目(&P)")
        m.addAction(self.act_find)
        m.addAction(self.act_review)
        m = bar.addMenu("打印(&D)")
        m.addAction(self.act_print_ledger)
        m.addAction(self.act_print_summary)
        m.addSeparator()
        m.addAction(self.act_batch_print)
        m = bar.addMenu("帮助(&H)")
        m.addAction(self.act_manual)
        m.addAction(self.act_policy)
        m.addAction(self.act_selftest)
        m.addAction(self.act_about)

        tb = QToolBar("工具栏")
        tb.setObjectName("main_toolbar")
        tb.setIconSize(QSize(20, 20))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.setMovable(False)
        tb.addAction(self.act_new)
        tb.addAction(self.act_refresh)
        tb.addAction(self.act_find)
        tb.addAction(self.act_export)
        self.addToolBar(tb)
        self.toolbar = tb

    # ---- printing ------------------------------------------------------------------------------
    @classmethod
    def ask_item(cls, parent, title: str, label: str, items: list[str]) -> str | None:
        text, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
        return text if ok else None

    @classmethod
    def ask_year(cls, parent, title: str, default: int) -> int | None:
        year, ok = QInputDialog.getInt(parent, title, "计划年度：", default, 2000, 2100)
        return year if ok else None

    def print_ledger(self):
        from desktop_app.ui.print_preview import preview_document

        return preview_document(self, self.session, "ledger", year=self.pages["ledger"].current_filters().year)

    def print_plan_summary(self):
        from desktop_app.ui.print_preview import preview_document

        year = self.ask_year(self, "年度项目申报汇总表", self.session.today.year + 1)
        return None if year is None else preview_document(self, self.session, "plan-summary", year=year)

    def batch_print(self):
        from desktop_app.documents import filled
        from desktop_app.ui.print_preview import batch_print

        docs = [d for d in filled.DOCUMENTS.values() if d.needs in (filled.PROJECT, filled.RECORD)]
        name = self.ask_item(self, "批量打印", "文书种类：", [d.name for d in docs])
        if name is None:
            return None
        year = self.ask_year(self, "批量打印", self.session.today.year)
        if year is None:
            return None
        code = next(d.code for d in docs if d.name == name)
        return batch_print(self, self.session, code, year)

    def _status_bar(self) -> None:
        i = self.info
        sb = self.statusBar()
        self.status_labels = {
            "org": QLabel(f"单位：{i.org_name}（{i.org_code}）"),
            "role": QLabel(f"角色：{i.role_label}"),
            "user": QLabel(f"用户：{i.user_display}（{i.username}，{USER_ROLES.get(self.session.actor.user_role, '')}）"),
            "db": QLabel(f"数据库：{self.db_path}"),
        }
        self.status_labels["db"].setToolTip(self.db_path)
        for lab in self.status_labels.values():
            lab.setContentsMargins(6, 0, 6, 0)
            sb.addPermanentWidget(lab)

    def status_text(self) -> str:
        return "  ".join(lab.text() for lab in self.status_labels.values())

    # ---- pages --------------------------------------------------------------------------------------
    def show_page(self, key: str) -> None:
        self.show_page_index([k for k, _, _ in PAGES].index(key))

    def show_page_index(self, i: int) -> None:
        if self.nav.currentRow() != i:
            self.nav.setCurrentRow(i)  # re-enters through currentRowChanged
            return
        self.stack.setCurrentIndex(i)
        page = self.stack.widget(i)
        if not getattr(page, "loaded", True) and getattr(page, "task", None) is None:
            page.load()

    def current_key(self) -> str:
        return PAGES[self.stack.currentIndex()][0]

    def refresh_current(self) -> None:
        self.pages[self.current_key()].load()

    def refresh_all(self) -> None:
        if self.pages["ledger"].loaded:
            self.pages["ledger"].load()
        if self.pages["workbench"].loaded or self.pages["statistics"].loaded:
            self.check_hub.load()

    def update_banner(self) -> None:
        reason = self.session.store.writes_refused
        self.banner.setText(f"只读：{reason}" if reason else "")
        self.banner.setVisible(bool(reason))

    def reopen_after_restore(self) -> None:
        """The database was replaced from a backup: a fresh handle, then every page reads again."""
        from desktop_app.models.store import Store

        old = self.session.store
        self.session.store = Store.open(self.db_path)
        old.close()
        self.update_banner()
        self.refresh_all()

    def find_project(self) -> None:
        self.show_page("ledger")
        self.pages["ledger"].focus_search()

    def export_ledger(self) -> None:
        ledger = self.pages["ledger"]
        self.show_page("ledger")
        if not ledger.loaded:
            QMessageBox.information(self, "导出台账", "台账正在读取，请稍后再导出。")
            return
        ledger.export_dialog()

    def export_to(self, recipient: str) -> None:
        """工作台's 导出数据包…: the exchange page with that recipient chosen ('' : just the page)."""
        self.show_page("exchange")
        self.pages["exchange"].choose_recipient(recipient)

    def import_ledger(self) -> None:
        from desktop_app.ui.ledger_import_wizard import LedgerImportWizard

        wizard = LedgerImportWizard(self.session, self.db_path, self)
        wizard.imported.connect(lambda _changes: self.refresh_all())
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.ledger_import_wizard = wizard
        wizard.show()

    # ---- project windows ------------------------------------------------------------------------------
    def open_project(self, project_id: str, tab: str = "basic") -> None:
        win = self.project_windows.get(project_id)
        if win is not None:
            win.show_tab(tab)
            win.show()
            win.raise_()
            win.activateWindow()
            return
        try:
            win = ProjectWindow(self.session, project_id, tab)
        except Exception as exc:  # noqa: BLE001 - a refusal or bug while opening: tell the user
            show_error(self, exc)
            return
        win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        win.changed.connect(self.project_changed)
        win.destroyed.connect(lambda _o=None, pid=project_id: self.project_windows.pop(pid, None))
        self.project_windows[project_id] = win
        win.show()

    def new_project(self) -> None:
        if self.session.actor.role == FINANCE:
            return
        try:
            win = ProjectWindow(self.session, None, "basic")
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        win.changed.connect(self.project_changed)
        self.new_windows.add(win)
        win.destroyed.connect(lambda _o=None, w=win: self.new_windows.discard(w))
        win.show()

    def open_review_sessions(self) -> None:
        from desktop_app.ui.review_session_dialog import ReviewSessionDialog

        dlg = ReviewSessionDialog(self.session, self)
        dlg.changed.connect(lambda ch: [self.project_changed(pid) for pid in ch.project_ids])
        dlg.exec()

    def project_changed(self, project_id: str) -> None:
        """Refresh just that ledger row; findings and figures are re-checked when next shown."""
        ledger = self.pages["ledger"]
        if ledger.loaded:
            ledger.refresh_row(project_id)
        for key in ("workbench", "statistics", "annual"):
            page = self.pages[key]
            if page.loaded:
                if self.current_key() == key:
                    page.load()
                else:
                    page.loaded = False
                    page.task = None

    def risk_rated(self, project_id: str) -> None:
        """A rating confirmed from 工作台: its ledger row, and 统计分析 when next shown (工作台 keeps its findings)."""
        if self.pages["ledger"].loaded:
            self.pages["ledger"].refresh_row(project_id)
        stats_page = self.pages["statistics"]
        if stats_page.loaded and self.current_key() != "statistics":
            stats_page.loaded = False
            stats_page.task = None

    # ---- help ----------------------------------------------------------------------------------------
    def open_manual(self):
        from desktop_app.ui import manual

        return manual.open_manual(self, manual.section_for(QApplication.activeWindow() or self))

    def about(self) -> None:
        QMessageBox.about(self, "关于本程序",
                          f"<b>{APP_NAME_ZH}</b> {__version__}<br>"
                          f"依据{self.info.profile.notice_no}《关于加强政务信息系统项目管理工作的通知》<br><br>"
                          f"数据库：{self.db_path}<br>日志：{log_file() or '（未启用）'}")

    def run_selftest(self) -> None:
        from desktop_app.ui.selftest_dialog import SelfTestDialog

        self.selftest_dialog = SelfTestDialog(self, today=self.session.today_override)
        self.selftest_dialog.show()
        self.selftest_dialog.start()

    def show_policy(self) -> None:
        QMessageBox.information(self, "政策依据",
                                f"本程序按{self.info.profile.notice_no}各条管理项目全生命周期：\n"
                                "第一条 建设范围；第二条 年度申报；第三条 评审和上级项目；第四条 建设、变更和问题报告；"
                                "第五条 监督检查；第六条 验收和绩效评价；第七条 共享开放；第八条 资金管理；"
                                "第九条 网络安全；第十条 职责分工。\n\n"
                                "每条提醒和限制都注明所依据的条款。具体期限参数见“系统设置”。")

    # ---- geometry ------------------------------------------------------------------------------------
    def _restore(self) -> None:
        geo = self.settings.value("main/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 800)
        state = self.settings.value("main/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        page = self.settings.value("main/page", "workbench")
        keys = [k for k, _, _ in PAGES]
        self.show_page(page if page in keys else "workbench")

    def save_state(self) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        self.settings.setValue("main/page", self.current_key())
        self.settings.sync()

    def closeEvent(self, event) -> None:
        self.save_state()
        for win in list(self.project_windows.values()) + list(self.new_windows):
            win.close()
        super().closeEvent(event)
