"""Accounts: argon2id hashes, the lockout with an injected clock, user management through operations,
and audit entries that name the person and hold no secret."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desktop_app.errors import NotFound, Refused, ValidationError
from desktop_app.models.store import Store
from desktop_app.services import accounts
from desktop_app.services import operations as ops
from tests.core.builders import TEST_PASSWORD

T0 = dt.datetime(2026, 5, 11, 9, 0).astimezone()
PW_LI = "li-secret-2026"


@pytest.fixture
def site(tmp_path):
    store = Store.open(tmp_path / "unit.db")
    admin = ops.init_installation(store, "unit", "MYJYJ", "蒙阴县教育和体育局", admin_password=TEST_PASSWORD)
    accounts.add_user(store, admin, "li", "clerk", "李明", PW_LI)
    yield store, admin
    store.close()


def _entries(store, since: int = 0) -> list[dict]:
    return store.all("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq", (since,))


def _head(store) -> int:
    return store.one("SELECT COALESCE(MAX(seq), 0) AS n FROM audit_log")["n"]


def test_hash_is_argon2id_and_sign_in_returns_the_person(site):
    store, _ = site
    stored = store.one("SELECT password_hash FROM users WHERE username='li'")["password_hash"]
    assert stored.startswith("$argon2id$")
    actor = accounts.authenticate(store, "li", PW_LI, now=T0)
    assert (actor.user, actor.user_role, actor.display_name) == ("li", "clerk", "李明")


def test_unknown_user_and_wrong_password(site):
    store, _ = site
    with pytest.raises(NotFound, match="没有用户「wang」"):
        accounts.authenticate(store, "wang", PW_LI, now=T0)
    with pytest.raises(Refused, match="还可以再试4次"):
        accounts.authenticate(store, "li", "wrong-password", now=T0)


def test_four_failures_do_not_lock_the_fifth_does(site):
    store, _ = site
    for n in range(4):
        with pytest.raises(Refused, match=f"还可以再试{4 - n}次"):
            accounts.authenticate(store, "li", "wrong-password", now=T0)
    assert accounts.authenticate(store, "li", PW_LI, now=T0).user == "li"  # 4 failures: still open
    assert store.one("SELECT failed_attempts FROM users WHERE username='li'")["failed_attempts"] == 0
    for _ in range(4):
        with pytest.raises(Refused):
            accounts.authenticate(store, "li", "wrong-password", now=T0)
    with pytest.raises(Refused, match="锁定15分钟.*09:15"):
        accounts.authenticate(store, "li", "wrong-password", now=T0)
    # locked: even the right password is refused, naming the time
    with pytest.raises(Refused, match="已锁定.*09:15"):
        accounts.authenticate(store, "li", PW_LI, now=T0 + dt.timedelta(minutes=14, seconds=59))


def test_unlocked_after_fifteen_minutes_not_before(site):
    store, _ = site
    for _ in range(5):
        with pytest.raises(Refused):
            accounts.authenticate(store, "li", "wrong-password", now=T0)
    with pytest.raises(Refused, match="已锁定"):
        accounts.authenticate(store, "li", PW_LI, now=T0 + dt.timedelta(minutes=14))
    assert accounts.authenticate(store, "li", PW_LI, now=T0 + dt.timedelta(minutes=15)).user == "li"
    row = store.one("SELECT failed_attempts, locked_until FROM users WHERE username='li'")
    assert row == {"failed_attempts": 0, "locked_until": None}


def test_failures_and_lockout_are_audited_without_secrets(site):
    store, _ = site
    head = _head(store)
    for _ in range(5):
        with pytest.raises(Refused):
            accounts.authenticate(store, "li", "wrong-password", now=T0)
    ops_ = [e["operation"] for e in _entries(store, head)]
    assert ops_ == ["登录失败"] * 4 + ["账户锁定"]
    assert all(e["actor"] == "li" for e in _entries(store, head))


def test_disabled_user_refused(site):
    store, admin = site
    accounts.disable_user(store, admin, "li")
    with pytest.raises(Refused, match="已停用"):
        accounts.authenticate(store, "li", PW_LI, now=T0)
    assert [u["username"] for u in accounts.list_users(store, enabled_only=True)] == ["admin"]


def test_last_administrator_and_oneself_cannot_be_disabled(site):
    store, admin = site
    with pytest.raises(Refused, match="自己"):
        accounts.disable_user(store, admin, "admin")
    accounts.add_user(store, admin, "zhao", "admin", "赵", "zhao-secret-1")
    zhao = accounts.authenticate(store, "zhao", "zhao-secret-1", now=T0)
    accounts.disable_user(store, zhao, "admin")
    with pytest.raises(Refused, match="唯一的管理员"):
        accounts.disable_user(store, admin, "zhao")  # admin is disabled now; zhao is the last one


def test_change_own_password_needs_the_old_one(site):
    store, _ = site
    li = accounts.authenticate(store, "li", PW_LI, now=T0)
    with pytest.raises(Refused, match="原密码不对"):
        accounts.change_password(store, li, "not-the-old-one", "new-secret-99")
    with pytest.raises(ValidationError, match="至少需要8个字符"):
        accounts.change_password(store, li, PW_LI, "short")
    accounts.change_password(store, li, PW_LI, "new-secret-99")
    with pytest.raises(Refused):
        accounts.authenticate(store, "li", PW_LI, now=T0)
    assert accounts.authenticate(store, "li", "new-secret-99", now=T0).user == "li"


def test_reset_is_for_the_administrator_and_lifts_a_lock(site):
    store, admin = site
    li = accounts.authenticate(store, "li", PW_LI, now=T0)
    with pytest.raises(Refused, match="管理用户账户须由管理员办理，当前账户为经办人"):
        accounts.reset_password(store, li, "admin", "take-over-123")
    with pytest.raises(Refused, match="须由管理员"):
        accounts.add_user(store, li, "wang", "admin", "王", "wang-secret-1")
    for _ in range(5):
        with pytest.raises(Refused):
            accounts.authenticate(store, "li", "wrong-password", now=T0)
    accounts.reset_password(store, admin, "li", "fresh-secret-1")
    assert accounts.authenticate(store, "li", "fresh-secret-1", now=T0 + dt.timedelta(minutes=1)).user == "li"


def test_password_rule_in_chinese(site):
    store, admin = site
    with pytest.raises(ValidationError) as exc:
        accounts.add_user(store, admin, "wang", "reviewer", "王", "1234567")
    assert exc.value.fields["password"] == "密码至少需要8个字符"
    with pytest.raises(ValidationError) as exc:
        accounts.add_user(store, admin, "wang", "boss", "王", "12345678")
    assert "只能是" in exc.value.fields["role"]


def test_every_account_write_is_one_audit_entry_naming_the_person_and_no_secret(site):
    store, admin = site
    head = _head(store)
    accounts.add_user(store, admin, "wang", "reviewer", "王审核", "wang-secret-1")
    accounts.reset_password(store, admin, "wang", "wang-secret-2")
    wang = accounts.authenticate(store, "wang", "wang-secret-2", now=T0)
    accounts.change_password(store, wang, "wang-secret-2", "wang-secret-3")
    accounts.disable_user(store, admin, "wang")
    entries = _entries(store, head)
    assert [(e["operation"], e["actor"]) for e in entries] == [
        ("添加用户", "admin"), ("重置密码", "admin"), ("修改密码", "wang"), ("停用用户", "admin")]
    text = json.dumps(entries, ensure_ascii=False)
    hashes = [r["password_hash"] for r in store.all("SELECT password_hash FROM users")]
    for secret in ("wang-secret-1", "wang-secret-2", "wang-secret-3", "$argon2", *hashes):
        assert secret not in text
    from desktop_app.services import audit
    assert audit.verify(store) == []


def test_first_use_sets_a_password(tmp_path):
    store = Store.open(tmp_path / "old.db")
    ops.init_installation(store, "unit", "MYJYJ", "蒙阴县教育和体育局")  # no password: as before accounts
    with pytest.raises(accounts.PasswordNotSet, match="尚未设置密码"):
        accounts.authenticate(store, "admin", "", now=T0)
    accounts.set_first_password(store, "admin", "first-secret-1")
    assert accounts.authenticate(store, "admin", "first-secret-1", now=T0).user_role == "admin"
    with pytest.raises(Refused, match="已设置密码"):
        accounts.set_first_password(store, "admin", "hijack-secret-1")
    store.close()


def test_old_parameters_are_rehashed_on_sign_in(site, monkeypatch):
    store, _ = site
    monkeypatch.delenv("GOVIS_TEST_FAST_HASH")  # the production parameters
    accounts.authenticate(store, "li", PW_LI, now=T0)
    stored = store.one("SELECT password_hash FROM users WHERE username='li'")["password_hash"]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert _entries(store, _head(store) - 1)[0]["operation"] == "登录"


def test_migration_makes_admins_admin_and_others_clerks(tmp_path, monkeypatch):
    """A database of version 5 (users with is_admin, no passwords) is upgraded in place, losing nothing."""
    from desktop_app.models import migrations
    from desktop_app.models import store as store_module

    path = tmp_path / "v5.db"
    with monkeypatch.context() as m:
        m.setattr(store_module, "MIGRATIONS", migrations.MIGRATIONS[:5])
        m.setattr(store_module, "LATEST", 5)
        old = Store.open(path)
    org = "org-1"
    old.conn.execute("INSERT INTO organisations (id, code, name, role, created_at, updated_at) "
                     "VALUES (?, 'MYJYJ', '教体局', 'unit', 'x', 'x')", (org,))
    for uid, name, is_admin in (("u1", "boss", 1), ("u2", "clerk1", 0)):
        old.conn.execute("INSERT INTO users (id, org_id, username, display_name, is_admin, created_at) "
                         "VALUES (?, ?, ?, ?, ?, 'x')", (uid, org, name, name, is_admin))
    old.conn.commit()
    old.close()
    new = Store.open(path)
    rows = new.all("SELECT username, is_admin, role, password_hash, disabled, failed_attempts FROM users ORDER BY username")
    assert rows == [
        {"username": "boss", "is_admin": 1, "role": "admin", "password_hash": None, "disabled": 0, "failed_attempts": 0},
        {"username": "clerk1", "is_admin": 0, "role": "clerk", "password_hash": None, "disabled": 0,
         "failed_attempts": 0}]
    new.close()
