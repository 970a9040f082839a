"""Start the window: QApplication set-up (names, High-DPI, Chinese fonts and Qt translations,
logging, excepthook), then the set-up wizard or the demo county, then the main window."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app import APP_NAME_ZH, __version__, resources
from desktop_app.errors import GovisError
from desktop_app.ui import errors, fonts

log = logging.getLogger(__name__)
ORG_NAME = "govis"
APP_NAME = "govis"
DEMO_PROJECTS = 120


def make_app(argv: list[str] | None = None, db_path: str | None = None) -> QApplication:
    """The one QApplication, configured once (safe to call again, e.g. from tests)."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    if app.property("govis_ready"):
        return app
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME_ZH)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resources.path("icons/govis.png"))))  # the same picture as govis.exe's icon
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    _load_qt_translations(app)
    fonts.apply_ui_font(app)
    path = errors.setup_logging(db_path)
    errors.install_excepthook()
    log.info("govis %s starting, log %s", __version__, path)
    app.setProperty("govis_ready", True)
    return app


def _load_qt_translations(app: QApplication) -> None:
    """Qt's own strings (OK/Cancel, file dialogs, context menus) in Chinese."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    app._translators = []  # keep them alive
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        tr = QTranslator(app)
        if tr.load(name, folder):
            app.installTranslator(tr)
            app._translators.append(tr)


def sign_in(store, parent=None, user: str | None = None, hint: str = ""):
    """The signed-in person's Actor, or None (the login dialog was closed). With both GOVIS_USER and
    GOVIS_PASSWORD set (scripted use, screenshots) it signs in without the dialog; if they do not
    match, the dialog opens with the refusal shown."""
    from desktop_app.services import accounts
    from desktop_app.services import operations as ops
    from desktop_app.ui.login import LoginDialog

    env_user, env_password = os.environ.get("GOVIS_USER"), os.environ.get("GOVIS_PASSWORD")
    message = ""
    if env_user and env_password is not None:
        try:
            return accounts.authenticate(store, env_user, env_password)
        except GovisError as exc:
            message = exc.message
    org = ops.installation_actor(store)
    dialog = LoginDialog(store, parent, org_name=org.org_name, hint=hint, message=message, username=user or env_user)
    accepted = dialog.exec() == LoginDialog.DialogCode.Accepted
    dialog.deleteLater()  # a top-level dialog: let Qt free it in its own event loop, not Python at exit
    return dialog.actor if accepted else None


def open_session(db: str, parent=None, user: str | None = None):
    """Open the database (integrity checked, the day's first backup; a damaged file offers the newest good
    backup); run the set-up wizard when it is new, else sign in. Returns a Session or None (cancelled, 退出)."""
    from desktop_app.services import operations as ops
    from desktop_app.services.session import Session
    from desktop_app.ui.startup_checks import open_checked
    from desktop_app.ui.wizard import SetupWizard

    store = open_checked(db, parent)
    if store is None:
        return None
    if not ops.is_initialised(store):
        wizard = SetupWizard(store, parent)
        if wizard.exec() != SetupWizard.DialogCode.Accepted or wizard.actor is None:
            store.close()
            return None
        return Session(store, wizard.actor)
    actor = sign_in(store, parent, user)
    if actor is None:
        store.close()
        return None
    return Session(store, actor)


def generate_demo(job, path: str, projects: int = DEMO_PROJECTS, today: dt.date | None = None):
    """Worker: a throwaway demo county in `path`, built beside it and renamed at the end."""
    from desktop_app.demo.file import generate_file

    return generate_file(path, projects=projects, seed=2018, today=today or dt.date.today(),
                         progress=lambda done, total: job.progress(done, total, f"正在生成演示县数据：{done}/{total}"))


class Launcher:
    """Holds what the event loop needs alive: the demo task and the main window."""

    def __init__(self, app: QApplication, user: str | None = None):
        self.app, self.user = app, user
        self.window = None
        self.exit_code = 0
        self.temp_dir: str | None = None
        self.lock = None  # the instance lock on the database, held while the window is open

    def show_main(self, session, db: str) -> None:
        from desktop_app.ui.main_window import MainWindow

        self.window = MainWindow(session, db)
        self.window.show()

    def start_demo(self) -> bool:
        from desktop_app.ui.worker import run_task

        self.temp_dir = tempfile.mkdtemp(prefix="govis-demo-")
        path = str(Path(self.temp_dir) / "demo.db")

        def done(_stats):
            from desktop_app.demo import DEMO_PASSWORD
            from desktop_app.models.store import Store
            from desktop_app.services.session import Session

            store = Store.open(path)
            actor = sign_in(store, None, self.user, hint=f"演示县账户：admin、jingban、shenhe、shenji，密码均为 {DEMO_PASSWORD}")
            if actor is None:
                store.close()
                self.app.quit()
                return
            self.show_main(Session(store, actor), path)

        def failed(exc, tb):
            errors.show_error(None, exc, tb, title="演示数据未生成")
            self.exit_code = 1
            self.app.quit()

        def cancelled():
            self.app.quit()

        run_task(lambda job: generate_demo(job, path), title="打开演示县", label="正在生成演示县数据…",
                 on_done=done, on_error=failed, on_cancel=cancelled, min_duration_ms=0)
        return True

    def cleanup(self) -> None:
        if self.window is not None:
            self.window.session.store.close()
        if self.lock is not None:
            self.lock.release()
        if self.temp_dir:
            shutil.rmtree(self.temp_dir, ignore_errors=True)


# Qt platforms that draw without a screen (tests, screenshots, remote frame buffers)
_HEADLESS_PLATFORMS = {"offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"}


def no_display_reason(env=None, platform: str | None = None) -> str | None:
    """Why the window cannot open here, in Chinese, or None. On Linux without X11 or Wayland Qt would
    abort with an English message and a core dump; say so before creating the QApplication."""
    env = os.environ if env is None else env
    if not (platform or sys.platform).startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip()
    if qpa in _HEADLESS_PLATFORMS or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return ("本机没有可用的图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY，例如通过 SSH 登录的服务器），"
            "无法打开程序窗口。请在有桌面的电脑上运行，或使用命令行：govis ledger 查看台账，"
            "govis check 检查期限，govis --help 列出全部命令。")


def run(db: str, demo: bool = False, user: str | None = None) -> int:
    """Entry point of `govis gui` and of `govis` with no arguments. `user` preselects the account."""
    reason = no_display_reason()
    if reason:
        raise GovisError(reason)
    app = make_app(db_path=None if demo else db)
    launcher = Launcher(app, user)
    try:
        if demo:
            if not launcher.start_demo():
                return 1
        else:
            from desktop_app.services.instance_lock import InstanceLock

            try:
                launcher.lock = InstanceLock(db).acquire()  # one program per database
                session = open_session(db, user=user)
            except GovisError as exc:
                QMessageBox.critical(None, "无法打开数据库", exc.message)
                return 1
            if session is None:
                return 0  # set-up or sign-in cancelled
            launcher.show_main(session, db)
        code = app.exec()
        return launcher.exit_code or code
    finally:
        from desktop_app.ui.worker import stop_all

        stop_all()
        launcher.cleanup()
