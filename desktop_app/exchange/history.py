"""Packages sent and received, and stored receipts: the reads the 数据交换 screen and CLI share."""

from __future__ import annotations

import json

from desktop_app.models.store import Store


def packages(store: Store) -> list[dict]:
    """Every package this installation sent or received, newest first, with the peer's name."""
    return store.all("SELECT p.*, o.name AS peer_name FROM packages p "
                     "LEFT JOIN organisations o ON o.code = p.peer_org ORDER BY p.processed_at DESC")


def receipt(store: Store, package_id: str | None = None) -> dict | None:
    """The stored 数据包接收回执 of a received package (the latest one when no id is given)."""
    if package_id:
        row = store.one("SELECT receipt FROM packages WHERE id=? AND direction='received'", (package_id,))
    else:
        row = store.one("SELECT receipt FROM packages WHERE direction='received' AND receipt IS NOT NULL "
                        "ORDER BY processed_at DESC LIMIT 1")
    return json.loads(row["receipt"]) if row and row["receipt"] else None
