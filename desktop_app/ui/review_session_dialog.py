"""评审会 (第三条): the county office's centralised review sessions in one dialog.

Pick or create a session; add its experts; put applications that are 评审中 before it; type each
expert's scores on the session's sheet (the items come from the session, which took them from the policy
profile) with the opinion; read the panel's weighted totals, average, spread and outlier flags; and form
the conclusion, which becomes the project's 评审意见. Reads are `services.review_sessions`, writes the
operations (which check role and person); forms are built from `models.review_panel`'s fields.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.documents.errors import DocumentError
from desktop_app.errors import GovisError, ValidationError
from desktop_app.lifecycle.review_scoring import points
from desktop_app.models.fields import Kind, fen_to_wan_text
from desktop_app.models.review_panel import CONCLUSION_FIELDS, EXPERT_FIELDS, SESSION_FIELDS
from desktop_app.services import operations as ops
from desktop_app.services import review_sessions as RS
from desktop_app.ui.forms import ERROR_STYLE, RecordForm
from desktop_app.ui.record_table import readonly_table

SESSION_KIND = Kind("review_session", "review_sessions", "评审会", SESSION_FIELDS, False)
EXPERT_KIND = Kind("review_expert", "review_experts", "评审专家", EXPERT_FIELDS, False)
CONCLUSION_KIND = Kind("review", "reviews", "评审结论", CONCLUSION_FIELDS, False)
OUTLIER = "偏离"


def _error_text(exc: GovisError) -> str:
    return "；".join(exc.fields.values()) if isinstance(exc, ValidationError) else exc.message


class FormDialog(QDialog):
    """A form over fields; OK calls `submit(values)` and stays open with the Chinese reason on refusal."""

    def __init__(self, title: str, kind: Kind, submit, today, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit, self.result_row = submit, None
        lay = QVBoxLayout(self)
        self.form = RecordForm(kind, today=today)
        lay.addWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        lay.addWidget(buttons)

    def save(self) -> None:
        try:
            self.result_row = self.submit(self.form.values())
        except ValidationError as exc:
            self.form.show_errors(exc.fields)
            return
        except GovisError as exc:
            self.form.show_message(exc.message)
            return
        self.accept()


class ReviewSessionDialog(QDialog):
    changed = Signal(object)  # OpChanges of a conclusion: the window refreshes the project

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("评审会（集中评审）")
        self.resize(1180, 760)
        self.current: RS.Session | None = None
        lay = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("评审会："))
        self.sessions = QComboBox()
        self.sessions.setMinimumWidth(360)
        self.sessions.currentIndexChanged.connect(lambda _i: self.show_session())
        top.addWidget(self.sessions, 1)
        self.btn_new = QPushButton("新建评审会…")
        self.btn_new.clicked.connect(self.new_session)
        top.addWidget(self.btn_new)
        self.btn_print = QPushButton("打印汇总表…")
        self.btn_print.setToolTip("评审会汇总表：专家、各项目的专家加权总分、平均分、极差、偏离提示、评审结论和核定投资")
        self.btn_print.clicked.connect(self.print_summary)
        top.addWidget(self.btn_print)
        lay.addLayout(top)
        self.info = QLabel()
        self.info.setWordWrap(True)
        lay.addWidget(self.info)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("评审专家"))
        self.experts = readonly_table(["专家姓名", "专业领域", "工作单位及职称"], fit=False)
        lv.addWidget(self.experts)
        buttons = QHBoxLayout()
        self.btn_expert = QPushButton("添加专家…")
        self.btn_expert.clicked.connect(self.add_expert)
        buttons.addWidget(self.btn_expert)
        self.btn_remove_expert = QPushButton("移除专家…")
        self.btn_remove_expert.clicked.connect(self.remove_expert)
        buttons.addWidget(self.btn_remove_expert)
        buttons.addStretch(1)
        lv.addLayout(buttons)
        split.addWidget(left)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(QLabel("提交本次评审的项目"))
        self.apps = readonly_table(["项目编号", "项目名称", "申报单位", "申报投资（万元）", "平均分", "极差", "评审结论"], fit=False)
        self.apps.itemSelectionChanged.connect(self.show_scores)
        rv.addWidget(self.apps)
        buttons = QHBoxLayout()
        self.btn_assign = QPushButton("提交项目…")
        self.btn_assign.clicked.connect(self.assign)
        buttons.addWidget(self.btn_assign)
        self.btn_unassign = QPushButton("撤出项目…")
        self.btn_unassign.clicked.connect(self.unassign)
        buttons.addWidget(self.btn_unassign)
        buttons.addStretch(1)
        rv.addLayout(buttons)
        split.addWidget(right)
        split.setSizes([380, 800])
        lay.addWidget(split, 2)

        self.score_title = QLabel("专家评分（选中上方项目后录入：每项0至100分，加权总分按评分表权重计算）")
        lay.addWidget(self.score_title)
        self.scores = QTableWidget()
        self.scores.verticalHeader().setVisible(False)
        lay.addWidget(self.scores, 2)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        self.panel = QLabel()
        row.addWidget(self.panel, 1)
        self.btn_save = QPushButton("保存评分")
        self.btn_save.clicked.connect(self.save_scores)
        row.addWidget(self.btn_save)
        self.btn_conclude = QPushButton("形成评审结论…")
        self.btn_conclude.clicked.connect(self.conclude)
        row.addWidget(self.btn_conclude)
        lay.addLayout(row)
        self._rights()
        self.load()

    # ---- helpers --------------------------------------------------------------------------------
    def _rights(self) -> None:
        """Buttons a person may not use say why (the same rule the operations check)."""
        draft, sign = self.session.may("draft"), self.session.may("sign_off")
        for b in (self.btn_new, self.btn_expert, self.btn_assign, self.btn_save):
            b.setEnabled(draft is None)
            b.setToolTip(draft or "")
        self.btn_remove_expert.setEnabled(draft is None)
        self.btn_remove_expert.setToolTip(draft or "移除选中的专家（其评分已用于评审结论的不能移除）")
        self.btn_unassign.setEnabled(draft is None)
        self.btn_unassign.setToolTip(draft or "把选中的项目撤出本评审会（已形成结论的不能撤出），项目仍为评审中")
        self.btn_conclude.setEnabled(sign is None)
        self.btn_conclude.setToolTip(sign or "全部专家评分后，形成通过、修改后重新评审或不予通过的结论，写入项目的评审意见")

    def run_dialog(self, dialog: QDialog) -> bool:  # tests replace this to fill and confirm
        return dialog.exec() == QDialog.DialogCode.Accepted

    def confirm(self, title: str, text: str) -> bool:  # tests replace this
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def show_preview(self, data: bytes, title: str, file_name: str):  # tests replace this
        from desktop_app.ui.print_preview import PrintPreviewDialog

        dlg = PrintPreviewDialog(data, title, file_name, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()
        return dlg

    def ask_project(self, items: list[str]) -> str | None:  # tests replace this
        text, ok = QInputDialog.getItem(self, "提交项目", "评审中的项目：", items, 0, False)
        return text if ok else None

    @property
    def store(self):
        return self.session.store

    # ---- reading ---------------------------------------------------------------------------------
    def load(self, select: str | None = None) -> None:
        keep = select or (self.current.id if self.current else None)
        self.sessions.blockSignals(True)
        self.sessions.clear()
        for r in RS.sessions(self.store):
            self.sessions.addItem(f"{r['held_on']}  {r['title']}（{r['venue']}）", r["id"])
        if keep:
            self.sessions.setCurrentIndex(max(0, self.sessions.findData(keep)))
        self.sessions.blockSignals(False)
        self.show_session()

    def show_session(self) -> None:
        sid = self.sessions.currentData()
        self.current = RS.load(self.store, sid) if sid else None
        has = self.current is not None
        for b in (self.btn_expert, self.btn_assign, self.btn_remove_expert, self.btn_unassign, self.btn_print):
            b.setVisible(has)
        if not has:
            self.info.setText("还没有评审会。点击“新建评审会…”，填写评审日期、地点和方式。")
            self.experts.setRowCount(0)
            self.apps.setRowCount(0)
            self.show_scores()
            return
        s = self.current
        self.info.setText(f"{s.method_text}；评分表：" + "、".join(f"{i.name}（权重{i.weight}）" for i in s.sheet)
                          + f"；专家总分与中位数相差超过{s.row['outlier_points']}分标为“{OUTLIER}”（三位及以上专家时）")
        self.experts.setRowCount(len(s.experts))
        for r, e in enumerate(s.experts):
            for c, v in enumerate((e["name"], e["field"], e["affiliation"])):
                item = QTableWidgetItem(v or "")
                item.setData(Qt.ItemDataRole.UserRole, e["id"])
                self.experts.setItem(r, c, item)
        selected = self.selected_app()
        self.apps.blockSignals(True)
        self.apps.setRowCount(len(s.applications))
        for r, a in enumerate(s.applications):
            cells = (a.code, a.name, a.unit, fen_to_wan_text(a.investment_fen),
                     points(a.panel.average), points(a.panel.spread), a.conclusion_text)
            for c, v in enumerate(cells):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, a.assignment_id)
                self.apps.setItem(r, c, item)
        self.apps.resizeColumnsToContents()
        self.apps.blockSignals(False)
        rows = [r for r, a in enumerate(s.applications) if selected and a.assignment_id == selected.assignment_id]
        if s.applications:
            self.apps.blockSignals(True)
            self.apps.selectRow(rows[0] if rows else 0)
            self.apps.blockSignals(False)
        self.show_scores()

    def selected_app(self) -> RS.Application | None:
        if not self.current:
            return None
        rows = self.apps.selectionModel().selectedRows() if self.apps.selectionModel() else []
        if not rows:
            return None
        aid = self.apps.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((a for a in self.current.applications if a.assignment_id == aid), None)

    def show_scores(self) -> None:
        app, s = self.selected_app(), self.current
        self.message.clear()
        self.scores.clear()
        if not app or not s:
            self.scores.setRowCount(0)
            self.scores.setColumnCount(0)
            self.panel.setText("")
            self.btn_save.setEnabled(False)
            self.btn_conclude.setEnabled(False)
            return
        self._rights()
        open_ = app.review is None
        self.btn_save.setEnabled(open_ and self.btn_save.isEnabled())
        self.btn_conclude.setEnabled(open_ and self.btn_conclude.isEnabled())
        self.score_title.setText(f"专家评分：{app.code} {app.name}（每项0至100分）")
        headers = ["专家", *[f"{i.name}（{i.weight}）" for i in s.sheet], "加权总分", "提示", "专家评审意见"]
        self.scores.setColumnCount(len(headers))
        self.scores.setHorizontalHeaderLabels(headers)
        self.scores.setRowCount(len(app.experts))
        edit = Qt.ItemFlag.ItemIsEditable
        for r, e in enumerate(app.experts):
            name = QTableWidgetItem(e.name)
            name.setFlags(name.flags() & ~edit)
            self.scores.setItem(r, 0, name)
            for c, i in enumerate(s.sheet, start=1):
                item = QTableWidgetItem("" if e.scores is None else str(e.scores[i.name]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if not open_:
                    item.setFlags(item.flags() & ~edit)
                self.scores.setItem(r, c, item)
            total = QTableWidgetItem(points(e.total) if e.scores else "未评分")
            flag = QTableWidgetItem(OUTLIER if e.name in app.panel.outliers else "")
            for x in (total, flag):
                x.setFlags(x.flags() & ~edit)
                x.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if e.name in app.panel.outliers:
                flag.setForeground(QColor("#b00020"))
                flag.setToolTip(f"与评审组中位数（{points(app.panel.median)}分）相差超过{app.panel.outlier_points}分")
            self.scores.setItem(r, len(s.sheet) + 1, total)
            self.scores.setItem(r, len(s.sheet) + 2, flag)
            opinion = QTableWidgetItem(e.opinion)
            if not open_:
                opinion.setFlags(opinion.flags() & ~edit)
            self.scores.setItem(r, len(s.sheet) + 3, opinion)
        self.scores.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.scores.resizeColumnsToContents()
        self.scores.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        p = app.panel
        self.panel.setText(
            "评审组：" + (f"平均分 {points(p.average)}，极差 {points(p.spread)}，中位数 {points(p.median)}"
                         + (f"；偏离：{'、'.join(sorted(p.outliers))}" if p.outliers else "")
                         if p.average is not None else "尚无专家评分")
            + f"；{app.conclusion_text}"
            + (f"，核定投资 {fen_to_wan_text(app.review['approved_investment_fen'])} 万元"
               if app.review and app.review["approved_investment_fen"] is not None else ""))

    # ---- writing ---------------------------------------------------------------------------------
    def new_session(self) -> None:
        dlg = FormDialog("新建评审会", SESSION_KIND,
                         lambda v: ops.add_review_session(self.store, self.session.actor, v, self.session.today),
                         self.session.today, self)
        if self.run_dialog(dlg):
            self.load(select=dlg.result_row["id"])

    def add_expert(self) -> None:
        sid = self.current.id
        dlg = FormDialog("添加评审专家", EXPERT_KIND,
                         lambda v: ops.add_review_expert(self.store, self.session.actor, sid, v, self.session.today),
                         self.session.today, self)
        if self.run_dialog(dlg):
            self.load()

    def assign(self) -> None:
        taken = {a.project_id for a in self.current.applications if a.review is None}
        rows = RS.assignable(self.store, taken)
        if not rows:
            self.message.setText("没有可提交的项目：项目须先“受理并组织评审”（状态为评审中）")
            return
        choice = self.ask_project([f"{p['code']} {p['name']}" for p in rows])
        if not choice:
            return
        project = rows[[f"{p['code']} {p['name']}" for p in rows].index(choice)]
        try:
            ops.assign_to_review(self.store, self.session.actor, self.current.id, project["id"], self.session.today)
        except GovisError as exc:
            self.message.setText(_error_text(exc))
            return
        self.load()

    def selected_expert(self) -> dict | None:
        rows = self.experts.selectionModel().selectedRows() if self.experts.selectionModel() else []
        if not self.current or not rows:
            return None
        eid = self.experts.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((e for e in self.current.experts if e["id"] == eid), None)

    def remove_expert(self) -> None:
        """Asks first; names the open applications whose scores by this expert go with them."""
        expert = self.selected_expert()
        if expert is None:
            self.message.setText("请先在“评审专家”中选中要移除的专家")
            return
        scored = [a.code for a in self.current.applications if a.review is None
                  and any(e.expert_id == expert["id"] and e.scores is not None for e in a.experts)]
        text = f"从评审会「{self.current.row['title']}」移除专家{expert['name']}？"
        if scored:
            text += f"\n\n该专家已对项目{'、'.join(scored)}评分（尚未形成结论），这些评分将一并删除。"
        if not self.confirm("移除专家", text):
            return
        try:
            ops.remove_review_expert(self.store, self.session.actor, self.current.id, expert["id"],
                                     self.session.today, discard_scores=True)
        except GovisError as exc:
            self.message.setText(_error_text(exc))
            return
        self.load()

    def unassign(self) -> None:
        app = self.selected_app()
        if app is None:
            self.message.setText("请先在“提交本次评审的项目”中选中要撤出的项目")
            return
        scored = [e.name for e in app.experts if e.scores is not None]
        text = f"把项目 {app.code} {app.name} 撤出评审会「{self.current.row['title']}」？项目仍为评审中，可提交其他评审会。"
        if scored and app.review is None:
            text += f"\n\n专家{'、'.join(scored)}已对该项目评分，这些评分将一并删除。"
        if not self.confirm("撤出项目", text):
            return
        try:
            ops.unassign_from_review(self.store, self.session.actor, self.current.id, app.project_id,
                                     self.session.today, discard_scores=True)
        except GovisError as exc:
            self.message.setText(_error_text(exc))
            return
        self.load()

    def print_summary(self):
        from desktop_app.documents import filled

        try:
            data = filled.render(self.store, "review-session", session=self.current.id, today=self.session.today)
        except (DocumentError, GovisError) as exc:
            self.message.setText(getattr(exc, "message", None) or str(exc))
            return None
        name = re.sub(r'[\\/:*?"<>|]+', "_", f"{self.current.row['title']}-评审会汇总表") + ".pdf"
        return self.show_preview(data, "评审会汇总表", name)

    def save_scores(self) -> None:
        """Save each expert row whose cells differ from what is stored; stop at the first refusal."""
        app, s = self.selected_app(), self.current
        n = len(s.sheet)
        saved = 0
        for r, e in enumerate(app.experts):
            typed = {i.name: self.scores.item(r, c).text().strip() for c, i in enumerate(s.sheet, start=1)}
            opinion = self.scores.item(r, n + 3).text().strip()
            stored = {k: str(v) for k, v in (e.scores or {}).items()}
            if typed == stored and opinion == e.opinion or (not any(typed.values()) and not opinion):
                continue
            try:
                ops.score_review(self.store, self.session.actor, s.id, app.project_id, e.expert_id, typed,
                                 opinion, self.session.today)
            except GovisError as exc:
                # what was typed from this row on stays in the grid, to be corrected and saved again
                kept = {(row, col): self.scores.item(row, col).text() for row in range(r, len(app.experts))
                        for col in range(1, n + 4) if col not in (n + 1, n + 2)}
                self.load()
                for (row, col), text in kept.items():
                    self.scores.item(row, col).setText(text)
                self.message.setText(f"专家{e.name}的评分未保存：{_error_text(exc)}")
                return
            saved += 1
        self.load()
        self.message.setText("" if saved else "没有修改过的评分")

    def conclude(self) -> None:
        app, sid = self.selected_app(), self.current.id
        dlg = FormDialog(f"形成评审结论：{app.code} {app.name}", CONCLUSION_KIND,
                         lambda v: ops.conclude_review(self.store, self.session.actor, sid, app.project_id, v,
                                                       self.session.today),
                         self.session.today, self)
        if self.run_dialog(dlg):
            self.changed.emit(dlg.result_row.changes)
            self.load()
