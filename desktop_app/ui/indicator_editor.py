"""绩效评价指标 in 系统设置 (第六条 "a configurable indicator system"): the county's two-level indicator
system as a tree (名称, 分值, 评分说明), edited by the county office, read by everyone else.

The running total is only a guide while typing; the checks before saving are the core's
(`operations.set_indicators` → `indicators.checked`), the same the command line uses, and their Chinese
messages are shown as they are."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from desktop_app.errors import GovisError, ValidationError
from desktop_app.lifecycle import indicators as IND
from desktop_app.lifecycle.policy import DEFAULT_INDICATORS, load_indicators
from desktop_app.models.authority import SETTINGS
from desktop_app.services import operations as ops

NAME, POINTS, NOTE = range(3)
OK_STYLE = "color:#2e7d32; font-weight:bold"
BAD_STYLE = "color:#c62828; font-weight:bold"
BAD = QBrush(QColor("#ffebee"))


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


class IndicatorEditor(QGroupBox):
    saved = Signal()

    def __init__(self, session, parent=None):
        super().__init__("绩效评价指标体系（第六条）", parent)
        self.session = session
        lay = QVBoxLayout(self)
        intro = QLabel("项目自评价和后评价按下列指标逐项打分，综合得分由各项得分相加（不手填）。一级指标合计100分，"
                       "各一级指标的分值等于其二级指标分值之和；评分说明可不填。保存后新填报或修改的评价按新指标计算，"
                       "已评价的项目保留原有得分。")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.tree = QTreeWidget()
        self.tree.setObjectName("indicator_tree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["指标名称", "分值", "评分说明"])
        self.tree.header().setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setSectionResizeMode(NOTE, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnWidth(NAME, 200)
        self.tree.setColumnWidth(POINTS, 60)
        self.tree.setMinimumHeight(360)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemChanged.connect(self._edited)
        lay.addWidget(self.tree)
        self.total = QLabel()
        self.total.setObjectName("indicator_total")
        lay.addWidget(self.total)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        row = QHBoxLayout()
        self.add_group_button = QPushButton("添加一级指标")
        self.add_group_button.clicked.connect(self.add_group)
        self.add_item_button = QPushButton("添加二级指标")
        self.add_item_button.setToolTip("添加到所选一级指标下")
        self.add_item_button.clicked.connect(self.add_item)
        self.remove_button = QPushButton("删除所选")
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_button = QPushButton("保存指标体系")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("放弃修改")
        self.revert_button.clicked.connect(self.load)
        self.default_button = QPushButton("恢复默认…")
        self.default_button.clicked.connect(self.restore_default)
        self.buttons = (self.add_group_button, self.add_item_button, self.remove_button, self.save_button,
                        self.revert_button, self.default_button)
        for b in self.buttons:
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.why_not = self._refusal()
        if self.why_not:
            for b in self.buttons:
                b.setEnabled(False)
                b.setToolTip(self.why_not)
            self.message.setText(self.why_not + "；本机只能查看。")
        self.load()

    def _refusal(self) -> str | None:
        roles, _clause, why = SETTINGS["indicators"]
        if self.session.actor.role not in roles:
            return why
        return self.session.may("settings")

    # ---- the tree ----------------------------------------------------------------------------------
    def _item(self, parent, name: str, points, note: str | None) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [name, "" if points is None else str(points), note or ""])
        if not self.why_not:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        item.setTextAlignment(POINTS, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if parent is self.tree:  # a first level
            font = item.font(NAME)
            font.setBold(True)
            item.setFont(NAME, font)
        return item

    def show_system(self, system: IND.IndicatorSystem) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        for g in system.groups:
            top = self._item(self.tree, g.name, g.full, None)
            for i in g.items:
                self._item(top, i.name, i.full, i.note)
            top.setExpanded(True)
        self.tree.blockSignals(False)
        self.update_total()

    def load(self) -> None:
        """The system in force (forgetting unsaved edits)."""
        self.show_system(load_indicators(self.session.store))
        self.error.clear()

    def data(self) -> list[dict]:
        """What the tree holds, in the object form the core reads (分值 as typed: the core checks it)."""
        out = []
        for n in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(n)
            out.append({"name": top.text(NAME), "points": top.text(POINTS).strip(),
                        "items": [{"name": c.text(NAME), "points": c.text(POINTS).strip(), "note": c.text(NOTE)}
                                  for c in (top.child(k) for k in range(top.childCount()))]})
        return out

    def update_total(self) -> None:
        """合计 of the first levels, and each first level whose second levels do not add up to it."""
        self.tree.blockSignals(True)
        total, problems = 0, []
        for n in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(n)
            full = _int(top.text(POINTS))
            total += full or 0
            items = [_int(top.child(k).text(POINTS)) or 0 for k in range(top.childCount())]
            wrong = full is None or sum(items) != full
            top.setBackground(POINTS, BAD if wrong else QBrush())
            top.setToolTip(POINTS, f"二级指标合计{sum(items)}分" if wrong else "")
            if wrong:
                problems.append(f"「{top.text(NAME)}」的二级指标合计{sum(items)}分")
        self.tree.blockSignals(False)
        if total == 100 and not problems:
            self.total.setText("合计 100 分 ✓")
            self.total.setStyleSheet(OK_STYLE)
        else:
            text = f"合计 {total} 分" + ("，应为 100" if total != 100 else "")
            self.total.setText("；".join([text, *problems]))
            self.total.setStyleSheet(BAD_STYLE)

    def _edited(self, *_) -> None:
        self.error.clear()  # the last refusal was about what has just been changed
        self.update_total()

    def add_group(self) -> None:
        top = self._item(self.tree, "新一级指标", 0, None)
        self._item(top, "新二级指标", 0, "")
        top.setExpanded(True)
        self.tree.setCurrentItem(top)
        self.tree.editItem(top, NAME)
        self.update_total()

    def add_item(self) -> None:
        current = self.tree.currentItem()
        if current is None:
            self.error.setText("请先选择要添加二级指标的一级指标")
            return
        top = current.parent() or current
        item = self._item(top, "新二级指标", 0, "")
        top.setExpanded(True)
        self.tree.setCurrentItem(item)
        self.tree.editItem(item, NAME)
        self.update_total()

    def remove_selected(self) -> None:
        current = self.tree.currentItem()
        if current is None:
            self.error.setText("请先选择要删除的指标")
            return
        parent = current.parent()
        if parent is None:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(current))
        else:
            parent.removeChild(current)
        self.update_total()

    # ---- saving --------------------------------------------------------------------------------------
    def _write(self, data, done: str) -> bool:
        self.message.clear()
        try:
            ops.set_indicators(self.session.store, self.session.actor, data, today=self.session.today)
        except ValidationError as exc:
            self.error.setText("；".join(exc.fields.values()))
            return False
        except GovisError as exc:
            self.error.setText(exc.message)
            return False
        self.load()
        self.message.setText(done)
        self.saved.emit()
        return True

    def save(self) -> bool:
        return self._write(self.data(), "已保存绩效评价指标体系。此后填报或修改的评价按新指标计算，已评价的项目保留原有得分。")

    def restore_default(self, confirm: bool = True) -> bool:
        if confirm and QMessageBox.question(
                self, "恢复默认", "恢复程序默认的绩效评价指标体系（预算执行、产出、效益、满意度）？本县设置的指标将被替换。"
        ) != QMessageBox.StandardButton.Yes:
            return False
        return self._write(DEFAULT_INDICATORS, "已恢复默认绩效评价指标体系；已评价的项目保留原有得分。")
