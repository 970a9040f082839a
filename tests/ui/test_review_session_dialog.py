"""评审会 in the window: a session with two experts scoring one application, driven through the real
widgets (forms, the score grid, the conclusion form); the conclusion moves the project on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_app.services import operations as ops
from desktop_app.services.session import Session
from desktop_app.ui.review_session_dialog import OUTLIER, ReviewSessionDialog
from tests.core.builders import D, actor_for, make_county, submitted


@pytest.fixture
def review_county(tmp_path):
    path = str(tmp_path / "county.db")
    c = make_county(path)
    for name in ("县智慧教育云平台", "县卫生健康信息平台"):
        p = submitted(c, name=name)
        ops.transition(c.store, c.county, p["id"], "start_review", today=D(2026, 9, 10))
    c.store.close()
    session = Session.open(path)
    session.today_override = D(2026, 9, 20)
    yield session
    session.store.close()


def _fill_and_ok(values: dict):
    def run(dialog):
        for name, value in values.items():
            dialog.form.set_value(name, value)
        dialog.ok.click()
        return dialog.result() == dialog.DialogCode.Accepted
    return run


def _type(table, row, col, text):
    table.item(row, col).setText(text)


def test_a_session_with_two_experts_scores_and_concludes(app, qtbot, review_county, monkeypatch, tmp_path):
    dlg = ReviewSessionDialog(review_county)
    qtbot.addWidget(dlg)
    assert "还没有评审会" in dlg.info.text() and not dlg.btn_expert.isVisible()

    monkeypatch.setattr(dlg, "run_dialog", _fill_and_ok(
        {"title": "2027年度第一次集中评审", "held_on": "2026-09-20", "venue": "县政府第三会议室", "method": "集中评审"}))
    dlg.btn_new.click()
    assert dlg.sessions.count() == 1 and "必要性（权重25）" in dlg.info.text()
    for name, field, where in (("王建国", "信息化", "临沂大学 教授"), ("李秀英", "财务", "县审计局 高级审计师")):
        monkeypatch.setattr(dlg, "run_dialog", _fill_and_ok({"name": name, "field": field, "affiliation": where}))
        dlg.btn_expert.click()
    assert dlg.experts.rowCount() == 2
    for code in ("MY-2027-001", "MY-2027-002"):
        monkeypatch.setattr(dlg, "ask_project", lambda items, code=code: next(i for i in items if i.startswith(code)))
        dlg.btn_assign.click()
    assert dlg.apps.rowCount() == 2 and dlg.apps.item(0, 6).text() == "待形成结论"

    dlg.apps.selectRow(0)
    grid = dlg.scores
    assert [grid.horizontalHeaderItem(c).text() for c in range(1, 6)] == [
        "必要性（25）", "可行性（25）", "整合共享（20）", "投资合理性（15）", "安全保障（15）"]
    for c, v in enumerate(("90", "80", "70", "60", "100"), start=1):
        _type(grid, 0, c, v)
    _type(grid, 0, 8, "建设必要，建议压缩硬件投资")
    for c, v in enumerate(("80", "80", "80", "80", "101"), start=1):
        _type(grid, 1, c, v)
    _type(grid, 1, 8, "补充密码应用方案")
    dlg.btn_save.click()
    # the first expert's row is saved, the second is refused with the reason, in Chinese
    assert "专家李秀英的评分未保存" in dlg.message.text() and "0至100的整数" in dlg.message.text()
    grid = dlg.scores
    assert grid.item(0, 6).text() == "80.5" and grid.item(1, 6).text() == "未评分"
    assert grid.item(1, 5).text() == "101" and grid.item(1, 8).text() == "补充密码应用方案"  # kept to correct
    for c, v in enumerate(("80", "80", "80", "80", "80"), start=1):
        _type(grid, 1, c, v)
    _type(grid, 1, 8, "补充密码应用方案")
    dlg.btn_save.click()
    assert dlg.message.text() == ""
    assert [dlg.scores.item(r, 6).text() for r in (0, 1)] == ["80.5", "80.0"]
    assert dlg.scores.item(0, 7).text() != OUTLIER  # two experts: no one is the odd one out
    assert "平均分 80.3，极差 0.5" in dlg.panel.text()
    assert dlg.apps.item(0, 4).text() == "80.3"
    dlg.resize(1280, 800)
    # docs/screenshots/review-session.png: GOVIS_SHOTS=docs/screenshots pytest tests/ui/test_review_session_dialog.py
    assert dlg.grab().save(str(Path(os.environ.get("GOVIS_SHOTS") or tmp_path) / "review-session.png"))

    changed = []
    dlg.changed.connect(changed.append)
    monkeypatch.setattr(dlg, "run_dialog", _fill_and_ok(
        {"conclusion": "通过", "opinion": "同意建设，按核定投资实施", "approved_investment_fen": "95"}))
    dlg.btn_conclude.click()
    assert changed and changed[0].status
    assert dlg.apps.item(0, 6).text() == "第1轮：通过"
    assert not dlg.btn_save.isEnabled() and not dlg.btn_conclude.isEnabled()
    assert not dlg.scores.item(0, 1).flags() & Qt.ItemFlag.ItemIsEditable
    assert review_county.store.one("SELECT status FROM projects WHERE code='MY-2027-001'")["status"] == "approved"


def test_a_refused_form_stays_open_with_the_reason(app, qtbot, review_county, monkeypatch):
    dlg = ReviewSessionDialog(review_county)
    qtbot.addWidget(dlg)
    seen = {}

    def run(dialog):
        dialog.form.set_value("venue", "会议室")
        dialog.ok.click()
        seen["title"] = dialog.form.error_text("title")
        return dialog.result() == dialog.DialogCode.Accepted

    monkeypatch.setattr(dlg, "run_dialog", run)
    dlg.btn_new.click()
    assert "评审会名称" in seen["title"] and dlg.sessions.count() == 0


def test_a_clerk_cannot_conclude_and_is_told_why(app, qtbot, review_county):
    review_county.actor = actor_for(review_county.store, "MYXZF", user_role="clerk")
    dlg = ReviewSessionDialog(review_county)
    qtbot.addWidget(dlg)
    assert not dlg.btn_conclude.isEnabled() and "审核人" in dlg.btn_conclude.toolTip()
    assert dlg.btn_new.isEnabled()


def _ready_session(dlg, monkeypatch):
    monkeypatch.setattr(dlg, "run_dialog", _fill_and_ok(
        {"title": "2027年度第一次集中评审", "held_on": "2026-09-20", "venue": "县政府第三会议室", "method": "集中评审"}))
    dlg.btn_new.click()
    for name in ("王建国", "李秀英"):
        monkeypatch.setattr(dlg, "run_dialog", _fill_and_ok({"name": name}))
        dlg.btn_expert.click()
    for code in ("MY-2027-001", "MY-2027-002"):
        monkeypatch.setattr(dlg, "ask_project", lambda items, code=code: next(i for i in items if i.startswith(code)))
        dlg.btn_assign.click()


def test_an_expert_is_removed_and_a_project_withdrawn_after_confirming(app, qtbot, review_county, monkeypatch):
    dlg = ReviewSessionDialog(review_county)
    qtbot.addWidget(dlg)
    _ready_session(dlg, monkeypatch)
    dlg.apps.selectRow(0)
    for c in range(1, 6):
        _type(dlg.scores, 1, c, "80")
    _type(dlg.scores, 1, 8, "误录的评分")
    dlg.btn_save.click()
    asked = []
    monkeypatch.setattr(dlg, "confirm", lambda title, text: asked.append(text) or False)
    dlg.experts.selectRow(1)
    dlg.btn_remove_expert.click()
    assert "李秀英" in asked[0] and "MY-2027-001评分" in asked[0] and "一并删除" in asked[0]
    assert dlg.experts.rowCount() == 2  # said no: nothing changed
    monkeypatch.setattr(dlg, "confirm", lambda title, text: asked.append(text) or True)
    dlg.experts.selectRow(1)
    dlg.btn_remove_expert.click()
    assert dlg.experts.rowCount() == 1 and dlg.experts.item(0, 0).text() == "王建国"
    dlg.apps.selectRow(1)
    dlg.btn_unassign.click()
    assert "MY-2027-002" in asked[-1] and "仍为评审中" in asked[-1]
    assert dlg.apps.rowCount() == 1 and dlg.apps.item(0, 0).text() == "MY-2027-001"
    st = review_county.store.one("SELECT status FROM projects WHERE code='MY-2027-002'")["status"]
    assert st == "under_review"


def test_a_concluded_project_is_not_withdrawn_and_the_reason_is_shown(app, qtbot, review_county, monkeypatch):
    dlg = ReviewSessionDialog(review_county)
    qtbot.addWidget(dlg)
    _ready_session(dlg, monkeypatch)
    dlg.apps.selectRow(0)
    for r in (0, 1):
        for c in range(1, 6):
            _type(dlg.scores, r, c, "80")
        _type(dlg.scores, r, 8, "同意")
    dlg.btn_save.click()
    monkeypatch.setattr(dlg, "run_dialog", _fill_and_ok({"conclusion": "不予通过", "opinion": "不予通过"}))
    dlg.btn_conclude.click()
    monkeypatch.setattr(dlg, "confirm", lambda title, text: True)
    dlg.apps.selectRow(0)
    dlg.btn_unassign.click()
    assert "形成第1轮评审结论，不能撤出" in dlg.message.text() and dlg.apps.rowCount() == 2
    dlg.experts.selectRow(0)
    dlg.btn_remove_expert.click()
    assert "不能移除" in dlg.message.text() and dlg.experts.rowCount() == 2


def test_the_summary_prints_the_whole_session(app, qtbot, review_county, monkeypatch):
    from tests.documents.pdfcheck import compact, page_texts

    dlg = ReviewSessionDialog(review_county)
    qtbot.addWidget(dlg)
    _ready_session(dlg, monkeypatch)
    shown = {}
    monkeypatch.setattr(dlg, "show_preview", lambda data, title, name: shown.update(data=data, name=name))
    dlg.btn_print.click()
    text = compact("".join(page_texts(shown["data"])))
    assert shown["name"] == "2027年度第一次集中评审-评审会汇总表.pdf"
    for want in ("政务信息系统项目集中评审汇总表", "MY-2027-001", "MY-2027-002", "王建国加权总分", "待形成结论"):
        assert compact(want) in text, want
