"""`govis verify` / `govis import --dry-run` print the 疑似重复 lines of an arriving package (第一条)."""

from __future__ import annotations

from desktop_app.cli import main
from tests.exchange.world import (
    LIBRARY,
    LIBRARY_PART,
    RIVER,
    RIVER_AGAIN,
    UNRELATED,
    duplicates_story,
    make_world,
)


def test_the_package_preview_prints_suspected_duplicates(tmp_path, monkeypatch, capsys):
    w = make_world(tmp_path, with_finance=False)
    p = duplicates_story(w)
    package = w.unit.folder / "second.zip"
    db = str(w.county.store.path)
    for argv in (["verify", str(package)], ["import", str(package), "--dry-run"]):
        assert main([*argv, "--db", db]) == 0
        out = capsys.readouterr().out
        lines = [line.strip() for line in out.splitlines() if line.strip().startswith("疑似重复：")]
        assert len(lines) == 2, out
        dup = next(x for x in lines if x.startswith(f"疑似重复：{p[RIVER_AGAIN[0]]['code']} "))
        assert f"↔ {p[RIVER[0]]['code']} {RIVER[0]}（蒙阴县教育和体育局）" in dup
        assert "建议认定重复" in dup and "河湖名录和一河一档" in dup
        part = next(x for x in lines if x.startswith(f"疑似重复：{p[LIBRARY_PART[0]]['code']} "))
        assert p[LIBRARY[0]]["code"] in part and "建议认定部分重复" in part
        assert UNRELATED[0] not in "\n".join(lines)
        assert "由县政府办公室在项目的“相似项目”页审查认定" in out
    assert w.county.store.one("SELECT count(*) AS n FROM projects")["n"] == 2  # nothing written


def test_the_ledger_preview_prints_rows_like_a_held_project(tmp_path, capsys):
    from openpyxl import Workbook

    from tests.core.builders import make_county, new_project

    c = make_county(tmp_path / "county.db")
    held = new_project(c, name=RIVER[0], summary=RIVER[1])
    c.store.close()
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "建设单位", "年度", "总投资（万元）", "建设内容"])
    ws.append([1, RIVER_AGAIN[0], "蒙阴县教育和体育局", 2025, 50, RIVER_AGAIN[1]])
    ws.append([2, UNRELATED[0], "蒙阴县教育和体育局", 2025, 10, UNRELATED[1]])
    wb.save(tmp_path / "台账.xlsx")
    assert main(["ledger", "import", str(tmp_path / "台账.xlsx"), "--db", str(tmp_path / "county.db"), "--dry-run"]) == 0
    lines = [x.strip() for x in capsys.readouterr().out.splitlines() if x.strip().startswith("疑似重复：")]
    assert len(lines) == 1 and lines[0].startswith(f"疑似重复：第2行 {RIVER_AGAIN[0]} ↔ {held['code']} {RIVER[0]}")
