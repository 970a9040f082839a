"""第九条 定期评估 in the project window: the security tab keeps the crypto assessment's next due date in
view after an assessment (已完成 for now), and shows it overdue once that date has passed."""

import datetime as dt
import os
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"


from desktop_app.ui.project_window import ProjectWindow
from tests.ui import project_fixtures as F

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def in_operation(town):
    p = F.in_construction(town)
    pid = p["id"]
    town.unit.add_record("controllable_product", pid, {"product": "国产数据库", "category": "基础软件",
                                                       "controllable": "是"})
    town.unit.transition(pid, "request_acceptance", {"applied_on": "2026-11-24"})
    town.county.transition(pid, "record_acceptance", {"accepted_on": "2026-11-24", "group_members": "甲、乙",
                                                      "conclusion": "pass", "controllable_ok": "pass"})
    town.unit.transition(pid, "go_live")
    return p


def security_texts(qtbot, session, pid):
    w = ProjectWindow(session, pid, "security")
    qtbot.addWidget(w)
    w.show()
    return w, w.pages["security"].findings.texts()


def crypto_lines(texts):
    return [t for t in texts if "密码应用安全性评估" in t]


def test_security_tab_shows_the_next_crypto_assessment_due(qtbot, town):
    p = in_operation(town)
    _, before = security_texts(qtbot, town.unit, p["id"])
    [first] = crypto_lines(before)
    assert "首次" in first and "2027年11月24日" in first and "第九条" in first

    town.unit.add_record("security_record", p["id"], {"security_kind": "crypto_assessment", "done_on": "2026-11-24",
                                                      "agency": "山东省商用密码测评中心"})
    w, after = security_texts(qtbot, town.unit, p["id"])
    [line] = crypto_lines(after)
    assert line.startswith("【已完成】") and "下次应于2027年11月24日前完成" in line
    assert "期限：2027-11-24" in line
    SHOTS.mkdir(parents=True, exist_ok=True)
    w.resize(1100, 700)
    w.grab().save(str(SHOTS / "project-security-crypto-next-due.png"))

    # one day after the next due date the same obligation is open again, overdue
    later = F.session_for(town.store, "MYJYJ", dt.date(2027, 11, 25))
    _, overdue = security_texts(qtbot, later, p["id"])
    [line] = crypto_lines(overdue)
    assert line.startswith("【逾期】") and "下次应于2027年11月24日前完成" in line
