"""The 基本信息 page of a new or existing project: the plan year still open, every error at once,
fields the status locks read-only before typing (issue 11, items 1-3)."""

import datetime as dt
import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from desktop_app.ui.project_window import ProjectWindow
from tests.core.dbstate import snapshot
from tests.ui import project_fixtures as F


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


def test_the_code_is_not_marked_required_on_a_new_project_but_is_once_it_has_one(qtbot, town):
    """A new project may be saved without a code (it is numbered on save): no 必填 star; a saved project's code
    cannot be emptied: the star is back."""
    def label(form, name) -> str:
        return form.layout_.labelForField(form.editor(name).parentWidget()).text()

    _, form = new_form(qtbot, town.unit, dt.date(2026, 11, 26))
    assert label(form, "code") == "项目编号：" and label(form, "name") == "项目名称 *："
    p = F.draft(town)
    w = open_window(qtbot, town.unit, p["id"])
    assert label(w.pages["basic"].form, "code") == "项目编号 *："


# ---- 2. every error at once -----------------------------------------------------------------------

def test_saving_shows_every_fields_error_at_once_next_to_its_field(qtbot, town, tmp_path):
    w, form = new_form(qtbot, town.unit, dt.date(2026, 11, 26))
    w.resize(1180, 1100)
    for name, raw in {"total_investment_fen": "100", "fiscal_share_fen": "150", "responsible_person": "张明",
                      "planned_start": "2028-03-01", "planned_completion": "2028-01-31"}.items():
        form.set_value(name, raw)
    before = snapshot(town.store)
    assert not w.save_basic()
    assert snapshot(town.store) == before
    shown = {name for name in form.errors if form.error_text(name)}
    # 名称 and 建设类型 (parse), 设计建设周期 (date order), 财政资金 > 总投资 (money): one save, one look
    assert {"name", "category", "planned_completion", "fiscal_share_fen"} <= shown
    assert "必填" in form.error_text("category")
    assert form.error_text("fiscal_share_fen") == "财政资金不能大于总投资"
    assert "不能早于" in form.error_text("planned_completion")
    assert "红字" in w.statusBar().currentMessage()
    target = os.environ.get("GOVIS_SHOTS")  # set to save the screenshot for docs/screenshots
    w.grab().save(str(tmp_path / "basic-errors.png"))
    if target:
        w.grab().save(os.path.join(target, "project-basic-all-errors.png"))


# ---- 3. locked before typing ----------------------------------------------------------------------

def hover_tip(widget) -> str:
    """The tooltip a clerk sees when resting the mouse on `widget` (Qt asks the widget, then its parents)."""
    centre = widget.rect().center()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, widget.mapToGlobal(centre))
    QApplication.sendEvent(widget, event)
    return QToolTip.text() if event.isAccepted() else ""  # not accepted: no widget up the chain had one


def test_after_submission_locked_fields_refuse_typing_and_say_why_on_hover(qtbot, town):
    p = F.draft(town)
    F.add_materials(town, p["id"])
    town.unit.transition(p["id"], "submit")
    w = open_window(qtbot, town.unit, p["id"])
    form = w.pages["basic"].form
    total = form.editor("total_investment_fen").edit
    qtbot.keyClicks(total, "999")  # the case: 999 typed after 提交申报
    assert form.values()["total_investment_fen"] == "120" and not w.pages["basic"].dirty
    tip = hover_tip(total)
    assert "设计变更" in tip and "第四条" in tip
    # every kind of editor the status locks: a choice, the year, a date, the check boxes
    assert not form.editor("category").combo.isEnabled() and "第四条" in hover_tip(form.editor("category").combo)
    assert form.editor("plan_year").spin.isReadOnly()
    assert form.editor("planned_completion").edit.isReadOnly()
    assert not form.editor("prohibited_types").focus_widget().isEnabled()
    # what the status leaves open stays open, without a lock tooltip
    contact = form.editor("contact").edit
    assert not contact.isReadOnly() and hover_tip(contact) == ""


def test_a_new_project_form_locks_what_its_first_save_could_not_take(qtbot, town):
    _, form = new_form(qtbot, town.unit, dt.date(2026, 11, 26))
    delay = form.editor("delay_explanation").edit
    assert delay.isReadOnly() and "草稿" in hover_tip(delay) and "第四条" in hover_tip(delay)
    assert not form.editor("lead_org_id").combo.isEnabled()  # a unit creates in its own name
    assert "本单位名义" in hover_tip(form.editor("lead_org_id").combo)
    assert not form.editor("name").edit.isReadOnly() and hover_tip(form.editor("name").edit) == ""
    # the county office never writes 未按期完成的说明: locked with who writes it, and its project saves
    wc, cform = new_form(qtbot, town.county, dt.date(2026, 11, 26))
    assert cform.editor("delay_explanation").edit.isReadOnly()
    assert "申报单位" in hover_tip(cform.editor("delay_explanation").edit)
    assert cform.editor("lead_org_id").combo.isEnabled()  # the county office names the lead unit
    for name, raw in {**F.PROJECT, "lead_org_id": "蒙阴县教育和体育局"}.items():
        cform.set_value(name, raw)
    assert wc.save_basic(), cform.message.text()
