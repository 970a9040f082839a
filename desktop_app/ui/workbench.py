"""工作台: today's open findings grouped by kind (逾期, 违规, 受限, 即将到期) with counts.

The rules run over the whole county in the worker (1-3 s for a big county); the tree is a small
two-level model over the findings, never a widget per row. Search, the unit / clause / state filters
and the column sort regroup that model; 导出 and 打印 take what is shown. Double-click opens the
project on the tab where the clerk acts. A reporting installation (a unit, finance) is also told what
waits to be sent to the county office, with a button to the export.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractItemModel, QBuffer, QIODevice, QMarginsF, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import GovisError
from desktop_app.exchange import pending
from desktop_app.lifecycle import rules as R
from desktop_app.services import xlsx_export
from desktop_app.services.risk import summary as risk_summary
from desktop_app.ui.icons import icon
from desktop_app.ui.loading import BackgroundLoad

ROOT = QModelIndex()  # the invalid index: default parent for the model API

# Order of the groups: the most urgent first.
GROUPS = (R.OVERDUE, R.VIOLATION, R.BLOCKED, R.UPCOMING)
GROUP_COLOURS = {R.OVERDUE: "#c62828", R.VIOLATION: "#8e24aa", R.BLOCKED: "#b85c00", R.UPCOMING: "#1f5fa8"}
HEADERS = ["项目编号", "项目名称", "建设单位", "条款", "期限", "逾期天数", "事项"]
COL = {h: i for i, h in enumerate(HEADERS)}
MESSAGE_COL = COL["事项"]
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1
ALL = ""  # the 全部 choice of a filter


@dataclass
class Snapshot:
    """What the worker hands back: findings plus project names and units (findings carry only codes),
    and, for a reporting installation, what waits to be sent."""

    findings: list[R.Finding]
    names: dict[str, str]
    today: object
    rows: list[dict]
    units: dict[str, str] = field(default_factory=dict)
    waiting: list[pending.Waiting] = field(default_factory=list)
    no_directory: str | None = None  # why nothing can be sent yet (a unit without the county directory)
    risk: dict | None = None  # services.risk.summary of the active projects' ratings


def load_snapshot(session) -> Snapshot:
    rows = session.ledger()
    store, actor = session.store, session.actor
    return Snapshot(session.findings(), {r["id"]: r["name"] for r in rows}, session.today, rows,
                    units={r["id"]: r["unit"] for r in rows},
                    waiting=pending.waiting(store, actor),
                    no_directory=pending.why_no_recipients(store, actor) if actor.role != "county_office" else None,
                    risk=risk_summary(session.risk_ratings()))


def risk_text(summary: dict | None) -> str:
    """The 工作台 line about risk ratings: how many are high, unconfirmed, 已过期."""
    if not summary or not summary["total"]:
        return ""
    high = summary["by_level"][1] + summary["by_level"][2]
    parts = [f"较高及以上风险 {high} 个"]
    if summary["unconfirmed"]:
        parts.append(f"未确认 {summary['unconfirmed']} 个")
    if summary["stale"]:
        parts.append(f"已过期 {summary['stale']} 个")
    return "风险评级：" + "，".join(parts)


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


def overdue_days(f: R.Finding, today: dt.date | None) -> int | None:
    """Calendar days past the due date of an overdue finding (None for any other)."""
    if f.state != R.OVERDUE or not f.due or today is None:
        return None
    return max((today - f.due.day).days, 0)


@dataclass(frozen=True)
class Filter:
    text: str = ""
    unit: str = ALL
    clause: str = ALL
    state: str = ALL


class FindingsModel(QAbstractItemModel):
    """Two levels: group rows (internal id 0) and finding rows (internal id = group number + 1).
    Filtering and sorting happen here (groups stay in urgency order; a sort orders the rows within)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.groups: list[tuple[str, list[R.Finding]]] = []
        self.names: dict[str, str] = {}
        self.units: dict[str, str] = {}
        self.today: dt.date | None = None
        self.everything: list[R.Finding] = []
        self.filter = Filter()
        self.sort_key: tuple[int, Qt.SortOrder] | None = None  # None: by due date

    def set_findings(self, findings: list[R.Finding], names: dict[str, str], units: dict[str, str] | None = None,
                     today: dt.date | None = None) -> None:
        self.everything, self.names, self.units, self.today = list(findings), names, units or {}, today
        self._regroup()

    def set_filter(self, flt: Filter) -> None:
        self.filter = flt
        self._regroup()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_key = (column, order)
        self._regroup()

    def _matches(self, f: R.Finding) -> bool:
        flt = self.filter
        if flt.state and f.state != flt.state:
            return False
        if flt.clause and f.clause != flt.clause:
            return False
        if flt.unit and self.units.get(f.project_id, "") != flt.unit:
            return False
        if flt.text:
            needle = flt.text.casefold()
            hay = (f.project_code, self.names.get(f.project_id, ""), self.units.get(f.project_id, ""), f.message)
            return any(needle in h.casefold() for h in hay)
        return True

    def _regroup(self) -> None:
        self.beginResetModel()
        self.groups = group_findings([f for f in self.everything if self._matches(f)])
        if self.sort_key is not None:
            col, order = self.sort_key
            for _state, items in self.groups:
                items.sort(key=lambda f, c=col: self._sort_value(f, c),
                           reverse=order == Qt.SortOrder.DescendingOrder)
        self.endResetModel()

    def _sort_value(self, f: R.Finding, col: int):
        if col == COL["期限"]:
            return (f.due.day if f.due else _FAR).toordinal()
        if col == COL["逾期天数"]:
            return overdue_days(f, self.today) or 0
        if col == COL["条款"]:
            return (_clause_number(f.clause), f.clause)
        return self.cell(f, col)

    def choices(self) -> tuple[list[str], list[str]]:
        """(units, clauses) present among today's findings, for the filter lists."""
        units = sorted({self.units.get(f.project_id, "") for f in self.everything} - {""})
        clauses = sorted({f.clause for f in self.everything}, key=lambda c: (_clause_number(c), c))
        return units, clauses

    def counts(self) -> dict[str, int]:
        return {g: len(items) for g, items in self.groups}

    def shown(self) -> list[R.Finding]:
        """What the view shows, in its order: for export and printing."""
        return [f for _g, items in self.groups for f in items]

    def cell(self, f: R.Finding, col: int) -> str:
        days = overdue_days(f, self.today)
        return (f.project_code, self.names.get(f.project_id, ""), self.units.get(f.project_id, ""), f.clause,
                due_label(f), "" if days is None else str(days), f.message)[col]

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
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole \
                and section == COL["逾期天数"]:
            return "逾期事项自期限次日起至今天的日历天数"
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
            return self.cell(f, c)
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == COL["期限"] and f.due and f.due.tentative:
                return "暂定：期限跨越的年度尚无官方节假日安排，按周一至周五推算"
            if c == MESSAGE_COL:
                return f"{f.message}（依据：通知{f.clause}）"
            if c in (COL["项目名称"], COL["建设单位"]):
                return self.cell(f, c)
        if role == Qt.ItemDataRole.TextAlignmentRole and c == COL["逾期天数"]:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and c in (COL["期限"], COL["逾期天数"]) and f.state == R.OVERDUE:
            return QBrush(QColor(GROUP_COLOURS[R.OVERDUE]))
        if role == FINDING_ROLE:
            return f
        return None


_CN_DIGITS = "一二三四五六七八九十"


def _clause_number(clause: str) -> int:
    """第三条 -> 3, so clauses sort in the notice's order (anything else last)."""
    body = clause.removeprefix("第").removesuffix("条")
    return _CN_DIGITS.index(body) + 1 if len(body) == 1 and body in _CN_DIGITS else 99


class WaitingBanner(QFrame):
    """有N项内容尚未报送县政府办公室 with a button to the export; or why nothing can be sent yet."""

    export_requested = Signal(str)  # the recipient's code ('' when there is none yet)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet("WaitingBanner { background:#fff4ce; border:1px solid #e0c060; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton(icon("export"), "导出数据包…")
        self.button.clicked.connect(lambda: self.export_requested.emit(self.peer))
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.peer = ""
        self.hide()

    def set_state(self, waiting: list[pending.Waiting], no_directory: str | None) -> None:
        if no_directory:
            self.peer = ""
            self.label.setText(no_directory)
            self.button.setText("打开数据交换…")
        elif waiting:
            self.peer = waiting[0].peer_code
            self.label.setText("；".join(f"有{w.count}项内容尚未报送{w.peer_name}" for w in waiting)
                               + "。请导出数据包，用U盘交给对方导入。")
            self.button.setText("导出数据包…")
        self.setVisible(bool(no_directory or waiting))


class WorkbenchPage(BackgroundLoad, QWidget):
    open_project = Signal(str, str)  # project id, tab
    export_requested = Signal(str)  # go to 数据交换 with this recipient chosen
    risk_rated = Signal(str)  # project id whose risk rating the county office confirmed

    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.model = FindingsModel(self)
        self.loaded = False
        self.task = None
        self.loader = None  # set by the main window to share one rule pass
        self.today: dt.date | None = None
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
        self.risk_label = QLabel()
        self.risk_btn = QPushButton("风险评级…")
        self.risk_btn.setToolTip("各在建、已建项目的风险等级：系统建议及理由，县政府办公室确认或调整")
        self.risk_btn.clicked.connect(self.open_risk_ratings)
        top.addWidget(self.risk_label)
        top.addWidget(self.risk_btn)
        top.addWidget(self.refresh_btn)

        self.waiting = WaitingBanner()
        self.waiting.export_requested.connect(self.export_requested)

        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索项目编号、名称、单位或事项")
        self.search.setClearButtonEnabled(True)
        self.unit = QComboBox()
        self.clause = QComboBox()
        self.state = QComboBox()
        self.state.addItem("全部类别", ALL)
        for g in GROUPS:
            self.state.addItem(R.STATE_LABELS[g], g)
        for combo in (self.unit, self.clause):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.search.textChanged.connect(self._filter_changed)
        for combo in (self.unit, self.clause, self.state):
            combo.currentIndexChanged.connect(self._filter_changed)
        self.export_btn = QPushButton(icon("export"), "导出Excel…")
        self.export_btn.setToolTip("把下表当前显示的事项（按筛选和排序）导出为 xlsx 工作簿")
        self.export_btn.clicked.connect(self.export_dialog)
        self.print_btn = QPushButton("打印…")
        self.print_btn.setToolTip("预览、打印或另存为PDF：下表当前显示的事项")
        self.print_btn.clicked.connect(self.print_preview)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.unit)
        bar.addWidget(self.clause)
        bar.addWidget(self.state)
        bar.addStretch(1)
        bar.addWidget(self.export_btn)
        bar.addWidget(self.print_btn)

        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setFirstColumnSpanned(0, QModelIndex(), True)
        header = self.view.header()
        for col, width in enumerate((165, 210, 150, 60, 150, 72)):
            self.view.setColumnWidth(col, width)
        # the 事项 column takes the spare width; its full text is the tooltip
        header.setStretchLastSection(True)
        header.setSectionResizeMode(MESSAGE_COL, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(COL["期限"], Qt.SortOrder.AscendingOrder)  # the default order: by due date
        self.view.setSortingEnabled(True)
        self.view.doubleClicked.connect(self._activated)
        self.view.activated.connect(self._activated)
        self.model.modelReset.connect(self._after_reset)

        self.message = QLabel("列出今天的逾期事项、10个工作日内到期的事项、受限的操作和违规情形。双击一行打开该项目的相应页面；"
                              "点击列标题排序。")
        self.message.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.waiting)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.message)

    LOADING_TEXT = "正在按通知各条检查所有项目，请稍候…"
    FAILED_TEXT = "检查未完成"

    def fetch(self, session):
        return load_snapshot(session)

    def deliver(self, result) -> None:
        self.set_snapshot(result)

    def set_snapshot(self, snap: Snapshot) -> None:
        self._idle()
        self.today = snap.today
        self.title.setText(f"工作台 — {snap.today.year}年{snap.today.month}月{snap.today.day}日")
        self.model.set_findings(snap.findings, snap.names, snap.units, snap.today)
        self._fill_choices()
        self.waiting.set_state(snap.waiting, snap.no_directory)
        self.risk_label.setText(risk_text(snap.risk))
        self._show_counts()
        self.loaded = True

    def open_risk_ratings(self):
        from desktop_app.ui.risk_ratings import RiskRatingDialog

        dlg = RiskRatingDialog(self.session, self)
        dlg.rated.connect(lambda _pid: self.risk_label.setText(risk_text(risk_summary(dlg.items))))
        dlg.rated.connect(self.risk_rated)
        dlg.open()
        return dlg

    def _fill_choices(self) -> None:
        units, clauses = self.model.choices()
        for combo, all_text, items in ((self.unit, "全部单位", units), (self.clause, "全部条款", clauses)):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(all_text, ALL)
            for item in items:
                combo.addItem(item, item)
            i = combo.findData(keep) if keep else 0
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)
        self._filter_changed()

    def _filter_changed(self, *_args) -> None:
        self.model.set_filter(Filter(self.search.text().strip(), self.unit.currentData() or ALL,
                                     self.clause.currentData() or ALL, self.state.currentData() or ALL))
        if self.loaded:
            self._show_counts()

    def _show_counts(self) -> None:
        counts = self.model.counts()
        filtered = self.model.filter != Filter()
        if counts:
            text = "；".join(f"{R.STATE_LABELS[g]} {n} 项" for g, n in counts.items())
            self.summary.setText(("筛选结果：" if filtered else "") + text)
        elif filtered:
            self.summary.setText("没有符合筛选条件的事项。")
        else:
            self.summary.setText("今天没有逾期、即将到期、受限或违规的事项。")
        self.export_btn.setEnabled(bool(counts))
        self.print_btn.setEnabled(bool(counts))

    def _after_reset(self) -> None:
        for g in range(self.model.rowCount()):
            self.view.setFirstColumnSpanned(g, QModelIndex(), True)
            self.view.expand(self.model.index(g, 0))

    def _activated(self, index) -> None:
        f = self.model.finding(index)
        if f is not None:
            self.open_project.emit(f.project_id, f.tab)

    # ---- export and print: what is shown, as shown ----------------------------------------------
    def table(self) -> tuple[list[str], list[list]]:
        headers = ["类别", *HEADERS]
        rows = []
        for f in self.model.shown():
            days = overdue_days(f, self.today)
            rows.append([R.STATE_LABELS[f.state], *(self.model.cell(f, c) for c in range(len(HEADERS)))])
            rows[-1][1 + COL["逾期天数"]] = days
        return headers, rows

    @classmethod
    def ask_save_path(cls, parent, suggested: str) -> str:
        """Where to save the workbook (tests patch this)."""
        path, _ = QFileDialog.getSaveFileName(parent, "导出工作台为 Excel", suggested, "Excel 工作簿 (*.xlsx)")
        return path

    def export_dialog(self) -> str | None:
        from pathlib import Path

        day = self.today.isoformat() if self.today else ""
        path = self.ask_save_path(self, str(Path.home() / f"工作台事项_{day}.xlsx"))
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        return self.export_to(path)

    def export_to(self, path: str) -> str | None:
        headers, rows = self.table()
        kinds = ["text"] * len(headers)
        kinds[1 + COL["逾期天数"]] = "int"
        try:
            xlsx_export.save_workbook(path, [("工作台", headers, rows, kinds)])
        except GovisError as exc:  # a full disk, a file open in WPS: nothing half-written
            self.message.setText(f"未能导出：{exc.message}")
            self.message.setStyleSheet("color:#b00020;")
            return None
        self.message.setStyleSheet("")
        self.message.setText(f"已导出 {len(rows)} 项到：{path}")
        return path

    def printable_html(self) -> str:
        headers, rows = self.table()
        day = f"{self.today.year}年{self.today.month}月{self.today.day}日" if self.today else ""
        flt = self.model.filter
        scope = "、".join(x for x in (flt.unit, flt.clause, R.STATE_LABELS.get(flt.state, ""),
                                     f"含“{flt.text}”" if flt.text else "") if x)
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in r) + "</tr>"
                       for r in rows)
        return (f"<h2 align='center'>工作台事项一览（{day}）</h2>"
                + (f"<p>筛选：{html.escape(scope)}</p>" if scope else "")
                + f"<p>{html.escape(self.summary.text())}</p>"
                "<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
                f"<thead><tr>{head}</tr></thead>{body}</table>")

    def pdf_bytes(self) -> bytes:
        """The shown rows as an A4 landscape PDF (Qt's own text layout: a plain list, not an official form)."""
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buf)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                         QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
        writer.setResolution(150)
        writer.setTitle("工作台事项一览")
        doc = QTextDocument()
        font = QFont(self.font())
        font.setPointSizeF(9)
        doc.setDefaultFont(font)
        doc.setHtml(self.printable_html())
        doc.print_(writer)
        del writer  # finishes the PDF
        buf.close()
        return bytes(buf.data())

    @classmethod
    def show_preview(cls, parent, data: bytes, file_name: str):
        """The program's print preview (print, or save as PDF); tests patch this."""
        from desktop_app.ui.print_preview import PrintPreviewDialog

        dlg = PrintPreviewDialog(data, "工作台事项一览", file_name, parent)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dlg.open()
        return dlg

    def print_preview(self):
        if not self.model.shown():
            return None
        day = self.today.isoformat() if self.today else ""
        return self.show_preview(self, self.pdf_bytes(), f"工作台事项_{day}.pdf")

