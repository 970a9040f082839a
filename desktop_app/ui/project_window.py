"""The project window: every lifecycle stage of one project, one tab per stage.

`ProjectWindow(session, project_id, tab)`; project_id None opens an empty 基本信息 form that
creates the project. Every write goes through the Session (the core validates, checks the rules,
writes one transaction and one audit entry); after each success the window reloads its read
model, the tables update only the rows that changed, and `changed(project_id)` is emitted.
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import GovisError, ValidationError
from desktop_app.lifecycle import rules as R
from desktop_app.models.kinds import COUNTY, KINDS, PROHIBITED, UNIT
from desktop_app.services import project_view as PV
from desktop_app.ui.actions import ActionBar
from desktop_app.ui.forms import ERROR_STYLE, RecordForm
from desktop_app.ui.record_table import ATTACH_FILTER, RecordSection, RowsModel, make_table

STATE_COLOURS = {R.VIOLATION: "#c0392b", R.OVERDUE: "#c0392b", R.BLOCKED: "#b9770e",
                 R.UPCOMING: "#b9770e", R.PENDING: "#2c3e50"}
URGENT = {R.VIOLATION, R.OVERDUE, R.BLOCKED, R.UPCOMING}


class FindingsBox(QFrame):
    """The open obligations and gates of one tab, each with its clause and due date."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        self.title = QLabel("<b>本页待办与提示</b>")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.title)
        lay.addWidget(self.label)
        self.findings: list[R.Finding] = []
        self.recurring: list[R.Finding] = []  # periodic obligations met for now, with their next due date

    def set_findings(self, findings: list[R.Finding], recurring: list[R.Finding] = ()) -> None:
        self.findings, self.recurring = findings, list(recurring)
        lines = [f'<span style="color:{STATE_COLOURS.get(f.state, "#333")}">{html.escape(PV.finding_text(f))}</span>'
                 for f in findings]
        if not findings:
            lines = ['<span style="color:#777">本页没有待办、受限或违规事项。</span>']
        # met for this period, due again later (定期评估): shown so the next date is not forgotten
        lines += [f'<span style="color:#555">{html.escape(PV.finding_text(f))}</span>' for f in self.recurring]
        self.label.setText("<br>".join(lines))

    def texts(self) -> list[str]:
        return [PV.finding_text(f) for f in self.findings + self.recurring]


class _Page(QScrollArea):
    """A scrolling tab page: findings box on top, then the page's own widgets."""

    def __init__(self, tab: str, parent=None):
        super().__init__(parent)
        self.tab = tab
        self.changes = None  # what the last write changed (None: everything), set before refresh
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self.body = QVBoxLayout(inner)
        self.findings = FindingsBox()
        self.body.addWidget(self.findings)
        self.setWidget(inner)

    def finish(self) -> None:
        self.body.addStretch(1)

    def refresh(self, view: PV.ProjectView) -> None:
        self.findings.set_findings(view.open_findings(self.tab), view.recurring_findings(self.tab))


class RecordsPage(_Page):
    """Tables of the kinds listed for the tab in project_view.TAB_KINDS."""

    def __init__(self, tab: str, window: ProjectWindow, parent=None):
        super().__init__(tab, parent)
        self.window_ = window
        self.view: PV.ProjectView | None = None
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.hide()
        self.body.addWidget(self.header)
        self.sections: dict[str, RecordSection] = {}
        self.delete_buttons: dict[str, QPushButton] = {}
        self.similar = None
        if tab == "similar":  # 第一条: the duplicate check above the county office's finding
            from desktop_app.ui.similar_projects import SimilarCandidates

            self.similar = SimilarCandidates(window.session)
            self.body.addWidget(self.similar)
        for name in PV.TAB_KINDS[tab]:
            sec = RecordSection(KINDS[name], window.session, self._extra_columns(name))
            sec.written.connect(window.record_written)
            self.body.addWidget(sec)
            self.sections[name] = sec
            if PV.may_ever_delete(window.session.actor, name):
                self._add_delete_button(name, sec)
        self.finish()

    def _add_delete_button(self, name: str, sec: RecordSection) -> None:
        button = QPushButton("删除所选…")
        button.clicked.connect(lambda _c=False, n=name: self.window_.delete_record(n))
        bar = _layout_holding(sec.layout(), sec.edit_button)
        if bar is not None:  # beside 修改所选
            bar.insertWidget(bar.indexOf(sec.edit_button) + 1, button)
        else:
            sec.layout().addWidget(button)
        sec.table.selectionModel().selectionChanged.connect(lambda *_a, n=name: self.update_delete(n))
        self.delete_buttons[name] = button
        self.update_delete(name)

    def update_delete(self, name: str) -> None:
        """Enabled only for a selected record the core would delete; otherwise the reason as tooltip."""
        button, sec = self.delete_buttons[name], self.sections[name]
        row = sec.selected_row()
        if row is None or self.view is None:
            why = "请先在表中选择一条记录"
        else:
            why = PV.record_delete_refusal(self.window_.session, name, row, self.view.project)
        button.setEnabled(why is None)
        button.setToolTip(why or f"删除所选{KINDS[name].label}（尚未报送；删除前的内容记入操作日志）")

    def _extra_columns(self, kind: str):
        if kind == "contract":
            return [("备案期限", self._contract_due)]
        return []

    def _contract_due(self, row: dict) -> str:
        return self.view.due_text(row["id"], "R04-contract") if self.view else ""

    def refresh(self, view: PV.ProjectView) -> None:
        self.view = view
        super().refresh(view)
        if self.tab == "funds":
            self.header.setText("<b>资金情况：</b>" + html.escape(PV.fund_summary(view)))
            self.header.show()
        if self.similar is not None:
            self.similar.set_project(view.project)
        for sec in self.sections.values():
            if sec.affected_by(self.changes):
                sec.refresh(view)
        for name in self.delete_buttons:  # a package sent or a status moved changes what may go
            self.update_delete(name)


class BasicPage(_Page):
    """The project's own fields. Fields the authority locks in the current status (or, for a new project,
    for this role and a draft) are read-only with the reason as tooltip before anyone types."""

    def __init__(self, window: ProjectWindow, parent=None):
        super().__init__("basic", parent)
        self.window_ = window
        s = window.session
        orgs = s.organisations()
        units = [(o["id"], o["name"]) for o in orgs if o["role"] == UNIT
                 and (s.actor.role != UNIT or o["id"] == s.actor.org_id)]
        self.form = RecordForm(KINDS["project"], choices={"lead_org_id": units, "prohibited_types": PROHIBITED},
                               multi={"prohibited_types"}, today=s.today,
                               defaults={"plan_year": PV.default_plan_year(s)},
                               optional=PV.FILLED_ON_CREATE if window.project_id is None else ())
        self.form.editor("plan_year").changed.connect(self._follow_year)
        self._follow_year()
        self.own_unit: dict[str, str] = {}
        if s.actor.role == UNIT:
            self.form.editor("lead_org_id").set_value(s.actor.org_id)
            self.own_unit = {"lead_org_id": "申报单位只能以本单位名义新建项目（依据：通知第二条）"}
        row = QHBoxLayout()
        self.note = QLabel()
        self.note.setStyleSheet("color: #666;")
        self.note.setWordWrap(True)
        self.save_button = QPushButton("保存基本信息（Ctrl+S）")
        self.save_button.clicked.connect(window.save_basic)
        row.addWidget(self.save_button)
        row.addWidget(self.note, 1)
        row.addStretch(0)  # keeps the button compact while the note is hidden
        self.body.addLayout(row)
        self.body.addWidget(self.form)
        self.finish()
        self.dirty, self.rev = False, None
        self.locked: dict[str, str] = {}
        self.form.edited.connect(self._mark_dirty)
        self._apply_permissions(None)

    def _follow_year(self) -> None:
        """Before the first save the code shown (as the placeholder) is the one the year will get."""
        if self.window_.project_id is not None:
            return
        code = PV.proposed_code(self.window_.session, self.form.values()["plan_year"])
        self.form.editor("code").edit.setPlaceholderText(f"留空则保存时自动编号为 {code}" if code else "留空则按年度自动编号")

    def _mark_dirty(self) -> None:
        self.dirty = True

    def _apply_permissions(self, project: dict | None) -> None:
        why = PV.project_edit_refusal(self.window_.session.actor, project)
        self.note.setText(why or PV.locked_note(self.window_.session.actor, project))
        self.note.setVisible(bool(self.note.text()))
        self.form.set_read_only(why is not None)
        self.save_button.setEnabled(why is None)
        actor = self.window_.session.actor
        self.locked = PV.edit_locks(actor, "project", project) if project is not None else PV.create_locks(actor)
        for name, editor in self.form.editors.items():  # what the authority locks now, with why
            editor.setToolTip(self.locked.get(name) or self.own_unit.get(name, ""))
        if why is None:
            self.form.set_read_only(True, set(self.locked) | set(self.own_unit))

    def refresh(self, view: PV.ProjectView) -> None:
        super().refresh(view)
        # keep unsaved edits when another tab saved something; reload when the project itself changed
        if not self.dirty or view.project["rev"] != self.rev:
            self.form.set_values(view.project)
            self.dirty, self.rev = False, view.project["rev"]
        self._apply_permissions(view.project)


class AttachmentsPage(_Page):
    def __init__(self, window: ProjectWindow, parent=None):
        super().__init__("attachments", parent)
        self.window_ = window
        row = QHBoxLayout()
        self.add_button = QPushButton("添加附件…")
        self.open_button = QPushButton("打开所选")
        self.add_button.clicked.connect(window.add_attachment)
        self.open_button.clicked.connect(window.open_attachment)
        row.addWidget(self.add_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.model = RowsModel([
            ("文件名", lambda a: a["filename"]),
            ("关联记录", lambda a: KINDS[a["record_kind"]].label if a.get("record_kind") in KINDS else ""),
            ("类型", lambda a: a["media_type"] or ""),
            ("大小", lambda a: _size_text(a["size"])),
            ("添加时间", lambda a: _time_text(a["created_at"])),
            ("SHA-256", lambda a: a["sha256"][:16] + "…"),
        ], self)
        self.table = make_table(self.model)
        self.table.setMaximumHeight(16777215)
        self.table.activated.connect(lambda _i: window.open_attachment())
        self.body.addWidget(self.table, 1)

    def refresh(self, view):
        super().refresh(view)
        if self.changes is None or "attachment" in self.changes.kinds:
            self.model.set_rows(view.attachments)

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None


class HistoryPage(_Page):
    """The project's audit entries, newest first; read-only."""

    def __init__(self, window: ProjectWindow, parent=None):
        super().__init__("history", parent)
        self.findings.hide()
        self.window_ = window
        self.body.addWidget(QLabel("本项目的全部操作记录（只读，防篡改校验链保存）："))
        self.model = RowsModel([
            ("时间", lambda e: _time_text(e["at"])),
            ("操作人", lambda e: e["user_text"]),
            ("操作", lambda e: e["operation"]),
            ("摘要", lambda e: e["summary"]),
        ], self)
        self.table = make_table(self.model)
        self.table.setMaximumHeight(16777215)
        self.body.addWidget(self.table, 1)

    def refresh(self, view):
        names = {o["code"]: o["name"] for o in view.organisations}
        rows = [{**e, "id": e["seq"], "user_text": f"{e['actor']}（{names.get(e['org_code'], e['org_code'])}）"}
                for e in self.window_.session.audit_entries(view.id)]
        self.model.set_rows(rows)


def _layout_holding(layout, widget):
    """The (sub)layout of `layout` that holds `widget`, or None."""
    if layout.indexOf(widget) >= 0:
        return layout
    for i in range(layout.count()):
        inner = layout.itemAt(i).layout()
        found = _layout_holding(inner, widget) if inner is not None else None
        if found is not None:
            return found
    return None


def _size_text(n: int) -> str:
    return f"{n} 字节" if n < 1024 else (f"{n / 1024:.1f} KB" if n < 1024 ** 2 else f"{n / 1024 ** 2:.1f} MB")


def _time_text(iso: str) -> str:
    return (iso or "")[:19].replace("T", " ")


class ProjectWindow(QMainWindow):
    changed = Signal(str)  # project id, after every successful save or action

    def __init__(self, session, project_id: str | None, tab: str = "basic", parent=None):
        super().__init__(parent)
        self.session = session
        self.project_id = project_id
        self.view: PV.ProjectView | None = None
        self.resize(1180, 820)
        central = QWidget()
        lay = QVBoxLayout(central)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        self.print_button = QPushButton("打印项目申请表…")
        self.print_button.setToolTip("预览、打印或另存为PDF：本项目的《政务信息系统项目申请表》")
        self.print_button.clicked.connect(self.print_application)
        top.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignTop)
        self.delete_button = QPushButton("删除草稿…")
        self.delete_button.clicked.connect(self.delete_project)
        top.addWidget(self.delete_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(top)
        self.ledger_mark = QLabel()  # 由台账导入, until someone has checked the project against the paper
        self.ledger_mark.setWordWrap(True)
        self.ledger_mark.setStyleSheet("background:#fff4ce; border:1px solid #e0c060; padding:4px")
        self.review_button = QPushButton("核对无误")
        self.review_button.clicked.connect(self.review_ledger_import)
        mark_row = QHBoxLayout()
        mark_row.addWidget(self.ledger_mark, 1)
        mark_row.addWidget(self.review_button, 0, Qt.AlignmentFlag.AlignTop)
        self.mark_box = QWidget()
        self.mark_box.setLayout(mark_row)
        self.mark_box.hide()
        lay.addWidget(self.mark_box)
        # 第一条: a submitted application like a held project, and no finding recorded yet (county office)
        self.duplicate_banner = QLabel()
        self.duplicate_banner.setWordWrap(True)
        self.duplicate_banner.setStyleSheet("background:#fdecea; border:1px solid #e6a19a; padding:4px")
        self.duplicate_banner.hide()
        lay.addWidget(self.duplicate_banner)
        self._duplicate_key: tuple | None = None
        self.duplicate_candidates: list = []
        self.actions_bar = ActionBar(session)
        self.actions_bar.performed.connect(lambda _a: self._after_write(changes=self.actions_bar.last_changes))
        lay.addWidget(self.actions_bar)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        lay.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.pages: dict[str, _Page] = {}
        for key, title in PV.TABS.items():
            if key == "basic":
                page = BasicPage(self)
            elif key == "attachments":
                page = AttachmentsPage(self)
            elif key == "history":
                page = HistoryPage(self)
            else:
                page = RecordsPage(key, self)
            self.pages[key] = page
            self.tabs.addTab(page, title)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save_current)
        self.refresh()
        self.show_tab(tab)

    def print_application(self):
        from desktop_app.ui.print_preview import preview_document

        if self.project_id:
            return preview_document(self, self.session, "application", project_id=self.project_id)
        return None

    # ---- navigation ----
    def show_tab(self, tab: str) -> None:
        keys = list(PV.TABS)
        if tab in keys and self.tabs.isTabEnabled(keys.index(tab)):
            self.tabs.setCurrentIndex(keys.index(tab))

    def current_tab(self) -> str:
        return list(PV.TABS)[self.tabs.currentIndex()]

    def page(self, tab: str):
        return self.pages[tab]

    def section(self, kind: str) -> RecordSection:
        for page in self.pages.values():
            if isinstance(page, RecordsPage) and kind in page.sections:
                return page.sections[kind]
        raise KeyError(kind)

    # ---- data ----
    def refresh(self, changes=None) -> None:
        """Reload the project; tables redraw only where `changes` (an OpChanges; None: everything) shows."""
        new = self.project_id is None
        for i, key in enumerate(PV.TABS):
            self.tabs.setTabEnabled(i, key == "basic" or not new)
        self.actions_bar.setVisible(not new)
        self.print_button.setVisible(not new)
        self.delete_button.setVisible(False)
        if new:
            self.setWindowTitle("新建项目 — 政务信息系统项目管理")
            self.header.setText("<h3>新建项目</h3>填写基本信息后保存，即建立项目草稿；其余各页在保存后可用。")
            self.pages["basic"].findings.hide()
            return
        self.view = PV.load(self.session, self.project_id)
        v = self.view
        self.pages["basic"].findings.show()
        self.setWindowTitle(f"{v.title} — 政务信息系统项目管理")
        self.header.setText(f"<h3>{html.escape(v.title)}</h3>牵头单位：{html.escape(v.org_name(v.project['lead_org_id']))}"
                            f"　　状态：<b>{html.escape(v.status_text)}</b>")
        self.actions_bar.set_view(v)
        self._show_delete_button()
        self._show_ledger_mark()
        self._show_duplicates()
        for i, (key, title) in enumerate(PV.TABS.items()):
            page = self.pages[key]
            page.changes = changes
            page.refresh(v)
            urgent = sum(1 for f in v.open_findings(key) if f.state in URGENT)
            if key == "similar":
                urgent += len(self.duplicate_candidates)
            self.tabs.setTabText(i, f"{title}（{urgent}）" if urgent else title)

    def _show_duplicates(self) -> None:
        """Checked once when the window opens and again only when the project, its status or its
        findings change (not on every write elsewhere, never per keystroke)."""
        from desktop_app.services import similarity_batch

        p, decided = self.view.project, bool(self.view.of("duplicate_decision"))
        key = (p["id"], p["rev"], p["status"], decided)
        if self.session.actor.role != COUNTY:
            self.duplicate_candidates = []
        elif key != self._duplicate_key:
            self._duplicate_key = key
            self.duplicate_candidates = similarity_batch.awaiting_decision(self.session.store, p, decided)
        found = self.duplicate_candidates
        self.duplicate_banner.setVisible(bool(found))
        if found:
            best = found[0]
            self.duplicate_banner.setText(
                f"查重提示（第一条）：本申报与本机{len(found)}个项目内容相似（最相似：{html.escape(best.code)} "
                f"{html.escape(best.name)}，相似度{best.percent}%，建议认定{best.level_label}），尚未录入重复建设审查意见。"
                "请在“相似项目”页查看相同的表述并审查认定。")

    def _show_delete_button(self) -> None:
        """Only while the project is a draft, and only for an installation that writes projects; greyed
        with the reason when something of it was sent."""
        p = self.view.project
        self.delete_button.setVisible(PV.may_ever_delete_project(self.session.actor)
                                      and p["status"] in PV.DELETABLE_PROJECT_STATUSES)
        why = PV.project_delete_refusal(self.session, p)
        self.delete_button.setEnabled(why is None)
        self.delete_button.setToolTip(why or "删除本项目草稿及其记录和附件（尚未报送；删除前的内容记入操作日志）")

    # ---- deleting ----
    @classmethod
    def delete_box(cls, parent, title: str, text: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
        box.addButton("删除", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton("取消", QMessageBox.ButtonRole.RejectRole))
        return box

    @classmethod
    def ask_delete(cls, parent, title: str, text: str) -> bool:
        """Ask before deleting (tests patch this)."""
        box = cls.delete_box(parent, title, text)
        box.exec()
        return box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.DestructiveRole

    def delete_project(self) -> bool:
        if self.view is None or not self.delete_button.isEnabled():
            return False
        p = self.view.project
        counts = sum(len(rows) for rows in self.view.records.values()) + len(self.view.attachments)
        extra = f"及其{counts}条记录和附件" if counts else ""
        if not self.ask_delete(self, "删除项目草稿",
                               f"确定删除项目草稿「{p['code']} {p['name']}」{extra}吗？\n\n"
                               "删除后不能恢复；删除前的全部内容记入操作日志。"):
            return False
        try:
            self.session.delete_project(self.project_id)
        except GovisError as exc:
            QMessageBox.warning(self, "未能删除", exc.message)
            return False
        self.changed.emit(self.project_id)
        self.close()
        return True

    def delete_record(self, kind: str) -> bool:
        page = next(pg for pg in self.pages.values() if isinstance(pg, RecordsPage) and kind in pg.sections)
        row = page.sections[kind].selected_row()
        if row is None or not page.delete_buttons[kind].isEnabled():
            return False
        from desktop_app.services.attachment_files import record_title

        label = KINDS[kind].label
        if not self.ask_delete(self, f"删除{label}", f"确定删除{label}「{record_title(kind, row)}」吗？\n\n"
                               "删除后不能恢复；删除前的内容记入操作日志。"):
            return False
        try:
            changes = self.session.delete_record(kind, row["id"])
        except GovisError as exc:
            QMessageBox.warning(self, "未能删除", exc.message)
            return False
        self._after_write(f"已删除{label}", changes)
        return True

    def _show_ledger_mark(self) -> None:
        mark = self.session.ledger_import_mark(self.project_id)
        self.mark_box.setVisible(mark is not None)
        if mark is None:
            return
        assumed = f"；导入时按默认填写：{mark['assumed']}" if mark.get("assumed") else ""
        self.ledger_mark.setText(f"由台账导入（{html.escape(mark['source'])} 第 {mark['sheet_row']} 行，"
                                 f"{html.escape(mark['imported_by'])}），尚未核对{html.escape(assumed)}。"
                                 "请对照纸质档案核对各页内容，无误后点“核对无误”；核对前再次导入台账可能更新本项目。")
        why = self.session.may("ledger_import")
        self.review_button.setEnabled(why is None)
        self.review_button.setToolTip(why or "取消“由台账导入”标记（记入操作日志）")

    def review_ledger_import(self) -> None:
        try:
            changes = self.session.review_ledger_import(self.project_id)
        except GovisError as exc:
            QMessageBox.warning(self, "核对台账导入项目", exc.message)
            return
        self._after_write("已核对：不再标记为“由台账导入”", changes)

    def _after_write(self, message: str = "已保存", changes=None) -> None:
        self.refresh(changes)
        self.statusBar().showMessage(message, 8000)
        self.changed.emit(self.project_id)

    def record_written(self, changes) -> None:
        labels = "、".join(KINDS[k].label for k in sorted(changes.kinds) if k in KINDS) if changes else ""
        self._after_write(f"已保存{labels}", changes)

    # ---- saving ----
    def save_current(self) -> None:
        if self.current_tab() == "basic":
            self.save_basic()

    def save_basic(self) -> bool:
        page: BasicPage = self.pages["basic"]
        form = page.form
        if not page.save_button.isEnabled():
            return False
        # fields the authority locks are shown, never sent
        values = {k: v for k, v in form.values().items() if k not in page.locked}
        try:
            if self.project_id is None:
                row = self.session.create_project(values)
                self.project_id = row["id"]
            else:
                self.session.update_project(self.project_id, values)
        except ValidationError as exc:
            form.show_errors(exc.fields)
            self.statusBar().showMessage("未保存：请按红字提示修改后再保存", 8000)
            return False
        except GovisError as exc:
            form.show_message(exc.message)
            self.statusBar().showMessage("未保存", 8000)
            return False
        page.dirty = False
        self._after_write("已保存基本信息")
        return True

    @classmethod
    def ask_discard(cls, parent) -> bool:
        """Ask before closing over unsaved 基本信息 edits (tests patch this)."""
        box = QMessageBox(QMessageBox.Icon.Question, "未保存的修改", "基本信息有未保存的修改，关闭后将丢失。确定关闭吗？",
                          parent=parent)
        yes = box.addButton("不保存，关闭", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("返回继续编辑", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes

    def closeEvent(self, event) -> None:
        page = self.pages["basic"]
        if page.dirty and page.save_button.isEnabled() and not self.ask_discard(self):
            event.ignore()
            return
        super().closeEvent(event)

    # ---- attachments ----
    @classmethod
    def choose_file(cls, parent) -> str:
        """Ask for a file to attach (tests patch this)."""
        path, _ = QFileDialog.getOpenFileName(parent, "选择要添加的附件（关联到本项目）", "", ATTACH_FILTER)
        return path

    def add_attachment(self) -> None:
        """Attach a file about the project as a whole (bound to the project record itself); files about
        one record are attached from that record's table (附加文件…)."""
        path = self.choose_file(self)
        if not path or self.project_id is None:
            return
        try:
            att = self.session.attach_file(self.project_id, path, "project", self.project_id)
        except GovisError as exc:
            self.statusBar().showMessage(f"未能添加附件：{exc.message}", 10000)
            QMessageBox.warning(self, "未能添加附件", exc.message)
            return
        self._after_write(f"已添加附件 {att['filename']}")

    def open_attachment(self) -> Path | None:
        """Open a copy named after the bound record's title plus the checked extension, in a fresh
        temporary folder (never the stored file name)."""
        row = self.pages["attachments"].selected()
        if row is None:
            self.statusBar().showMessage("请先在表中选择一个附件", 6000)
            return None
        try:
            name, content = self.session.attachment_to_open(row["id"])
        except GovisError as exc:
            self.statusBar().showMessage(exc.message, 10000)
            QMessageBox.warning(self, "未能打开附件", exc.message)
            return None
        target = Path(tempfile.mkdtemp(prefix="govis-")) / name
        try:
            target.write_bytes(content)
        except OSError as exc:
            QMessageBox.warning(self, "未能打开附件", f"无法写入临时文件「{target}」：{exc.strerror or exc}。"
                                "请检查系统盘是否已满后重试。")
            return None
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
            self.statusBar().showMessage(f"没有能打开该文件的程序，文件已保存到 {target}", 10000)
        return target


__all__ = ["ERROR_STYLE", "ProjectWindow"]
