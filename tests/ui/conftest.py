"""Qt runs offscreen; QSettings and logs go to a temp folder; a small county to drive the shell."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

import datetime as dt
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QSettings

TODAY = dt.date(2028, 2, 1)  # every finding kind (逾期, 违规, 受限, 即将到期) exists on this day
FORMULA_NAME = '=HYPERLINK("http://x")+1 公式样项目'


@pytest.fixture(scope="session", autouse=True)
def _qt_isolation(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qt-user")
    os.environ["GOVIS_LOG_DIR"] = str(folder / "logs")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))
    yield


@pytest.fixture(autouse=True)
def _no_stray_threads():
    """A test that leaves a worker running must not let Qt destroy the running thread."""
    yield
    from desktop_app.ui.worker import stop_all

    stop_all()


@dataclass
class ShellCounty:
    path: str
    session: object
    names: dict = field(default_factory=dict)


@pytest.fixture
def shell_county(tmp_path):
    """Five projects over two units, two years and four statuses, built with the real operations."""
    from desktop_app.services import operations as ops
    from desktop_app.services.session import Session
    from tests.core.builders import accepted, in_construction, make_county, new_project, submitted

    path = str(tmp_path / "county.db")
    c = make_county(path)
    new_project(c, name="县智慧教育云平台")
    new_project(c, c.unit2, name=FORMULA_NAME, plan_year="2026", planned_start="2026-03-01",
                planned_completion="2026-12-31")
    submitted(c, name="县卫生信息平台")
    p = in_construction(c, name="县学校安防视频监控", prohibited_types="surveillance", prohibited_justification="必要")
    # signed a few days before TODAY and not yet filed: due within 5 working days (即将到期)
    ops.add_record(c.store, c.unit, "contract", p["id"], {
        "contract_no": "HT-2028-01", "title": "视频监控设备采购", "supplier": "临沂某科技公司",
        "procurement_method": "open_tender", "amount_fen": "80", "signed_on": "2028-01-28"}, today=TODAY)
    accepted(c, name="县教育资源公共服务平台")
    c.store.close()
    session = Session.open(path)
    session.today_override = TODAY
    yield ShellCounty(path, session)
    session.store.close()


@pytest.fixture
def app(qapp):
    """The configured application (names, Chinese font, translations, logging)."""
    from desktop_app.ui.app import make_app

    return make_app()


class Dialogs:
    """Records every message box instead of showing it."""

    def __init__(self):
        self.shown: list[tuple[str, str, str]] = []

    def texts(self) -> str:
        return "\n".join(f"{k}:{t}:{m}" for k, t, m in self.shown)


@pytest.fixture
def dialogs(monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    rec = Dialogs()

    def fake(kind, ret=QMessageBox.StandardButton.Ok):
        def show(parent, title, text, *a, **k):
            rec.shown.append((kind, title, text))
            return ret
        return show

    for kind in ("information", "warning", "critical", "about"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(fake(kind)))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(fake("question", QMessageBox.StandardButton.Yes)))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: rec.shown.append(("exec", self.windowTitle(), self.text())) or 0)
    return rec


@pytest.fixture
def town(tmp_path):
    """A small county (tests/ui/project_fixtures.make_town) for the project window's tests."""
    from tests.ui import project_fixtures as F

    t = F.make_town(tmp_path / "county.db")
    yield t
    t.store.close()
