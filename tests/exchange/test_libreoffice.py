"""A real spreadsheet program reads the exported workbook: Chinese intact, '=1+1' stays text.

Needs LibreOffice (Debian: libreoffice-calc-nogui). Skipped, with the reason shown by -ra, when absent.
"""

import csv
import io
import shutil
import subprocess

import openpyxl
import pytest

from desktop_app.exchange.workbook import Column, Cover, SheetSpec, write_workbook

pytestmark = pytest.mark.libreoffice

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# 44 = comma, 34 = double quote, 76 = UTF-8 (without it Chinese becomes '?'), then: start row 1,
# no column formats, language default, quote all text = false, detect special numbers = true,
# save cell contents as shown = false, export formulas = false, remove space = false, sheet -1 = all sheets.
FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"

SPEC = SheetSpec("项目", (Column("code", "项目编号"), Column("name", "项目名称"), Column("total", "总投资", "money")))
ROWS = [
    {"code": "=1+1", "name": "蒙阴县政务服务平台（二期）", "total": 123456789},
    {"code": "＝SUM(1,2)", "name": "@SUM(A1)", "total": 5},
    {"code": "-2+3", "name": "+1", "total": None},
]


def _convert(tmp_path, files: dict[str, bytes]) -> dict[str, list[list[str]]]:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", FILTER,
         "--outdir", str(tmp_path / "out"), *[str(tmp_path / n) for n in files]],
        check=True, capture_output=True, timeout=120,
    )
    return {p.name: list(csv.reader(io.StringIO(p.read_text("utf-8")))) for p in (tmp_path / "out").glob("*.csv")}


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui")
def test_libreoffice_reads_text_as_text(tmp_path):
    ours = write_workbook(Cover("蒙阴县大数据中心", "县政府办公室", "2026年11月24日"), [(SPEC, ROWS)])
    # Control: a genuine formula cell, to show this LibreOffice does evaluate formulas.
    wb = openpyxl.Workbook()
    wb.active.title = "对照"
    wb.active["A1"] = "=1+1"
    control = io.BytesIO()
    wb.save(control)

    out = _convert(tmp_path, {"ours.xlsx": ours, "control.xlsx": control.getvalue()})
    sheet = out["ours-项目.csv"]
    assert sheet[0] == ["项目编号", "项目名称", "总投资（分）", "总投资（万元）"]
    assert sheet[1][:3] == ["=1+1", "蒙阴县政务服务平台（二期）", "123456789"]
    assert sheet[2][:2] == ["＝SUM(1,2)", "@SUM(A1)"]
    assert sheet[3][:2] == ["-2+3", "+1"]
    cover = [c for row in out["ours-说明.csv"] for c in row]
    assert "蒙阴县大数据中心" in cover and "2026年11月24日" in cover
    assert out["control-对照.csv"][0] == ["2"]
