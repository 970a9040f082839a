"""The login dialog and the 账户 section of 系统设置, driving the real widgets."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from desktop_app.models.store import Store
from desktop_app.services import accounts
from desktop_app.services import operations as ops
from desktop_app.services.session import Session
from desktop_app.ui.login import CAPS_WARNING, LoginDialog
from tests.core.builders import TEST_PASSWORD

T0 = dt.datetime(2026, 5, 11, 9, 0).astimezone()


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "unit.db")
    admin = ops.init_installation(s, "unit", "MYJYJ", "蒙阴县教育和体育局", admin_name="张管理", admin_password=TEST_PASSWORD)
    accounts.add_user(s, admin, "jingban", "clerk", "王经办", "jingban-2026")
    accounts.add_user(s, admin, "shenji", "auditor", "赵审计", "shenji-2026")
    s.conn.execute("INSERT INTO users (id, org_id, username, display_name, role, created_at) "
                   "VALUES ('u-old', ?, 'laoli', '老李', 'reviewer', 'x')", (admin.org_id,))  # made before passwords
    s.conn.commit()
    yield s
    s.close()


def dialog(qtbot, store, **kw) -> LoginDialog:
    d = LoginDialog(store, org_name="蒙阴县教育和体育局", now=T0, **kw)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def choose(d: LoginDialog, username: str) -> None:
    d.user.setCurrentIndex(d.user.findData(username))


def test_user_list_shows_enabled_people_with_names_and_roles(qtbot, store):
    accounts.add_user(store, ops.installation_actor(store), "gone", "clerk", "离职者", "gone-secret-1")
    accounts.disable_user(store, ops.installation_actor(store), "gone")
    d = dialog(qtbot, store)
    items = [d.user.itemText(i) for i in range(d.user.count())]
    assert "张管理（admin，管理员）" in items and "王经办（jingban，经办人）" in items
    assert not any("gone" in i for i in items)


def test_wrong_password_is_refused_inline(qtbot, store):
    d = dialog(qtbot, store)
    choose(d, "jingban")
    qtbot.keyClicks(d.password, "not-my-password")
    qtbot.keyClick(d.password, Qt.Key.Key_Return)
    assert d.error.isVisible() and "密码不对，还可以再试4次" in d.error.text()
    assert d.actor is None and d.isVisible()


def test_success_returns_the_signed_in_person(qtbot, store):
    d = dialog(qtbot, store)
    choose(d, "jingban")
    qtbot.keyClicks(d.password, "jingban-2026")
    with qtbot.waitSignal(d.accepted):
        qtbot.keyClick(d.password, Qt.Key.Key_Return)
    assert (d.actor.user, d.actor.user_role, d.actor.display_name) == ("jingban", "clerk", "王经办")


def test_caps_lock_warning(qtbot, store):
    d = dialog(qtbot, store)
    assert not d.caps.isVisible()
    qtbot.keyClick(d.password, "A")  # upper-case without Shift: caps lock is on
    assert d.caps.isVisible() and d.caps.text() == CAPS_WARNING
    qtbot.keyClick(d.password, "a")  # lower-case without Shift: off again
    assert not d.caps.isVisible()
    qtbot.keyClick(d.password, "A", Qt.KeyboardModifier.ShiftModifier)  # Shift+A is an honest capital
    assert not d.caps.isVisible()


def test_lockout_message_names_the_time(qtbot, store):
    d = dialog(qtbot, store)
    choose(d, "jingban")
    for _ in range(5):
        d.password.setText("wrong-password")
        d.try_login()
    assert "锁定15分钟" in d.error.text() and "09:15" in d.error.text()


def test_first_use_sets_the_password(qtbot, store):
    d = dialog(qtbot, store)
    choose(d, "laoli")
    assert d.new1.isVisible() and d.new2.isVisible() and not d.password.isVisible()
    d.new1.setText("laoli-secret-1")
    d.new2.setText("laoli-secret-2")
    d.try_login()
    assert "不一致" in d.error.text() and d.actor is None
    d.new2.setText("laoli-secret-1")
    d.try_login()
    assert d.actor is not None and d.actor.user == "laoli"
    assert accounts.authenticate(store, "laoli", "laoli-secret-1").user_role == "reviewer"


# ---- 系统设置 → 账户 -----------------------------------------------------------------------------

def settings(qtbot, store, username: str, password: str, tmp_path):
    from desktop_app.ui.settings_page import SettingsPage

    session = Session(store, accounts.authenticate(store, username, password))
    page = SettingsPage(session, str(tmp_path / "unit.db"))
    qtbot.addWidget(page)
    return page


def test_admin_adds_disables_and_resets(qtbot, store, tmp_path):
    page = settings(qtbot, store, "admin", TEST_PASSWORD, tmp_path)
    page.u_name.setText("shenhe")
    page.u_display.setText("李审核")
    page.u_role.setCurrentIndex(page.u_role.findData("reviewer"))
    page.u_password.setText("short")
    page.add_user()
    assert "至少需要8个字符" in page.u_message.text()
    page.u_password.setText("shenhe-2026")
    page.add_user()
    assert "已添加用户 shenhe" in page.u_message.text()
    assert accounts.authenticate(store, "shenhe", "shenhe-2026").user_role == "reviewer"
    names = [page.users_table.item(r, 0).text() for r in range(page.users_table.rowCount())]
    row = names.index("jingban")
    page.users_table.selectRow(row)
    page.u_password.setText("reset-2026x")
    page.reset_password()
    assert accounts.authenticate(store, "jingban", "reset-2026x").user == "jingban"
    page.users_table.selectRow(row)
    page.disable_user()
    assert "已停用" in page.u_message.text()
    assert "jingban" not in [u["username"] for u in accounts.list_users(store, enabled_only=True)]


def test_everyone_changes_their_own_password_auditor_manages_nothing(qtbot, store, tmp_path):
    page = settings(qtbot, store, "shenji", "shenji-2026", tmp_path)
    assert not page.u_add.isEnabled() and "须由管理员办理，当前账户为只读审计" in page.u_add.toolTip()
    page.pw_old.setText("wrong-old-1")
    page.pw_new.setText("shenji-2027")
    page.pw_new2.setText("shenji-2027")
    page.change_own_password()
    assert "原密码不对" in page.pw_message.text()
    page.pw_old.setText("shenji-2026")
    page.pw_new.setText("shenji-2027")
    page.pw_new2.setText("shenji-2027")
    page.change_own_password()
    assert page.pw_message.text() == "已修改密码"
    assert accounts.authenticate(store, "shenji", "shenji-2027").user == "shenji"


def test_auditor_sees_write_buttons_disabled_with_the_reason(qtbot, store, tmp_path):
    from desktop_app.ui.exchange_page import ExchangePage

    session = Session(store, accounts.authenticate(store, "shenji", "shenji-2026"))
    page = ExchangePage(session, str(tmp_path / "unit.db"))
    qtbot.addWidget(page)
    for button in (page.btn_export, page.btn_open):
        assert not button.isEnabled() and "只读审计" in button.toolTip()
    clerk = Session(store, accounts.authenticate(store, "jingban", "jingban-2026"))
    page2 = ExchangePage(clerk, str(tmp_path / "unit.db"))
    qtbot.addWidget(page2)
    assert page2.btn_open.isEnabled() and not page2.btn_export.isEnabled()
    assert "审核人或管理员" in page2.btn_export.toolTip()
