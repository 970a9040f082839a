"""Bringing in a 2,000-row old ledger (preview + one-transaction write) beside plain openpyxl reading the
same file: the import's own cost is the difference. Its own small county in a temp folder."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook, load_workbook

from desktop_app.models.store import Store
from desktop_app.services import ledger_import as L
from desktop_app.services import operations as ops

TODAY = dt.date(2026, 11, 24)
ROWS = 2000
HEADER = ["序号", "项目名称", "建设单位", "计划年度", "总投资（万元）", "财政资金(万元)", "合同编号", "合同签订日期",
          "合同金额(元)", "中标单位", "开工日期", "验收日期", "备注"]
UNITS = [(f"U{i:02d}", f"蒙阴县第{i}局") for i in range(1, 21)]


def write_ledger(path: Path, n: int = ROWS) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["蒙阴县政务信息系统项目台账"])
    ws.append(HEADER)
    for i in range(n):
        signed = dt.date(2023, 1, 1) + dt.timedelta(days=i % 600)
        contract = i % 2 == 1
        ws.append([i + 1, f"信息系统项目{i:05d}", UNITS[i % len(UNITS)][1], 2023 + i % 3, 10 + i % 90, 5,
                   f"HT-{i:05d}" if contract else None, signed if contract else None,
                   f"{(i % 50 + 1) * 10000:,}" if contract else None, "某某信息公司" if contract else None,
                   None, f"{signed.year + 1}年{signed.month}月{signed.day}日" if i % 5 == 0 else None, None])
    wb.save(path)
    return path


def ledger_import_benchmarks() -> list[tuple]:
    with tempfile.TemporaryDirectory(prefix="govis-bench-ledger-") as tmp:
        folder = Path(tmp)
        book = write_ledger(folder / "台账.xlsx")
        store = Store.open(folder / "county.db")
        try:
            county = ops.init_installation(store, "county_office", "MYXZF", "蒙阴县人民政府办公室",
                                           admin_password="bench-pass-2026")
            for code, name in UNITS:
                ops.add_organisation(store, county, code, name, "unit")
            t0 = time.perf_counter()
            wb = load_workbook(book, read_only=True, data_only=True)
            n = sum(1 for _ in wb.active.iter_rows(values_only=True))
            wb.close()
            plain = time.perf_counter() - t0
            t0 = time.perf_counter()
            plan = L.preview(store, book, today=TODAY)
            preview = time.perf_counter() - t0
            assert not plan.invalid and len(plan.writes) == ROWS, plan.problems()[:3]
            t0 = time.perf_counter()
            ops.import_ledger_rows(store, county, plan.writes, plan.source, TODAY)
            write = time.perf_counter() - t0
            assert n == ROWS + 2
        finally:
            store.close()
    return [("ledger_import", preview + write, "s", 3.0), ("ledger_import_preview", preview, "s", None),
            ("ledger_import_write", write, "s", None), ("ledger_openpyxl_read", plain, "s", None)]
