"""Unexpected errors reach the user as a Chinese dialog naming the log file; logs rotate.

Expected refusals (GovisError) carry a message meant for the user and are shown as they are;
anything else is a bug: log the traceback, tell the user where the log is, keep running.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.errors import GovisError, ValidationError

log = logging.getLogger("govis")

LOG_ENV = "GOVIS_LOG_DIR"
LOG_NAME = "govis.log"
_log_file: Path | None = None


def log_dir(db_path: str | None = None) -> Path:
    """$GOVIS_LOG_DIR, else the per-user log folder, else a logs/ folder beside the database."""
    candidates = []
    if os.environ.get(LOG_ENV):
        candidates.append(Path(os.environ[LOG_ENV]))
    from platformdirs import user_log_dir

    candidates.append(Path(user_log_dir("govis", appauthor=False)))
    if db_path and db_path != ":memory:":
        candidates.append(Path(db_path).resolve().parent / "logs")
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        except OSError:
            continue
    return Path.cwd()


def setup_logging(db_path: str | None = None) -> Path:
    """Route the `govis` and `desktop_app` loggers to a rotating UTF-8 file (1 MB x 5)."""
    global _log_file
    path = log_dir(db_path) / LOG_NAME
    if _log_file == path:
        return path
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("govis", "desktop_app"):
        lg = logging.getLogger(name)
        for old in [h for h in lg.handlers if getattr(h, "_govis", False)]:
            lg.removeHandler(old)
            old.close()
        handler._govis = True  # type: ignore[attr-defined]
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    _log_file = path
    return path


def log_file() -> Path | None:
    return _log_file


def format_exc(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def show_error(parent: QWidget | None, exc: BaseException, tb: str | None = None,
               title: str = "操作未完成") -> None:
    """Show a refusal as it is; show a bug as 'unexpected error' with the log path."""
    if isinstance(exc, ValidationError):
        QMessageBox.warning(parent, "输入有误", "\n".join(exc.fields.values()) or exc.message)
        return
    if isinstance(exc, GovisError):
        QMessageBox.warning(parent, title, exc.message)
        return
    if isinstance(exc, OSError):  # the disk, not the program: full, write-protected, or the file is open
        where = f"「{exc.filename}」" if exc.filename else ""
        QMessageBox.warning(parent, title, f"无法读写文件{where}：{exc.strerror or exc}。\n请检查磁盘或U盘是否已满、"
                            "是否写保护，文件是否正被其他程序（如 WPS、Excel）打开，然后重试。已保存的数据不受影响。")
        return
    tb = tb or format_exc(exc)
    log.error("unexpected error: %s\n%s", exc, tb)
    where = str(_log_file) if _log_file else "（日志未启用）"
    box = QMessageBox(QMessageBox.Icon.Critical, "程序出现意外错误",
                      "程序遇到了意外错误，刚才的操作可能没有完成；已保存的数据不受影响。\n\n"
                      f"详细信息已记入日志文件：\n{where}\n\n请将该文件发给系统维护人员。", parent=parent)
    box.setDetailedText(tb)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


class _Relay(QObject):
    """Hands an exception raised on another thread to the GUI thread (queued signal)."""

    raised = Signal(object, str)

    def __init__(self):
        super().__init__()
        # a bound method of a GUI-thread object: Qt queues the call onto the GUI thread
        self.raised.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def _show(self, exc: BaseException, tb: str) -> None:
        _on_raised(exc, tb)


_relay: _Relay | None = None
_showing = False


def _on_raised(exc: BaseException, tb: str) -> None:
    global _showing
    if _showing:  # an error inside the error dialog: log only, never loop
        log.error("nested error: %s\n%s", exc, tb)
        return
    _showing = True
    try:
        show_error(QApplication.activeWindow(), exc, tb)
    finally:
        _showing = False


def install_excepthook():
    """sys.excepthook and threading.excepthook -> log + Chinese dialog on the GUI thread."""
    global _relay
    if _relay is None:
        _relay = _Relay()

    def hook(etype, value, tb):
        if issubclass(etype, KeyboardInterrupt):
            sys.__excepthook__(etype, value, tb)
            return
        text = "".join(traceback.format_exception(etype, value, tb))
        log.error("uncaught exception\n%s", text)
        _relay.raised.emit(value, text)

    def thread_hook(args):
        hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
    return hook
