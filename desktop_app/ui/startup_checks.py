"""What the window checks before it opens a database: nobody else holds it (instance lock), the file is
sound (quick_check, weekly the full check), and the day's first backup. A damaged file is offered the
newest good backup: 从备份恢复 / 只读打开 / 退出."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout

from desktop_app.errors import GovisError, StoreError
from desktop_app.models.store import Store
from desktop_app.services import backups, integrity
from desktop_app.services import operations as ops

log = logging.getLogger(__name__)


class DamagedDialog(QDialog):
    """The damaged-file message with its three ways on."""

    QUIT, RESTORE, READ_ONLY = 0, 1, 2

    def __init__(self, message: str, newest: backups.Backup | None, can_read: bool = True, parent=None):
        super().__init__(parent)
        self.setWindowTitle("数据库文件已损坏")
        self.setMinimumWidth(560)
        self.choice = self.QUIT
        lay = QVBoxLayout(self)
        self.text = QLabel(message)
        self.text.setWordWrap(True)
        lay.addWidget(self.text)
        row = QHBoxLayout()
        self.restore_btn = QPushButton("从备份恢复")
        self.restore_btn.setEnabled(newest is not None)
        if newest is not None:
            self.restore_btn.setToolTip(f"用 {newest.name} 恢复；恢复前会先备份当前状态")
        self.read_btn = QPushButton("只读打开")
        self.read_btn.setEnabled(can_read)
        self.read_btn.setToolTip("可以查看和打印，不能保存任何修改")
        self.quit_btn = QPushButton("退出")
        for b, choice in ((self.restore_btn, self.RESTORE), (self.read_btn, self.READ_ONLY),
                          (self.quit_btn, self.QUIT)):
            b.clicked.connect(lambda _c=False, ch=choice: self._choose(ch))
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)

    def _choose(self, choice: int) -> None:
        self.choice = choice
        self.accept()


def ask_damaged(message: str, newest: backups.Backup | None, can_read: bool, parent=None) -> int:
    dlg = DamagedDialog(message, newest, can_read, parent)
    dlg.exec()
    dlg.deleteLater()  # as the login dialog: freed by Qt, not by Python at exit
    return dlg.choice


def restore_newest(db: str, newest: backups.Backup, parent=None) -> Store | None:
    """Restore the newest good backup (the caller holds the lock and has closed its store); reopen."""
    actor = _restorer(newest, parent)
    if actor is None:
        return None
    try:
        done = backups.restore(db, newest.path, actor=actor)
        store = Store.open(db)
    except GovisError as exc:
        QMessageBox.critical(parent, "恢复没有完成", exc.message)
        return None
    text = f"已用备份 {newest.name}（{newest.made_at:%Y-%m-%d %H:%M}）恢复数据库。"
    if done.safety:
        text += f"\n恢复前的文件已保存为 {done.safety}。"
    if done.warning:
        text += f"\n{done.warning}"
    QMessageBox.information(parent, "已从备份恢复", text)
    return store


def _restorer(newest: backups.Backup, parent=None):
    """An administrator signs in before a restore -- against the accounts in the backup, since the
    damaged file's own cannot be trusted to be read. None: cancelled or not an administrator."""
    from desktop_app.services.authorize import check_person
    from desktop_app.ui.app import sign_in

    backup = Store.open(newest.path, create=False, read_only=True)
    try:
        actor = sign_in(backup, parent, hint="恢复数据库须由管理员登录（按备份中的账户核对）")
        if actor is None:
            return None
        check_person(actor, "settings")
        return actor
    except GovisError as exc:
        QMessageBox.critical(parent, "恢复没有进行", exc.message)
        return None
    finally:
        backup.close()


def open_checked(db: str, parent=None) -> Store | None:
    """Open `db` for the window; None when the user chose 退出 or the file cannot be opened at all."""
    try:
        store = Store.open(db)
    except StoreError as exc:
        if not exc.damaged:
            raise
        newest = backups.newest_good(db)
        choice = ask_damaged(integrity.damaged_message(db, [exc.message]), newest, False, parent)
        if choice == DamagedDialog.RESTORE and newest is not None:
            return restore_newest(db, newest, parent)
        return None
    if store.read_only or not ops.is_initialised(store):
        return store
    result = integrity.check(store)
    if not result.ok:
        newest = backups.newest_good(db)
        choice = ask_damaged(store.writes_refused or "", newest, True, parent)
        if choice == DamagedDialog.READ_ONLY:
            return store
        store.close()
        if choice == DamagedDialog.RESTORE and newest is not None:
            return restore_newest(db, newest, parent)
        return None
    try:
        made = backups.ensure_daily(store)
        if made is not None and made.warning:
            QMessageBox.warning(parent, "自动备份", made.warning)
    except GovisError as exc:  # the work goes on; the missing backup is said plainly
        QMessageBox.warning(parent, "今天的自动备份没有完成", exc.message)
    return store
