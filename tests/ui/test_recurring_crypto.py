"""第九条 定期评估 in the project window: the security tab keeps each periodic obligation's next due date
(crypto assessment, MLPS test, risk assessment) in view after it is met (已完成 for now), and shows it
overdue once that date has passed. Screenshots go to docs/screenshots only with GOVIS_SHOTS set."""

import datetime as dt
import os
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"


from PySide6.QtWidgets import QApplication

from desktop_app.ui.fonts import apply_ui_font
from desktop_app.ui.project_window import ProjectWindow
from tests.ui import project_fixtures as F


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


def shots_with_chinese_font(tmp_path) -> Path:
    """Where the screenshot goes; for docs/screenshots the window gets its Chinese font, as at start-up
    (a plain test run keeps Qt's default font, so the other tests' metrics stay as they were)."""
    if not os.environ.get("GOVIS_SHOTS"):
        return tmp_path
    apply_ui_font(QApplication.instance())
    return Path(os.environ["GOVIS_SHOTS"])


def security_texts(qtbot, session, pid):
    w = ProjectWindow(session, pid, "security")
    qtbot.addWidget(w)
    w.show()
    return w, w.pages["security"].findings.texts()


def crypto_lines(texts):
    return [t for t in texts if "密码应用安全性评估" in t]


def test_security_tab_shows_the_next_crypto_assessment_due(qtbot, town, tmp_path):
    p = in_operation(town)
    _, before = security_texts(qtbot, town.unit, p["id"])
    [first] = crypto_lines(before)
    assert "首次" in first and "2027年11月24日" in first and "第九条" in first

    town.unit.add_record("security_record", p["id"], {"security_kind": "crypto_assessment", "done_on": "2026-11-24",
                                                      "agency": "山东省商用密码测评中心"})
    shots = shots_with_chinese_font(tmp_path)
    w, after = security_texts(qtbot, town.unit, p["id"])
    [line] = crypto_lines(after)
    assert line.startswith("【已完成】") and "下次应于2027年11月24日前完成" in line
    assert "期限：2027-11-24" in line
    w.resize(1100, 700)
    w.grab().save(str(shots / "project-security-crypto-next-due.png"))

    # one day after the next due date the same obligation is open again, overdue
    later = F.session_for(town.store, "MYJYJ", dt.date(2027, 11, 25))
    _, overdue = security_texts(qtbot, later, p["id"])
    [line] = crypto_lines(overdue)
    assert line.startswith("【逾期】") and "下次应于2027年11月24日前完成" in line


def test_security_tab_shows_every_periodic_obligation_with_its_next_due(qtbot, town, tmp_path):
    p = in_operation(town)  # a level-2 system: tested every 24 months
    _, before = security_texts(qtbot, town.unit, p["id"])
    assert any("首次等级保护测评" in t and "2028年11月24日" in t and "第二级系统每24个月" in t for t in before)
    assert any("首次网络与信息安全风险评估" in t and "2027年11月24日" in t for t in before)

    for kind, agency in (("mlps_testing", "山东省信息安全测评中心"), ("risk_assessment", "山东省信息安全测评中心"),
                         ("crypto_assessment", "山东省商用密码测评中心")):
        town.unit.add_record("security_record", p["id"], {"security_kind": kind, "done_on": "2026-11-24",
                                                          "agency": agency})
    shots = shots_with_chinese_font(tmp_path)
    w, after = security_texts(qtbot, town.unit, p["id"])
    done = [t for t in after if t.startswith("【已完成】") and "下次应于" in t]
    assert len(done) == 3
    assert any("等级保护测评" in t and "下次应于2028年11月24日前完成" in t for t in done)
    assert any("风险评估" in t and "下次应于2027年11月24日前完成" in t for t in done)
    w.resize(1100, 700)
    w.grab().save(str(shots / "project-security-obligations.png"))

    later = F.session_for(town.store, "MYJYJ", dt.date(2027, 11, 25))
    _, overdue = security_texts(qtbot, later, p["id"])
    assert [t[:4] for t in overdue if "风险评估" in t and "下次应于" in t] == ["【逾期】"]
    assert any(t.startswith("【已完成】") and "等级保护测评" in t for t in overdue)  # its period is longer
