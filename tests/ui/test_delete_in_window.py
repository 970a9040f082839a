"""Issue 11 item 6: the owner deletes a draft project, or a record not yet sent, after confirming; the
deletion is one audited operation; nothing sent, submitted or someone else's offers deletion."""

import json
import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest
from PySide6.QtCore import Qt

from desktop_app.models.kinds import KINDS
from desktop_app.ui.project_window import ProjectWindow
from tests.core.dbstate import snapshot
from tests.ui import project_fixtures as F


@pytest.fixture
def asked(monkeypatch):
    """Answers the confirmation with `answer[0]` and keeps what it asked."""
    seen = {"answer": True, "texts": []}

    def ask(cls, parent, title, text):
        seen["texts"].append((title, text))
        return seen["answer"]

    monkeypatch.setattr(ProjectWindow, "ask_delete", classmethod(ask))
    return seen


def window(qtbot, session, pid, tab="basic"):
    w = ProjectWindow(session, pid, tab)
    qtbot.addWidget(w)
    w.show()
    return w


def last_entry(store):
    return store.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")


def test_unit_deletes_its_draft_after_confirming(qtbot, town, asked):
    p = F.draft(town)
    F.add_materials(town, p["id"])
    w = window(qtbot, town.unit, p["id"])
    assert w.delete_button.isVisible() and w.delete_button.isEnabled()
    asked["answer"] = False  # 取消: nothing happens
    before = snapshot(town.store)
    qtbot.mouseClick(w.delete_button, Qt.MouseButton.LeftButton)
    assert snapshot(town.store) == before
    title, text = asked["texts"][0]
    assert title == "删除项目草稿" and p["code"] in text and "8条记录" in text and "操作日志" in text
    asked["answer"] = True
    with qtbot.waitSignal(w.changed, timeout=2000) as sig:
        qtbot.mouseClick(w.delete_button, Qt.MouseButton.LeftButton)
    assert sig.args == [p["id"]]
    assert town.store.find("project", p["id"]) is None
    assert not town.store.for_project("material", p["id"])
    entry = last_entry(town.store)
    assert entry["operation"] == "删除项目" and entry["actor"] == "clerk"
    assert json.loads(entry["before"])["project"]["code"] == p["code"]
    assert not w.isVisible()  # the window of a deleted project closes


def test_delete_a_record_not_yet_sent(qtbot, town, asked):
    p = F.draft(town)
    F.add_materials(town, p["id"])
    w = window(qtbot, town.unit, p["id"], "materials")
    page = w.pages["materials"]
    button = page.delete_buttons["investment_history"]
    assert not button.isEnabled() and "请先在表中选择" in button.toolTip()
    sec = w.section("investment_history")
    sec.table.selectRow(0)
    assert button.isEnabled()
    doomed = sec.selected_row()
    with qtbot.waitSignal(w.changed, timeout=2000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert asked["texts"][-1][0] == f"删除{KINDS['investment_history'].label}"
    assert town.store.find("investment_history", doomed["id"]) is None
    assert sec.model.rowCount() == 2
    entry = last_entry(town.store)
    assert entry["record_id"] == doomed["id"] and json.loads(entry["before"])["id"] == doomed["id"]


def test_sent_submitted_or_others_offer_no_deletion(qtbot, town, asked):
    p = F.draft(town)
    F.add_materials(town, p["id"])
    rec = town.store.for_project("material", p["id"])[0]
    town.store.conn.execute("INSERT INTO exchange_sent (peer_org, item, version) VALUES ('MYXZF', ?, '1')",
                            (f"material:{rec['id']}",))  # as an export records it
    town.store.conn.commit()
    w = window(qtbot, town.unit, p["id"], "materials")
    assert not w.delete_button.isEnabled() and "已通过数据包报送" in w.delete_button.toolTip()
    sec = w.section("material")
    row = next(i for i in range(sec.model.rowCount()) if sec.model.row(i)["id"] == rec["id"])
    sec.table.selectRow(row)
    button = w.pages["materials"].delete_buttons["material"]
    assert not button.isEnabled() and "已通过数据包报送" in button.toolTip()

    town.unit.transition(p["id"], "submit")
    w.refresh()
    assert w.delete_button.isHidden()  # a submitted project is never deleted: no button
    county = window(qtbot, town.county, p["id"], "materials")
    assert county.delete_button.isHidden()  # the county office did not draft it
    assert "material" not in county.pages["materials"].delete_buttons  # nor writes materials
    finance = window(qtbot, town.finance, p["id"])
    assert finance.delete_button.isHidden()
