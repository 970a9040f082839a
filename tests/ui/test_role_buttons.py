"""Issue 11 item 7: a role never sees buttons it can never use, and a disabled action's reason does not
repeat the action's name (the button already says it)."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"


from desktop_app.lifecycle import machine
from desktop_app.models import authority as A
from desktop_app.services import operations as ops
from desktop_app.services.session import Session
from desktop_app.ui.project_window import ProjectWindow
from tests.ui import project_fixtures as F


def window(qtbot, session, pid):
    w = ProjectWindow(session, pid)
    qtbot.addWidget(w)
    w.show()
    return w


def shown(w) -> dict[str, object]:
    return {a: b for a, b in w.actions_bar.buttons.items() if not b.isHidden()}


def test_each_role_sees_only_its_own_steps(qtbot, town):
    p = F.draft(town)
    unit = window(qtbot, town.unit, p["id"])
    assert set(shown(unit)) == {"submit"}
    county = window(qtbot, town.county, p["id"])
    assert "submit" not in county.actions_bar.buttons  # the county office never submits
    assert set(county.actions_bar.buttons) == {"terminate"}

    built = F.in_construction(town, name="县卫生信息平台")
    unit = window(qtbot, town.unit, built["id"])
    assert set(unit.actions_bar.buttons) == {"request_acceptance"}  # no 暂停建设, no 终止项目
    county = window(qtbot, town.county, built["id"])
    assert set(county.actions_bar.buttons) == {"suspend", "terminate"}
    finance = window(qtbot, town.finance, built["id"])
    assert finance.actions_bar.buttons == {}
    assert "没有可办理的操作" in finance.actions_bar.status.text()
    # every button shown is one the role's transitions declare (machine.Transition.roles)
    for w, role in ((unit, "unit"), (county, "county_office")):
        assert all(role in machine.TRANSITIONS[a].roles for a in w.actions_bar.buttons)


def test_disabled_reasons_do_not_repeat_the_action(qtbot, town):
    p = F.draft(town)
    F.add_materials(town, p["id"])
    u = town.unit.actor
    clerk = Session(town.store, ops.Actor(u.org_id, u.org_code, u.org_name, u.role, "li", A.CLERK),
                    today_override=F.TODAY)
    w = window(qtbot, clerk, p["id"])
    submit = w.actions_bar.buttons["submit"]
    assert not submit.isEnabled()
    assert "须由审核人或管理员办理，当前账户为经办人" in submit.toolTip()
    assert "提交申报" not in submit.toolTip()
    w.actions_bar.explain("submit")
    assert w.actions_bar.status.text().count("提交申报") == 1  # 「提交申报」暂不能办理：… once

    # a co-builder's installation sees the lead unit's step greyed with why, not its name twice
    town.county.add_record("co_builder", p["id"], {"org_id": town.unit2.actor.org_id, "scope": "共建"})
    other = window(qtbot, town.unit2, p["id"])
    why = other.actions_bar.buttons["submit"].toolTip()
    assert "只有项目牵头单位才能办理" in why and "提交申报" not in why
