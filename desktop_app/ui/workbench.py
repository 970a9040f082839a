"""工作台: today's open findings grouped by kind (逾期, 违规, 受限, 即将到期) with counts.

The rules run over the whole county in the worker (1-3 s for a big county); the tree is a small
two-level model over the findings, never a widget per row. Double-click opens the project on the
tab where the clerk acts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.lifecycle import rules as R
from desktop_app.ui.icons import icon
from desktop_app.ui.loading import BackgroundLoad

ROOT = QModelIndex()  # the invalid index: default parent for the model API

# Order of the groups: the most urgent first.
GROUPS = (R.OVERDUE, R.VIOLATION, R.BLOCKED, R.UPCOMING)
GROUP_COLOURS = {R.OVERDUE: "#c62828", R.VIOLATION: "#8e24aa", R.BLOCKED: "#b85c00", R.UPCOMING: "#1f5fa8"}
HEADERS = ["项目编号", "项目名称", "条款", "期限", "事项"]
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass
class Snapshot:
    """What the worker hands back: findings plus project names (findings carry only codes)."""

    findings: list[R.Finding]
    names: dict[str, str]
    today: object
    rows: list[dict]


def load_snapshot(session) -> Snapshot:
    rows = session.ledger()
    return Snapshot(session.findings(), {r["id"]: r["name"] for r in rows}, session.today, rows)


def group_findings(findings: list[R.Finding]) -> list[tuple[str, list[R.Finding]]]:
    by: dict[str, list[R.Finding]] = {g: [] for g in GROUPS}
    for f in findings:
        if f.state in by:
            by[f.state].append(f)
    for items in by.values():
        items.sort(key=lambda f: (f.due.day if f.due else _FAR, f.project_code, f.rule_id))
    return [(g, by[g]) for g in GROUPS if by[g]]


_FAR = dt.date.max  # findings without a due date sort last


def due_label(f: R.Finding) -> str:
    if not f.due:
        return ""
    return f.due.day.isoformat() + ("（暂定）" if f.due.tentative else "")


class FindingsModel(QAbstractItemModel):
    """Two levels: group rows (internal id 0) and finding rows (internal id = group number + 1)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.groups: list[tuple[str, list[R.Finding]]] = []
        self.names: dict[str, str] = {}

    def set_findings(self, findings: list[R.Finding], names: dict[str, str]) -> None:
        self.beginResetModel()
        self.groups = group_findings(findings)
        self.names = names
        self.endResetModel()

    def counts(self) -> dict[str, int]:
        return {g: len(items) for g, items in self.groups}

    def group_title(self, g: int) -> str:
        state, items = self.groups[g]
        return f"{R.STATE_LABELS[state]} ({len(items)})"

    def finding(self, index: QModelIndex) -> R.Finding | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self.groups[index.internalId() - 1][1][index.row()]

    # ---- Qt model API -------------------------------------------------------------------
    def index(self, row, column, parent=ROOT):
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index=ROOT):
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent=ROOT):
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.groups[parent.row()][1])
        return 0

    def columnCount(self, parent=ROOT):
        return len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == 0:  # group row
            state = self.groups[index.row()][0]
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return self.group_title(index.row())
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(GROUP_COLOURS[state]))
            if role == Qt.ItemDataRole.FontRole:
                f = QFont()
                f.setBold(True)
                return f
            return None
        f = self.finding(index)
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (f.project_code, self.names.get(f.project_id, ""), f.clause, due_label(f), f.message)[c]
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == 3 and f.due and f.due.tentative:
                return "暂定：期限跨越的年度尚无官方节假日安排，按周一至周五推算"
            if c == 4:
                return f.message
        if role == Qt.ItemDataRole.ForegroundRole and c == 3 and f.state == R.OVERDUE:
            return QBrush(QColor(GROUP_COLOURS[R.OVERDUE]))
        if role == FINDING_ROLE:
            return f
        return None


class WorkbenchPage(BackgroundLoad, QWidget):
    open_project = Signal(str, str)  # project id, tab

    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.model = FindingsModel(self)
        self.loaded = False
        self.task = None
        self.loader = None  # set by the main window to share one rule pass
        self._build()

    def _build(self) -> None:
        self.title = QLabel()
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self.title.setFont(f)
        self.summary = QLabel("尚未检查")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.refresh_btn = QPushButton(icon("refresh"), "重新检查")
        self.refresh_btn.clicked.connect(self.load)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)
        top.addWidget(self.busy)
        top.addWidget(self.refresh_btn)

        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setFirstColumnSpanned(0, QModelIndex(), True)
        header = self.view.header()
        for col, width in enumerate((150, 260, 70, 150)):
            self.view.setColumnWidth(col, width)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(self._activated)
        self.view.activated.connect(self._activated)
        self.model.modelReset.connect(self._after_reset)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        lay.addWidget(QLabel("列出今天的逾期事项、10个工作日内到期的事项、受限的操作和违规情形。双击一行打开该项目的相应页面。"))

    LOADING_TEXT = "正在按通知各条检查所有项目，请稍候…"
    FAILED_TEXT = "检查未完成"

    def fetch(self, session):
        return load_snapshot(session)

    def deliver(self, result) -> None:
        self.set_snapshot(result)

    def set_snapshot(self, snap: Snapshot) -> None:
        self._idle()
        self.title.setText(f"工作台 — {snap.today.year}年{snap.today.month}月{snap.today.day}日")
        self.model.set_findings(snap.findings, snap.names)
        counts = self.model.counts()
        if counts:
            self.summary.setText("；".join(f"{R.STATE_LABELS[g]} {n} 项" for g, n in counts.items()))
        else:
            self.summary.setText("今天没有逾期、即将到期、受限或违规的事项。")
        self.loaded = True

    def _after_reset(self) -> None:
        for g in range(self.model.rowCount()):
            self.view.setFirstColumnSpanned(g, QModelIndex(), True)
            self.view.expand(self.model.index(g, 0))

    def _activated(self, index) -> None:
        f = self.model.finding(index)
        if f is not None:
            self.open_project.emit(f.project_id, f.tab)
