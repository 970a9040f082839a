"""系统设置: this installation, the database file, the holiday table (typed, or pasted from the State
Council's notice and confirmed on a calendar), the editable policy profile (ui/policy_editor.py) and the
performance-evaluation indicator system (ui/indicator_editor.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
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
from desktop_app.services import accounts, holiday_notice, queries, stats
from desktop_app.services import operations as ops
from desktop_app.ui.errors import log_file
from desktop_app.ui.holiday_calendar import HolidayCalendar
from desktop_app.ui.indicator_editor import IndicatorEditor
from desktop_app.ui.policy_editor import PolicyEditor
from desktop_app.ui.worker import run_task


def split_days(text: str) -> list[str]:
    for sep in ("，", "、", ";", "；", "\n", " ", "\t"):
        text = text.replace(sep, ",")
    return [x.strip() for x in text.split(",") if x.strip()]


class SettingsPage(QWidget):
    deadlines_changed = Signal()  # holidays or policy changed: deadlines were recomputed

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
        self.indicators = IndicatorEditor(session)
        self.body.addWidget(self.indicators)
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
                             "请把国务院办公厅节假日安排通知的正文粘贴到下面，点“解析”，在日历上核对后保存。"
                             "未录入的年度，期限标注“暂定”。"))
        self.holiday_table = QTableWidget(0, 4)
        self.holiday_table.setHorizontalHeaderLabels(["年度", "放假天数", "调休上班天数", "来源"])
        self.holiday_table.verticalHeader().setVisible(False)
        self.holiday_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.holiday_table.setMaximumHeight(120)
        self.holiday_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        lay.addWidget(self.holiday_table)
        form = QFormLayout()
        self.h_year = QSpinBox()
        self.h_year.setRange(2000, 2100)
        self.h_year.setValue(dt.date.today().year + 1)
        self.h_year.setMaximumWidth(120)
        self.h_notice = QPlainTextEdit()
        self.h_notice.setPlaceholderText("粘贴通知正文，例如：一、元旦：1月1日至3日放假调休，共3天。1月4日（星期日）上班。"
                                         "二、春节：2月15日（农历腊月二十八）至23日（农历正月初七）放假调休，共9天。…")
        self.h_notice.setMaximumHeight(90)
        self.h_parse = QPushButton("解析")
        self.h_parse.clicked.connect(self.parse_notice)
        self.h_summary = QLabel()
        self.h_summary.setWordWrap(True)
        self.h_days = QPlainTextEdit()
        self.h_days.setPlaceholderText("放假日期，逗号或换行分隔，例如：2027-01-01, 2027-02-05")
        self.h_days.setMaximumHeight(70)
        self.h_work = QPlainTextEdit()
        self.h_work.setPlaceholderText("调休上班日期（周末上班），逗号或换行分隔，可为空")
        self.h_work.setMaximumHeight(50)
        for w in (self.h_days, self.h_work):
            w.textChanged.connect(self._show_calendar)
        self.h_error = QLabel()
        self.h_error.setStyleSheet("color: #c62828")
        self.h_error.setWordWrap(True)
        self.h_save = QPushButton("核对无误，保存该年度节假日安排")
        self.h_save.clicked.connect(self.save_holidays)
        form.addRow("年度：", self.h_year)
        parse_row = QHBoxLayout()
        parse_row.addWidget(self.h_notice, 1)
        parse_row.addWidget(self.h_parse, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("通知原文：", parse_row)
        form.addRow("", self.h_summary)
        form.addRow("放假日期：", self.h_days)
        form.addRow("调休上班：", self.h_work)
        form.addRow("", self.h_error)
        save_row = QHBoxLayout()
        save_row.addWidget(self.h_save)
        save_row.addStretch(1)
        form.addRow("", save_row)
        self.h_calendar = HolidayCalendar()
        self.h_year.valueChanged.connect(self._fill_year)  # connected once every box it fills exists
        side = QHBoxLayout()
        side.addLayout(form, 3)
        side.addWidget(self.h_calendar, 2, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(side)
        if self.session.actor.role != COUNTY:
            for w in (self.h_year, self.h_notice, self.h_parse, self.h_days, self.h_work, self.h_save):
                w.setEnabled(False)
            lay.addWidget(QLabel("节假日安排由县政府办公室录入，并随单位目录数据包下发；本机只能查看。"))
        elif self.session.may("settings"):
            for w in (self.h_notice, self.h_parse, self.h_days, self.h_work, self.h_save):
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
        self.policy = PolicyEditor(self.session)
        self.policy.saved.connect(lambda: self._recompute("政策参数", "正在按新的政策参数重新计算期限…"))
        return self.policy

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
        self.h_summary.clear()
        self.h_error.clear()

    def _show_calendar(self) -> None:
        """The calendar follows the two date boxes, whether typed or filled by 解析."""
        def dates(text: str) -> list[dt.date]:
            out = []
            for item in split_days(text):
                try:
                    out.append(dt.date.fromisoformat(item))
                except ValueError:
                    continue  # refused with its reason on 保存
            return out

        self.h_calendar.show_days(dates(self.h_days.toPlainText()), dates(self.h_work.toPlainText()),
                                  self.h_year.value())

    def parse_notice(self) -> None:
        year = self.h_year.value()
        try:
            notice = holiday_notice.parse(self.h_notice.toPlainText(), year)
        except ValidationError as exc:
            self.h_error.setText("；".join(exc.fields.values()))
            self.h_summary.clear()
            return
        self.h_error.clear()
        self.h_days.setPlainText(", ".join(d.isoformat() for d in notice.holidays))
        self.h_work.setPlainText(", ".join(d.isoformat() for d in notice.workdays))
        self.h_summary.setText(notice.summary() + "\n请在右侧日历上逐月核对，无误后点“保存”。")

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
        self._recompute("节假日安排", "正在按新的节假日安排重新计算期限…")
        QMessageBox.information(self, "节假日安排", f"已保存{year}年节假日安排，共 {n} 天。相关期限将按新的安排重新计算。")

    def _recompute(self, title: str, label: str) -> None:
        """Working-day deadlines cached for today were computed with the old calendar or profile: redo
        them, then let the window refresh every page that shows one (MainWindow.refresh_all)."""
        run_task(lambda job: queries.refresh_deadlines(job.store(), self.session.today), parent_widget=self,
                 title=title, label=label, db_path=self.db_path, cancellable=False,
                 on_done=lambda _n: self.deadlines_changed.emit())
