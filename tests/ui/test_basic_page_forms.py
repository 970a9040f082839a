"""The 基本信息 page of a new or existing project: the plan year still open, every error at once,
fields the status locks read-only before typing (issue 11, items 1-3)."""

import datetime as dt
import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest

from desktop_app.ui.project_window import ProjectWindow
from tests.ui import project_fixtures as F


@pytest.fixture
def town(tmp_path):
    t = F.make_town(tmp_path / "county.db")
    yield t
    t.store.close()


@pytest.fixture(autouse=True)
def no_modal_confirm(monkeypatch):
    monkeypatch.setattr(ProjectWindow, "ask_discard", classmethod(lambda cls, parent: True))


def open_window(qtbot, session, pid, tab="basic"):
    w = ProjectWindow(session, pid, tab)
    qtbot.addWidget(w)
    w.show()
    return w


def new_form(qtbot, session, today):
    session.today_override = today
    w = open_window(qtbot, session, None)
    return w, w.pages["basic"].form


# ---- 1. the plan year still open ------------------------------------------------------------------

def test_new_project_defaults_to_the_year_still_open_on_both_sides_of_the_deadline(qtbot, town):
    _, form = new_form(qtbot, town.unit, dt.date(2026, 8, 31))  # the 2027 round's last day
    assert form.values()["plan_year"] == "2027"
    assert "MY-2027-001" in form.editor("code").edit.placeholderText()
    _, form = new_form(qtbot, town.unit, dt.date(2026, 11, 26))  # 2027 closed on 2026-08-31
    assert form.values()["plan_year"] == "2028"
    assert "MY-2028-001" in form.editor("code").edit.placeholderText()


def test_the_code_shown_follows_the_year_until_the_first_save(qtbot, town):
    F.draft(town, plan_year="2029", planned_start="2029-03-01", planned_completion="2029-12-31")
    w, form = new_form(qtbot, town.unit, dt.date(2026, 11, 26))
    code = form.editor("code").edit
    assert "MY-2028-001" in code.placeholderText()
    form.editor("plan_year").spin.setValue(2029)  # as the clerk steps the year
    assert "MY-2029-002" in code.placeholderText() and "2028" not in code.placeholderText()
    for name, raw in {**F.PROJECT, "name": "县教育数据中台", "plan_year": "2029", "planned_start": "2029-03-01",
                      "planned_completion": "2029-12-31"}.items():
        form.set_value(name, raw)
    assert w.save_basic()
    assert town.store.get("project", w.project_id)["code"] == "MY-2029-002"
    assert form.values()["code"] == "MY-2029-002"
