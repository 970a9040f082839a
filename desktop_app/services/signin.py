"""Signing in from the command line: who (--user, else GOVIS_USER, else the first administrator) and
the password (GOVIS_PASSWORD, else a prompt when stdin is a terminal). No Qt; the window has its own
login dialog (ui/login.py) over the same `accounts.authenticate`.
"""

from __future__ import annotations

import getpass
import os
import sys

from desktop_app.errors import GovisError
from desktop_app.models.store import Store
from desktop_app.services import accounts
from desktop_app.services import operations as ops
from desktop_app.services import passwords as PW


def username(given: str | None) -> str | None:
    return given or os.environ.get("GOVIS_USER") or None


def _tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def password(prompt: str = "请输入密码：") -> str:
    env = os.environ.get("GOVIS_PASSWORD")
    if env is not None:
        return env
    if not _tty():
        raise GovisError("需要登录密码：请在终端中运行以便输入密码，或在脚本中设置环境变量 GOVIS_PASSWORD"
                         "（用户名用 --user 或 GOVIS_USER 指定）。")
    return getpass.getpass(prompt)


def new_password(prompt: str = "请设置新密码（至少8个字符）：") -> str:
    """A new password: GOVIS_NEW_PASSWORD, else asked twice at the terminal; checked against the rule."""
    value = os.environ.get("GOVIS_NEW_PASSWORD")
    if value is None:
        if not _tty():
            raise GovisError("需要设置新密码：请在终端中运行以便输入（输入两次），或在脚本中设置环境变量 "
                             "GOVIS_NEW_PASSWORD。")
        value = getpass.getpass(prompt)
        if getpass.getpass("请再输入一次新密码：") != value:
            raise GovisError("两次输入的密码不一致，未做任何更改。")
    why = PW.check_rule(value)
    if why:
        raise GovisError(f"{why}，未做任何更改。")
    return value


def sign_in(store: Store, user: str | None) -> ops.Actor:
    """The authenticated Actor for a command, or a Chinese refusal (how to set a first password)."""
    if not ops.is_initialised(store):
        raise GovisError("数据库尚未初始化。请先运行 govis init，或在程序中完成初始设置。")
    name = username(user) or ops.installation_actor(store).user
    try:
        return accounts.authenticate(store, name, password(f"请输入用户 {name} 的密码："))
    except accounts.PasswordNotSet as exc:
        raise GovisError(f"{exc.message}请运行 govis users passwd --user {name}，在终端中按提示输入新密码"
                         "（脚本中用环境变量 GOVIS_NEW_PASSWORD）。") from None
