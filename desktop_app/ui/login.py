"""登录: who is at the PC. A list of the enabled accounts, the password, a caps-lock warning, the
refusal inline; an account without a password (made before this version) sets one here first.
The checks are `services.accounts.authenticate` / `set_first_password`; this dialog only asks."""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME_ZH
from desktop_app.errors import GovisError, ValidationError
from desktop_app.services import accounts

CAPS_WARNING = "大写锁定已打开：密码区分大小写"


def caps_lock_on() -> bool | None:
    """The caps-lock state where the platform tells it (Windows: GetKeyState); None elsewhere."""
    if sys.platform != "win32":
        return None
    try:
        import ctypes

        return bool(ctypes.WinDLL("user32").GetKeyState(0x14) & 1)  # VK_CAPITAL, toggled bit
    except (OSError, AttributeError):
        return None


class _CapsWatch(QObject):
    """Qt has no portable caps-lock query: a letter typed upper-case without Shift (or lower-case
    with Shift) means caps lock is on; the opposite means it is off."""

    def __init__(self, dialog: LoginDialog):
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            text = event.text()
            if len(text) == 1 and text.isalpha() and text.lower() != text.upper():
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.dialog.set_caps_warning(text.isupper() != shift)
            elif event.key() == Qt.Key.Key_CapsLock:
                on = caps_lock_on()
                if on is not None:
                    self.dialog.set_caps_warning(on)
        return False


class LoginDialog(QDialog):
    """`exec()` → Accepted with `self.actor` the signed-in person."""

    def __init__(self, store, parent: QWidget | None = None, *, org_name: str = "", now=None,
                 hint: str = "", message: str = "", username: str | None = None):
        super().__init__(parent)
        self.store, self.now, self.actor = store, now, None
        self.setWindowTitle(f"登录 — {APP_NAME_ZH}")
        self.setMinimumWidth(420)
        lay = QVBoxLayout(self)
        title = QLabel(f"<b>{org_name}</b>" if org_name else "")
        title.setVisible(bool(org_name))
        lay.addWidget(title)
        form = QFormLayout()
        self.user = QComboBox()
        for u in accounts.list_users(store, enabled_only=True):
            self.user.addItem(f"{u['display_name']}（{u['username']}，{u['role_label']}）", u["username"])
        if username and self.user.findData(username) >= 0:
            self.user.setCurrentIndex(self.user.findData(username))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("请输入密码")
        self.new1, self.new2 = QLineEdit(), QLineEdit()
        for w in (self.new1, self.new2):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.new1.setPlaceholderText("至少8个字符")
        self.first_note = QLabel("该账户尚未设置密码，请设置登录密码（输入两次）。")
        self.first_note.setWordWrap(True)
        form.addRow("用户：", self.user)
        form.addRow("密码：", self.password)
        form.addRow("", self.first_note)
        form.addRow("新密码：", self.new1)
        form.addRow("再输一次：", self.new2)
        self.form = form
        lay.addLayout(form)
        self.caps = QLabel(CAPS_WARNING)
        self.caps.setStyleSheet("color: #b26a00")
        self.caps.setVisible(False)
        lay.addWidget(self.caps)
        self.error = QLabel(message)
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        self.error.setVisible(bool(message))
        lay.addWidget(self.error)
        if hint:
            note = QLabel(hint)
            note.setStyleSheet("color: #555")
            note.setWordWrap(True)
            lay.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        watch = _CapsWatch(self)
        for w in (self.password, self.new1, self.new2):
            w.installEventFilter(watch)
        self.user.currentIndexChanged.connect(self._user_changed)
        self._user_changed()
        on = caps_lock_on()
        if on:
            self.set_caps_warning(True)

    # ---- state ----
    def username(self) -> str:
        return self.user.currentData() or ""

    def first_use(self) -> bool:
        name = self.username()
        return bool(name) and not accounts.has_password(self.store, name)

    def _user_changed(self, *_):
        first = self.first_use()
        for w in (self.new1, self.new2, self.first_note):
            w.setVisible(first)
            label = self.form.labelForField(w)
            if label is not None:
                label.setVisible(first)
        self.password.setVisible(not first)
        label = self.form.labelForField(self.password)
        if label is not None:
            label.setVisible(not first)
        (self.new1 if first else self.password).setFocus()
        self.adjustSize()

    def set_caps_warning(self, on: bool) -> None:
        self.caps.setVisible(on)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    # ---- action ----
    def try_login(self) -> None:
        name = self.username()
        if not name:
            self.show_error("本机没有可用的账户，请联系管理员。")
            return
        try:
            if self.first_use():
                if self.new1.text() != self.new2.text():
                    self.show_error("两次输入的新密码不一致")
                    return
                self.actor = accounts.set_first_password(self.store, name, self.new1.text())
            else:
                self.actor = accounts.authenticate(self.store, name, self.password.text(), now=self.now)
        except ValidationError as exc:
            self.show_error("；".join(exc.fields.values()))
            return
        except GovisError as exc:
            self.show_error(exc.message)
            self.password.selectAll()
            self.password.setFocus()
            return
        self.accept()
