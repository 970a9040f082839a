"""帮助 → 自检: `desktop_app.selftest` on a worker thread, one row per step filling in as it runs.

The work runs in a fresh temporary folder (removed afterwards); the open database is not touched. The
worker reports each step through `Job.progress(done, total, text)`, text = "<state>|<line>" with state
running / passed / failed, so the rows can change on the GUI thread as the signals arrive."""

from __future__ import annotations

import datetime as dt
import tempfile

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop_app import selftest
from desktop_app.ui.worker import Task

STATE_ICON = {"waiting": QStyle.StandardPixmap.SP_MediaStop, "running": QStyle.StandardPixmap.SP_BrowserReload,
              "passed": QStyle.StandardPixmap.SP_DialogApplyButton,
              "failed": QStyle.StandardPixmap.SP_MessageBoxCritical}
FAILED_COLOUR = QColor("#b3261e")


def _work(today: dt.date | None):
    def fn(job):
        def on_step(number, total, result, step):
            if result is None:
                job.progress(number - 1, total, f"running|{step.label}：正在检查…")
            else:
                job.progress(number, total, f"{'passed' if result.ok else 'failed'}|{result.text()}")

        with tempfile.TemporaryDirectory(prefix="govis-selftest-") as folder:
            return selftest.run(folder, today=today, on_step=on_step)
    return fn


class SelfTestDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.setWindowTitle("自检")
        self.today = today
        self.task: Task | None = None
        self.report: selftest.Report | None = None
        self.history: list[tuple[int, str]] = []  # (row, state) as the worker reported them
        self.intro = QLabel("在临时文件夹中试运行本程序的主要功能：生成小型演示县、检查规则、打印每种文书、"
                            "在两个临时安装之间交换数据包、备份与恢复、校验操作日志。本单位的数据库不会被读写。")
        self.intro.setWordWrap(True)
        self.steps = QListWidget()
        self.steps.setObjectName("selftest_steps")
        self.steps.setWordWrap(True)
        self.steps.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.bar = QProgressBar()
        self.bar.setRange(0, len(selftest.STEPS))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.run_button = QPushButton("开始自检")
        self.copy_button = QPushButton("复制结果")
        self.close_button = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.run_button.clicked.connect(self.start)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (self.intro, self.steps, self.bar, self.summary, buttons):
            layout.addWidget(w)
        self.resize(720, 460)
        self._reset()

    def _reset(self) -> None:
        self.steps.clear()
        for n, step in enumerate(selftest.STEPS, start=1):
            self.steps.addItem(QListWidgetItem(f"{n}. {step.label}"))
            self._mark(n - 1, "waiting")
        self.bar.setValue(0)
        self.summary.setText("")
        self.copy_button.setEnabled(False)

    def _mark(self, row: int, state: str, text: str | None = None) -> None:
        item = self.steps.item(row)
        if item is None:
            return
        item.setData(Qt.ItemDataRole.UserRole, state)
        item.setIcon(self.style().standardIcon(STATE_ICON[state]))
        if text is not None:
            item.setText(text)
        if state == "failed":
            item.setForeground(FAILED_COLOUR)

    def state_of(self, row: int) -> str:
        return self.steps.item(row).data(Qt.ItemDataRole.UserRole)

    def start(self) -> None:
        if self.task is not None:
            return
        self._reset()
        self.report = None
        self.history = []
        self.run_button.setEnabled(False)
        self.summary.setText("正在自检，请稍候（通常不到一分钟）…")
        self.task = Task(_work(self.today), parent_widget=self, on_done=self._done, on_error=self._error,
                         on_cancel=self._cancelled)
        self.task.thread.progressed.connect(self._progress)
        self.task.start()

    def _progress(self, done: int, total: int, text: str) -> None:
        state, _, line = text.partition("|")
        row = done if state == "running" else done - 1
        self.history.append((row, state))
        self._mark(row, state, f"{row + 1}. {line}")
        self.bar.setValue(done)

    def _finish(self) -> None:
        self.task = None
        self.run_button.setEnabled(True)
        self.run_button.setText("重新自检")

    def _done(self, report: selftest.Report) -> None:
        self.report = report
        self._finish()
        self.summary.setText(report.summary() if report.ok else
                             f"<b style='color:{FAILED_COLOUR.name()}'>{report.summary()}</b><br>"
                             "请复制结果发给技术支持。")
        self.copy_button.setEnabled(True)

    def _error(self, exc: BaseException, tb: str) -> None:
        self._finish()
        self.summary.setText(f"自检没有完成：{getattr(exc, 'message', None) or exc}")

    def _cancelled(self) -> None:
        self._finish()
        self.summary.setText("自检已取消。")

    def result_text(self) -> str:
        """What 复制结果 puts on the clipboard: the same lines `govis selftest` prints."""
        if self.report is None:
            return self.summary.text()
        n = len(selftest.STEPS)
        return "\n".join([*(r.line(i, n) for i, r in enumerate(self.report.results, start=1)),
                          self.report.summary()])

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.result_text())

    def reject(self) -> None:
        if self.task is not None:  # closing while it runs: stop at the next step, then close
            self.task.cancel()
            self.task.wait()
        super().reject()
