"""相似项目 tab: an arriving application's duplicate list and the county office's finding (real widgets)."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from pathlib import Path

from desktop_app.ui.project_window import ProjectWindow
from tests.ui import project_fixtures as F
from tests.ui.test_project_window import add_via_dialog, no_modal_confirm, open_window  # noqa: F401

RIVER = "建设河长制河湖名录和一河一档，河长巡河APP记录巡河轨迹，问题上报与交办督办。"


def _county_with_an_application(town):
    """Three projects held here; a fourth arrives that repeats one and touches another."""
    held = F.draft(town, name="县河长制信息化平台", summary=RIVER)
    part = town.unit2.create_project({**F.PROJECT, "name": "水资源监测系统",
                                      "summary": "主要河流断面安装水质水量在线监测站，建立河湖名录和取水许可台账，超标预警。"})
    F.draft(town, name="县图书馆管理系统", summary="图书采编、流通借还和读者证管理，建设数字图书馆。")
    arriving = town.unit2.create_project({**F.PROJECT, "name": "河湖长制管理系统",
                                          "summary": "建立河湖名录和一河一档，开发河长巡河APP记录巡河轨迹，实现问题上报和交办督办。"})
    return held, part, arriving


def test_the_tab_lists_candidates_with_level_and_highlighted_overlap_then_the_county_records_its_finding(
        qtbot, town, tmp_path):
    held, part, arriving = _county_with_an_application(town)
    w = open_window(qtbot, town.county, arriving["id"], "similar")
    w.resize(1280, 860)
    assert w.current_tab() == "similar"
    box = w.page("similar").similar
    qtbot.waitUntil(lambda: not box._stale)
    codes = [c.code for c in box.candidates]
    assert codes[0] == held["code"] and part["code"] in codes
    assert box.candidates[0].level == "duplicate"
    assert {c.level for c in box.candidates if c.code == part["code"]} <= {"partial", "none"}
    text = box.browser.toPlainText()
    assert held["code"] in text and "重复" in text and f"{box.candidates[0].percent}%" in text
    assert "县图书馆管理系统" not in text  # nothing in common: not listed
    page_html = box.browser.toHtml()
    assert "河湖名录和一河一档" in text and "#ffe08a" in page_html  # the shared phrase, highlighted
    assert "50%" in box.note.text() and "15%" in box.note.text()  # thresholds read from the profile

    # the county office records its finding: 重复, with the reason
    dlg = add_via_dialog(qtbot, w, "duplicate_decision", {
        "level": "重复", "decided_on": "2026-11-20", "similar_codes": held["code"],
        "reason": "与已建河长制信息化平台建设内容基本相同"})
    with qtbot.waitSignal(w.changed, timeout=2000):
        assert dlg.save(), dlg.form.message.text()
    rows = town.store.for_project("duplicate_decision", arriving["id"])
    assert [(r["level"], r["similar_codes"]) for r in rows] == [("duplicate", held["code"])]
    assert w.section("duplicate_decision").model.rowCount() == 1
    # docs/screenshots/similar-projects.png: with GOVIS_SHOTS=docs/screenshots (a plain run never writes there)
    shots = Path(os.environ.get("GOVIS_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    w.grab().save(str(shots / "similar-projects.png"))


def test_a_unit_sees_the_check_but_cannot_record_the_finding(qtbot, town):
    _held, _part, arriving = _county_with_an_application(town)
    w = open_window(qtbot, town.unit2, arriving["id"], "similar")
    box = w.page("similar").similar
    qtbot.waitUntil(lambda: not box._stale)
    assert box.candidates
    sec = w.section("duplicate_decision")
    assert sec.add_button.isHidden() or not sec.add_button.isEnabled()


def test_the_check_waits_until_the_tab_is_shown(qtbot, town):
    _held, _part, arriving = _county_with_an_application(town)
    w = open_window(qtbot, town.county, arriving["id"], "basic")
    box = w.page("similar").similar
    assert box._stale and box.candidates == []
    w.show_tab("similar")
    qtbot.waitUntil(lambda: not box._stale)
    assert box.candidates
    assert isinstance(w, ProjectWindow)


def test_the_county_office_is_told_when_a_submitted_application_awaits_its_finding(qtbot, town, tmp_path):
    """Checked once when the window opens: a banner and the tab's count, until the finding is recorded."""
    held = F.draft(town, name="县河长制信息化平台", summary=RIVER)
    arriving = F.draft(town, name="河湖长制管理系统",
                       summary="建立河湖名录和一河一档，开发河长巡河APP记录巡河轨迹，实现问题上报和交办督办。")
    F.add_materials(town, arriving["id"])
    # a draft is not the county office's business yet
    w = open_window(qtbot, town.county, arriving["id"], "basic")
    assert w.duplicate_banner.isHidden() and w.tabs.tabText(2) == "相似项目"
    w.close()
    town.unit.transition(arriving["id"], "submit")
    w = open_window(qtbot, town.county, arriving["id"], "basic")
    assert not w.duplicate_banner.isHidden()
    assert held["code"] in w.duplicate_banner.text() and "尚未录入重复建设审查意见" in w.duplicate_banner.text()
    assert w.tabs.tabText(2) == "相似项目（1）"
    shots = Path(os.environ.get("GOVIS_SHOTS") or tmp_path)  # docs/screenshots: GOVIS_SHOTS=docs/screenshots
    assert w.grab().save(str(shots / "project-duplicate-banner.png"))
    assert w.page("similar").similar._stale  # the tab's own list still waits until it is shown
    # a unit opening the same application is not asked to decide
    unit_window = open_window(qtbot, town.unit, arriving["id"], "basic")
    assert unit_window.duplicate_banner.isHidden() and unit_window.tabs.tabText(2) == "相似项目"
    # the finding recorded: no more banner
    dlg = add_via_dialog(qtbot, w, "duplicate_decision", {
        "level": "部分重复", "decided_on": "2026-11-20", "similar_codes": held["code"],
        "reason": "巡河功能与已建平台相同，其余不同"})
    with qtbot.waitSignal(w.changed, timeout=2000):
        assert dlg.save(), dlg.form.message.text()
    assert w.duplicate_banner.isHidden() and w.tabs.tabText(2) == "相似项目"


def test_the_check_is_not_repeated_on_every_write(qtbot, town, monkeypatch):
    from desktop_app.services import similarity_batch

    F.draft(town, name="县河长制信息化平台", summary=RIVER)
    arriving = F.draft(town, name="河湖长制管理系统", summary=RIVER)
    F.add_materials(town, arriving["id"])
    town.unit.transition(arriving["id"], "submit")
    calls = []
    real = similarity_batch.awaiting_decision
    monkeypatch.setattr(similarity_batch, "awaiting_decision", lambda *a: calls.append(a) or real(*a))
    w = open_window(qtbot, town.county, arriving["id"], "basic")
    assert len(calls) == 1
    w.refresh()
    w.refresh()
    assert len(calls) == 1
