"""Named accounts: sign-in, lockout, and the administrator's user management. No Qt.

`authenticate` returns the signed-in person's Actor or raises a Chinese refusal; the writes it makes
(a failure counted, a lockout, a fresh hash) and the user management below each go through
`services.operations` (one transaction, one audit entry naming who did it, never a password or hash).
Who may manage users is declared in `models.authority.PERSON_RIGHTS`.
"""

from __future__ import annotations

import datetime as dt

from desktop_app.errors import NotFound, Refused
from desktop_app.models import authority as A
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from desktop_app.services import passwords as PW

# The numbers (issue 9): five wrong passwords in a row lock the account for 15 minutes. Enough
# for honest typing mistakes (caps lock, a new keyboard), few enough to stop guessing at an unattended PC.
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15

add_user = ops.add_user
disable_user = ops.disable_user
reset_password = ops.reset_password
change_password = ops.change_password


class PasswordNotSet(Refused):
    """The account has no password yet (made before this version): the person sets one first."""


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now()).astimezone()


def list_users(store: Store, *, enabled_only: bool = False) -> list[dict]:
    """The installation's users, without password hashes: username, display_name, role, role_label,
    disabled, has_password, locked_until."""
    org_id = store.get_setting("installation_org_id")
    rows = store.all("SELECT username, display_name, role, disabled, locked_until, password_hash IS NOT NULL "
                     "AS has_password, created_at FROM users WHERE org_id=? ORDER BY disabled, "
                     "CASE role WHEN 'admin' THEN 0 WHEN 'reviewer' THEN 1 WHEN 'clerk' THEN 2 ELSE 3 END, created_at",
                     (org_id,))
    for r in rows:
        r["role_label"] = A.USER_ROLES.get(r["role"], r["role"])
    return [r for r in rows if not (enabled_only and r["disabled"])]


def has_password(store: Store, username: str) -> bool:
    """False for an account made before passwords existed (it sets one on first use)."""
    row = store.one("SELECT password_hash FROM users WHERE username=? AND org_id=?",
                    (username, store.get_setting("installation_org_id")))
    if row is None:
        raise NotFound(f"本机没有用户「{username}」。请核对用户名，或请管理员添加账户。")
    return row["password_hash"] is not None


def authenticate(store: Store, username: str, password: str, now: dt.datetime | None = None) -> ops.Actor:
    """The Actor of `username` if `password` is theirs; else Refused (Chinese): unknown user, disabled,
    locked (until HH:MM), no password set yet (PasswordNotSet), or wrong password with the attempts left.
    `now` is injectable so tests need no clock."""
    now = _now(now)
    org_id = store.get_setting("installation_org_id")
    if not org_id:
        raise Refused("数据库尚未初始化。请先运行 govis init，或在程序中完成初始设置。")
    user = store.one("SELECT * FROM users WHERE username=? AND org_id=?", ((username or "").strip(), org_id))
    if user is None:
        raise NotFound(f"本机没有用户「{username}」。请核对用户名，或请管理员添加账户。")
    if user["disabled"]:
        raise Refused(f"账户「{username}」已停用，请联系本机管理员。")
    if user["locked_until"] and dt.datetime.fromisoformat(user["locked_until"]) > now:
        until = dt.datetime.fromisoformat(user["locked_until"]).astimezone()
        raise Refused(f"账户「{username}」因连续{MAX_FAILED_ATTEMPTS}次输错密码已锁定，请于 {until:%H:%M} 后再试，"
                      "或请管理员重置密码。")
    if user["password_hash"] is None:
        raise PasswordNotSet(f"账户「{username}」尚未设置密码，请先设置密码（至少{PW.MIN_LENGTH}个字符）。")
    if not PW.verify(user["password_hash"], password or ""):
        failures = user["failed_attempts"] + 1
        if failures >= MAX_FAILED_ATTEMPTS:
            until = now + dt.timedelta(minutes=LOCK_MINUTES)
            if not store.writes_refused:  # a read-only file (a backup being signed into) cannot count
                ops.record_login(store, user["username"], failed=True, locked_until=until.isoformat(timespec="seconds"))
            raise Refused(f"密码不对。已连续{MAX_FAILED_ATTEMPTS}次输错，账户锁定{LOCK_MINUTES}分钟，"
                          f"请于 {until:%H:%M} 后再试，或请管理员重置密码。")
        if not store.writes_refused:
            ops.record_login(store, user["username"], failed=True)
        raise Refused(f"密码不对，还可以再试{MAX_FAILED_ATTEMPTS - failures}次。请注意大小写（大写锁定）。")
    rehash = PW.hash_password(password) if PW.needs_rehash(user["password_hash"]) else None
    if (rehash or user["failed_attempts"] or user["locked_until"]) and not store.writes_refused:
        ops.record_login(store, user["username"], failed=False, rehash=rehash)
    return ops.installation_actor(store, user["username"])


def set_first_password(store: Store, username: str, new_password: str) -> ops.Actor:
    """First use of an account made before passwords existed: set its password, then it is signed in."""
    actor = ops.installation_actor(store, username)
    user = store.one("SELECT password_hash, disabled FROM users WHERE username=?", (username,))
    if user["disabled"]:
        raise Refused(f"账户「{username}」已停用，请联系本机管理员。")
    if user["password_hash"] is not None:
        raise Refused(f"账户「{username}」已设置密码，请用原密码登录后修改。")
    ops.change_password(store, actor, None, new_password)
    return actor
