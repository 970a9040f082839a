"""系统设置: this installation, the database file, the holiday table, the policy profile."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import GovisError, ValidationError
from desktop_app.models.authority import USER_ROLES
from desktop_app.models.kinds import COUNTY
from desktop_app.services import accounts, queries, stats
from desktop_app.services import operations as ops
from desktop_app.ui.errors import log_file
from desktop_app.ui.worker import run_task

# Chinese names of the policy profile's numbers (the profile itself is data in the database).
PROFILE_LABELS = {
    "county_name": ("县（区）", ""), "notice_no": ("依据文件", ""),
    "application_month": ("年度申报截止月份（第二条）", "月"), "application_day": ("年度申报截止日（第二条）", "日"),
    "history_years_min": ("须报近年投资运行情况的最少年数（第二条）", "年"),
    "contract_filing_workdays": ("合同备案期限（第四条）", "个工作日"),
    "progress_report_month": ("年度进度报告截止月份（第四条）", "月"),
    "progress_report_day": ("年度进度报告截止日（第四条）", "日"),
    "problem_report_workdays": ("重大问题报告期限（第四条，本县执行口径）", "个工作日"),
    "higher_filing_workdays": ("上级项目备案期限（第三条，本县执行口径）", "个工作日"),
    "acceptance_grace_months": ("建设周期结束后申请验收期限（第六条，本县执行口径）", "个月"),
    "acceptance_report_workdays": ("验收报告备案期限（第六条，本县执行口径）", "个工作日"),
    "self_eval_min_months": ("绩效自评价最早（验收后，第六条）", "个月"),
    "self_eval_max_months": ("绩效自评价最晚（验收后，第六条）", "个月"),
    "mlps_testing_months": ("等级保护测评周期（第九条，本县执行口径）", "个月"),
    "crypto_assessment_months": ("密码应用安全性评估周期（第九条，本县执行口径）", "个月"),
    "surplus_return_months": ("结余资金退回期限（验收后，第八条，本县执行口径）", "个月"),
    "upcoming_workdays": ("提前提醒（即将到期）", "个工作日"),
}


def split_days(text: str) -> list[str]:
    for sep in ("，", "、", ";", "；", "\n", " ", "\t"):
        text = text.replace(sep, ",")
    return [x.strip() for x in text.split(",") if x.strip()]


class SettingsPage(QWidget):
    deadlines_changed = Signal()  # holidays changed: working-day deadlines were recomputed

    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.info = stats.installation_info(session.store, session.actor.user)
        self.loaded = False
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        inner = QWidget()
        self.body = QVBoxLayout(inner)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.body.addWidget(self._org_box())
        self.body.addWidget(self._accounts_box())
        self.body.addWidget(self._db_box())
        self.body.addWidget(self._holiday_box())
        self.body.addWidget(self._profile_box())
        self.body.addStretch(1)

    def load(self) -> None:
        self.refresh_holidays()
        self.loaded = True

    # ---- boxes ----------------------------------------------------------------------------------
    def _org_box(self) -> QGroupBox:
        i = self.info
        box = QGroupBox("本机单位和用户")
        form = QFormLayout(box)
        form.addRow("单位名称：", QLabel(i.org_name))
        form.addRow("单位代码：", QLabel(i.org_code))
        form.addRow("单位角色：", QLabel(i.role_label))
        form.addRow("所在县（区）：", QLabel(i.county_name))
        form.addRow("项目编号前缀：", QLabel(i.code_prefix))
        form.addRow("当前用户：", QLabel(f"{i.user_display}（{i.username}）"))
        return box

    def _db_box(self) -> QGroupBox:
        box = QGroupBox("数据文件")
        form = QFormLayout(box)
        path = QLineEdit(str(Path(self.db_path).resolve()) if self.db_path != ":memory:" else self.db_path)
        path.setReadOnly(True)
        form.addRow("数据库文件：", path)
        logs = QLineEdit(str(log_file() or "（未启用）"))
        logs.setReadOnly(True)
        form.addRow("日志文件：", logs)
        row = QHBoxLayout()
        open_btn = QPushButton("打开所在文件夹")
        open_btn.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.db_path).parent))))
        row.addWidget(open_btn)
        row.addStretch(1)
        form.addRow("", row)
        form.addRow("", QLabel("数据库请放在本机硬盘上，不要放在U盘或网络共享上；U盘只用于传递数据包。"))
        form.addRow("", QLabel("备份、恢复和完整性检查见左侧“备份与恢复”。"))
        return box

    def _holiday_box(self) -> QGroupBox:
        box = QGroupBox("节假日安排（按国务院办公厅通知录入）")
        lay = QVBoxLayout(box)
        lay.addWidget(QLabel("计算“工作日”期限时，程序先用内置的官方节假日表；内置表尚未覆盖的年度，"
                             "请按国务院办公厅发布的节假日安排通知录入。未录入的年度，期限标注“暂定”。"))
        self.holiday_table = QTableWidget(0, 4)
        self.holiday_table.setHorizontalHeaderLabels(["年度", "放假天数", "调休上班天数", "来源"])
        self.holiday_table.verticalHeader().setVisible(False)
        self.holiday_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.holiday_table.setMaximumHeight(140)
        self.holiday_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        lay.addWidget(self.holiday_table)
        form = QFormLayout()
        self.h_year = QSpinBox()
        self.h_year.setRange(2000, 2100)
        self.h_year.setValue(dt.date.today().year + 1)
        self.h_year.valueChanged.connect(self._fill_year)
        self.h_year.setMaximumWidth(120)
        self.h_days = QPlainTextEdit()
        self.h_days.setPlaceholderText("放假日期，逗号或换行分隔，例如：2027-01-01, 2027-02-05")
        self.h_days.setMaximumHeight(70)
        self.h_work = QPlainTextEdit()
        self.h_work.setPlaceholderText("调休上班日期（周末上班），逗号或换行分隔，可为空")
        self.h_work.setMaximumHeight(50)
        self.h_error = QLabel()
        self.h_error.setStyleSheet("color: #c62828")
        self.h_error.setWordWrap(True)
        self.h_save = QPushButton("保存该年度节假日安排")
        self.h_save.clicked.connect(self.save_holidays)
        form.addRow("年度：", self.h_year)
        form.addRow("放假日期：", self.h_days)
        form.addRow("调休上班：", self.h_work)
        form.addRow("", self.h_error)
        save_row = QHBoxLayout()
        save_row.addWidget(self.h_save)
        save_row.addStretch(1)
        form.addRow("", save_row)
        lay.addLayout(form)
        if self.session.actor.role != COUNTY:
            for w in (self.h_year, self.h_days, self.h_work, self.h_save):
                w.setEnabled(False)
            lay.addWidget(QLabel("节假日安排由县政府办公室录入，并随单位目录数据包下发；本机只能查看。"))
        elif self.session.may("settings"):
            for w in (self.h_days, self.h_work, self.h_save):
                w.setEnabled(False)
                w.setToolTip(self.session.may("settings"))
            lay.addWidget(QLabel(self.session.may("settings")))
        return box

    def _accounts_box(self) -> QGroupBox:
        """账户: everyone changes their own password; an administrator adds, disables and resets."""
        box = QGroupBox("账户")
        lay = QVBoxLayout(box)
        own = QFormLayout()
        self.pw_old, self.pw_new, self.pw_new2 = QLineEdit(), QLineEdit(), QLineEdit()
        for w in (self.pw_old, self.pw_new, self.pw_new2):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.pw_new.setPlaceholderText("至少8个字符")
        self.pw_button = QPushButton("修改我的密码")
        self.pw_button.clicked.connect(self.change_own_password)
        self.pw_message = QLabel()
        self.pw_message.setWordWrap(True)
        own.addRow("原密码：", self.pw_old)
        own.addRow("新密码：", self.pw_new)
        own.addRow("再输一次：", self.pw_new2)
        own.addRow("", self.pw_button)
        own.addRow("", self.pw_message)
        lay.addLayout(own)

        self.users_table = QTableWidget(0, 4)
        self.users_table.setHorizontalHeaderLabels(["用户名", "姓名", "角色", "状态"])
        self.users_table.verticalHeader().setVisible(False)
        self.users_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.users_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.users_table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.users_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.users_table.setMinimumHeight(150)
        self.users_table.setMaximumHeight(200)
        lay.addWidget(self.users_table)
        admin = QFormLayout()
        self.u_name, self.u_display, self.u_password = QLineEdit(), QLineEdit(), QLineEdit()
        self.u_name.setPlaceholderText("登录用的用户名，如 wangfang")
        self.u_display.setPlaceholderText("姓名")
        self.u_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.u_password.setPlaceholderText("添加时的初始密码，或重置所选用户的新密码（至少8个字符）")
        self.u_role = QComboBox()
        for code, label in USER_ROLES.items():
            self.u_role.addItem(label, code)
        self.u_role.setCurrentIndex(self.u_role.findData("clerk"))
        self.u_add = QPushButton("添加用户")
        self.u_add.clicked.connect(self.add_user)
        self.u_disable = QPushButton("停用所选用户")
        self.u_disable.clicked.connect(self.disable_user)
        self.u_reset = QPushButton("重置所选用户的密码")
        self.u_reset.clicked.connect(self.reset_password)
        self.u_message = QLabel()
        self.u_message.setWordWrap(True)
        admin.addRow("用户名：", self.u_name)
        admin.addRow("姓名：", self.u_display)
        admin.addRow("角色：", self.u_role)
        admin.addRow("密码：", self.u_password)
        row = QHBoxLayout()
        for b in (self.u_add, self.u_disable, self.u_reset):
            row.addWidget(b)
        row.addStretch(1)
        admin.addRow("", row)
        admin.addRow("", self.u_message)
        lay.addLayout(admin)
        why = self.session.may("users")  # the same rule the operations check
        for w in (self.u_name, self.u_display, self.u_role, self.u_password, self.u_add, self.u_disable, self.u_reset):
            w.setEnabled(why is None)
            w.setToolTip(why or "")
        if why:
            self.u_message.setText(why)
        self.refresh_users()
        return box

    def _profile_box(self) -> QGroupBox:
        p = self.info.profile
        box = QGroupBox(f"政策参数（依据{p.notice_no}）")
        lay = QVBoxLayout(box)
        table = QTableWidget(0, 2)
        table.setHorizontalHeaderLabels(["参数", "取值"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for f in fields(p):
            label, unit = PROFILE_LABELS.get(f.name, (f.name, ""))
            r = table.rowCount()
            table.insertRow(r)
            table.setItem(r, 0, QTableWidgetItem(label))
            table.setItem(r, 1, QTableWidgetItem(f"{getattr(p, f.name)} {unit}".strip()))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setMinimumHeight(min(560, 30 + table.rowCount() * 28))
        lay.addWidget(table)
        lay.addWidget(QLabel("标注“本县执行口径”的参数是通知只写“及时”之处的本县解释。参数随数据库保存。"))
        self.profile_table = table
        return box

    # ---- actions ---------------------------------------------------------------------------------
    def refresh_users(self) -> None:
        self.users_table.setRowCount(0)
        for u in accounts.list_users(self.session.store):
            n = self.users_table.rowCount()
            self.users_table.insertRow(n)
            state = "已停用" if u["disabled"] else ("未设置密码" if not u["has_password"] else "正常")
            for c, v in enumerate((u["username"], u["display_name"], u["role_label"], state)):
                self.users_table.setItem(n, c, QTableWidgetItem(v))

    def selected_username(self) -> str | None:
        rows = self.users_table.selectionModel().selectedRows()
        return self.users_table.item(rows[0].row(), 0).text() if rows else None

    def _run(self, label: QLabel, fn, done: str) -> bool:
        try:
            fn()
        except ValidationError as exc:
            label.setText("；".join(exc.fields.values()))
        except GovisError as exc:
            label.setText(exc.message)
        else:
            label.setText(done)
            return True
        return False

    def change_own_password(self) -> None:
        if self.pw_new.text() != self.pw_new2.text():
            self.pw_message.setText("两次输入的新密码不一致")
            return
        if self._run(self.pw_message, lambda: accounts.change_password(
                self.session.store, self.session.actor, self.pw_old.text(), self.pw_new.text()), "已修改密码"):
            for w in (self.pw_old, self.pw_new, self.pw_new2):
                w.clear()

    def add_user(self) -> None:
        name = self.u_name.text().strip()
        if self._run(self.u_message, lambda: accounts.add_user(
                self.session.store, self.session.actor, name, self.u_role.currentData(), self.u_display.text(),
                self.u_password.text()), f"已添加用户 {name}"):
            for w in (self.u_name, self.u_display, self.u_password):
                w.clear()
            self.refresh_users()

    def disable_user(self) -> None:
        name = self.selected_username()
        if not name:
            self.u_message.setText("请先在表中选择一个用户")
            return
        if self._run(self.u_message, lambda: accounts.disable_user(self.session.store, self.session.actor, name),
                     f"已停用用户 {name}"):
            self.refresh_users()

    def reset_password(self) -> None:
        name = self.selected_username()
        if not name:
            self.u_message.setText("请先在表中选择一个用户")
            return
        if self._run(self.u_message, lambda: accounts.reset_password(
                self.session.store, self.session.actor, name, self.u_password.text()),
                f"已重置用户 {name} 的密码，请其登录后修改"):
            self.u_password.clear()
            self.refresh_users()

    def refresh_holidays(self) -> None:
        rows = stats.holiday_years(self.session.store)
        self.holiday_table.setRowCount(0)
        for r in rows:
            n = self.holiday_table.rowCount()
            self.holiday_table.insertRow(n)
            for c, v in enumerate((f"{r['year']}年", r["holidays"], r["workdays"], r["source"] or "")):
                self.holiday_table.setItem(n, c, QTableWidgetItem(str(v)))
        self._fill_year()

    def _fill_year(self, *_):
        days, work = stats.holidays_of_year(self.session.store, self.h_year.value())
        self.h_days.setPlainText(", ".join(days))
        self.h_work.setPlainText(", ".join(work))
        self.h_error.clear()

    def save_holidays(self) -> None:
        year = self.h_year.value()
        try:
            n = ops.set_holidays(self.session.store, self.session.actor, year, split_days(self.h_days.toPlainText()),
                                 split_days(self.h_work.toPlainText()))
        except ValidationError as exc:
            self.h_error.setText("；".join(exc.fields.values()))
            return
        except GovisError as exc:
            self.h_error.setText(exc.message)
            return
        self.h_error.clear()
        self.refresh_holidays()
        # Working-day deadlines cached for today were computed with the old calendar: redo them.
        run_task(lambda job: queries.refresh_deadlines(job.store(), self.session.today), parent_widget=self,
                 title="节假日安排", label="正在按新的节假日安排重新计算期限…", db_path=self.db_path,
                 cancellable=False, on_done=lambda _n: self.deadlines_changed.emit())
        QMessageBox.information(self, "节假日安排", f"已保存{year}年节假日安排，共 {n} 天。相关期限将按新的安排重新计算。")
