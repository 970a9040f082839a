"""Password hashing (argon2id via argon2-cffi) and the password rule. Pure: no database, no Qt.

Production uses argon2-cffi's defaults, which are RFC 9106's low-memory profile (argon2id, t=3,
m=64 MiB, p=4): slow on purpose. The test suite sets GOVIS_TEST_FAST_HASH=1 (tests/conftest.py) for
argon2id with the cheapest parameters, so ~800 tests do not each spend a quarter second hashing.
A hash made under other parameters still verifies; `needs_rehash` says when to store a new one.
"""

from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
FAST_HASH_ENV = "GOVIS_TEST_FAST_HASH"


def hasher() -> PasswordHasher:
    if os.environ.get(FAST_HASH_ENV) == "1":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def check_rule(password: str | None) -> str | None:
    """Why this password is not acceptable (Chinese), or None."""
    if not password or len(password) < MIN_LENGTH:
        return f"密码至少需要{MIN_LENGTH}个字符"
    if password.strip() != password:
        return "密码首尾不能是空格"
    return None


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(stored: str, password: str) -> bool:
    try:
        return hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return hasher().check_needs_rehash(stored)
    except InvalidHashError:
        return True
