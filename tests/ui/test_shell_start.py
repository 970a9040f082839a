"""Start-up: the set-up wizard, opening a database, the demo county, fonts, errors and the worker."""

import logging
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from desktop_app.errors import Refused
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from desktop_app.ui import app as app_mod
from desktop_app.ui import errors, fonts
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.wizard import SetupWizard
from desktop_app.ui.worker import Cancelled, run_task
from tests.core.builders import TEST_PASSWORD


def test_wizard_creates_the_installation(app, qtbot, tmp_path):
    store = Store.open(tmp_path / "new.db")
    wiz = SetupWizard(store)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.role_page.buttons["county_office"].setChecked(True)
    wiz.next()
    org = wiz.org_page
    assert wiz.currentPage() is org and not org.validatePage()  # code and name still empty
    wiz.next()
    assert wiz.currentPage() is org  # 下一步 refused, reasons shown under the fields
    assert "请填写单位代码" in org.errors["org_code"].text()
    qtbot.keyClicks(org.edits["org_code"], "MY 1")
    assert "字母、数字" in org.errors["org_code"].text()
    assert "org_code" in org.problems()
    org.edits["org_code"].clear()
    qtbot.keyClicks(org.edits["org_code"], "MYXZF")
    assert org.errors["org_code"].text() == ""
    org.edits["org_name"].insert("蒙阴县人民政府办公室")  # QtTest types ASCII only
    org.edits["prefix"].selectAll()
    qtbot.keyClicks(org.edits["prefix"], "my")
    assert "大写字母" in org.errors["prefix"].text() and "prefix" in org.problems()
    org.edits["prefix"].selectAll()
    qtbot.keyClicks(org.edits["prefix"], "MY")
    assert not org.problems()
    wiz.next()
    wiz.admin_page.edits["display"].insert("王明")
    qtbot.keyClicks(wiz.admin_page.edits["password"], "short")
    assert "至少需要8个字符" in wiz.admin_page.errors["password"].text()
    qtbot.keyClicks(wiz.admin_page.edits["password"], "-admin-pw")
    qtbot.keyClicks(wiz.admin_page.edits["password2"], "short-admin-pw")
    assert not wiz.admin_page.problems()
    wiz.next()
    keys = wiz.key_page
    qtbot.keyClicks(keys.edits["passphrase"], "short")
    assert "至少 8 个字符" in keys.errors["passphrase"].text() and keys.problems()
    qtbot.keyClicks(keys.edits["passphrase"], "-but-long")
    qtbot.keyClicks(keys.edits["confirm"], "short-but-lon")
    assert "不一致" in keys.errors["confirm"].text() and keys.problems()
    qtbot.keyClicks(keys.edits["confirm"], "g")
    assert not keys.problems()
    wiz.next()
    assert "单位代码：MYXZF" in wiz.summary_page.text.text()
    wiz.button(QWizard.WizardButton.FinishButton).click()
    assert wiz.actor is not None and wiz.actor.role == "county_office"
    assert ops.is_initialised(store)
    info = ops.installation_actor(store)
    assert (info.org_code, info.org_name, info.user) == ("MYXZF", "蒙阴县人民政府办公室", "admin")
    from desktop_app.exchange import keyring
    assert keyring.has_key(store) and wiz.key_error is None
    keyring.load_signer(store, "short-but-long")  # the key opens with the passphrase typed in the wizard
    from desktop_app.services import accounts
    assert accounts.authenticate(store, "admin", "short-admin-pw").user_role == "admin"
    store.close()


def test_wizard_suggests_unit_prefix_from_its_code(app, qtbot, tmp_path):
    store = Store.open(tmp_path / "u.db")
    wiz = SetupWizard(store)
    qtbot.addWidget(wiz)
    wiz.role_page.buttons["unit"].setChecked(True)
    wiz.next()
    before = sys.getrefcount(True)
    qtbot.keyClicks(wiz.org_page.edits["org_code"], "myjyj-01")
    assert wiz.org_page.value("prefix") == "MYJYJ"
    for _ in range(20):  # typing must not unbalance bool reference counts (a PySide 6.12 bug)
        qtbot.keyClicks(wiz.org_page.edits["org_name"], "x")
    assert sys.getrefcount(True) >= before - 5
    store.close()


def test_wizard_shows_refusal_in_place(app, qtbot, tmp_path, monkeypatch):
    store = Store.open(tmp_path / "x.db")
    wiz = SetupWizard(store)
    qtbot.addWidget(wiz)

    def refuse(*a, **k):
        raise Refused("该数据库已经初始化，不能重复初始化。")
    monkeypatch.setattr(ops, "init_installation", refuse)
    assert wiz.create_installation() is False
    assert "已经初始化" in wiz.summary_page.error.text()
    store.close()


def test_open_session_skips_wizard_on_initialised_db(app, tmp_path, monkeypatch):
    path = tmp_path / "ready.db"
    s = Store.open(path)
    ops.init_installation(s, "unit", "MYJYJ", "蒙阴县教育和体育局", admin_password=TEST_PASSWORD)
    s.close()
    monkeypatch.setattr(SetupWizard, "exec", lambda self: pytest.fail("wizard shown on a ready database"))
    monkeypatch.setattr(LoginDialog, "exec", lambda self: pytest.fail("login shown with GOVIS_USER/GOVIS_PASSWORD"))
    monkeypatch.setenv("GOVIS_USER", "admin")  # scripted sign-in (GOVIS_PASSWORD: tests/conftest.py)
    session = app_mod.open_session(str(path))
    assert session.actor.org_code == "MYJYJ"
    session.store.close()


def test_open_session_cancelled_wizard_returns_none(app, tmp_path, monkeypatch):
    monkeypatch.setattr(SetupWizard, "exec", lambda self: QWizard.DialogCode.Rejected)
    assert app_mod.open_session(str(tmp_path / "empty.db")) is None


def test_demo_county_in_worker(app, qtbot, tmp_path):
    import datetime as dt

    path = str(tmp_path / "demo.db")
    done, progress = [], []
    task = run_task(lambda job: app_mod.generate_demo(job, path, projects=30, today=dt.date(2026, 11, 24)),
                    title="打开演示县", on_done=done.append)
    task.thread.progressed.connect(lambda d, t, s: progress.append((d, t)))
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    s = Store.open(path)
    assert ops.is_initialised(s)
    assert s.one("SELECT COUNT(*) AS n FROM projects")["n"] == 30
    s.close()


def test_worker_cancel_and_failure(app, qtbot):
    started, cancelled, failed = threading.Event(), [], []

    def slow(job):
        started.set()
        for i in range(1000):
            job.progress(i, 1000)
            threading.Event().wait(0.01)
        return "finished"

    task = run_task(slow, title="测试", on_done=lambda r: pytest.fail("should be cancelled"),
                    on_cancel=lambda: cancelled.append(1))
    assert started.wait(5)
    task.dialog.canceled.emit()  # the user presses 取消
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert task.state == "cancelled"

    def boom(job):
        raise ValueError("boom")
    run_task(boom, on_error=lambda exc, tb: failed.append((exc, tb)))
    qtbot.waitUntil(lambda: bool(failed), timeout=5000)
    assert isinstance(failed[0][0], ValueError) and "boom" in failed[0][1]
    assert issubclass(Cancelled, Exception)


def test_unexpected_error_dialog_names_the_log(app, qtbot, dialogs):
    path = errors.log_file()
    assert path is not None and path.name == "govis.log"
    hook = errors.install_excepthook()  # pytest-qt wraps sys.excepthook during tests: call ours directly
    try:
        raise RuntimeError("意外")
    except RuntimeError:
        hook(*sys.exc_info())
    qtbot.waitUntil(lambda: bool(dialogs.shown), timeout=3000)
    _kind, title, text = dialogs.shown[-1]
    assert title == "程序出现意外错误" and str(path) in text
    for h in logging.getLogger("govis").handlers:
        h.flush()
    assert "RuntimeError: 意外" in path.read_text(encoding="utf-8")
    errors.show_error(None, Refused("只有县政府办公室可以登记单位", "第十条"))
    assert dialogs.shown[-1][0] == "warning" and "第十条" in dialogs.shown[-1][2]
    errors.show_error(None, OSError(28, "No space left on device", "E:/台账.xlsx"))
    assert dialogs.shown[-1][0] == "warning" and "E:/台账.xlsx" in dialogs.shown[-1][2] and "已满" in dialogs.shown[-1][2]


def test_failed_xlsx_save_leaves_no_half_file(tmp_path, monkeypatch):
    from openpyxl import Workbook

    from desktop_app.services import xlsx_export
    from desktop_app.services.atomic_file import FileWriteError

    def full(self, filename):
        Path(filename).write_bytes(b"PK half")
        raise OSError(28, "No space left on device", str(filename))
    monkeypatch.setattr(Workbook, "save", full)
    with pytest.raises(FileWriteError) as e:  # a GovisError: the window shows its Chinese advice
        xlsx_export.save_workbook(tmp_path / "台账.xlsx", [("台账", ["编号"], [["MY-1"]], ["text"])])
    assert "空间已满" in e.value.message
    assert list(tmp_path.iterdir()) == []


def test_fonts_bundled_and_preference(app):
    bundled = fonts.register_bundled()
    assert "WenQuanYi Micro Hei" in bundled
    assert fonts.choose_family(["Arial", "Microsoft YaHei", "SimSun"], bundled) == "Microsoft YaHei"
    assert fonts.choose_family(["Arial", "SimSun"], bundled) == "SimSun"
    assert fonts.choose_family(["Arial"], bundled) == "WenQuanYi Micro Hei"
    assert app.font().families()[0] in fonts.SYSTEM_PREFERRED + tuple(bundled)
    assert set(bundled) <= set(app.font().families())  # the bundled faces back up rare characters
    assert app.applicationName() == "govis" and app.organizationName() == "govis"
