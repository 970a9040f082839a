"""备份与恢复: the backups with time, reason, size and record counts; 立即备份, 恢复所选备份, 完整性检查; the
second backup folder. The work runs on the worker (its own connection); the page never writes SQL."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import GovisError
from desktop_app.services import backups, integrity
from desktop_app.ui.errors import show_error
from desktop_app.ui.worker import run_task

COLUMNS = ("备份时间", "原因", "大小", "项目", "记录", "操作日志", "状态", "文件名")
HELP = ("程序每天第一次打开数据库时、每次导入数据包前、恢复前和程序升级前自动备份，保存在数据库旁的 backups 文件夹。"
        "保留：当天的全部备份、最近30天每天最新的一个、最近12个月每月最新的一个，最新的完好备份始终保留。"
        "可另设第二备份位置（另一块硬盘或U盘），防止本机硬盘损坏。")


def _item(text: str, right: bool = False) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    if right:
        it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return it


class BackupPage(QWidget):
    restored = Signal()  # the database was replaced: the window reopens its store and reloads

    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.loaded = False
        self.items: list[backups.Backup] = []
        lay = QVBoxLayout(self)
        intro = QLabel(HELP)
        intro.setWordWrap(True)
        lay.addWidget(intro)

        row = QHBoxLayout()
        self.backup_btn = QPushButton("立即备份")
        self.backup_btn.clicked.connect(self.backup_now)
        self.restore_btn = QPushButton("恢复所选备份…")
        self.restore_btn.clicked.connect(self.restore_selected)
        self.check_btn = QPushButton("完整性检查")
        self.check_btn.setToolTip("对数据库做完整的 integrity_check（较慢）")
        self.check_btn.clicked.connect(self.check_now)
        self.open_btn = QPushButton("打开备份文件夹")
        self.open_btn.clicked.connect(self.open_folder)
        for b in (self.backup_btn, self.restore_btn, self.check_btn, self.open_btn):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection)
        lay.addWidget(self.table, 1)
        lay.addWidget(self._second_box())
        self._selection()
        writable = not session.store.writes_refused
        for w in (self.second_edit, self.second_pick, self.second_save):
            w.setEnabled(writable)

    def _second_box(self) -> QGroupBox:
        box = QGroupBox("第二备份位置（可选：另一块硬盘或U盘）")
        row = QHBoxLayout(box)
        self.second_edit = QLineEdit(backups.second_folder(self.session.store) or "")
        self.second_edit.setPlaceholderText("不设置则只备份到数据库旁的 backups 文件夹")
        self.second_pick = QPushButton("选择…")
        self.second_pick.clicked.connect(self.pick_second)
        self.second_save = QPushButton("保存")
        self.second_save.clicked.connect(self.save_second)
        row.addWidget(self.second_edit, 1)
        row.addWidget(self.second_pick)
        row.addWidget(self.second_save)
        return box

    # ---- list --------------------------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return backups.folder_of(self.db_path)

    def load(self) -> None:
        self.items = backups.list_backups(self.folder)
        self.table.setRowCount(0)
        for b in self.items:
            r = self.table.rowCount()
            self.table.insertRow(r)
            c = b.counts or {}
            values = (f"{b.made_at:%Y-%m-%d %H:%M}", b.reason_label, backups.size_text(b.size),
                      str(c.get("projects", "—")), str(c.get("records", "—")), str(c.get("audit", "—")),
                      "完好" if b.ok else b.problem or "损坏", b.name)
            for col, v in enumerate(values):
                self.table.setItem(r, col, _item(v, right=col in (2, 3, 4, 5)))
        if self.items:
            self.table.selectRow(0)
        if not self.status.text():
            self.status.setText(f"备份文件夹：{self.folder}　共 {len(self.items)} 个备份")
        self.loaded = True
        self._selection()

    def selected(self) -> backups.Backup | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows else None

    def _selection(self) -> None:
        b = self.selected()
        self.restore_btn.setEnabled(b is not None and b.ok)

    # ---- actions -----------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.status.setText(text)

    def backup_now(self):
        def done(made: backups.Made) -> None:
            c = made.note["counts"]
            text = (f"已备份到 {made.path}（{backups.size_text(made.note['size'])}，项目 {c['projects']} 个，"
                    f"记录 {c['records']} 条，操作日志 {c['audit']} 条）。")
            if made.second is not None:
                text += f" 第二份：{made.second}。"
            self._say(text)
            self.load()
            if made.warning:
                QMessageBox.warning(self, "第二备份位置", made.warning)

        return run_task(lambda job: backups.make_backup(job.store(), "manual"), parent_widget=self,
                        title="立即备份", label="正在备份数据库…", db_path=self.db_path, cancellable=False,
                        on_done=done, on_error=lambda exc, tb: self._failed("备份没有完成", exc, tb))

    def restore_selected(self):
        b = self.selected()
        if b is None:
            return None
        c = b.counts or {}
        answer = QMessageBox.question(
            self, "恢复所选备份",
            f"用 {b.made_at:%Y-%m-%d %H:%M} 的备份（{b.reason_label}，项目 {c.get('projects', '—')} 个，"
            f"记录 {c.get('records', '—')} 条）替换当前数据库？\n\n恢复前会先自动备份当前状态，"
            "之后的修改将被撤回（仍保存在那个备份中）。")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        actor = self.session.actor

        def work(job):
            return backups.restore(self.db_path, b.path, actor=actor)

        def done(result: backups.Restored) -> None:
            text = f"已用 {b.name} 恢复数据库。"
            if result.safety:
                text += f" 恢复前的状态已备份为 {result.safety.name}。"
            if result.warning:
                text += f" {result.warning}"
            self._say(text)
            self.restored.emit()
            self.load()
            QMessageBox.information(self, "恢复所选备份", text)

        return run_task(work, parent_widget=self, title="恢复所选备份", label="正在恢复数据库…", db_path=self.db_path,
                        cancellable=False, on_done=done,
                        on_error=lambda exc, tb: self._failed("恢复没有完成", exc, tb))

    def check_now(self):
        def work(job):
            store = job.store()
            result = integrity.check(store, full=True)
            return result, store.writes_refused

        def done(out) -> None:
            result, message = out
            if result.ok:
                self._say("完整性检查通过：数据库文件完好。")
                QMessageBox.information(self, "完整性检查", "完整性检查通过：数据库文件完好。")
            else:
                self.session.store.refuse_writes(message)
                self._say(message)
                QMessageBox.critical(self, "完整性检查未通过", message)

        return run_task(work, parent_widget=self, title="完整性检查", label="正在检查数据库文件…",
                        db_path=self.db_path, cancellable=False, on_done=done,
                        on_error=lambda exc, tb: self._failed("完整性检查没有完成", exc, tb))

    def _failed(self, title: str, exc: BaseException, tb: str) -> None:
        if isinstance(exc, GovisError):
            self._say(exc.message)
            QMessageBox.warning(self, title, exc.message)
        else:
            show_error(self, exc, tb)

    def pick_second(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择第二备份位置", self.second_edit.text())
        if folder:
            self.second_edit.setText(folder)

    def save_second(self) -> None:
        try:
            backups.set_second_folder(self.session.store, self.second_edit.text())
        except GovisError as exc:
            QMessageBox.warning(self, "第二备份位置", exc.message)
            return
        folder = self.second_edit.text().strip()
        self._say(f"第二备份位置已设为 {folder}。" if folder else "已取消第二备份位置。")

    def open_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))
