"""风险评级: every active project with the level the program suggests and why, and the county office's
confirmation. The suggestion and the rules live in services/risk.py; this dialog only shows them and
calls `session.rate_risk` (one operation). Opened from 工作台."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import GovisError, ValidationError
from desktop_app.services.risk import LEVEL_LABELS, level_text
from desktop_app.ui.forms import ERROR_STYLE

HEADERS = ["项目编号", "项目名称", "系统建议", "已确认等级", "评级日期"]
RED, ORANGE = QColor("#c62828"), QColor("#b85c00")
OK_STYLE = "color: #2e7d32;"


class RiskRatingDialog(QDialog):
    rated = Signal(str)  # project id

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("风险评级")
        self.items = []
        self.shown = []
        intro = QLabel("系统按项目记录（逾期义务、资金超拨、未整改问题、设计变更的次数和金额、暂停建设、绩效评价为“差”）"
                       "建议风险等级：5为低风险，1为高风险。县政府办公室确认或调整后生效；"
                       "确认超过有效期的标为“已过期”，须重新确认。")
        intro.setWordWrap(True)
        self.attention_only = QCheckBox("只看待确认的（未确认、已过期或记录有变化）")
        self.attention_only.setChecked(True)
        self.attention_only.toggled.connect(self._fill)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 130), (2, 140), (3, 150), (4, 90)):
            self.table.setColumnWidth(col, width)
        self.table.itemSelectionChanged.connect(self._selected)

        self.project = QLabel("请在左侧选择项目")
        self.project.setWordWrap(True)
        self.reasons = QPlainTextEdit()
        self.reasons.setReadOnly(True)
        self.level = QComboBox()
        for lv in sorted(LEVEL_LABELS, reverse=True):
            self.level.addItem(level_text(lv), lv)
        self.rated_on = QLineEdit(session.today.isoformat())
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("与系统建议不同时须写明理由")
        self.note.setMaximumHeight(80)
        self.confirm_btn = QPushButton("确认评级")
        self.confirm_btn.clicked.connect(self.confirm)
        why_not = session.may_rate_risk()
        if why_not:
            self.confirm_btn.setEnabled(False)
            self.confirm_btn.setToolTip(why_not)
        self.message = QLabel(why_not or "")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE if why_not else "")
        form = QFormLayout()
        form.addRow("建议理由", self.reasons)
        form.addRow("风险等级", self.level)
        form.addRow("评级日期", self.rated_on)
        form.addRow("说明", self.note)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.project)
        rl.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_btn)
        rl.addLayout(buttons)
        rl.addWidget(self.message)
        rl.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.attention_only)
        ll.addWidget(self.table)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([640, 380])
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(split, 1)
        self.resize(1080, 560)
        self.reload()

    # ---- content --------------------------------------------------------------------------------
    def reload(self, keep: str | None = None) -> None:
        self.items = self.session.risk_ratings()
        self._fill(keep=keep)

    def _fill(self, *_args, keep: str | None = None) -> None:
        only = self.attention_only.isChecked()
        self.shown = [r for r in self.items if r.needs_attention or not only or r.project_id == keep]
        self.table.setRowCount(len(self.shown))
        for i, r in enumerate(self.shown):
            confirmed = ""
            if r.confirmed:
                confirmed = level_text(r.confirmed["level"]) + ("（已过期）" if r.stale else "")
            cells = (r.code, r.name, level_text(r.suggested), confirmed or "未确认",
                     r.confirmed["rated_on"] if r.confirmed else "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 2 and r.suggested <= 2:
                    item.setForeground(QBrush(RED))
                if c == 3 and (r.stale or not r.confirmed):
                    item.setForeground(QBrush(ORANGE))
                self.table.setItem(i, c, item)
        row = next((i for i, r in enumerate(self.shown) if r.project_id == keep), 0 if self.shown else -1)
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.project.setText("没有待确认的项目。" if only else "没有评审通过后、未终止的项目。")

    def current(self):
        rows = self.table.selectionModel().selectedRows()
        return self.shown[rows[0].row()] if rows else None

    def select_project(self, code: str) -> None:
        for i, r in enumerate(self.shown):
            if r.code == code:
                self.table.selectRow(i)
                return

    def _selected(self) -> None:
        r = self.current()
        if r is None:
            return
        self.project.setText(f"{r.code}　{r.name}\n系统建议：{level_text(r.suggested)}"
                             + (f"；已确认：{level_text(r.confirmed['level'])}（{r.confirmed['rated_on']}）"
                                + ("，已过期" if r.stale else "") if r.confirmed else "；尚未确认")
                             + (f"\n确认时的说明：{r.confirmed['note']}" if r.confirmed and r.confirmed["note"] else ""))
        self.reasons.setPlainText("\n".join(f"· {x}" for x in r.reasons) or "未发现风险事项")
        self.level.setCurrentIndex(self.level.findData(r.level))
        self.note.clear()
        if self.confirm_btn.isEnabled():
            self.message.clear()

    # ---- the write ------------------------------------------------------------------------------
    def confirm(self) -> None:
        r = self.current()
        if r is None:
            return
        try:
            self.session.rate_risk(r.project_id, self.level.currentData(), self.note.toPlainText(),
                                   self.rated_on.text().strip() or None)
        except ValidationError as exc:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText("\n".join(exc.fields.values()))
            return
        except GovisError as exc:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(exc.message)
            return
        level = self.level.currentData()
        self.reload(keep=r.project_id)
        self._selected()
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(f"已将 {r.code} 的风险等级确认为{level_text(level)}。")
        self.rated.emit(r.project_id)
