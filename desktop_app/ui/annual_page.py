"""年度申报: the county office's year — 申报情况 (第二条) and 项目计划与预算 (第八条).

Reads `services.annual_round` and `services.annual_plan`; finance's budget line is written through the
session (the one write path) with the generic record form, whose fields come from the authority. A year
holds a few dozen applications: plain table widgets are enough here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import GovisError
from desktop_app.models import authority as A
from desktop_app.models.fields import fen_to_wan_text
from desktop_app.models.kinds import KINDS
from desktop_app.services import annual_plan as AP
from desktop_app.services import annual_round as AR
from desktop_app.services import project_view as PV
from desktop_app.services import xlsx_export as xlsx
from desktop_app.ui.forms import RecordForm
from desktop_app.ui.record_table import RecordDialog, readonly_table

ROUND_COLUMNS = ["项目编号", "项目名称", "申报单位", "收到日期", "是否逾期", "申请材料", "电子政务中心咨询", "查重（第一条）",
                 "重复建设审查", "状态", "总投资（万元）"]
PLAN_COLUMNS = ["轻重缓急", "项目编号", "项目名称", "建设单位", "建设类型", "总投资（万元）", "评审核定投资（万元）",
                "资金审核核定（万元）", "预算建设资金（万元）", "状态"]
OM_COLUMNS = ["项目编号", "项目名称", "建设单位", "计划年度", "运维经费概算（万元/年）", "预算运维经费（万元）", "列入"]
LATE_COLOR = Qt.GlobalColor.darkRed
# a project brought in from the old ledger has no 提交申报 step on record
NO_DAY = "未记录"


def _fill(table: QTableWidget, rows: list[list[str]], red: set[tuple[int, int]] = frozenset()) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if len(text) > 8:  # a name elided in a narrow window is read whole on hover
                item.setToolTip(text)
            if text and text.replace(".", "").replace(",", "").isdigit():
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if (r, c) in red:
                item.setForeground(LATE_COLOR)
            table.setItem(r, c, item)


def _wan(fen: int | None) -> str:
    return fen_to_wan_text(fen) if fen else ""


class RoundDialog(QDialog):
    """开启本年度申报 / 截止受理: the notice's 文号 and a note, written through the session (one write path);
    a refusal stays in the dialog, in Chinese."""

    saved = Signal(object)  # the operation's Row

    def __init__(self, session, rnd: AR.Round, closing: bool, parent=None):
        super().__init__(parent)
        self.session, self.year, self.closing = session, rnd.year, closing
        what = "截止受理" if closing else "开启申报"
        self.setWindowTitle(f"{rnd.year}年度项目{what}")
        lay = QVBoxLayout(self)
        if closing:
            intro = (f"截止日期为{rnd.deadline.isoformat()}。截止受理后，收到的申请即为本年度申报项目"
                     "（第二条）；截止日期前提前截止受理，须在备注中写明理由。")
        else:
            intro = (f"开启{rnd.year}年度项目申报：各单位于{rnd.deadline.year}年{rnd.deadline.month}月{rnd.deadline.day}日前"
                     "向县政府办公室提交申请（第二条；截止日期取自政策参数，开启后不随参数变化）。")
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        form = QFormLayout()
        self.notice = QLineEdit()
        self.notice.setPlaceholderText(f"例如：蒙政办字〔{rnd.deadline.year}〕12号 关于申报{rnd.year}年度政务信息系统项目的通知")
        self.note = QLineEdit()
        if not closing:
            form.addRow("通知文号或标题：", self.notice)
        form.addRow("备注：", self.note)
        lay.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: darkred")
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(what)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

    def save(self) -> bool:
        try:
            if self.closing:
                row = self.session.close_round(self.year, self.note.text())
            else:
                row = self.session.open_round(self.year, {"notice": self.notice.text(), "note": self.note.text()})
        except GovisError as exc:
            self.message.setText(exc.message)
            return False
        self.saved.emit(row)
        self.accept()
        return True


class AnnualPage(QWidget):
    """申报情况 and 项目计划与预算 of one plan year."""

    changed = Signal(str)  # a project whose budget was recorded here

    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.loaded = False
        self.task = None
        self.round: AR.Round | None = None
        self.plan: AP.AnnualPlan | None = None
        self.dialog: RecordDialog | RoundDialog | None = None
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("计划年度："))
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        # the year whose applications closed last and whose plan and budget are being made now
        self.year.setValue(AR.open_year(session.store, session.today) - 1)
        self.year.valueChanged.connect(lambda _v: self.load())
        bar.addWidget(self.year)
        self.deadline = QLabel()
        bar.addWidget(self.deadline, 1)
        self.print_summary = QPushButton("打印申报汇总表")
        self.print_summary.clicked.connect(lambda: self._print("plan-summary"))
        self.print_plan = QPushButton("打印项目计划")
        self.print_plan.clicked.connect(lambda: self._print("annual-plan"))
        self.export_plan = QPushButton("导出计划（Excel）")
        self.export_plan.clicked.connect(self.export_xlsx)
        self.add_budget = QPushButton("录入预算安排")
        self.add_budget.clicked.connect(self.open_budget)
        for b in (self.print_summary, self.print_plan, self.export_plan, self.add_budget):
            bar.addWidget(b)
        lay.addLayout(bar)

        self.tabs = QTabWidget()
        rnd = QWidget()
        rl = QVBoxLayout(rnd)
        head = QHBoxLayout()
        self.round_state = QLabel()
        self.round_state.setWordWrap(True)
        head.addWidget(self.round_state, 1)
        self.open_round_btn = QPushButton("开启本年度申报…")
        self.open_round_btn.clicked.connect(lambda: self.open_round_dialog(closing=False))
        self.close_round_btn = QPushButton("截止受理…")
        self.close_round_btn.clicked.connect(lambda: self.open_round_dialog(closing=True))
        for b in (self.open_round_btn, self.close_round_btn):
            b.setVisible(session.round_writer())  # the county office's act: other PCs never see the buttons
            head.addWidget(b)
        rl.addLayout(head)
        self.round_summary = QLabel()
        self.round_summary.setWordWrap(True)
        self.round_table = readonly_table(ROUND_COLUMNS)
        # eleven columns: the project name takes what is left and elides, so 总投资 stays in view
        self.round_table.setWordWrap(False)
        self.round_table.horizontalHeader().setSectionResizeMode(
            ROUND_COLUMNS.index("项目名称"), QHeaderView.ResizeMode.Stretch)
        self.units_without = QLabel()
        self.units_without.setWordWrap(True)
        rl.addWidget(self.round_summary)
        rl.addWidget(self.round_table, 1)
        rl.addWidget(self.units_without)
        self.tabs.addTab(rnd, "申报情况")
        pl = QWidget()
        pll = QVBoxLayout(pl)
        self.plan_summary = QLabel()
        self.plan_summary.setWordWrap(True)
        self.plan_table = readonly_table(PLAN_COLUMNS)
        self.plan_table.itemSelectionChanged.connect(self._update_budget_button)
        self.om_label = QLabel()
        self.om_table = readonly_table(OM_COLUMNS)
        self.om_table.setMaximumHeight(180)
        pll.addWidget(self.plan_summary)
        pll.addWidget(self.plan_table, 1)
        pll.addWidget(self.om_label)
        pll.addWidget(self.om_table)
        self.tabs.addTab(pl, "项目计划与预算")
        lay.addWidget(self.tabs, 1)

    # ---- reading -------------------------------------------------------------------------------
    def load(self) -> None:
        year, today = self.year.value(), self.session.today
        self.round = AR.annual_round(self.session.store, year, today)
        self.plan = AP.annual_plan(self.session.store, year)
        self._show_round()
        self._show_plan()
        self.loaded = True

    def refresh(self) -> None:
        self.load()

    def _show_round_state(self) -> None:
        r = self.round
        text = f"{r.year}年度项目申报：{r.state_text}"
        if r.notice:
            text += f"；通知：{r.notice}"
        self.round_state.setText(text)
        why = self.session.may(A.ROUND_RIGHT)
        # the operation decides; the buttons only spare the clerk an obvious refusal
        if r.recorded:
            open_why = f"{r.year}年度申报已于{r.opened_on.isoformat()}开启"
        elif r.past_deadline:
            open_why = f"{r.year}年度申报截止日期{r.deadline.isoformat()}已过，不能再开启"
        else:
            open_why = None
        close_why = (None if r.recorded and not r.closed_on else
                     f"{r.year}年度申报已截止受理" if r.closed_on else f"{r.year}年度申报尚未开启")
        for b, no, tip in ((self.open_round_btn, open_why, "开启后各单位按通知申报，截止日期取自政策参数"),
                           (self.close_round_btn, close_why, "截止受理本年度申报；截止日期前提前截止须写明理由")):
            b.setEnabled(why is None and no is None)
            b.setToolTip(why or no or tip)

    def open_round_dialog(self, closing: bool) -> RoundDialog | None:
        if not self.session.round_writer() or self.round is None:
            return None
        self.dialog = RoundDialog(self.session, self.round, closing, self)
        self.dialog.saved.connect(lambda _row: self.load())
        self.dialog.open()
        return self.dialog

    def _show_round(self) -> None:
        self._show_round_state()
        r = self.round
        state = "受理中" if r.is_open else "已截止"
        self.deadline.setText(f"申报截止日期：{r.deadline.year}年{r.deadline.month}月{r.deadline.day}日（{state}，第二条）")
        self.round_summary.setText(
            f"{r.year}年度共收到申请 {len(r.applications)} 个：逾期 {len(r.late)} 个，材料不全 {len(r.incomplete)} 个，"
            f"未咨询电子政务中心 {len(r.unconsulted)} 个"
            + (f"，截止受理后收到 {len(r.after_close)} 个" if r.after_close else "") + (f"；本机另有尚未申报的草稿 {len(r.drafts)} 个" if r.drafts else "")
            + "。")
        rows, red = [], set()
        for i, a in enumerate(r.applications):
            mats = "齐全" if a.complete else "缺：" + "、".join(a.missing)
            similar = f"{a.duplicate_text}（{a.duplicate_of}）" if a.duplicate_of else a.duplicate_text
            decision = a.duplicate_decision or ("未审查" if a.duplicate_of else "—")
            rows.append([a.code, a.name, a.unit, a.submitted_on or NO_DAY, a.timing_text, mats, a.consulted_on or "未咨询",
                         similar, decision, a.status_text, fen_to_wan_text(a.total_investment_fen)])
            if a.late or a.after_close:
                red.add((i, 4))
            if not a.complete:
                red.add((i, 5))
            if not a.consulted_on:
                red.add((i, 6))
            if a.duplicate_of and not a.duplicate_decision:  # similar to a held project, not yet reviewed
                red.update({(i, 7), (i, 8)})
        _fill(self.round_table, rows, red)
        self.units_without.setText("尚未申报的单位：" + ("、".join(r.units_without) if r.units_without else "无"))

    def _show_plan(self) -> None:
        p = self.plan
        ranked = sum(1 for i in p.items if i.priority)
        self.plan_summary.setText(
            f"{p.year}年度政务信息系统项目计划：{len(p.items)} 个项目，评审核定投资合计 {fen_to_wan_text(p.approved_total)} 万元；"
            f"{p.year}年度预算安排建设资金 {fen_to_wan_text(p.construction_total)} 万元，已排轻重缓急 {ranked} 个"
            f"（第八条：未列入本年度建设计划的项目不予安排资金）。")
        _fill(self.plan_table, [[str(i.priority or ""), i.code, i.name, i.unit, i.category_text,
                                 fen_to_wan_text(i.total_investment_fen), fen_to_wan_text(i.approved_fen),
                                 _wan(i.funded_fen), _wan(i.construction_fen), i.status_text] for i in p.items])
        self.om_label.setText(f"{p.year}年度运行维护经费（大型项目且运维费用较高，列入项目建设单位部门年度预算）："
                              f"{len(p.om_lines)} 个项目，合计 {fen_to_wan_text(p.om_total)} 万元")
        _fill(self.om_table, [[o.code, o.name, o.unit, str(o.plan_year), fen_to_wan_text(o.om_estimate_fen),
                               fen_to_wan_text(o.amount_fen), f"{o.unit}部门预算"] for o in p.om_lines])
        self._update_budget_button()

    # ---- finance's budget line -------------------------------------------------------------------
    def selected_item(self) -> AP.PlanItem | None:
        rows = self.plan_table.selectionModel().selectedRows() if self.plan else []
        return self.plan.items[rows[0].row()] if rows else None

    def budget_refusal(self) -> str | None:
        kind = KINDS["budget"]
        item = self.selected_item()
        project = self.session.store.get("project", item.project_id) if item else None
        why = PV.write_refusal(self.session.actor, kind, project)
        if why or item is not None:
            return why
        return "请先在“项目计划与预算”中选中一个项目"

    def _update_budget_button(self) -> None:
        why = self.budget_refusal()
        self.add_budget.setEnabled(why is None)
        self.add_budget.setToolTip(why or "为所选项目录入本年度预算安排（建设资金或运维经费、轻重缓急排序）")

    def open_budget(self) -> RecordDialog | None:
        if self.budget_refusal():
            return None
        item = self.selected_item()
        kind = KINDS["budget"]
        shown = PV.typed_fields(self.session.actor, "budget", creating=True)
        form = RecordForm(kind, exclude=A.hidden_fields("budget", shown), today=self.session.today)
        taken = {i.priority for i in self.plan.items if i.priority}
        form.set_values({"year": self.plan.year, "budget_kind": "construction",
                         "amount_fen": max(item.funded_fen - item.construction_fen, 0) or None,
                         "priority": item.priority or next(n for n in range(1, len(taken) + 2) if n not in taken)})
        pid = item.project_id
        self.dialog = RecordDialog(f"录入预算安排：{item.code} {item.name}", form,
                                   lambda v: self.session.add_record("budget", pid, v), self,
                                   "第八条：县财政局根据审定的年度项目计划，区分轻重缓急编制预算；运维经费仅为大型项目且运维费用较高的项目安排，"
                                   "列入建设单位部门年度预算。")
        self.dialog.saved.connect(lambda _row: (self.load(), self.changed.emit(pid)))
        self.dialog.open()
        return self.dialog

    # ---- printing and export ---------------------------------------------------------------------
    def _print(self, code: str):
        from desktop_app.ui.print_preview import preview_document

        return preview_document(self, self.session, code, year=self.year.value())

    @classmethod
    def ask_save_path(cls, parent, default: str) -> str:
        return QFileDialog.getSaveFileName(parent, "导出年度项目计划", default, "Excel 工作簿 (*.xlsx)")[0]

    def export_xlsx(self) -> str | None:
        path = self.ask_save_path(self, f"{self.year.value()}年度政务信息系统项目计划.xlsx")
        if not path:
            return None
        try:
            xlsx.save_workbook(path, AP.xlsx_sheets(self.plan or AP.annual_plan(self.session.store, self.year.value())))
        except GovisError as exc:
            QMessageBox.warning(self, "导出未完成", exc.message)
            return None
        return path
