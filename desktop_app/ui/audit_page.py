"""操作日志: filter the audit log, see an entry's before/after field by field, verify the chain, export, print.

The table model holds pages of rows fetched on demand (`services.audit_log.page`), so 100,000 entries
cost a COUNT and the visible page. The chain check runs in the worker; the first broken entry is selected.
At the county office a small table shows each unit's last audit head received in a package.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.documents.errors import DocumentError
from desktop_app.errors import GovisError
from desktop_app.exchange import audit_heads
from desktop_app.models.kinds import COUNTY
from desktop_app.services import audit, audit_log, xlsx_export
from desktop_app.ui.errors import show_error
from desktop_app.ui.icons import icon
from desktop_app.ui.worker import run_task

ROOT = QModelIndex()
HEADERS = ["序号", "时间", "单位", "操作人", "操作", "项目", "内容摘要"]
CHANGED_BG, BROKEN_BG, BROKEN_FG = QColor("#fff3c4"), QColor("#fde8e8"), QColor("#c62828")
ALL = "__all__"
XLSX_HEADERS = ["序号", "时间", "单位", "操作人", "操作", "项目编号", "项目名称", "内容摘要", "修改前", "修改后", "校验值"]
CELL_MAX = 32000  # an Excel cell holds 32,767 characters


class AuditModel(QAbstractTableModel):
    """Rows fetched a page at a time under the current filters; a few pages kept."""

    PAGE = 400
    KEEP = 24

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.filters = audit_log.Filters()
        self.total = 0
        self.broken: set[int] = set()
        self._pages: dict[int, list[dict]] = {}

    def set_filters(self, filters: audit_log.Filters) -> None:
        self.beginResetModel()
        self.filters = filters
        self.total = audit_log.count(self.store, filters)
        self._pages.clear()
        self.endResetModel()

    def row(self, i: int) -> dict:
        n = i // self.PAGE
        page = self._pages.get(n)
        if page is None:
            if len(self._pages) >= self.KEEP:
                self._pages.pop(next(iter(self._pages)))
            page = self._pages[n] = audit_log.page(self.store, self.filters, n * self.PAGE, self.PAGE)
        return page[i - n * self.PAGE]

    def seq_at(self, i: int) -> int:
        return self.row(i)["seq"]

    def rowCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        try:
            r = self.row(index.row())
        except IndexError:  # the log grew or shrank under the filters: until the next refresh
            return None
        c = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if c == 0:
                return str(r["seq"])
            if c == 1:
                return r["at"][:19].replace("T", " ")
            if c == 2:
                return r["org_name"] or r["org_code"]
            if c == 3:
                return audit_log.user_text(r["actor"], r["display_name"])
            if c == 4:
                return r["operation"]
            if c == 5:
                return f"{r['project_code']} {r['project_name']}" if r["project_code"] else ""
            return r["summary"]
        if r["seq"] in self.broken:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(BROKEN_BG)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(BROKEN_FG)
        if role == Qt.ItemDataRole.TextAlignmentRole and c == 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


def export_rows(store, filters: audit_log.Filters, progress=None) -> list[list]:
    def cell(text):
        return text if text is None or len(text) <= CELL_MAX else text[:CELL_MAX] + "…（已截断）"

    return [[r["seq"], r["at"][:19].replace("T", " "), r["org_name"] or r["org_code"],
             audit_log.user_text(r["actor"], r["display_name"]), r["operation"], r["project_code"] or "",
             r["project_name"] or "", r["summary"], cell(r["before"]), cell(r["after"]), r["hash"]]
            for r in audit_log.iter_rows(store, filters, progress)]


def write_audit_xlsx(path, rows, filters: audit_log.Filters, progress=None) -> Path:
    kinds = ["int"] + ["text"] * (len(XLSX_HEADERS) - 1)
    note = [["筛选条件", filters.describe()], ["条数", str(len(rows))]]
    return xlsx_export.save_workbook(path, [("操作日志", XLSX_HEADERS, rows, kinds),
                                     ("说明", ["项目", "内容"], note, ["text", "text"])], progress)


class AuditPage(QWidget):
    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.model = AuditModel(session.store, self)
        self.loaded = False
        self.task = None
        self.last_problems: list[audit.Problem] | None = None
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.apply_filters)
        self._build()

    # ---- layout ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.project = QLineEdit(placeholderText="项目编号或名称")
        self.project.setClearButtonEnabled(True)
        self.project.setMinimumWidth(180)
        self.user = QComboBox()
        self.user.setMinimumWidth(140)
        self.operation = QComboBox()
        self.operation.setMinimumWidth(130)
        self.use_dates = QCheckBox("日期")
        today = QDate(self.session.today.year, self.session.today.month, self.session.today.day)
        self.date_from, self.date_to = QDateEdit(today.addMonths(-1)), QDateEdit(today)
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.setEnabled(False)
        self.verify_btn = QPushButton(icon("refresh"), "验证完整性")
        self.verify_btn.setToolTip("逐条重算操作日志的哈希链并检查数据库文件")
        self.export_btn = QPushButton(icon("export"), "导出Excel…")
        self.print_btn = QPushButton(icon("save"), "打印…")
        bar = QHBoxLayout()
        for label, w in (("项目", self.project), ("操作人", self.user), ("操作", self.operation)):
            lab = QLabel(label)
            lab.setBuddy(w)
            bar.addWidget(lab)
            bar.addWidget(w)
        bar.addWidget(self.use_dates)
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("至"))
        bar.addWidget(self.date_to)
        bar.addStretch(1)
        for b in (self.verify_btn, self.export_btn, self.print_btn):
            bar.addWidget(b)

        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring
        fm = self.fontMetrics()
        for col, sample in enumerate(("000000", "2026-11-26 14:21:17", "蒙阴县教育和体育局", "系统管理员（admin）",
                                      "导入添加申报材料", "MY-2027-001 县智慧教育云平台")):
            self.view.setColumnWidth(col, fm.horizontalAdvance(sample) + 16)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)

        self.entry_title = QLabel("选择一条操作记录，查看修改前后的内容。")
        self.entry_title.setWordWrap(True)
        self.entry_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields = QTableWidget(0, 3)
        self.fields.setHorizontalHeaderLabels(["字段", "修改前", "修改后"])
        self.fields.verticalHeader().setVisible(False)
        self.fields.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields.setWordWrap(True)
        h = self.fields.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        detail = QGroupBox("修改前后对比（有变化的字段以黄色标出）")
        dl = QVBoxLayout(detail)
        dl.addWidget(self.entry_title)
        dl.addWidget(self.fields, 1)

        self.heads = QTableWidget(0, 5)
        self.heads.setHorizontalHeaderLabels(["单位", "条数", "校验值", "数据包", "收到日期"])
        self.heads.verticalHeader().setVisible(False)
        self.heads.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.heads.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.heads_box = QGroupBox("各单位操作日志链头（收到的数据包所记载）")
        hl = QVBoxLayout(self.heads_box)
        hl.addWidget(self.heads)
        self.heads_box.setToolTip("每个单位最近一个数据包记载的其操作日志条数和最后一条的校验值。"
                                  "条数不增反减的数据包以红色标出：该单位的操作日志可能被删改过。")

        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(detail)
        bottom.addWidget(self.heads_box)
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.count = QLabel()
        self.result = QLabel()
        self.result.setWordWrap(True)
        foot = QHBoxLayout()
        foot.addWidget(self.count)
        foot.addWidget(self.result, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        lay.addLayout(foot)

        self.project.textChanged.connect(lambda _t: self._timer.start())
        for combo in (self.user, self.operation):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.use_dates.toggled.connect(self._dates_toggled)
        for d in (self.date_from, self.date_to):
            d.dateChanged.connect(self.apply_filters)
        self.verify_btn.clicked.connect(self.verify)
        self.export_btn.clicked.connect(self.export_dialog)
        self.print_btn.clicked.connect(self.print_log)

    # ---- data ----------------------------------------------------------------------------------------
    def load(self) -> None:
        store = self.session.store
        self._fill(self.user, "全部操作人", audit_log.users(store))
        self._fill(self.operation, "全部操作", [(o, o) for o in audit_log.operations(store)])
        self.load_heads()
        self.loaded = True
        self.apply_filters()

    @staticmethod
    def _fill(combo: QComboBox, all_text: str, items: list[tuple[str, str]]) -> None:
        keep = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(all_text, ALL)
        for data, text in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(0, combo.findData(keep)) if keep is not None else 0)
        combo.blockSignals(False)

    def load_heads(self) -> None:
        rows = audit_heads.last_heads(self.session.store)
        self.heads_box.setVisible(bool(rows) or self.session.actor.role == COUNTY)
        self.heads.setRowCount(len(rows))
        for i, r in enumerate(rows):
            cells = [r["sender_name"] or r["sender_org"], str(r["count"]), audit_heads.short(r["hash"]),
                     f"第{r['sequence']}号 {r['package_id'][:8]}", r["received_at"][:10]]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(r["hash"] if c == 2 else text)
                if r["warnings"]:
                    item.setForeground(QBrush(BROKEN_FG))
                    item.setBackground(QBrush(BROKEN_BG))
                    item.setToolTip(r["last_warning"])
                self.heads.setItem(i, c, item)
        self.heads.resizeColumnsToContents()

    def current_filters(self) -> audit_log.Filters:
        def val(combo):
            d = combo.currentData()
            return None if d in (None, ALL) else d

        dates = self.use_dates.isChecked()
        return audit_log.Filters(self.project.text(), val(self.user),
                                 self.date_from.date().toPython() if dates else None,
                                 self.date_to.date().toPython() if dates else None, val(self.operation))

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filters()

    def apply_filters(self, *_) -> None:
        self._timer.stop()  # typing in 项目 waits for a pause; any other change applies everything now
        self.model.set_filters(self.current_filters())
        self._show_entry(None)
        self.count.setText(f"共 {self.model.total} 条（最新的在前）")

    def clear_filters(self) -> None:
        for w in (self.project, self.user, self.operation, self.use_dates):
            w.blockSignals(True)
        self.project.clear()
        self.user.setCurrentIndex(0)
        self.operation.setCurrentIndex(0)
        self.use_dates.setChecked(False)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        for w in (self.project, self.user, self.operation, self.use_dates):
            w.blockSignals(False)
        self.apply_filters()

    # ---- one entry -----------------------------------------------------------------------------------
    def _row_changed(self, current, _previous) -> None:
        self._show_entry(self.model.seq_at(current.row()) if current.isValid() else None)

    def _show_entry(self, seq: int | None) -> None:
        self.fields.setRowCount(0)
        row = audit_log.entry(self.session.store, seq) if seq is not None else None
        if row is None:
            self.entry_title.setText("选择一条操作记录，查看修改前后的内容。")
            return
        who = audit_log.user_text(row["actor"], row["display_name"])
        project = f"　项目：{row['project_code']} {row['project_name']}" if row["project_code"] else ""
        self.entry_title.setText(f"第 {row['seq']} 条　{row['at'][:19].replace('T', ' ')}　{row['org_name'] or ''}　"
                                 f"{who}　{row['operation']}{project}\n{row['summary']}\n校验值：{row['hash']}")
        changes = audit_log.changes(row, self.session.store)
        self.fields.setRowCount(len(changes))
        for i, ch in enumerate(changes):
            for c, text in enumerate((ch.label, ch.before, ch.after)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if ch.changed:
                    item.setBackground(QBrush(CHANGED_BG))
                self.fields.setItem(i, c, item)
        self.fields.resizeRowsToContents()

    def select_seq(self, seq: int) -> bool:
        """Select entry `seq`, clearing the filters if they hide it."""
        pos = audit_log.position(self.session.store, self.model.filters, seq)
        if pos is None:
            self.clear_filters()
            pos = audit_log.position(self.session.store, self.model.filters, seq)
        if pos is None:
            return False
        self.view.selectRow(pos)
        self.view.scrollTo(self.model.index(pos, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def selected_seq(self) -> int | None:
        idx = self.view.selectionModel().currentIndex()
        return self.model.seq_at(idx.row()) if idx.isValid() else None

    # ---- verify --------------------------------------------------------------------------------------
    def verify(self):
        self.result.setText("正在验证操作日志…")
        self.result.setStyleSheet("")
        self.verify_btn.setEnabled(False)

        def work(job):
            return audit.verify(job.store()), audit.head(job.store())[0]

        self.task = run_task(work, parent_widget=self, title="验证完整性", label="正在逐条校验操作日志…",
                             db_path=self.db_path, on_done=self._verified, on_error=self._verify_failed,
                             cancellable=False)
        return self.task

    def _verify_failed(self, exc, tb) -> None:
        self.verify_btn.setEnabled(True)
        self.result.setText("")
        show_error(self, exc, tb)

    def _verified(self, result) -> None:
        problems, total = result
        self.verify_btn.setEnabled(True)
        self.last_problems = problems
        self.model.broken = {p.seq for p in problems if p.seq}
        self.model.layoutChanged.emit()
        if not problems:
            self.result.setStyleSheet("color: #1b5e20;")
            self.result.setText(f"操作日志完整：共 {total} 条，逐条校验通过；数据库文件检查通过。")
            return
        self.result.setStyleSheet("color: #c62828;")
        more = f"（另有 {len(problems) - 1} 处，见提示）" if len(problems) > 1 else ""
        self.result.setText(f"发现 {len(problems)} 处异常：{problems[0].message}{more}")
        self.result.setToolTip("\n".join(p.message for p in problems[:30]))
        for p in sorted(problems, key=lambda p: p.seq):
            if p.seq and self.select_seq(p.seq):
                break

    # ---- export and print ----------------------------------------------------------------------------
    @classmethod
    def ask_save_path(cls, parent, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(parent, "导出操作日志为 Excel", suggested, "Excel 工作簿 (*.xlsx)")
        return path

    def export_dialog(self):
        if not self.model.total:
            QMessageBox.information(self, "导出操作日志", "当前筛选下没有操作记录。")
            return None
        path = self.ask_save_path(self, str(Path.home() / f"操作日志_{self.session.today.isoformat()}.xlsx"))
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        return self.export_to(path)

    def export_to(self, path: str, on_done=None):
        filters = self.model.filters

        def work(job):
            rows = export_rows(job.store(), filters, lambda d, t: job.progress(d, t * 2, f"已读取 {d}/{t} 条"))
            total = len(rows)
            return write_audit_xlsx(path, rows, filters,
                                    lambda d, t: job.progress(total + d, total * 2, f"已写入 {d}/{t} 条")), total

        def done(result):
            target, n = result
            if on_done:
                on_done(target)
            else:
                QMessageBox.information(self, "导出操作日志", f"已导出 {n} 条操作记录到：\n{target}")

        def failed(exc, tb):
            if isinstance(exc, OSError):
                QMessageBox.warning(self, "导出操作日志", f"无法写入「{path}」：{exc.strerror or exc}。"
                                    "请检查文件是否正在被 WPS/Excel 打开、磁盘是否已满，然后重新导出。")
            else:
                show_error(self, exc, tb)

        self.task = run_task(work, parent_widget=self, title="导出操作日志", label="正在导出操作日志…",
                             db_path=self.db_path, on_done=done, on_error=failed)
        return self.task

    def print_log(self, on_done=None):
        from desktop_app.documents import filled

        filters, today = self.model.filters, self.session.today

        def work(job):
            return filled.render(job.store(), "audit-log", filters=filters, today=today)

        def done(data: bytes):
            if on_done:
                on_done(data)
                return
            from desktop_app.ui.print_preview import PrintPreviewDialog

            dlg = PrintPreviewDialog(data, "操作日志", f"操作日志_{today.isoformat()}.pdf", self)
            dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dlg.show()

        def failed(exc, tb):
            if isinstance(exc, (DocumentError, GovisError)):
                QMessageBox.warning(self, "打印操作日志", getattr(exc, "message", None) or str(exc))
            else:
                show_error(self, exc, tb)

        self.task = run_task(work, parent_widget=self, title="打印操作日志", label="正在生成操作日志…",
                             db_path=self.db_path, on_done=done, on_error=failed)
        return self.task

