"""`govis holidays set YEAR --notice FILE` and `govis policy set/show` through the command-line entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.models.store import Store
from tests.core.dbstate import snapshot

NOTICES = Path(__file__).resolve().parents[1] / "core" / "notices"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def county(tmp_path, monkeypatch, capsys):
    db = tmp_path / "county.db"
    monkeypatch.setenv("GOVIS_DB", str(db))
    code, _out, err = run(capsys, "init", "--role", "county_office", "--org-code", "MYXZF",
                          "--org-name", "蒙阴县人民政府办公室", "--no-key")
    assert code == 0, err
    return db


def stored(db, year):
    s = Store.open(str(db))
    try:
        rows = s.all(f"SELECT day, is_workday, source FROM holidays WHERE day LIKE '{year}-%' ORDER BY day")
        return [(r["day"], r["is_workday"]) for r in rows], {r["source"] for r in rows}
    finally:
        s.close()


def test_holidays_from_the_notice_text(county, capsys, tmp_path):
    # saved from WPS on a Chinese Windows PC: GBK
    notice = tmp_path / "2026年节假日.txt"
    notice.write_bytes((NOTICES / "2026.txt").read_text(encoding="utf-8").encode("gbk"))
    code, out, err = run(capsys, "holidays", "set", "2026", "--notice", notice)
    assert code == 0, err
    assert "春节：放假9天（2月15日至2月23日），2月14日、2月28日上班" in out
    assert "放假33天，调休上班6天" in out
    rows, sources = stored(county, 2026)
    assert ("2026-10-10", 1) in rows and ("2026-02-23", 0) in rows and len(rows) == 39
    assert sources == {"国务院办公厅通知（2026年节假日.txt）"}


@pytest.mark.parametrize(("text", "says"), [
    ("国务院办公厅关于2027年部分节假日安排的通知", "没有找到日期"),
    ("一、元旦：1月1日放假。二、春节：2月30日至3月3日放假调休。", "2月没有30日"),
])
def test_a_bad_notice_is_refused_and_changes_nothing(county, capsys, tmp_path, text, says):
    notice = tmp_path / "n.txt"
    notice.write_text(text, encoding="utf-8")
    s = Store.open(str(county))
    before = snapshot(s)
    s.close()
    code, _out, err = run(capsys, "holidays", "set", "2027", "--notice", notice)
    assert code == 1 and says in err
    s = Store.open(str(county))
    assert snapshot(s) == before
    s.close()


def test_notice_file_missing_or_mixed_with_dates(county, capsys, tmp_path):
    code, _out, err = run(capsys, "holidays", "set", "2027", "--notice", tmp_path / "nope.txt")
    assert code == 1 and "找不到通知文件" in err
    (tmp_path / "n.txt").write_text("元旦：1月1日放假。", encoding="utf-8")
    code, _out, err = run(capsys, "holidays", "set", "2027", "--notice", tmp_path / "n.txt", "--holidays", "2027-01-01")
    assert code == 1 and "只能选用一种" in err
    code, _out, err = run(capsys, "holidays", "set", "2027")
    assert code == 1 and "--notice" in err


def test_policy_set_uses_the_same_checks_and_show_names_clauses(county, capsys):
    code, _out, err = run(capsys, "policy", "set", "application_month=2", "application_day=30")
    assert code == 1 and "「年度申报截止日」：2月没有30日" in err
    code, _out, err = run(capsys, "policy", "set", "self_eval_min_months=24")
    assert code == 1 and "必须小于" in err
    code, _out, err = run(capsys, "policy", "set", "application_month=10")
    assert code == 0, err
    code, out, _err = run(capsys, "policy", "show")
    assert code == 0
    assert "application_month = 10    # 年度申报截止月份（月），第二条" in out
    assert "problem_report_workdays = 10    # 重大问题报告期限（个工作日），第四条，本县执行口径" in out
