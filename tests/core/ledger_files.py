"""Ledger workbooks as county offices keep them, written with openpyxl for the import tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HEADER = ["序号", "项目名称", "建设单位", "计划年度", "总投资（万元）", "财政资金(万元)", "合同编号", "合同签订日期",
          "合同金额(元)", "中标单位", "开工日期", "验收日期", "备注"]


def messy_ledger(path: Path) -> Path:
    """Two merged title rows, a blank row, mixed date and amount forms, blank rows between data, and two
    bad rows (sheet rows 9 and 11)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ws["A1"] = "蒙阴县政务信息系统项目台账"
    ws.merge_cells("A1:M1")
    ws["A2"] = "（截至2026年9月）"
    ws.merge_cells("A2:M2")
    # row 3 blank
    for col, h in enumerate(HEADER, 1):
        ws.cell(row=4, column=col, value=h)
    rows = {
        5: [1, "县智慧教育云平台", "蒙阴县教育和体育局", 2024, 120, "100", "HT-2024-01", dt.datetime(2024, 5, 10),
            "1,150,000.00", "山东某某信息公司", "2024/5/20", "2025年6月30日", "已验收"],
        6: [2, "县卫生健康信息平台", "蒙阴县卫生健康局", "2025年", "85.5", 60, "HT-2025-07", 45870,
            "800000", "临沂某某科技", "2025.8.1", None, None],
        # row 7 blank
        8: [3, "县教育资源共享系统", "蒙阴县教育和体育局", 2026, "30万元", None, None, None, None, None, None,
            None, "待招标"],
        9: [4, "县医保结算系统", "蒙阴县卫健局", 2026, "abc", None, None, None, None, None, None, None, None],
        10: [5, "县健康档案系统", "蒙阴县卫生健康局", 2026, 40, None, None, None, None, None, None, None, None],
        11: [6, "县疫苗追溯系统", "蒙阴县卫生健康局", 2026, 20, None, None, "2026-02-30", None, None, None,
             None, None],
    }
    for r, values in rows.items():
        for col, v in enumerate(values, 1):
            ws.cell(row=r, column=col, value=v)
    wb.save(path)
    return path


def big_ledger(path: Path, n: int, units: list[str]) -> Path:
    """`n` projects over the given units, the plain form (header in row 1)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(HEADER)
    for i in range(n):
        signed = dt.date(2024, 1, 1) + dt.timedelta(days=i % 500)
        ws.append([i + 1, f"信息系统项目{i:05d}", units[i % len(units)], 2024 + i % 3, 10 + i % 90, 5,
                   f"HT-{i:05d}" if i % 2 else None, signed if i % 2 else None,
                   f"{(i % 50 + 1) * 10000:,}" if i % 2 else None, "某某公司" if i % 2 else None,
                   None, None, None])
    wb.save(path)
    return path
