"""Numbered schema migrations. Each runs once, in one transaction, and is recorded in the file."""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.models.migrations import (
    m0001_initial,
    m0002_exchange,
    m0003_ledger_cache,
    m0004_authority,
    m0005_late_count,
    m0006_accounts,
    m0007_audit_heads,
    m0008_ledger_import,
    m0009_choices_in_registry,
    m0010_duplicate_decisions,
    m0011_review_sessions,
    m0012_budget_priority,
    m0013_risk_and_go_live,
    m0014_application_rounds,
)

# (version, name, sql). Append only; never edit an applied migration. `sql` may instead be a function
# of the connection (a table rebuild): it runs with foreign keys off, checked before the commit.
MIGRATIONS: list[tuple[int, str, str | Callable]] = [
    (1, "initial schema", m0001_initial.SQL),
    (2, "exchange", m0002_exchange.SQL),
    (3, "ledger cache", m0003_ledger_cache.SQL),
    (4, "authority", m0004_authority.SQL),
    (5, "late obligations in the ledger cache", m0005_late_count.SQL),
    (6, "accounts: roles, passwords, lockout", m0006_accounts.SQL),
    (7, "audit heads received; audit log filter indexes", m0007_audit_heads.SQL),
    (8, "projects imported from the old Excel ledger", m0008_ledger_import.SQL),
    (9, "choices validated from the registry: CHECK (... IN ...) removed", m0009_choices_in_registry.migrate),
    (10, "duplicate-project check: the county office's findings", m0010_duplicate_decisions.SQL),
    (11, "centralised review sessions: experts, assignments, scores", m0011_review_sessions.SQL),
    (12, "budget lines ranked by priority (轻重缓急)", m0012_budget_priority.SQL),
    (13, "risk ratings; the day a project went live", m0013_risk_and_go_live.SQL),
    (14, "annual application rounds opened and closed by the county office", m0014_application_rounds.SQL),
]

LATEST = max(v for v, _, _ in MIGRATIONS)
