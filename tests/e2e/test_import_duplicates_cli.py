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
