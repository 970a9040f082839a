"""年度申报 page: the round of a plan year and its plan, on the county office's and finance's PCs, driving
the real widgets; finance records a budget line through the page's dialog (the one write path)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desktop_app.services import operations as ops
from desktop_app.services.session import Session
from desktop_app.ui.annual_page import AnnualPage
from tests.core import builders as B

D = dt.date
TODAY = D(2026, 11, 24)


def _county(tmp_path):
    c = B.make_county(tmp_path / "county.db")
    funded = B.in_construction(c, name="县智慧教育云平台")
    B.approved(c, name="县中小学安全监管平台", total_investment_fen="80", fiscal_share_fen="80")
    B.submitted(c, name="县教育资源公共服务平台")  # under the county office's eyes, not reviewed yet
    return c, funded


def _page(qtbot, c, actor):
    page = AnnualPage(Session(c.store, actor, TODAY), str(c.store.path))
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    page.load()
    return page


def test_the_county_office_sees_the_round_and_the_plan(qtbot, tmp_path):
    c, _funded = _county(tmp_path)
    page = _page(qtbot, c, c.county)
    assert page.year.value() == 2027  # on 2026-11-24: the year whose applications closed and whose plan is made
    assert "2026年8月31日（已截止" in page.deadline.text()
    assert page.round_table.rowCount() == 3
    assert page.round_table.item(0, 4).text() == "按期" and page.round_table.item(0, 6).text() == "2026-06-01"
    assert page.units_without.text() == "尚未申报的单位：蒙阴县卫生健康局"
    page.tabs.setCurrentIndex(1)
    assert page.plan_table.rowCount() == 2  # the submitted one is not in the plan
    assert "评审核定投资合计 200.00 万元" in page.plan_summary.text()
    # the county office may not record budgets: the button says who does
    page.plan_table.selectRow(0)
    assert not page.add_budget.isEnabled() and "县财政局" in page.add_budget.toolTip()
    assert page.open_budget() is None
    page.year.setValue(2028)
    assert page.round_table.rowCount() == 0 and page.plan_table.rowCount() == 0
    assert "蒙阴县教育和体育局" in page.units_without.text()


def test_finance_records_a_budget_line_and_the_plan_orders_by_it(qtbot, tmp_path, monkeypatch):
    c, funded = _county(tmp_path)
    page = _page(qtbot, c, c.finance)
    page.tabs.setCurrentIndex(1)
    assert not page.add_budget.isEnabled() and "选中" in page.add_budget.toolTip()
    row = next(r for r in range(page.plan_table.rowCount()) if page.plan_table.item(r, 1).text() == funded["code"])
    page.plan_table.selectRow(row)
    assert page.add_budget.isEnabled()
    dlg = page.open_budget()
    assert dlg.form.values()["priority"] in (1, "1") and dlg.form.values()["year"] in (2027, "2027")
    dlg.form.set_value("amount_fen", "100.01")  # more than finance approved: refused, in the dialog
    assert not dlg.save() and "超过核定资金100.00万元" in dlg.form.message.text()
    dlg.form.set_value("amount_fen", "100")
    with qtbot.waitSignal(page.changed, timeout=2000):
        assert dlg.save()
    assert page.plan_table.item(0, 0).text() == "1" and page.plan_table.item(0, 1).text() == funded["code"]
    assert page.plan_table.item(0, 8).text() == "100.00"
    # the other project of the plan is approved, not funded yet: no budget line before 资金审核
    other = next(r for r in range(page.plan_table.rowCount()) if page.plan_table.item(r, 1).text() != funded["code"])
    page.plan_table.selectRow(other)
    assert not page.add_budget.isEnabled() and "评审通过" in page.add_budget.toolTip()
    out = tmp_path / "计划.xlsx"
    monkeypatch.setattr(AnnualPage, "ask_save_path", classmethod(lambda cls, parent, default: str(out)))
    assert page.export_xlsx() == str(out)
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["2027年度项目计划"].iter_rows(values_only=True))
    wb.close()
    assert rows[1][1] == funded["code"] and rows[1][8] == 100.0 and rows[1][9] == 1


def test_incomplete_applications_are_marked_red_and_the_plan_ranked(qtbot, tmp_path):
    """The page on a county with incomplete applications and a ranked plan renders whole."""
    c, funded = _county(tmp_path)
    ops.add_record(c.store, c.finance, "budget", funded["id"],
                   {"year": "2027", "budget_kind": "construction", "amount_fen": "100", "priority": "1"}, today=TODAY)
    ops.set_policy(c.store, c.county, {"history_years_min": 4})  # the three years given are one short now
    page = _page(qtbot, c, c.county)
    assert page.round_table.item(0, 5).text() == "缺：近4年投资运行情况（已填3年）"
    assert page.round_table.item(0, 5).foreground().color() == QColor(Qt.GlobalColor.darkRed)
    assert page.round_table.item(0, 4).foreground().color() != QColor(Qt.GlobalColor.darkRed)  # 按期
    assert page.plan_table.item(0, 0).text() == "1" and page.plan_table.item(1, 0).text() == ""
    shot = page.grab()  # the real window's shots: python -m tests.ui.view_shots docs/screenshots annual-round annual-plan
    assert shot.width() >= 1280


def test_the_round_shows_the_duplicate_check_and_whether_it_was_reviewed(qtbot, tmp_path):
    """第一条: a received application like a held project is marked, in red until the finding is recorded."""
    c, _funded = _county(tmp_path)
    river = "建立河湖名录和一河一档，开发河长巡河APP记录巡河轨迹，实现问题上报和交办督办。"
    held = B.new_project(c, c.unit2, name="县河长制信息化平台", summary=river, plan_year="2028")
    twin = B.submitted(c, name="河湖长制管理系统", summary=river)
    page = _page(qtbot, c, c.county)
    cols = {page.round_table.horizontalHeaderItem(i).text(): i for i in range(page.round_table.columnCount())}
    rows = {page.round_table.item(r, 0).text(): r for r in range(page.round_table.rowCount())}
    r = rows[twin["code"]]
    check, decision = page.round_table.item(r, cols["查重（第一条）"]), page.round_table.item(r, cols["重复建设审查"])
    assert check.text() == f"疑似重复（{held['code']}）" and decision.text() == "未审查"
    assert decision.foreground().color() == QColor(Qt.GlobalColor.darkRed)
    others = [page.round_table.item(i, cols["查重（第一条）"]).text() for i in rows.values() if i != r]
    assert all(t in ("—",) or t.startswith(("疑似重复（", "部分重复（")) for t in others)
    ops.add_record(c.store, c.county, "duplicate_decision", twin["id"],
                   {"level": "duplicate", "decided_on": "2026-11-20", "reason": "与河长制平台相同",
                    "similar_codes": held["code"]}, today=TODAY)
    page.load()
    decision = page.round_table.item(r, cols["重复建设审查"])
    assert decision.text() == "重复" and decision.foreground().color() != QColor(Qt.GlobalColor.darkRed)


def test_the_county_office_opens_the_round_and_the_header_changes(app, qtbot, tmp_path):
    """开启本年度申报… then 截止受理… on the 申报情况 tab; refusals stay in the dialog, in Chinese."""
    c = B.make_county(tmp_path / "county.db")
    B.submitted(c, name="县智慧教育云平台")
    B.submitted(c, name="县教育资源公共服务平台", today=D(2026, 7, 20))
    B.new_project(c, c.unit2, name="县全民健康信息平台")
    page = AnnualPage(Session(c.store, c.county, D(2026, 8, 1)), str(c.store.path))
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    page.year.setValue(2027)
    assert page.round_state.text() == "2027年度项目申报：尚未开启（按政策参数，截止日期2026-08-31）"
    assert page.open_round_btn.isVisible() and page.open_round_btn.isEnabled()
    assert page.close_round_btn.isVisible() and not page.close_round_btn.isEnabled()
    dlg = page.open_round_dialog(closing=False)
    shots = Path(os.environ.get("GOVIS_SHOTS") or tmp_path)  # docs/screenshots: GOVIS_SHOTS=docs/screenshots
    dlg.notice.setText("蒙政办字〔2026〕12号")
    assert dlg.grab().save(str(shots / "annual-round-dialog.png"))
    dlg.notice.setText("文" * 201)
    assert not dlg.save() and "不超过200个字" in dlg.message.text()
    assert "尚未开启" in page.round_state.text()  # nothing written
    dlg.notice.setText("蒙政办字〔2026〕12号")
    assert dlg.save()
    assert page.round_state.text() == ("2027年度项目申报：已开启（2026-08-01开启，截止2026-08-31）；"
                                       "通知：蒙政办字〔2026〕12号")
    assert not page.open_round_btn.isEnabled() and page.close_round_btn.isEnabled()
    assert page.round_table.rowCount() == 2
    # the demo county's page is annual-round.png (python -m tests.ui.view_shots docs/screenshots annual-round)
    assert page.grab().save(str(shots / "annual-round-opened.png"))
    dlg = page.open_round_dialog(closing=True)
    assert dlg.save() is False and "写明理由" in dlg.message.text()  # before the deadline: a reason is needed
    dlg.note.setText("各单位均已报送")
    assert dlg.save()
    assert page.round_state.text().startswith("2027年度项目申报：已截止受理（2026-08-01开启，2026-08-01截止受理）")
    assert not page.open_round_btn.isEnabled() and not page.close_round_btn.isEnabled()


def test_round_buttons_are_the_county_offices_and_need_sign_off(qtbot, tmp_path):
    c, _funded = _county(tmp_path)
    for actor in (c.unit, c.finance):
        page = _page(qtbot, c, actor)
        assert not page.open_round_btn.isVisible() and not page.close_round_btn.isVisible()
        assert page.open_round_dialog(closing=False) is None
        assert "尚未开启" in page.round_state.text()
    page = _page(qtbot, c, c.county)  # 2027 on 2026-11-24: its deadline has passed
    assert not page.open_round_btn.isEnabled() and "截止日期2026-08-31已过" in page.open_round_btn.toolTip()
    assert not page.close_round_btn.isEnabled() and page.close_round_btn.toolTip() == "2027年度申报尚未开启"
    page.year.setValue(2028)
    assert page.open_round_btn.isEnabled()
    clerk = B.actor_for(c.store, "MYXZF", user_role="clerk")
    page = _page(qtbot, c, clerk)
    page.year.setValue(2028)
    assert page.open_round_btn.isVisible() and not page.open_round_btn.isEnabled()
    assert "经办人" in page.open_round_btn.toolTip()


def test_an_application_received_after_an_early_close_is_shown_red(qtbot, tmp_path):
    """第二条: the round closed early with its reason; an application that arrives later is on time by the
    deadline, yet the 是否逾期 column says 截止受理后收到 in red and the summary counts it."""
    c = B.make_county(tmp_path / "county.db")
    ops.open_round(c.store, c.county, 2027, {}, today=D(2026, 6, 1))
    ops.close_round(c.store, c.county, 2027, "评审会提前召开", today=D(2026, 8, 20))
    B.submitted(c, name="县教育资源公共服务平台", today=D(2026, 8, 21))
    page = _page(qtbot, c, c.county)
    cell = page.round_table.item(0, 4)
    assert cell.text() == "截止受理后收到" and cell.foreground().color() == QColor(Qt.GlobalColor.darkRed)
    assert "截止受理后收到 1 个" in page.round_summary.text() and "逾期 0 个" in page.round_summary.text()
