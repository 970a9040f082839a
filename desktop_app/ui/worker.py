"""Long work off the GUI thread: a QThread runs a plain function, a progress dialog can cancel it.

The function gets a `Job` context: `job.progress(done, total, text)` reports (and raises
`Cancelled` once the user cancelled), `job.store()` / `job.session()` open the thread's OWN
database connection (sqlite connections are not shared across threads). The thread only emits
signals; callbacks run on the GUI thread, where widgets may be touched.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop_app.ui.errors import format_exc, show_error

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside the work function when the user pressed 取消."""


class Job:
    """What the work function sees: progress reporting, cancellation, its own database handle."""

    def __init__(self, thread: _Thread, db_path: str | None, username: str | None):
        self._thread = thread
        self._event = threading.Event()
        self.db_path = db_path
        self.username = username
        self._store = None

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int = 0, text: str = "") -> None:
        self.check()
        self._thread.progressed.emit(int(done), int(total), text)

    def store(self):
        if self._store is None:
            from desktop_app.models.store import Store

            self._store = Store.open(self.db_path)
        return self._store

    def session(self, like=None):
        """A Session on this thread's own store; `like` (the window's Session) lends its actor and
        its 'today' (tests and demos pin a date)."""
        from desktop_app.services import operations as ops
        from desktop_app.services.session import Session

        store = self.store()
        if like is not None:
            return Session(store, like.actor, like.today_override)
        return Session(store, ops.installation_actor(store, self.username))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class _Thread(QThread):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)
    was_cancelled = Signal()

    def __init__(self, fn: Callable[[Job], Any], db_path: str | None, username: str | None):
        super().__init__()
        self.fn = fn
        self.job = Job(self, db_path, username)

    def run(self) -> None:  # worker thread: no widget access here
        try:
            result = self.fn(self.job)
            if self.job.cancelled:
                self.was_cancelled.emit()
            else:
                self.succeeded.emit(result)
        except Cancelled:
            self.was_cancelled.emit()
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI thread
            self.failed.emit(exc, format_exc(exc))
        finally:
            try:
                self.job.close()
            except Exception:  # pragma: no cover
                log.exception("closing worker store")


_running: set[Task] = set()


class Task(QObject):
    """One background run. Keep no reference: the module keeps it alive until it ends."""

    finished = Signal()

    def __init__(self, fn: Callable[[Job], Any], *, parent_widget: QWidget | None = None,
                 title: str | None = None, label: str = "正在处理，请稍候…", db_path: str | None = None,
                 username: str | None = None, on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException, str], None] | None = None,
                 on_cancel: Callable[[], None] | None = None, cancellable: bool = True,
                 min_duration_ms: int = 400):
        super().__init__()
        self.parent_widget = parent_widget
        self.on_done, self.on_error, self.on_cancel = on_done, on_error, on_cancel
        self.thread = _Thread(fn, db_path, username)
        self.dialog: QProgressDialog | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.state = "running"
        if title is not None:
            d = QProgressDialog(label, "取消", 0, 0, parent_widget)
            if not cancellable:
                d.setCancelButton(None)
            d.setWindowTitle(title)
            d.setWindowModality(Qt.WindowModality.WindowModal)
            d.setMinimumDuration(min_duration_ms)
            d.setAutoClose(False)
            d.setAutoReset(False)
            d.setMinimumWidth(360)
            d.canceled.connect(self.cancel)
            self.dialog = d
        # bound methods of this GUI-thread object: queued onto the GUI thread
        self.thread.progressed.connect(self._progress)
        self.thread.succeeded.connect(self._succeeded)
        self.thread.failed.connect(self._failed)
        self.thread.was_cancelled.connect(self._cancelled)
        self.thread.finished.connect(self._thread_finished)

    @property
    def job(self) -> Job:
        return self.thread.job

    def start(self) -> Task:
        _running.add(self)
        self.thread.start()
        return self

    def cancel(self) -> None:
        self.thread.job.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText("正在取消，请稍候…")

    def wait(self, ms: int = 30000) -> bool:
        return self.thread.wait(ms)

    def _progress(self, done: int, total: int, text: str) -> None:
        if self.dialog is None or self.thread.job.cancelled:
            return
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))
        if text:
            self.dialog.setLabelText(text)

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _succeeded(self, result: Any) -> None:
        self.state, self.result = "done", result
        self._close_dialog()
        if self.on_done:
            self.on_done(result)

    def _failed(self, exc: BaseException, tb: str) -> None:
        self.state, self.error = "failed", exc
        self._close_dialog()
        if self.on_error:
            self.on_error(exc, tb)
        else:
            show_error(self.parent_widget, exc, tb)

    def _cancelled(self) -> None:
        self.state = "cancelled"
        self._close_dialog()
        if self.on_cancel:
            self.on_cancel()

    def _thread_finished(self) -> None:
        _running.discard(self)
        self.finished.emit()
        self.thread.deleteLater()


def run_task(fn: Callable[[Job], Any], **kw) -> Task:
    """Start `fn(job)` on a worker thread; see Task for the keyword arguments."""
    return Task(fn, **kw).start()


def running_tasks() -> list[Task]:
    return list(_running)


def stop_all(timeout_ms: int = 10000) -> None:
    """On quit: ask every running task to stop and wait for its thread."""
    for task in list(_running):
        task.cancel()
    for task in list(_running):
        task.wait(timeout_ms)
