"""`govis risk list` and `govis risk rate` through the command-line entry point."""

from __future__ import annotations

import json

from desktop_app.cli import main
from tests.core import builders as B


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_then_override_with_a_note(tmp_path, capsys):
    db = tmp_path / "county.db"
    c = B.make_county(db)
    p = B.in_construction(c)
    B.new_project(c)  # a draft: not an active project, never listed
    c.store.close()
    code, out, err = run(capsys, "--db", db, "--today", "2027-01-10", "risk", "list", "--json")
    assert code == 0, err
    [item] = json.loads(out)
    assert item["code"] == p["code"] and item["level"] is None and 1 <= item["suggested"] <= 5
    other = 1 if item["suggested"] != 1 else 2
    # another level without a note: refused in Chinese, exit code not 0
    code, out, err = run(capsys, "--db", db, "risk", "rate", p["code"], other)
    assert code != 0 and "理由" in err and "Traceback" not in err
    code, out, err = run(capsys, "--db", db, "risk", "rate", p["code"], other, "--note", "监理报告显示进度滞后")
    assert code == 0, err
    assert f"风险等级：{other}" in out
    code, out, err = run(capsys, "--db", db, "--today", "2099-01-01", "risk", "list", "--all")
    assert code == 0, err
    assert "（已过期）" in out and p["code"] in out
