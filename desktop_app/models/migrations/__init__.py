"""Numbered schema migrations. Each runs once, in one transaction, and is recorded in the file."""

from __future__ import annotations

from desktop_app.models.migrations import m0001_initial, m0002_exchange

# (version, name, sql). Append only; never edit an applied migration.
MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "initial schema", m0001_initial.SQL),
    (2, "exchange", m0002_exchange.SQL),
]

LATEST = MIGRATIONS[-1][0]
