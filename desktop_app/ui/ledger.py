"""项目台账: an id-backed table model, a filtering/sorting proxy, the page, and xlsx export.

The model holds the ledger rows (dicts from Session.ledger()) plus, per row, its display texts,
sort keys and a pre-lowercased search haystack, computed once; filtering is then a few
comparisons per row. Sorting is done by the model itself (one Python list sort on the keys,
a layout change) and the proxy only filters: a proxy that sorts inserts every re-admitted row
by calling lessThan from C++ into Python, which costs ~0.4 s when a search over 10,000 rows is
cleared; filtering in source order costs ~10 ms. A changed project refreshes its own row with
dataChanged, never a model reset (it keeps its place until the next sort).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.lifecycle.states import STATUSES, status_label
from desktop_app.models.fields import fen_to_wan_text
from desktop_app.services import queries, xlsx_export
from desktop_app.services.stats import wan
from desktop_app.ui.empty_state import EmptyNote, how_to_add_projects
from desktop_app.ui.icons import icon
from desktop_app.ui.worker import run_task

log = logging.getLogger(__name__)
ROOT = QModelIndex()  # the invalid index: default parent for the model API

# (key, header, export kind)
COLUMNS = [
    ("code", "编号", "text"), ("name", "项目名称", "text"), ("unit", "建设单位", "text"),
    ("plan_year", "年度", "int"), ("status", "状态", "text"), ("total", "总投资(万元)", "money"),
    ("paid", "已拨付(万元)", "money"), ("person", "责任人", "text"), ("due", "下一期限", "text"),
    ("risk", "风险", "text"), ("late", "逾期完成", "int"), ("rating", "评级", "text"),
]
COL = {key: i for i, (key, _, _) in enumerate(COLUMNS)}
HEADERS = [h for _, h, _ in COLUMNS]
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
RED, ORANGE = QColor("#c62828"), QColor("#b85c00")
RED_BG, ORANGE_BG = QColor("#fde8e8"), QColor("#fff1de")
NO_DUE = "9999-12-31"  # sorts after every real date


def risk_text(row: dict) -> str:
    parts = []
    if row.get("overdue"):
        parts.append(f"逾期{row['overdue']}项")
    if row.get("blocked"):
        parts.append(f"受限{row['blocked']}项" if row["blocked"] > 1 else "受限")
    return "，".join(parts)


def late_text(row: dict) -> str:
    """Obligations this project met, but late (已完成（逾期N个工作日）); blank when none."""
    return str(row["late_done"]) if row.get("late_done") else ""


_FROZEN = False


def _freeze_once() -> None:
    """After the first ledger load (start-up: the window, its pages and 10,000 rows, all alive for the whole
    session) move what exists to the collector's permanent generation, so a full cyclic collection does not
    walk it again in the middle of a keystroke (it showed as a 50 ms search key in benchmarks/bench_ui.py).
    Once only: objects made later are collected as usual; frozen ones are still freed by reference count."""
    global _FROZEN
    if not _FROZEN:
        _FROZEN = True
        gc.freeze()


RISK_TIP = ("逾期：已过期限仍未履行的义务（含违反通知规定的情形）；受限：前置条件未满足，某一步暂不能办理"
            "（如未验收不得拨付后续资金）。鼠标停在单元格上可看每一项的条款和原因。")
RATING_TIP = ("县政府办公室确认的风险等级（5为低风险，1为高风险）；橙色为已过期，须重新确认。"
              "在工作台“风险评级…”中确认")
LATE_TIP = "已完成但超过期限的义务数（如合同逾期备案、进度报告逾期报送）；详见项目各页的“已完成（逾期N个工作日）”"


def due_text(row: dict) -> str:
    if not row.get("next_due"):
        return ""
    return row["next_due"] + ("（暂定）" if row.get("next_due_tentative") else "")


@dataclass
class _Row:
    """One ledger row with what the view needs precomputed."""

    data: dict
    display: tuple = ()
    keys: tuple = ()
    hay: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, row: dict) -> _Row:
        disp = (row["code"], row["name"], row["unit"], str(row["plan_year"]), row.get("status_label")
                or status_label(row["status"]), fen_to_wan_text(row["total_investment_fen"]),
                fen_to_wan_text(row["disbursed_fen"]), row.get("responsible_person") or "", due_text(row),
                risk_text(row), late_text(row), f"{row['risk_level']}级" if row.get("risk_level") else "")
        keys = (row["code"], row["name"], row["unit"], row["plan_year"], STATUS_ORDER.get(row["status"], 99),
                row["total_investment_fen"] or 0, row["disbursed_fen"] or 0, row.get("responsible_person") or "",
                row.get("next_due") or NO_DUE, (row.get("overdue") or 0) * 1000 + (row.get("blocked") or 0),
                row.get("late_done") or 0, row.get("risk_level") or 9)
        hay = f"{row['code']}\n{row['name']}\n{row['unit']}".lower()
        return cls(row, disp, keys, hay)


class LedgerModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._pos: dict[str, int] = {}  # project id -> row number
        # project id -> the lines behind its 风险 cell, asked of the services on first hover only
        self.reasons: Callable[[str], list[str]] | None = None
        self._reasons: dict[str, list[str]] = {}
        self.sort_column, self.sort_order = COL["code"], Qt.SortOrder.AscendingOrder

    # ---- content ------------------------------------------------------------------------
    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self._reasons.clear()
        self._rows = [_Row.of(r) for r in rows]
        self._sort_rows()
        self.endResetModel()

    def _sort_rows(self) -> None:
        c = self.sort_column
        self._rows.sort(key=lambda r: (r.keys[c], r.keys[0]), reverse=self.sort_order == Qt.SortOrder.DescendingOrder)
        self._pos = {r.data["id"]: i for i, r in enumerate(self._rows)}

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort on the precomputed keys (numbers for money and year, ISO text for dates)."""
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._rows[i.row()].data["id"] for i in persistent]
        self.sort_column, self.sort_order = column, order
        self._sort_rows()
        self.changePersistentIndexList(persistent, [self.index(self._pos[pid], i.column())
                                                    for pid, i in zip(ids, persistent)])
        self.layoutChanged.emit()

    def update_row(self, row: dict | None, project_id: str | None = None) -> None:
        """Replace one project's row in place (dataChanged), append a new one, or drop a deleted one."""
        pid = row["id"] if row else project_id
        self._reasons.pop(pid, None)
        i = self._pos.get(pid)
        if row is None:
            if i is not None:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self._pos = {r.data["id"]: n for n, r in enumerate(self._rows)}
                self.endRemoveRows()
            return
        if i is None:
            n = len(self._rows)
            self.beginInsertRows(QModelIndex(), n, n)
            self._rows.append(_Row.of(row))
            self._pos[pid] = n
            self.endInsertRows()
            return
        self._rows[i] = _Row.of(row)
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def risk_reasons(self, project_id: str) -> list[str]:
        """Why a project is flagged (from the services' rules, never computed here); cached until its row changes."""
        if self.reasons is None:
            return []
        if project_id not in self._reasons:
            self._reasons[project_id] = self.reasons(project_id)
        return self._reasons[project_id]

    def risk_tip(self, project_id: str) -> str:
        lines = self.risk_reasons(project_id)
        return "风险原因：\n" + "\n".join(lines) if lines else RISK_TIP

    def row_of(self, source_row: int) -> _Row:
        return self._rows[source_row]

    def rows(self) -> list[dict]:
        return [r.data for r in self._rows]

    def position(self, project_id: str) -> int | None:
        return self._pos.get(project_id)

    # ---- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {COL["late"]: LATE_TIP, COL["risk"]: RISK_TIP, COL["rating"]: RATING_TIP}.get(section)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, c = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return r.display[c]
        if role == SORT_ROLE:
            return r.keys[c]
        if role == ID_ROLE:
            return r.data["id"]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if c in (COL["total"], COL["paid"]):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c in (COL["plan_year"], COL["late"], COL["rating"]):
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        overdue, blocked = r.data.get("overdue"), r.data.get("blocked")
        if c == COL["risk"] and (overdue or blocked):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(RED if overdue else ORANGE)
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(RED_BG if overdue else ORANGE_BG)
        if c == COL["late"] and r.data.get("late_done") and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(ORANGE)
        if c == COL["rating"] and role == Qt.ItemDataRole.ForegroundRole and r.data.get("risk_level"):
            if "已过期" in (r.data.get("risk_rating") or ""):
                return QBrush(ORANGE)
            if r.data["risk_level"] <= 2:
                return QBrush(RED)
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == COL["late"]:
                return LATE_TIP
            if c == COL["risk"] and (overdue or blocked):
                return self.risk_tip(r.data["id"])
            if c == COL["rating"]:
                return (f"风险等级：{r.data['risk_rating']}，{r.data['risk_rated_on']}确认"
                        if r.data.get("risk_level") else "未确认风险等级") + "\n" + RATING_TIP
            if c == COL["due"] and r.data.get("next_message"):
                return r.data["next_message"] + ("\n（暂定：该年度官方节假日安排尚未录入）"
                                                 if r.data.get("next_due_tentative") else "")
            if c in (COL["name"], COL["unit"]):
                return r.display[c]
        return None


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    unit: str | None = None
    status: str | None = None
    overdue_only: bool = False
    text: str = ""


class LedgerProxy(QSortFilterProxyModel):
    """Filters by year/unit/status/overdue and free text; hands sorting to the model (see top)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filters = Filters()
        self._needle = ""
        self.setDynamicSortFilter(True)

    def set_filters(self, filters: Filters) -> None:
        if filters == self.filters:
            return
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10: the non-deprecated way
            self.beginFilterChange()
            self._set(filters)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._set(filters)
            self.invalidateRowsFilter()

    def _set(self, filters: Filters) -> None:
        self.filters = filters
        self._needle = filters.text.strip().lower()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        f = self.filters
        r = self.sourceModel()._rows[source_row]
        d = r.data
        if f.year is not None and d["plan_year"] != f.year:
            return False
        if f.unit is not None and d["unit"] != f.unit:
            return False
        if f.status is not None and d["status"] != f.status:
            return False
        if f.overdue_only and not d.get("overdue"):
            return False
        return not self._needle or self._needle in r.hay

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        # The proxy stays unsorted (source order), so widening a filter needs no comparisons.
        self.sourceModel().sort(column, order)

    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        m = self.sourceModel()
        return m.sort_column, m.sort_order

    def project_id(self, proxy_row: int) -> str:
        return self.data(self.index(proxy_row, 0), ID_ROLE)

    def visible_rows(self) -> list[_Row]:
        model = self.sourceModel()
        return [model.row_of(self.mapToSource(self.index(i, 0)).row()) for i in range(self.rowCount())]


def export_rows(rows: list[_Row]) -> list[list]:
    """The ledger as spreadsheet values: text stays text, money as 万元 numbers."""
    out = []
    for r in rows:
        d, disp = r.data, r.display
        out.append([disp[0], disp[1], disp[2], d["plan_year"], disp[4], wan(d["total_investment_fen"]),
                    wan(d["disbursed_fen"]), disp[7], disp[8], disp[9], d.get("late_done") or 0])
    return out


def write_ledger_xlsx(path: str | Path, rows: list[list], progress=None) -> Path:
    return xlsx_export.save_workbook(path, [("项目台账", HEADERS, rows, [k for _, _, k in COLUMNS])], progress)


ALL = "__all__"


class LedgerPage(QWidget):
    """The ledger screen: filter bar, table, export. Emits open_project(id) on double-click."""

    open_project = Signal(str)

    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.model = LedgerModel(self)
        self.model.reasons = lambda pid: queries.risk_reasons(self.session.store, self.session.today, pid)
        self.proxy = LedgerProxy(self)
        self.proxy.setSourceModel(self.model)
        self.loaded = False
        self.last_filter_ms = 0.0
        self._build()

    def _build(self) -> None:
        self.search = QLineEdit(placeholderText="搜索编号、项目名称或建设单位")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.year = QComboBox()
        self.unit = QComboBox()
        self.unit.setMinimumWidth(180)
        self.unit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status = QComboBox()
        self.overdue = QCheckBox("只看逾期")
        self.count = QLabel()
        self.export_btn = QPushButton(icon("export"), "导出Excel…")
        self.export_btn.setToolTip("把当前筛选和排序下的台账导出为 Excel 文件")
        self._reset_combos([])
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        for label, w in (("年度", self.year), ("建设单位", self.unit), ("状态", self.status)):
            lab = QLabel(label)
            lab.setBuddy(w)
            bar.addWidget(lab)
            bar.addWidget(w)
        bar.addWidget(self.overdue)
        bar.addStretch(1)
        bar.addWidget(self.export_btn)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL["code"], Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        fm = self.fontMetrics()
        # widths from sample texts in the UI font, so 微软雅黑 and the bundled fonts both fit
        for key, sample in (("code", "MY-2026-0000"), ("unit", "蒙阴县人力资源和社"), ("plan_year", "2026"),
                            ("status", "已申请验收"), ("total", "000,000.00"), ("paid", "000,000.00"),
                            ("person", "欧阳明华"), ("due", "2026-12-31（暂定）"), ("risk", "逾期10项，受限2项"),
                            ("late", "00"), ("rating", "5级")):
            header_w = fm.horizontalAdvance(HEADERS[COL[key]]) + 8
            self.view.setColumnWidth(COL[key], max(fm.horizontalAdvance(sample), header_w) + 14)
        self.view.setColumnWidth(COL["name"], fm.horizontalAdvance("县" * 14))
        header.sectionResized.connect(self._column_resized)
        self.view.viewport().installEventFilter(self)
        self._name_auto = True  # the name column takes the spare width until the user resizes it
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.activated.connect(self._double_clicked)

        self.empty = EmptyNote(self.view)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        foot = QHBoxLayout()
        foot.addWidget(self.count)
        self.clear_btn = QPushButton("清除搜索和筛选")
        self.clear_btn.setToolTip("清空搜索框，年度、建设单位、状态回到“全部”，取消“只看逾期”")
        self.clear_btn.clicked.connect(self.clear_filters)
        self.clear_btn.hide()
        foot.addWidget(self.clear_btn)
        foot.addStretch(1)
        foot.addWidget(QLabel("双击一行打开项目；点击列标题排序"))
        lay.addLayout(foot)

        self.search.textChanged.connect(self.apply_filters)
        for combo in (self.year, self.unit, self.status):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.overdue.toggled.connect(self.apply_filters)
        self.export_btn.clicked.connect(self.export_dialog)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.model.rowsRemoved.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

    def eventFilter(self, obj, event) -> bool:
        # the viewport also narrows when the vertical scroll bar appears, not only on window resize
        if obj is self.view.viewport() and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self._fit_name_column)
        return super().eventFilter(obj, event)

    def _fit_name_column(self) -> None:
        """Like a stretched column, but never narrower than 14 characters (then scroll sideways)."""
        if not self._name_auto:
            return
        others = sum(self.view.columnWidth(c) for c in range(len(COLUMNS)) if c != COL["name"])
        spare = self.view.viewport().width() - others
        self._fitting = True
        self.view.setColumnWidth(COL["name"], max(self.fontMetrics().horizontalAdvance("县" * 14), spare))
        self._fitting = False

    def _column_resized(self, index: int, _old: int, _new: int) -> None:
        if getattr(self, "_fitting", False) or not self.isVisible():
            return
        if index == COL["name"]:
            self._name_auto = False
        else:
            self._fit_name_column()

    # ---- data -------------------------------------------------------------------------------
    def load(self) -> None:
        """Fetch the ledger off the GUI thread. The first read of a day shows the rows at once and then
        recomputes every project's deadlines for today (a few seconds on a big county) in a second task."""
        self.count.setText("正在读取台账…")

        def first(job):
            s = job.session(self.session)
            return s.ledger_cached(), s.deadlines_fresh()
        run_task(first, parent_widget=self, db_path=self.db_path, username=self.session.actor.user,
                 on_done=self._first_rows)

    def _first_rows(self, result) -> None:
        rows, fresh = result
        self.set_rows(rows)
        if not fresh:
            self.count.setText(self.count.text() + "（正在按今天重新计算各项目期限…）")
            run_task(lambda job: job.session(self.session).ledger(), parent_widget=self, db_path=self.db_path,
                     username=self.session.actor.user, on_done=self.set_rows)

    def set_rows(self, rows: list[dict]) -> None:
        self.model.set_rows(rows)
        self._reset_combos(rows)
        self.loaded = True
        self.apply_filters()
        _freeze_once()

    def refresh_row(self, project_id: str) -> None:
        """A project window saved something: re-read just that row."""
        from desktop_app.services.stats import ledger_row

        row = ledger_row(self.session.store, project_id, self.session.today)
        self.model.update_row(row, project_id)
        if row:
            self._ensure_choice(self.year, f"{row['plan_year']}年", row["plan_year"])
            self._ensure_choice(self.unit, row["unit"], row["unit"])
            self._ensure_choice(self.status, status_label(row["status"]), row["status"])
        self._update_count()

    def _reset_combos(self, rows: list[dict]) -> None:
        keep = (self.year.currentData(), self.unit.currentData(), self.status.currentData())
        years = sorted({r["plan_year"] for r in rows}, reverse=True)
        units = sorted({r["unit"] for r in rows})
        present = {r["status"] for r in rows}
        for combo, all_text, items, old in (
                (self.year, "全部年度", [(f"{y}年", y) for y in years], keep[0]),
                (self.unit, "全部单位", [(u, u) for u in units], keep[1]),
                (self.status, "全部状态", [(status_label(s), s) for s in STATUSES if s in present], keep[2])):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(all_text, ALL)
            for text, data in items:
                combo.addItem(text, data)
            i = combo.findData(old) if old is not None else 0
            combo.setCurrentIndex(max(0, i))
            combo.blockSignals(False)

    @staticmethod
    def _ensure_choice(combo: QComboBox, text: str, data) -> None:
        if combo.findData(data) < 0:
            combo.addItem(text, data)

    # ---- filtering ----------------------------------------------------------------------------
    def current_filters(self) -> Filters:
        def val(combo):
            d = combo.currentData()
            return None if d in (None, ALL) else d
        return Filters(val(self.year), val(self.unit), val(self.status), self.overdue.isChecked(),
                       self.search.text())

    def apply_filters(self, *_):
        t0 = time.perf_counter()
        self.proxy.set_filters(self.current_filters())
        self.last_filter_ms = (time.perf_counter() - t0) * 1000
        self._update_count()

    def _update_count(self, *_):
        self.count.setText(f"显示 {self.proxy.rowCount()} 个项目，共 {self.model.rowCount()} 个")
        filters = self.current_filters()
        active = filters != Filters(text=filters.text) or bool(filters.text.strip())
        self.clear_btn.setVisible(active)
        self.empty.set_text(self.empty_text(filters) if self.loaded else "")

    def empty_text(self, filters: Filters) -> str:
        """What the empty table says: no project at all (and how to add one), or what found nothing."""
        if not self.model.rowCount():
            return "还没有项目。\n" + how_to_add_projects(self.session.actor.role)
        what = []
        if filters.text.strip():
            what.append(f"搜索“{filters.text.strip()}”")
        for combo, value in ((self.year, filters.year), (self.unit, filters.unit), (self.status, filters.status)):
            if value is not None:
                what.append(combo.currentText())
        if filters.overdue_only:
            what.append("只看逾期")
        return (f"没有找到符合条件的项目（{'，'.join(what)}）。\n"
                "搜索只查编号、项目名称和建设单位；请检查输入，或点击下方“清除搜索和筛选”。")

    def clear_filters(self) -> None:
        for w in (self.search, self.year, self.unit, self.status, self.overdue):
            w.blockSignals(True)
        self.search.clear()
        for combo in (self.year, self.unit, self.status):
            combo.setCurrentIndex(0)
        self.overdue.setChecked(False)
        for w in (self.search, self.year, self.unit, self.status, self.overdue):
            w.blockSignals(False)
        self.apply_filters()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def select_project(self, project_id: str) -> None:
        i = self.model.position(project_id)
        if i is None:
            return
        idx = self.proxy.mapFromSource(self.model.index(i, 0))
        if idx.isValid():
            self.view.selectRow(idx.row())
            self.view.scrollTo(idx)

    def _double_clicked(self, index) -> None:
        if index.isValid():
            self.open_project.emit(self.proxy.project_id(index.row()))

    # ---- export ---------------------------------------------------------------------------------
    def export_dialog(self) -> None:
        if not self.proxy.rowCount():
            QMessageBox.information(self, "导出台账", "当前没有可导出的项目。")
            return
        default = str(Path.home() / f"项目台账_{self.session.today.isoformat()}.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, "导出台账为 Excel", default, "Excel 工作簿 (*.xlsx)")
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.export_to(path)

    def export_to(self, path: str, on_done=None):
        """Write the current (filtered, sorted) view in the worker, with a cancellable progress dialog."""
        rows = export_rows(self.proxy.visible_rows())  # snapshot on the GUI thread: the model may change

        def work(job):
            return write_ledger_xlsx(path, rows, lambda done, total: job.progress(done, total, f"已写入 {done}/{total} 行"))

        def done(result):
            if on_done:
                on_done(result)
            else:
                QMessageBox.information(self, "导出台账", f"已导出 {len(rows)} 个项目到：\n{result}")

        return run_task(work, parent_widget=self, title="导出台账", label="正在导出台账…", on_done=done)
