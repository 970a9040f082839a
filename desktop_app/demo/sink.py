"""Collect generated rows per table, validate them against the kind registry, insert them in bulk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from desktop_app.errors import ValidationError
from desktop_app.models.kinds import KINDS
from desktop_app.services import operations as ops

COMMON = ("id", "owner_org", "rev", "created_at", "updated_at")


def stamp(day: dt.date, minute: int) -> str:
    """A deterministic office-hours timestamp on `day` (China Standard Time)."""
    minute %= 480
    return f"{day.isoformat()}T{8 + minute // 60:02d}:{minute % 60:02d}:00+08:00"


def columns(kind_name: str) -> tuple[str, ...]:
    kind = KINDS[kind_name]
    extra = ("project_id",) if kind.project_scoped else ("status", "status_since")
    return COMMON + extra + tuple(kind.columns)


class Sink:
    """Rows waiting to be written, grouped by kind (kind order = foreign-key order)."""

    def __init__(self):
        self.rows: dict[str, list[dict]] = defaultdict(list)

    def add(self, kind_name: str, row: dict) -> None:
        self.rows[kind_name].append(row)

    def count(self) -> int:
        return sum(len(v) for v in self.rows.values())

    def flush(self, store) -> int:
        """Insert everything collected (inside the caller's transaction) and empty the sink."""
        n = 0
        for kind_name in KINDS:
            rows = self.rows.get(kind_name)
            if not rows:
                continue
            cols = columns(kind_name)
            marks = ", ".join("?" for _ in cols)
            store.conn.executemany(
                f"INSERT INTO {KINDS[kind_name].table} ({', '.join(cols)}) VALUES ({marks})",
                [tuple(r.get(c) for c in cols) for r in rows])
            n += len(rows)
        self.rows.clear()
        return n


def validate_row(kind_name: str, row: dict) -> None:
    """Re-validate a generated row exactly as a form entry would be: same values must come back."""
    kind = KINDS[kind_name]
    raw = {f: row.get(f) for f in kind.columns}
    clean = ops.validate(kind, raw)
    wrong = {f: f"生成值 {raw[f]!r} 校验后为 {clean[f]!r}" for f in kind.columns if clean[f] != raw[f]}
    for early, late, msg in ops.DATE_ORDER.get(kind_name, []):
        if raw.get(early) and raw.get(late) and raw[late] < raw[early]:
            wrong[late] = msg
    if kind_name == "project" and (raw.get("fiscal_share_fen") or 0) > raw["total_investment_fen"]:
        wrong["fiscal_share_fen"] = "财政资金不能大于总投资"
    if wrong:
        raise ValidationError(wrong, f"演示数据生成的{kind.label}记录不合规：{wrong}")
