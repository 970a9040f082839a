"""统计分析: bar charts (QtCharts) over the ledger and today's findings, and their tables to xlsx.

The fourth cell has two tabs: overdue and late-met obligations (已完成（逾期）) by clause and by unit.
Every category gets its label: QtCharts hides a category label that would overlap its neighbour, so a
chart's minimum height grows with its number of categories (the page scrolls rather than drop labels).
A chart with nothing to show is replaced by a sentence saying so, never by an empty 0..1 axis."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import stats, xlsx_export
from desktop_app.ui.empty_state import how_to_add_projects
from desktop_app.ui.icons import icon
from desktop_app.ui.loading import BackgroundLoad
from desktop_app.ui.worker import run_task

BLUE, GREEN, RED, ORANGE = QColor("#3a78c2"), QColor("#4a9a5c"), QColor("#c62828"), QColor("#e08a1e")
OVERDUE_SERIES, LATE_SERIES = "今日逾期", "逾期完成"


def load_tables(session) -> list[stats.Table]:
    from desktop_app.services.risk import summary

    return stats.figures(session.ledger(), session.findings(), summary(session.risk_ratings()))


def _short(text: str, n: int = 12) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _unit_label(name: str, county: str) -> str:
    """Units mostly start with the county's name (蒙阴县…); the chart shows the part that differs."""
    for prefix in (county, county[:-1] if len(county) > 2 else None):
        if prefix and name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix):]
    return name


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    f = chart.titleFont()
    f.setBold(True)
    f.setPointSizeF(max(f.pointSizeF(), 10.5))
    chart.setTitleFont(f)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _categories(labels: list[str]) -> QBarCategoryAxis:
    cats = QBarCategoryAxis()
    cats.append(labels)
    cats.setTruncateLabels(False)  # Chinese names elided to "…" say nothing
    f = cats.labelsFont()
    f.setPointSizeF(max(7.5, f.pointSizeF() * 0.9))
    cats.setLabelsFont(f)
    return cats


def _value_axis(maximum: float, title: str, integer: bool = False) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, max(1.0, maximum * 1.1))
    axis.setLabelFormat("%d" if integer else "%.0f")
    axis.setTitleText(title)
    axis.applyNiceNumbers()
    return axis


def year_chart(t: stats.Table) -> QChart:
    chart = _chart(t.title)
    inv, paid = QBarSet("总投资(万元)"), QBarSet("已拨付(万元)")
    inv.setColor(BLUE)
    paid.setColor(GREEN)
    for row in t.rows:
        inv.append(row[2])
        paid.append(row[3])
    series = QBarSeries()
    series.append(inv)
    series.append(paid)
    chart.addSeries(series)
    cats = QBarCategoryAxis()
    cats.append([row[0] for row in t.rows])
    chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(cats)
    axis = _value_axis(max([r[2] for r in t.rows] or [0]), "万元")
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis)
    return chart


def unit_chart(t: stats.Table, county: str = "") -> QChart:
    chart = _chart(t.title)
    rows = list(reversed(t.rows))  # largest at the top of a horizontal bar chart
    bars = QBarSet("总投资(万元)")
    bars.setColor(BLUE)
    for row in rows:
        bars.append(row[2])
    series = QHorizontalBarSeries()
    series.append(bars)
    chart.addSeries(series)
    cats = _categories([_short(_unit_label(row[0], county), 14) for row in rows])
    chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(cats)
    axis = _value_axis(max([r[2] for r in t.rows] or [0]), "万元")
    chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis)
    chart.legend().hide()
    return chart


def status_chart(t: stats.Table) -> QChart:
    """Bars in lifecycle order. Sixteen Chinese labels do not fit side by side, so each label is
    set vertically, one character per line (as Chinese is written in narrow columns)."""
    chart = _chart(t.title)
    bars = QBarSet("项目数")
    bars.setColor(GREEN)
    bars.setLabelColor(QColor("#222222"))
    for row in t.rows:
        bars.append(row[1])
    series = QBarSeries()
    series.append(bars)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    cats = _categories(["<br>".join(row[0]) for row in t.rows])
    chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(cats)
    axis = _value_axis(max([r[1] for r in t.rows] or [0]), "个", integer=True)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis)
    chart.legend().hide()
    return chart


def _overdue_and_late(title: str, labels: list[str], overdue: list[int], late: list[int]) -> QChart:
    """Horizontal bars: obligations overdue today (red) and obligations met late (orange)."""
    chart = _chart(title)
    series = QHorizontalBarSeries()
    for name, colour, values in ((OVERDUE_SERIES, RED, overdue), (LATE_SERIES, ORANGE, late)):
        bars = QBarSet(name)
        bars.setColor(colour)
        bars.setLabelColor(QColor("#222222"))
        for v in values:
            bars.append(v)
        series.append(bars)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    cats = _categories(labels)
    chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(cats)
    axis = _value_axis(max(overdue + late or [0]), "项", integer=True)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis)
    return chart


def overdue_chart(t: stats.Table) -> QChart:
    rows = list(reversed(t.rows[:12]))
    return _overdue_and_late(t.title, [f"{row[0]} {_short(row[1], 12)}" for row in rows],
                             [row[2] for row in rows], [row[3] for row in rows])


def late_unit_chart(t: stats.Table, county: str = "") -> QChart:
    rows = list(reversed(t.rows[:12]))
    return _overdue_and_late(t.title, [_short(_unit_label(row[0], county), 14) for row in rows],
                             [row[1] for row in rows], [row[2] for row in rows])


def risk_chart(t: stats.Table) -> QChart:
    """Projects per risk level, high risk first: confirmed and only suggested, stacked."""
    chart = _chart(t.title)
    series = QStackedBarSeries()
    for col, name, colour in ((1, "已确认", BLUE), (2, "未确认（按系统建议）", ORANGE)):
        bars = QBarSet(name)
        bars.setColor(colour)
        for row in t.rows:
            bars.append(row[col])
        series.append(bars)
    series.setLabelsVisible(True)
    chart.addSeries(series)
    cats = _categories([row[0] for row in t.rows])
    chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(cats)
    axis = _value_axis(max([r[1] + r[2] for r in t.rows] or [0]), "个", integer=True)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis)
    return chart


def min_chart_height(chart: QChart) -> int:
    """The height at which a chart with categories on its left axis shows every category's label:
    one label line (plus spacing) per category, and room for the title, the bottom axis and the legend."""
    cats = [a for a in chart.axes(Qt.Orientation.Vertical) if isinstance(a, QBarCategoryAxis)]
    if not cats:
        return 260
    line = QFontMetrics(chart.titleFont()).height()
    per = QFontMetrics(cats[0].labelsFont()).height() + 3  # QtCharts' own gap between category labels
    legend = line * 5 // 2 if chart.legend().isVisible() else 0
    # title, bottom axis labels and its title, margins: measured as about six title lines
    return max(260, cats[0].count() * per + 6 * line + legend + 10)


def visible_category_labels(chart: QChart) -> list[str]:
    """The category labels QtCharts actually shows (it hides one that would overlap its neighbour),
    as the axis holds them. A label is rich text (the status chart's <br>), so both sides are compared
    without line breaks."""
    from PySide6.QtWidgets import QGraphicsTextItem

    def flat(text: str) -> str:
        return "".join(text.replace("<br>", "").split())

    names = {flat(c): c for axis in chart.axes() if isinstance(axis, QBarCategoryAxis) for c in axis.categories()}
    scene = chart.scene()
    if scene is None:
        return []

    def as_text(item):
        if isinstance(item, QGraphicsTextItem):
            return item
        # PySide6 6.11 hands QtCharts' label items out as plain QGraphicsItem: reach the text item they are
        obj = item.toGraphicsObject()
        if obj is not None and obj.inherits("QGraphicsTextItem"):
            return shiboken6.wrapInstance(shiboken6.getCppPointer(obj)[0], QGraphicsTextItem)
        return None

    shown = (flat(text.toPlainText()) for text in map(as_text, scene.items())
             if text is not None and text.isVisible())
    return [names[t] for t in shown if t in names]


# what an empty chart says instead of drawing axes over nothing
EMPTY_TEXT = {
    "by_year": "还没有项目，暂无按年度的投资数据。",
    "by_unit": "还没有项目，暂无各建设单位的投资数据。",
    "by_status": "还没有项目，暂无状态分布。",
    "overdue_by_rule": "今日没有逾期的义务，也没有逾期完成的义务。",
    "late_by_unit": "今日没有逾期的义务，也没有逾期完成的义务。",
    "by_risk": "还没有评审通过的项目，暂无风险等级。",
}
NO_PROJECTS = "还没有项目，统计图表会在有项目后显示。"


BUILDERS = {"by_year": year_chart, "by_unit": unit_chart, "by_status": status_chart,
            "overdue_by_rule": overdue_chart, "late_by_unit": late_unit_chart, "by_risk": risk_chart}
WIDE = ("by_risk",)  # a row of its own below the grid
# the fourth grid cell: one tab per view of the overdue and late-met obligations
OVERDUE_TABS = (("overdue_by_rule", "按条款"), ("late_by_unit", "按建设单位"))
WITH_COUNTY = ("by_unit", "late_by_unit")  # charts that shorten unit names by the county's name


def write_tables_xlsx(path: str | Path, tables: list[stats.Table], progress=None) -> Path:
    sheets = []
    for t in tables:
        kinds = ["text"] + ["money" if "万元" in h else ("text" if h in ("规则", "条款") else "int")
                            for h in t.headers[1:]]
        sheets.append((t.title, t.headers, t.rows, kinds))
    return xlsx_export.save_workbook(path, sheets, progress)


class StatisticsPage(BackgroundLoad, QWidget):
    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.county = stats.installation_info(session.store, session.actor.user).county_name
        self.tables: list[stats.Table] = []
        self.views: dict[str, QChartView] = {}
        self.loaded = False
        self.task = None
        self.loader = None  # set by the main window to share one rule pass
        self._build()

    def _build(self) -> None:
        self.summary = QLabel("尚未统计")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.refresh_btn = QPushButton(icon("refresh"), "重新统计")
        self.refresh_btn.clicked.connect(self.load)
        self.export_btn = QPushButton(icon("export"), "导出统计表…")
        self.export_btn.setToolTip("把各图表背后的数据表导出为 Excel 文件（每图一张工作表）")
        self.export_btn.clicked.connect(self.export_dialog)
        self.export_btn.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.busy)
        top.addWidget(self.refresh_btn)
        top.addWidget(self.export_btn)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.cells: dict[str, QStackedWidget] = {}  # per chart: the chart, or the sentence saying it is empty
        self.empty_notes: dict[str, QLabel] = {}
        for key in BUILDERS:
            view = QChartView()
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumSize(360, 260)
            self.views[key] = view
            note = QLabel(EMPTY_TEXT[key])
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            note.setWordWrap(True)
            note.setStyleSheet("color: #666; background: white; border: 1px solid #ddd;")
            self.empty_notes[key] = note
            cell = QStackedWidget()
            cell.addWidget(view)
            cell.addWidget(note)
            self.cells[key] = cell
        tabbed = dict(OVERDUE_TABS)
        for i, key in enumerate(k for k in BUILDERS if k not in tabbed and k not in WIDE):
            grid.addWidget(self.cells[key], i // 2, i % 2)
        for row, key in enumerate(WIDE, 2):
            grid.addWidget(self.cells[key], row, 0, 1, 2)
        self.overdue_tabs = QTabWidget()
        self.overdue_tabs.setDocumentMode(True)
        for key, label in OVERDUE_TABS:
            self.overdue_tabs.addTab(self.cells[key], label)
        grid.addWidget(self.overdue_tabs, 1, 1)
        charts = QWidget()
        charts.setLayout(grid)
        # a small window scrolls rather than squeeze the charts until QtCharts drops category labels
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(charts)
        self.no_projects = QLabel(NO_PROJECTS + "\n" + how_to_add_projects(self.session.actor.role))
        self.no_projects.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_projects.setWordWrap(True)
        self.no_projects.setStyleSheet("color: #555; font-size: 11pt;")
        self.body = QStackedWidget()
        self.body.addWidget(self.scroll)
        self.body.addWidget(self.no_projects)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.body, 1)

    LOADING_TEXT = "正在统计…"
    FAILED_TEXT = "统计未完成"

    def fetch(self, session):
        return load_tables(session)

    def deliver(self, result) -> None:
        self.set_tables(result)

    def set_tables(self, tables: list[stats.Table]) -> None:
        self._idle()
        self.tables = tables
        by_key = {t.key: t for t in tables}
        for key, build in BUILDERS.items():
            table = by_key[key]
            old = self.views[key].chart()
            chart = build(table, self.county) if key in WITH_COUNTY else build(table)
            self.views[key].setChart(chart)
            self.views[key].setMinimumHeight(min_chart_height(chart))
            self.cells[key].setCurrentWidget(self.views[key] if table.rows else self.empty_notes[key])
            if old is not None:
                old.deleteLater()
        year = by_key["by_year"]
        n = sum(r[1] for r in year.rows)
        total = sum(r[2] for r in year.rows)
        overdue = sum(r[2] for r in by_key["overdue_by_rule"].rows)
        late = sum(r[3] for r in by_key["overdue_by_rule"].rows)
        if n:
            self.summary.setText(f"共 {n} 个项目，总投资 {total:,.2f} 万元；今日逾期义务 {overdue} 项；"
                                 f"{LATE_SERIES}（已完成但超过期限）{late} 项")
        else:
            self.summary.setText("还没有项目")
        self.body.setCurrentWidget(self.scroll if n else self.no_projects)
        self.export_btn.setEnabled(bool(n))
        self.loaded = True

    def is_empty(self) -> bool:
        """No project at all: the page shows the sentence, not the charts."""
        return self.body.currentWidget() is self.no_projects

    def export_dialog(self) -> None:
        default = str(Path.home() / f"统计分析_{self.session.today.isoformat()}.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, "导出统计表为 Excel", default, "Excel 工作簿 (*.xlsx)")
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.export_to(path)

    def export_to(self, path: str, on_done=None):
        tables = list(self.tables)

        def done(result):
            if on_done:
                on_done(result)
            else:
                QMessageBox.information(self, "导出统计表", f"已导出到：\n{result}")

        return run_task(lambda job: write_tables_xlsx(path, tables), parent_widget=self, title="导出统计表",
                        label="正在导出统计表…", on_done=done)
