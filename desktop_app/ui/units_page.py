"""单位与密钥: every organisation with its key, its state and the last packages and audit head exchanged.

The county office adds and edits units, registers a unit's public key against its stamped 密钥登记表,
revokes keys, rotates its own key and exports the directory. On a unit's (or finance's) installation the
page shows the county office's key, the date of the directory imported and the unit's own key.
The reads are `services.units`; every write is an operation or a trust/key function that checks the
person's right itself. Dialogs go through small classmethods so tests can patch them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import GovisError, ValidationError
from desktop_app.exchange import export, keyring, trust
from desktop_app.exchange.errors import FingerprintFormatError
from desktop_app.exchange.keys import import_public_key
from desktop_app.exchange.records import ORG_ROLES
from desktop_app.exchange.signing import format_fingerprint
from desktop_app.models.kinds import COUNTY, ROLES
from desktop_app.services import operations as ops
from desktop_app.services import units
from desktop_app.ui.worker import Task

COLUMNS = ["单位代码", "单位名称", "简称", "角色", "编号前缀", "公钥指纹（前8组）", "状态", "最近收到", "最近发出",
           "操作日志链头"]
# roles a registered organisation may have (the county office is this installation itself)
ADDABLE_ROLES = [(code, label) for code, label in ORG_ROLES if code != COUNTY]


def _mark(m: units.Mark | None) -> str:
    return f"{m.day} 第{m.sequence}号" if m else "—"


def _error_text(exc: GovisError) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.fields.values())
    return exc.message


class OrgDialog(QDialog):
    """添加单位 / 编辑单位: the fields the operation accepts (code and role only when adding)."""

    def __init__(self, parent=None, row: units.UnitRow | None = None):
        super().__init__(parent)
        self.setWindowTitle("编辑单位" if row else "添加单位")
        form = QFormLayout(self)
        self.code = QLineEdit(row.code if row else "")
        self.code.setReadOnly(row is not None)
        self.role = QComboBox()
        for code, label in ADDABLE_ROLES:
            self.role.addItem(label, code)
        if row:
            self.role.clear()
            self.role.addItem(row.role_label, row.role)
            self.role.setEnabled(False)
        self.name = QLineEdit(row.name if row else "")
        self.short_name = QLineEdit(row.short_name if row else "")
        self.code_prefix = QLineEdit(row.code_prefix if row else "")
        form.addRow("单位代码：", self.code)
        form.addRow("单位名称：", self.name)
        form.addRow("简称：", self.short_name)
        form.addRow("角色：", self.role)
        if row:
            form.addRow("项目编号前缀：", self.code_prefix)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        return {"code": self.code.text().strip(), "name": self.name.text(), "short_name": self.short_name.text(),
                "role": self.role.currentData(), "code_prefix": self.code_prefix.text()}


class UnitsPage(QWidget):
    key_changed = Signal()  # the own key was rotated: 数据交换 shows the new fingerprint
    loaded = True  # small: read at construction and after every change

    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.county = session.actor.role == COUNTY
        self.rows: list[units.UnitRow] = []
        self.tasks: list[Task] = []
        root = QVBoxLayout(self)
        self.overview = QLabel()
        self.overview.setWordWrap(True)
        self.overview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.overview)

        bar = QHBoxLayout()
        self.btn_add = self._button(bar, "添加单位…", self.add_unit, county_only=True)
        self.btn_edit = self._button(bar, "编辑…", self.edit_unit, county_only=True)
        self.btn_register = self._button(bar, "登记公钥…", self.register_key, county_only=True)
        self.btn_revoke = self._button(bar, "注销公钥…", self.revoke_key, county_only=True)
        self.btn_rotate = self._button(bar, "更换本机密钥…", self.rotate_key)
        self.btn_directory = self._button(bar, "导出单位目录…", self.export_directory, county_only=True)
        bar.addStretch(1)
        root.addLayout(bar)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        root.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        root.addWidget(self.message)
        self.refresh()

    # ---- layout and permissions ---------------------------------------------------------------------
    def _button(self, bar: QHBoxLayout, text: str, slot, county_only: bool = False) -> QPushButton:
        b = QPushButton(text)
        b.clicked.connect(slot)
        b.setVisible(self.county or not county_only)  # a unit's installation: the county office does these
        bar.addWidget(b)
        return b

    def _refusal(self) -> str | None:
        """Why the signed-in person may not change units or keys (the operations check the same rule)."""
        return self.session.may("settings")

    def _selection_changed(self) -> None:
        why = self._refusal()
        row = self.selected()
        needs_row = {self.btn_edit: None, self.btn_register: None, self.btn_revoke: None}
        if row is None:
            needs_row = dict.fromkeys(needs_row, "请先在列表中选中一个单位")
        elif row.is_self:
            needs_row[self.btn_register] = "本机自己的密钥无需登记；更换请用“更换本机密钥”"
            needs_row[self.btn_revoke] = "本机自己的密钥请用“更换本机密钥”"
        elif row.state != units.KEY_CHECKED:
            needs_row[self.btn_revoke] = "该单位没有有效的公钥"
        for b, reason in [*needs_row.items(), (self.btn_add, None), (self.btn_rotate, None),
                          (self.btn_directory, None)]:
            reason = why or reason
            b.setEnabled(reason is None)
            b.setToolTip(reason or "")
        if self.btn_rotate.isEnabled() and not keyring.has_key(self.session.store):
            self.btn_rotate.setEnabled(False)
            self.btn_rotate.setToolTip("本机尚未生成签名密钥：请在“数据交换”中生成")

    # ---- reads --------------------------------------------------------------------------------------
    def load(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        store, actor = self.session.store, self.session.actor
        selected = self.selected()
        self.rows = units.organisations(store, actor.org_code)
        self.overview.setText(self._overview_text())
        self.table.setRowCount(len(self.rows))
        for r, u in enumerate(self.rows):
            head = "—"
            if u.audit_head:
                head = f"{u.audit_head.day} 第{u.audit_head.sequence}号：{u.audit_head.count} 条，{u.audit_head.hash[:12]}"
                if u.audit_head.warnings:
                    head += f"（异常 {u.audit_head.warnings} 次）"
            cells = [u.code, u.name + ("（本单位）" if u.is_self else ""), u.short_name, u.role_label, u.code_prefix,
                     format_fingerprint(u.fingerprint, short=True) if u.fingerprint else "—",
                     u.state_label + (f"（{u.revoked_on}）" if u.revoked_on else ""),
                     _mark(u.last_received), _mark(u.last_sent), head]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 6 and u.state == units.REVOKED:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
        if selected:
            self.select(selected.code)
        self._selection_changed()

    def _overview_text(self) -> str:
        store, actor = self.session.store, self.session.actor
        o = units.key_overview(store)
        own = format_fingerprint(o.own_fingerprint) if o.own_fingerprint else "尚未生成（请在“数据交换”中生成）"
        lines = [f"本机：{actor.org_name}（{actor.org_code}，{ROLES.get(actor.role, actor.role)}）    本机公钥指纹：{own}"]
        if self.county:
            lines.append("登记单位的公钥：选中单位，点“登记公钥”，选择该单位交来的公钥文件，再照其盖章的密钥登记表输入指纹。"
                         "变更后请导出单位目录发给各单位。")
        else:
            county = format_fingerprint(o.county_fingerprint) if o.county_fingerprint else "尚未导入"
            directory = (f"{o.directory_date}（第{o.directory_sequence}号）" if o.directory_date
                         else "尚未导入（请在“数据交换”中导入县政府办公室发来的单位及密钥目录）")
            lines.append(f"{o.county_name or '县政府办公室'}公钥指纹：{county}")
            lines.append(f"单位及密钥目录日期：{directory}")
        return "\n".join(lines)

    def selected(self) -> units.UnitRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def select(self, code: str) -> None:
        for r, u in enumerate(self.rows):
            if u.code == code:
                self.table.selectRow(r)
                return

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)

    # ---- dialogs (patched in tests) -----------------------------------------------------------------
    @classmethod
    def ask_org(cls, parent, row: units.UnitRow | None = None) -> dict | None:
        dlg = OrgDialog(parent, row)
        return dlg.values() if dlg.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def ask_key_file(cls, parent) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, "选择单位交来的公钥文件", str(Path.home()),
                                              "公钥文件 (*.pub *.txt *.asc);;所有文件 (*)")
        return path or None

    @classmethod
    def ask_fingerprint(cls, parent, message: str) -> str | None:
        text, ok = QInputDialog.getText(parent, "照密钥登记表输入指纹", message)
        return text if ok and text.strip() else None

    @classmethod
    def ask_reason(cls, parent, message: str) -> str | None:
        text, ok = QInputDialog.getText(parent, "注销公钥", message)
        return text if ok else None

    @classmethod
    def ask_passphrases(cls, parent) -> tuple[str, str] | None:
        def ask(label: str) -> str | None:
            text, ok = QInputDialog.getText(parent, "更换本机密钥", label, QLineEdit.EchoMode.Password)
            return text if ok else None

        old = ask("请输入当前签名密钥口令：")
        if old is None:
            return None
        new = ask("设置新密钥口令（至少8个字符，请牢记）：")
        if new is None:
            return None
        if ask("再次输入新口令：") != new:
            QMessageBox.warning(parent, "更换本机密钥", "两次输入的新口令不一致，未更换密钥。")
            return None
        return old, new

    @classmethod
    def ask_passphrase(cls, parent) -> str | None:
        text, ok = QInputDialog.getText(parent, "签名密钥口令", "请输入本机签名密钥口令：", QLineEdit.EchoMode.Password)
        return text if ok else None

    @classmethod
    def ask_folder(cls, parent) -> str | None:
        return QFileDialog.getExistingDirectory(parent, "选择保存位置（文件夹或U盘）", str(Path.home())) or None

    @classmethod
    def confirm(cls, parent, text: str) -> bool:
        return QMessageBox.question(parent, "单位与密钥", text) == QMessageBox.StandardButton.Yes

    # ---- writes -------------------------------------------------------------------------------------
    def _write(self, fn, done: str) -> bool:
        try:
            fn()
        except GovisError as exc:
            self._say(_error_text(exc), error=True)
            return False
        self._say(done)
        self.refresh()
        return True

    def add_unit(self) -> None:
        values = self.ask_org(self)
        if values is None:
            return
        store, actor = self.session.store, self.session.actor
        if self._write(lambda: ops.add_organisation(store, actor, values["code"], values["name"], values["role"],
                                                    values["short_name"].strip() or None),
                       f"已登记单位：{values['name'].strip()}（{values['code']}）。下一步：登记其公钥。"):
            self.select(values["code"])

    def edit_unit(self) -> None:
        row = self.selected()
        if row is None:
            return
        values = self.ask_org(self, row)
        if values is None:
            return
        changes = {f: values[f] for f in ("name", "short_name", "code_prefix")
                   if values[f].strip() != (getattr(row, f) or "")}
        if not changes:
            self._say("没有修改任何内容。")
            return
        self._write(lambda: ops.update_organisation(self.session.store, self.session.actor, row.code, changes),
                    f"已修改单位 {row.code}。请导出单位目录发给各单位。")

    def register_key(self) -> None:
        row = self.selected()
        if row is None:
            return
        path = self.ask_key_file(self)
        if not path:
            return
        try:
            data = Path(path).read_bytes()
            pub = import_public_key(data)
        except OSError as exc:
            self._say(f"无法读取公钥文件：{exc.strerror or exc}。请检查U盘或文件后重试。", error=True)
            return
        except GovisError as exc:
            self._say(exc.message, error=True)
            return
        claim = f"（文件自称：{pub.org_name or '未写明'}，{pub.org_code or '未写明单位代码'}）"
        prompt = (f"为{row.name}（{row.code}）登记公钥{claim}。\n"
                  "请照该单位盖章的密钥登记表逐组输入公钥指纹（8组，空格可省略）：")
        store, actor = self.session.store, self.session.actor
        error = ""
        while True:
            typed = self.ask_fingerprint(self, f"{error}\n\n{prompt}" if error else prompt)
            if typed is None:
                return
            try:
                trust.register_key(store, actor, data, typed, row.code)
            except (trust.FingerprintMismatch, FingerprintFormatError) as exc:
                error = exc.message  # said on the page and above the next try
                self._say(error, error=True)
                continue
            except GovisError as exc:
                self._say(_error_text(exc), error=True)
                return
            self.refresh()
            self._say(f"指纹核对一致，已登记{row.name}（{row.code}）的公钥：{format_fingerprint(pub.fingerprint, short=True)}。"
                      "请导出单位目录发给各单位。")
            return

    def revoke_key(self) -> None:
        row = self.selected()
        if row is None:
            return
        reason = self.ask_reason(self, f"注销{row.name}（{row.code}）的公钥后，该单位用它签名的数据包一律拒收。\n"
                                       "请填写注销原因（如：电脑更换、口令泄露）：")
        if reason is None:
            return
        if not reason.strip():
            self._say("请填写注销原因，未注销。", error=True)
            return
        self._write(lambda: trust.revoke_key(self.session.store, self.session.actor, row.code, None, reason),
                    f"已注销{row.name}（{row.code}）的公钥。请导出单位目录发给各单位，并请该单位生成新密钥后重新登记。")

    def _start(self, fn, on_done) -> None:
        task = Task(fn, parent_widget=self, db_path=self.db_path, username=self.session.actor.user,
                    on_done=on_done, on_error=lambda exc, tb: self._failed(exc))
        self.tasks = [t for t in self.tasks if t.state == "running"] + [task]
        task.start()

    def _failed(self, exc: BaseException) -> None:
        self._selection_changed()
        self._say(_error_text(exc) if isinstance(exc, GovisError) else f"操作未完成：{exc}", error=True)

    def rotate_key(self) -> None:
        secrets = self.ask_passphrases(self)
        if secrets is None:
            return
        actor = self.session.actor
        self.btn_rotate.setEnabled(False)
        self._say("正在更换本机签名密钥…")
        self._start(lambda job: keyring.rotate_key(job.store(), actor, *secrets).fingerprint, self._rotated)

    def _rotated(self, fingerprint: str) -> None:
        self.refresh()
        self.key_changed.emit()
        self._say(f"已更换本机签名密钥，新指纹：{format_fingerprint(fingerprint)}。请在“数据交换”中打印新的密钥登记表"
                  + ("，并导出单位目录发给各单位。" if self.county else "，盖章后交县政府办公室登记。"))

    def export_directory(self) -> None:
        """One signed directory package per organisation that exchanges packages, into one folder."""
        store, actor = self.session.store, self.session.actor
        peers = [o["code"] for o in export.recipients(store, actor)]
        if not peers:
            self._say("还没有可接收目录的单位：请先添加单位。", error=True)
            return
        folder = self.ask_folder(self)
        if not folder:
            return
        passphrase = self.ask_passphrase(self)
        if passphrase is None:
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")

        def work(job):
            written = []
            for i, code in enumerate(peers):
                job.progress(i, len(peers), f"正在导出给 {code} 的单位目录")
                out = Path(folder) / f"单位目录-{actor.org_code}-至-{code}-{stamp}.zip"
                written.append(export.export_package(job.store(), actor, passphrase, code, out,
                                                     kind="directory").path)
            return written

        self.btn_directory.setEnabled(False)
        self._say("正在导出单位目录…")
        self._start(work, self._directory_exported)

    def _directory_exported(self, written: list[str]) -> None:
        self.refresh()
        folder = str(Path(written[0]).parent) if written else ""
        self._say(f"已导出单位目录 {len(written)} 份到 {folder}：每个单位一份，请分别交给各单位导入。")
