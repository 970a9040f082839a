"""Bringing in the county office's old Excel ledger (台账): read → find the header → map the columns →
preview (a Plan) → write on confirmation through `services.operations.import_ledger_rows`. No Qt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop_app.models.store import Store
from desktop_app.services import backups
from desktop_app.services import operations as ops
from desktop_app.services.ledger_import.mapping import Mapping, auto_mapping
from desktop_app.services.ledger_import.plan import Plan, build_plan
from desktop_app.services.ledger_import.reading import LedgerFileError, read_sheet, sheet_names

__all__ = ["LedgerFileError", "Mapping", "Plan", "apply", "preview", "read_sheet", "sheet_names"]


def preview(store: Store, path: str | Path, mapping: Mapping | None = None, sheet: str | None = None,
            today: dt.date | None = None) -> Plan:
    """The plan for a file: the given mapping (saved from an earlier import), else one found automatically."""
    sheet = sheet or (mapping.sheet if mapping else None)
    data = read_sheet(path, sheet)
    if mapping is None:
        mapping = auto_mapping(data.rows)
        if mapping is None:
            raise LedgerFileError(f"在工作表「{data.name}」的前 30 行中找不到表头（如 项目名称、建设单位、年度、总投资）。"
                                  "请确认选择了台账所在的工作表，或在导入向导中指定表头所在行。")
    mapping.sheet = data.name
    return build_plan(store, data, mapping, f"{Path(path).name}·{data.name}", today)


def apply(store: Store, actor: ops.Actor, plan: Plan, today: dt.date | None = None) -> ops.OpChanges:
    """Write the plan's new and updated rows (a backup first, as before every import)."""
    if not plan.writes:
        return ops.OpChanges()
    backups.make_backup(store, "import")
    return ops.import_ledger_rows(store, actor, plan.writes, plan.source, today)
