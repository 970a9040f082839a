"""Migration 0006: named accounts with a role inside the organisation, a password and a lockout.

Roles: admin 管理员, clerk 经办人, reviewer 审核人, auditor 只读审计. Existing administrators become
admin, every other existing user clerk. `password_hash` stays NULL for users created before this
version: they set a password on first use. `is_admin` stays (a migration never drops data); the
rules read `role` from now on.
"""

SQL = """
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'clerk'
    CHECK (role IN ('admin', 'clerk', 'reviewer', 'auditor'));
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
ALTER TABLE users ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
UPDATE users SET role = CASE WHEN is_admin = 1 THEN 'admin' ELSE 'clerk' END;
"""
