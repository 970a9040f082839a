"""`govis round open|close YEAR` and `govis round [YEAR] [--json]` through the command-line entry point."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from tests.core import builders as B


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _county(tmp_path, demo: bool = True):
    db = tmp_path / "county.db"
    c = B.make_county(db)
    B.submitted(c)
    if demo:  # --today is allowed on writes only on a demo county
        c.store.set_setting("demo_today", "2026-06-01")
    c.store.close()
    return db


def test_open_view_and_close_a_round(tmp_path, capsys):
    db = _county(tmp_path)
    code, out, err = run(capsys, "--db", db, "round", "2027", "--json", "--today", "2026-06-01")
    assert code == 0, err
    data = json.loads(out)
    assert data["recorded"] is False and data["opened_on"] is None and data["state"].startswith("尚未开启")
    code, out, err = run(capsys, "--db", db, "round", "open", "2027", "--notice", "蒙政办字〔2026〕12号",
                         "--note", "附申报表", "--today", "2026-06-01")
    assert code == 0, err
    assert out.strip() == "已开启2027年度项目申报：2026-06-01开启，截止日期2026-08-31，通知：蒙政办字〔2026〕12号"
    code, out, err = run(capsys, "--db", db, "round", "open", "2027", "--today", "2026-06-02")
    assert code != 0 and "不能重复开启" in err and "Traceback" not in err
    # on the deadline day: too early to close without a reason
    code, out, err = run(capsys, "--db", db, "round", "close", "2027", "--today", "2026-08-31")
    assert code != 0 and "写明理由" in err
    code, out, err = run(capsys, "--db", db, "round", "close", "2027", "--today", "2026-09-01")
    assert code == 0, err
    assert "2027年度项目申报已截止受理（2026-09-01" in out
    code, out, err = run(capsys, "--db", db, "round", "--today", "2026-09-02", "2027")
    assert code == 0, err
    assert "申报：已截止受理（2026-06-01开启，2026-09-01截止受理）；通知：蒙政办字〔2026〕12号" in out
    code, out, err = run(capsys, "--db", db, "round", "2027", "--json", "--today", "2026-09-02")
    data = json.loads(out)
    assert (data["recorded"], data["opened_on"], data["closed_on"], data["notice"], data["open"]) == (
        True, "2026-06-01", "2026-09-01", "蒙政办字〔2026〕12号", False)
    assert [a["late"] for a in data["applications"]] == [False]


def test_today_is_refused_on_a_real_database_and_usage_errors_are_named(tmp_path, capsys):
    db = _county(tmp_path, demo=False)
    code, out, err = run(capsys, "--db", db, "round", "open", "2028", "--today", "2027-03-01")
    assert code != 0 and "防止倒签" in err
    for words in (["open"], ["close", "明年"], ["2027", "2028"]):
        with pytest.raises(SystemExit) as exc:
            main(["--db", str(db), "round", *words])
        assert exc.value.code == 2 and "应写成 govis round [年度]、govis round open 年度" in capsys.readouterr().err
    code, out, err = run(capsys, "--db", db, "round", "2027", "--note", "x")
    assert code != 0 and "只用于 govis round open / close" in err
    code, out, err = run(capsys, "--db", db, "round", "--today", "2026-08-01")  # the view still works as before
    assert code == 0 and "2027年度项目申报情况" in out and "尚未开启" in out
