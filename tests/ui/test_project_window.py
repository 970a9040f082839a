"""The project window driven through real widgets (offscreen) against a real county database."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QDesktopServices, QInputMethodEvent
from PySide6.QtWidgets import QApplication

from desktop_app.models.kinds import KINDS
from desktop_app.ui import actions as actions_mod
from desktop_app.ui.forms import RecordForm, wan_text
from desktop_app.ui.project_window import ProjectWindow
from tests.core.dbstate import snapshot
from tests.ui import project_fixtures as F


@pytest.fixture(autouse=True)
def no_modal_confirm(monkeypatch):
    monkeypatch.setattr(actions_mod.ActionBar, "confirm", classmethod(lambda cls, parent, title, text: True))
    monkeypatch.setattr(ProjectWindow, "ask_discard", classmethod(lambda cls, parent: True))


def open_window(qtbot, session, pid, tab="basic"):
    w = ProjectWindow(session, pid, tab)
    qtbot.addWidget(w)
    w.show()
    return w


def status_of(town, pid):
    return town.store.get("project", pid)["status"]


def act(qtbot, w, action, values=None):
    """Click an action button; fill and save its form if it has one."""
    button = w.actions_bar.buttons[action]
    assert button.isEnabled(), button.toolTip()
    if values is None:  # no form: a (patched) confirmation, then the core
        with qtbot.waitSignal(w.changed, timeout=2000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        return
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dlg = w.actions_bar.dialog
    for name, raw in values.items():
        dlg.form.set_value(name, raw)
    with qtbot.waitSignal(w.changed, timeout=2000):
        assert dlg.save(), dlg.form.message.text()


def type_chinese(widget, text):
    """Chinese arrives through the input method (QTest.keyClicks handles ASCII only)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def add_via_dialog(qtbot, w, kind, values):
    sec = w.section(kind)
    assert not sec.add_button.isHidden(), sec.note.text()
    dlg = sec.open_add()
    for name, raw in values.items():
        dlg.form.set_value(name, raw)
    return dlg


# ---- creating a project -------------------------------------------------------------------------

def test_new_project_shows_errors_next_to_fields_then_saves(qtbot, town):
    w = open_window(qtbot, town.unit, None)
    assert w.windowTitle().startswith("新建项目")
    assert not w.tabs.isTabEnabled(1) and not w.actions_bar.isVisible()
    form = w.pages["basic"].form
    for name, raw in {"category": "新建", "total_investment_fen": "120.5", "fiscal_share_fen": "100",
                      "planned_start": "2028-03-01", "planned_completion": "2028-01-31"}.items():
        form.set_value(name, raw)
    before = snapshot(town.store)
    assert not w.save_basic()
    assert "项目名称" in form.error_text("name") and "必填" in form.error_text("name")
    assert not form.errors["name"].isHidden()
    assert "不能早于" in form.error_text("planned_completion")  # the date order, in the same save
    assert snapshot(town.store) == before  # nothing written
    type_chinese(form.editor("name").edit, "县智慧教育云平台")
    assert form.error_text("name") == ""  # cleared on edit
    assert "不能早于" in form.error_text("planned_completion")  # the others stay until edited
    assert not w.save_basic()
    assert "不能早于" in form.error_text("planned_completion") and form.error_text("name") == ""
    form.set_value("planned_completion", "2028-12-31")
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    with qtbot.waitSignal(w.changed, timeout=2000) as sig:
        qtbot.keyClick(form.editor("name").edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S
    pid = sig.args[0]
    p = town.store.get("project", pid)
    assert (p["name"], p["total_investment_fen"], p["status"]) == ("县智慧教育云平台", 120_500_000, "draft")
    assert p["code"] == "MY-2028-001" and p["lead_org_id"] == town.unit.actor.org_id
    assert w.project_id == pid and w.tabs.isTabEnabled(1) and "MY-2028-001" in w.windowTitle()
    assert form.values()["total_investment_fen"] == "120.5"


def test_money_field_rejects_minus_sign_and_round_trips_exactly(qtbot):
    form = RecordForm(KINDS["contract"])
    qtbot.addWidget(form)
    qtbot.keyClicks(form.editor("amount_fen").edit, "-12.345678")
    assert form.values()["amount_fen"] == "12.345678"  # the validator refuses '-'
    assert wan_text(120_500_000) == "120.5" and wan_text(1) == "0.000001" and wan_text(0) == "0"
    assert form.values()["filed_on"] == "" and form.values()["signed_on"]  # optional empty, required today


# ---- lifecycle through the action bar -----------------------------------------------------------

def test_disabled_action_explains_why_with_clause(qtbot, town):
    p = F.draft(town)
    w = open_window(qtbot, town.unit, p["id"])
    submit = w.actions_bar.buttons["submit"]
    assert not submit.isEnabled()
    assert "申请材料不全" in submit.toolTip() and "第二条" in submit.toolTip()
    QApplication.sendEvent(submit, QEvent(QEvent.Type.Enter))  # hovering the disabled button
    assert "申请材料不全" in w.actions_bar.status.text() and "第二条" in w.actions_bar.status.text()
    QApplication.sendEvent(submit, QEvent(QEvent.Type.Leave))
    assert "申请材料不全" not in w.actions_bar.status.text()
    w.actions_bar.why.linkActivated.emit("why")  # the 为什么不能办理？ link
    assert "「提交申报」：申请材料不全" in w.actions_bar.status.text()
    assert any("申请材料不全" in t and "第二条" in t for t in w.pages["materials"].findings.texts())


def test_project_through_review_funding_construction_and_acceptance(qtbot, town):
    p = F.draft(town)
    pid = p["id"]
    unit = open_window(qtbot, town.unit, pid, "materials")
    dlg = add_via_dialog(qtbot, unit, "material", {"material_type": "项目申请报告", "title": ""})
    assert not dlg.save() and "必填" in dlg.form.error_text("title")
    dlg.form.set_value("title", "县智慧教育云平台项目申请报告")
    with qtbot.waitSignal(unit.changed, timeout=2000):
        assert dlg.save()
    assert unit.section("material").model.cell(0, 0) == "项目申请报告"
    F.add_materials(town, pid)  # the rest through the core
    unit.refresh()
    act(qtbot, unit, "submit")
    assert status_of(town, pid) == "submitted" and "已申报" in unit.header.text()

    county = open_window(qtbot, town.county, pid, "review")
    act(qtbot, county, "start_review")
    county.actions_bar.run("record_review")
    dlg = county.actions_bar.dialog
    for name, raw in {"method": "集中评审", "conclusion": "通过", "approved_investment_fen": "100"}.items():
        dlg.form.set_value(name, raw)
    assert not dlg.save() and "必填" in dlg.form.error_text("opinion")
    assert status_of(town, pid) == "under_review"
    dlg.form.set_value("opinion", "同意建设，核定投资100万元")
    with qtbot.waitSignal(county.changed, timeout=2000):
        assert dlg.save()
    assert status_of(town, pid) == "approved"
    assert county.section("review").model.cell(0, 0) == "1"

    finance = open_window(qtbot, town.finance, pid, "review")
    assert not finance.pages["basic"].save_button.isEnabled()  # finance cannot edit the application
    act(qtbot, finance, "fund", {"approved_fen": "100", "budget_year": "2028", "opinion": "同意"})
    assert status_of(town, pid) == "planned"

    unit.refresh()
    act(qtbot, unit, "start_construction")
    assert status_of(town, pid) == "in_construction"
    unit.show_tab("construction")
    assert unit.current_tab() == "construction"
    dlg = add_via_dialog(qtbot, unit, "contract", {
        "contract_no": "MYJY-2026-018", "title": "软件开发合同", "supplier": "山东某信息技术有限公司",
        "procurement_method": "公开招标", "amount_fen": "68.5", "signed_on": "2026-11-20"})
    with qtbot.waitSignal(unit.changed, timeout=2000):
        qtbot.keyClick(dlg, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier) if dlg.isActiveWindow() else dlg.save()
    texts = unit.pages["construction"].findings.texts()
    assert any("MYJY-2026-018" in t and "2026-11-27" in t and "第四条" in t for t in texts), texts
    sec = unit.section("contract")
    assert sec.model.cell(0, 4) == "68.50" and sec.model.cell(0, 3) == "公开招标"
    assert sec.model.cell(0, len(KINDS["contract"].fields)).startswith("2026-11-27")

    accept = unit.actions_bar.buttons["request_acceptance"]
    assert not accept.isEnabled() and "安全可控产品" in accept.toolTip()
    dlg = add_via_dialog(qtbot, unit, "controllable_product",
                         {"product": "国产服务器 X100", "category": "服务器", "controllable": "是"})
    with qtbot.waitSignal(unit.changed, timeout=2000):
        assert dlg.save()
    act(qtbot, unit, "request_acceptance", {"applied_on": "2026-11-24", "summary": "已完成全部建设内容"})
    assert status_of(town, pid) == "acceptance_requested"
    assert "已申请验收" in unit.header.text()
    history = unit.pages["history"].model
    ops = [history.cell(i, 2) for i in range(history.rowCount())]
    assert ops[0] == "申请验收" and "提交申报" in ops and "新建项目" in ops


def test_refused_action_shows_core_message_and_changes_nothing(qtbot, town):
    p = F.in_construction(town)
    town.unit.add_record("controllable_product", p["id"],
                         {"product": "国产服务器", "category": "服务器", "controllable": "1"})
    town.unit.transition(p["id"], "request_acceptance", {"applied_on": "2026-11-24"})
    w = open_window(qtbot, town.county, p["id"], "acceptance")
    w.actions_bar.run("record_acceptance")
    dlg = w.actions_bar.dialog
    for name, raw in {"group_members": "王五、赵六", "conclusion": "通过验收", "controllable_ok": "不符合"}.items():
        dlg.form.set_value(name, raw)
    before = snapshot(town.store)
    assert not dlg.save()
    assert "安全可控" in dlg.form.message.text() and "第九条" in dlg.form.message.text()
    assert snapshot(town.store) == before and dlg.isVisible()
    dlg.reject()


# ---- permissions, attachments, history ----------------------------------------------------------

def test_other_roles_records_are_read_only_with_reason(qtbot, town):
    p = F.in_construction(town)
    w = open_window(qtbot, town.county, p["id"], "construction")
    sec = w.section("contract")
    assert sec.add_button.isHidden() and "由申报单位/建设单位填报" in sec.note.text()
    assert not w.section("inspection").add_button.isHidden()
    review = w.section("review")
    assert "录入评审意见" in review.note.text()  # written through the action, not free-standing
    unit = open_window(qtbot, town.unit, p["id"], "review")
    assert not unit.section("review").edit_button.isEnabled()


def test_attachments_added_listed_and_opened(qtbot, town, tmp_path, monkeypatch):
    p = F.draft(town)
    scan = tmp_path / "申请报告（盖章）.pdf"
    scan.write_bytes(b"%PDF-1.4 test")
    monkeypatch.setattr(ProjectWindow, "choose_file", classmethod(lambda cls, parent: str(scan)))
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    w = open_window(qtbot, town.unit, p["id"], "attachments")
    with qtbot.waitSignal(w.changed, timeout=2000):
        qtbot.mouseClick(w.pages["attachments"].add_button, Qt.MouseButton.LeftButton)
    page = w.pages["attachments"]
    assert page.model.rowCount() == 1 and page.model.cell(0, 0) == scan.name
    page.table.selectRow(0)
    target = w.open_attachment()
    assert opened == [str(target)] and target.read_bytes() == b"%PDF-1.4 test"
    assert target.name == "县智慧教育云平台.pdf"  # bound to the project: opened under the project's name
    assert w.session.attachments(p["id"])[0]["record_kind"] == "project"
    # the material form can now point at the attachment
    dlg = add_via_dialog(qtbot, w, "material", {"material_type": "application_report", "title": "申请报告",
                                                "attachment_id": scan.name})
    with qtbot.waitSignal(w.changed, timeout=2000):
        assert dlg.save()
    assert w.section("material").model.cell(0, 3) == scan.name
    assert w.pages["history"].model.cell(0, 2) == "添加申报材料"


def test_opening_an_attachment_makes_a_copy_named_after_its_record(qtbot, town, tmp_path, monkeypatch):
    from desktop_app.ui.record_table import RecordSection

    p = F.in_construction(town)
    town.unit.add_record("contract", p["id"], {"contract_no": "HT-1", "title": "云平台/采购合同\u202e", "supplier": "某公司",
                                               "procurement_method": "inquiry", "amount_fen": "21.3",
                                               "signed_on": "2026-11-12", "filed_on": "2026-11-16"})
    scan = tmp_path / "IMG_0001 (2).JPG"
    scan.write_bytes(b"\xff\xd8\xff\xe0 stamped contract")
    monkeypatch.setattr(RecordSection, "choose_file", classmethod(lambda cls, parent: str(scan)))
    urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    w = open_window(qtbot, town.unit, p["id"], "construction")
    section = w.section("contract")
    section.table.selectRow(0)
    with qtbot.waitSignal(w.changed, timeout=2000):
        att = section.attach_to_selected()
    assert att["record_kind"] == "contract" and att["filename"] == scan.name
    w.show_tab("attachments")
    page = w.pages["attachments"]
    page.table.selectRow(0)
    target = w.open_attachment()
    assert [u.toLocalFile() for u in urls] == [str(target)]
    assert target.name == "云平台_采购合同.jpg"  # the record's title, cleaned, plus the checked extension
    assert target.read_bytes() == scan.read_bytes()
    assert [f.name for f in target.parent.iterdir()] == [target.name]  # a fresh folder of its own
    second = w.open_attachment()
    assert second.parent != target.parent


def test_refused_attachment_shows_the_chinese_reason_and_changes_nothing(qtbot, town, tmp_path, monkeypatch,
                                                                         dialogs):
    p = F.draft(town)
    evil = tmp_path / "项目申请报告\u202efdp.exe"
    evil.write_bytes(b"MZ\x90\x00")
    monkeypatch.setattr(ProjectWindow, "choose_file", classmethod(lambda cls, parent: str(evil)))
    w = open_window(qtbot, town.unit, p["id"], "attachments")
    before = snapshot(town.store)
    qtbot.mouseClick(w.pages["attachments"].add_button, Qt.MouseButton.LeftButton)
    assert "不允许的附件类型 .exe" in dialogs.texts() and "项目申请报告fdp.exe" in dialogs.texts()
    assert snapshot(town.store) == before and w.pages["attachments"].model.rowCount() == 0


def test_a_stored_file_that_fails_the_checks_is_not_opened(qtbot, town, monkeypatch, dialogs):
    p = F.draft(town)
    with town.store.tx():  # e.g. written before names and types were checked
        town.store.insert("attachments", {"id": "legacy", "owner_org": town.unit.actor.org_id, "rev": 1,
                                          "created_at": "2026-01-01T00:00:00", "updated_at": "2026-01-01T00:00:00",
                                          "project_id": p["id"], "record_kind": None, "record_id": None,
                                          "filename": "说明.pdf.exe", "media_type": "application/pdf", "size": 4,
                                          "sha256": "0" * 64, "content": b"MZ\x90\x00"})
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    w = open_window(qtbot, town.unit, p["id"], "attachments")
    w.pages["attachments"].table.selectRow(0)
    assert w.open_attachment() is None and opened == []
    assert "不予打开" in dialogs.texts() and ".exe" in dialogs.texts()


def test_attach_dialogs_offer_only_allowed_types():
    from desktop_app.services.attachment_files import ALLOWED
    from desktop_app.ui.record_table import ATTACH_FILTER

    assert all(f"*.{ext}" in ATTACH_FILTER for ext in ALLOWED) and "*.exe" not in ATTACH_FILTER
    assert "(*)" not in ATTACH_FILTER


def test_funds_totals_and_child_records_need_their_parent(qtbot, town):
    p = F.in_construction(town)
    town.unit.add_record("contract", p["id"], {"contract_no": "HT-1", "title": "合同", "supplier": "某公司",
                                               "procurement_method": "inquiry", "amount_fen": "21.3",
                                               "signed_on": "2026-11-12", "filed_on": "2026-11-16"})
    w = open_window(qtbot, town.county, p["id"], "funds")
    header = w.pages["funds"].header.text()
    assert "核定资金 100.00 万元" in header and "合同总额 21.30 万元" in header
    assert w.section("contract").model.cell(0, len(KINDS["contract"].fields)) == "2026-11-19　已完成"
    assert w.section("expert_opinion").add_button.isEnabled()  # a review exists
    d = F.draft(town, name="另一项目")
    w2 = open_window(qtbot, town.county, d["id"], "review")
    sec = w2.section("expert_opinion")
    assert not sec.add_button.isEnabled() and "须先有评审意见" in sec.note.text()


def test_optional_date_is_empty_until_picked_and_steps_from_today(qtbot):
    form = RecordForm(KINDS["contract"], today=F.TODAY)
    qtbot.addWidget(form)
    filed = form.editor("filed_on")
    assert filed.value() == "" and filed.edit.text() == "未填"
    filed.edit.stepBy(1)
    assert filed.value() == "2026-11-24"
    filed.clear_button.click()
    assert filed.value() == ""
    form.set_values({"filed_on": "2026-11-27", "amount_fen": 68_500_000, "procurement_method": "open_tender"})
    assert form.values()["filed_on"] == "2026-11-27" and form.values()["amount_fen"] == "68.5"
    assert form.values()["procurement_method"] == "open_tender"


def test_locked_fields_after_submission_show_the_core_refusal(qtbot, town, monkeypatch):
    p = F.draft(town)
    F.add_materials(town, p["id"])
    town.unit.transition(p["id"], "submit")
    w = open_window(qtbot, town.unit, p["id"])
    page = w.pages["basic"]
    assert "第四条" in page.note.text() and "总投资" in page.note.text()
    # the authority locks 总投资 after submission: read-only, the reason in its tooltip
    editor = page.form.editor("total_investment_fen")
    assert editor.edit.isReadOnly() and "设计变更" in editor.toolTip() and "第四条" in editor.toolTip()
    assert not page.form.editor("contact").edit.isReadOnly()
    # a value forced into the locked editor is never sent: saving changes nothing
    page.form.set_value("total_investment_fen", "150")
    before = snapshot(town.store)
    assert w.save_basic()
    assert snapshot(town.store) == before
    # unsaved edits survive a save elsewhere in the window, and closing asks first
    page.form.set_value("contact", "0539-4279999")
    page.dirty = True
    town.unit.add_record("security_record", p["id"], {"security_kind": "risk_assessment", "done_on": "2026-11-20"})
    w.refresh()
    assert page.form.values()["contact"] == "0539-4279999"
    asked = []
    monkeypatch.setattr(ProjectWindow, "ask_discard", classmethod(lambda cls, parent: asked.append(1) or False))
    assert not w.close() and asked and w.isVisible()
    page.form.set_value("contact", "0539-4270000")
    with qtbot.waitSignal(w.changed, timeout=2000):
        assert w.save_basic()
    assert town.store.get("project", p["id"])["contact"] == "0539-4270000" and not page.dirty


def test_a_write_redraws_only_the_tables_it_changed(qtbot, town, monkeypatch):
    """The operation returns what it changed (OpChanges); the window redraws those tables, not all."""
    from desktop_app.ui.record_table import RecordSection
    p = F.in_construction(town)
    w = open_window(qtbot, town.unit, p["id"], tab="construction")
    redrawn = []
    original = RecordSection.refresh
    monkeypatch.setattr(RecordSection, "refresh", lambda self, view: (redrawn.append(self.kind.name),
                                                                      original(self, view)))
    dlg = add_via_dialog(qtbot, w, "contract", {
        "contract_no": "HT-9", "title": "运维服务", "supplier": "某公司", "procurement_method": "open_tender",
        "amount_fen": "5", "signed_on": "2026-11-20"})
    assert dlg.save()
    assert "contract" in redrawn and "material" not in redrawn and "disbursement" not in redrawn
    assert any(r["contract_no"] == "HT-9" for r in w.section("contract").model.rows)
    # an action moves the status: then everything is redrawn (what may be added depends on it)
    redrawn.clear()
    w.refresh(None)
    assert "material" in redrawn


def test_suspend_dialog_asks_only_what_the_county_office_types(qtbot, town):
    """Issue case 8: the 暂停建设 form has no 处理方式 (the action sets it) and no 解除日期 (lifting is
    its own step), so a suspension cannot be imposed already lifted; the form comes from the authority."""
    p = F.in_construction(town)
    w = open_window(qtbot, town.county, p["id"])
    dlg = w.actions_bar._dialog(actions_mod.machine.TRANSITIONS["suspend"], p["id"])
    assert "sanction_kind" not in dlg.form.editors and "lifted_on" not in dlg.form.editors
    assert {"imposed_on", "reason"} <= set(dlg.form.editors)
    dlg.form.set_value("reason", "工程严重逾期")
    assert dlg.save()
    [s] = town.store.for_project("sanction", p["id"])
    assert s["sanction_kind"] == "suspend" and s["lifted_on"] is None
