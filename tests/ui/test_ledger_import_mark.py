"""The 由台账导入 mark in the project window, and clearing it (核对无误) through the operation."""

from __future__ import annotations

import datetime as dt

from desktop_app.services import ledger_import as L
from desktop_app.services.session import Session
from desktop_app.ui.project_window import ProjectWindow
from tests.core.builders import actor_for, make_county
from tests.core.ledger_files import messy_ledger

TODAY = dt.date(2026, 11, 26)


def _imported(tmp_path):
    c = make_county(tmp_path / "county.db")
    plan = L.preview(c.store, messy_ledger(tmp_path / "台账.xlsx"), today=TODAY)
    L.apply(c.store, c.county, plan, today=TODAY)
    pid = c.store.one("SELECT project_id FROM ledger_imports ORDER BY sheet_row")["project_id"]
    return c, pid


def test_the_mark_shows_until_someone_checks_the_project(app, qtbot, tmp_path):
    c, pid = _imported(tmp_path)
    w = ProjectWindow(Session(c.store, c.county), pid)
    qtbot.addWidget(w)
    assert w.mark_box.isVisibleTo(w) and "由台账导入" in w.ledger_mark.text() and "台账.xlsx" in w.ledger_mark.text()
    assert w.review_button.isEnabled()
    w.review_button.click()
    assert not w.mark_box.isVisibleTo(w)
    assert c.store.one("SELECT reviewed_by FROM ledger_imports WHERE project_id=?", (pid,))["reviewed_by"] == c.county.user
    assert c.store.one("SELECT COUNT(*) AS n FROM audit_log WHERE operation='核对台账导入项目'")["n"] == 1


def test_a_clerk_sees_the_mark_but_may_not_clear_it(app, qtbot, tmp_path):
    c, pid = _imported(tmp_path)
    clerk = actor_for(c.store, c.county.org_code, user_role="clerk")
    w = ProjectWindow(Session(c.store, clerk), pid)
    qtbot.addWidget(w)
    assert w.mark_box.isVisibleTo(w)
    assert not w.review_button.isEnabled() and "经办人" in w.review_button.toolTip()
