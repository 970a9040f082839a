"""帮助 → 自检: the self-test runs on a worker thread, its rows fill in step by step, a failure is named."""

import dataclasses
import os
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop_app.documents.filled import DOCUMENTS  # every printed kind (the count grows with new kinds)
from desktop_app.selftest import runner
from desktop_app.services import audit
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.selftest_dialog import SelfTestDialog
from tests.ui.conftest import TODAY

# docs/screenshots/selftest-dialog*.png: with GOVIS_SHOTS=docs/screenshots (a test run never writes there)
SHOTS = Path(os.environ.get("GOVIS_SHOTS") or tempfile.mkdtemp(prefix="govis-shots-"))


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_help_menu_runs_the_selftest_with_progress(app, qtbot, shell_county, dialogs, scratch, tmp_path):
    w = MainWindow(shell_county.session, shell_county.path,
                   QSettings(str(tmp_path / "govis.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    head = audit.head(shell_county.session.store)
    help_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "帮助(&H)")
    entry = next(a for a in help_menu.actions() if a.text() == "自检(&T)…")
    entry.trigger()
    dlg = w.selftest_dialog
    assert dlg.today == shell_county.session.today_override
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=120000)
    n = len(runner.STEPS)
    assert [dlg.state_of(i) for i in range(n)] == ["passed"] * n
    # each row was shown running, then passed, in order
    assert dlg.history == [(i, state) for i in range(n) for state in ("running", "passed")]
    assert dlg.bar.value() == n
    assert dlg.summary.text() == f"自检通过：{n} 项全部正常。"
    assert dlg.steps.item(3).text().startswith(f"4. 打印每种文书并检查字体已嵌入：{len(DOCUMENTS)} 种文书")
    assert dlg.run_button.isEnabled() and dlg.run_button.text() == "重新自检"
    dlg.copy()
    copied = app.clipboard().text().splitlines()
    assert copied[0].startswith("[通过] 1/7 程序资源") and copied[-1] == dlg.summary.text()
    assert list(scratch.iterdir()) == []  # the temporary folder is gone
    assert audit.head(shell_county.session.store) == head  # the open database was not written
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "selftest-dialog.png"))


def test_a_failed_step_is_shown_and_the_rest_not_run(app, qtbot, scratch, monkeypatch):
    def broken(ctx):
        raise runner.S.CheckFailed("县政府办公室收到的数据包签名校验未通过。")

    steps = tuple(dataclasses.replace(s, fn=broken) if s.code == "exchange" else s for s in runner.STEPS)
    monkeypatch.setattr(runner, "STEPS", steps)
    dlg = SelfTestDialog(today=TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.start()
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=120000)
    assert [dlg.state_of(i) for i in range(7)] == ["passed"] * 4 + ["failed"] + ["waiting"] * 2
    assert dlg.steps.item(4).text() == "5. " + dlg.report.failed.text()
    assert "签名校验未通过" in dlg.steps.item(4).text()
    assert "自检未通过：“两个临时安装之间导出、导入数据包”（exchange）失败" in dlg.summary.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "selftest-dialog-failed.png"))
