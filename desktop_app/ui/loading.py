"""Pages that fill themselves from one background read (工作台, 统计分析): the shared load cycle."""

from __future__ import annotations

from desktop_app.ui.worker import run_task


class BackgroundLoad:
    """Mixin for a QWidget page with `session`, `db_path`, `busy`, `refresh_btn`, `summary`, `task`, `loader`.

    Subclasses set LOADING_TEXT and FAILED_TEXT and define `fetch(session)` (runs on the worker, with its
    own Store) and `deliver(result)` (runs on the GUI thread).
    """

    LOADING_TEXT = "正在读取…"
    FAILED_TEXT = "读取未完成"

    def load(self) -> None:
        if self.loader is not None:  # the main window runs one rule pass for several pages
            self.loader()
            return
        if self.task is not None and self.task.state == "running":
            return
        self.begin_loading()
        self.task = run_task(lambda job: self.fetch(job.session(self.session)), parent_widget=self,
                             db_path=self.db_path, username=self.session.actor.user, on_done=self.deliver,
                             on_error=self._failed)

    def begin_loading(self) -> None:
        self.busy.show()
        self.refresh_btn.setEnabled(False)
        self.summary.setText(self.LOADING_TEXT)

    def loading_failed(self) -> None:
        self._idle()
        self.summary.setText(self.FAILED_TEXT)

    def _idle(self) -> None:
        self.busy.hide()
        self.refresh_btn.setEnabled(True)

    def _failed(self, exc, tb) -> None:
        from desktop_app.ui.errors import show_error

        self.loading_failed()
        show_error(self, exc, tb)
