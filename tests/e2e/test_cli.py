"""End-to-end through the real `govis` command line (a subprocess per call)."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from tests.core.dbstate import snapshot


def govis(db, *args, check=None):
    env = {**os.environ, "GOVIS_DB": str(db), "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-m", "desktop_app", *args], capture_output=True, text=True, env=env,
                       encoding="utf-8", timeout=120, check=False)
    if check is not None:
        assert r.returncode == check, (r.returncode, r.stdout, r.stderr)
    return r


class DB:
    def __init__(self, path):
        self.path = path

    def snap(self):
        from desktop_app.models.store import Store
        s = Store.open(self.path)
        try:
            return snapshot(s)
        finally:
            s.close()


@pytest.fixture
def unit_db(tmp_path):
    db = tmp_path / "unit.db"
    govis(db, "init", "--role", "unit", "--org-code", "MYJYJ", "--org-name", "蒙阴县教育和体育局", check=0)
    govis(db, "project", "new", "name=县智慧教育云平台", "plan_year=2028", "category=新建", "total_investment_fen=120.5",
          "mlps_level=2", "planned_start=2028-03-01", "planned_completion=2028-12-31", check=0)
    return db


def test_version_and_usage(tmp_path):
    r = govis(tmp_path / "x.db", "--version", check=0)
    assert "govis" in r.stdout
    assert govis(tmp_path / "x.db", "nonsense").returncode == 2


def test_init_twice_refused(unit_db):
    r = govis(unit_db, "init", "--role", "unit", "--org-code", "X1", "--org-name", "某单位", check=1)
    assert "已经初始化" in r.stderr


def test_project_shown_and_audit_verifies(unit_db):
    r = govis(unit_db, "project", "show", "MYJYJ-2028-001", check=0)
    assert "县智慧教育云平台" in r.stdout and "120.5 万元" in r.stdout
    assert "逐条校验通过" in govis(unit_db, "audit", "verify", check=0).stdout


@pytest.mark.parametrize("args,needle", [
    (["ledger", "--status", "飞行中"], "未知的项目状态"),
    (["project", "new", "name=甲", "plan_year=2028", "category=new", "total_investment_fen=-1"], "负数"),
    (["project", "new", "name=甲", "plan_year=2028", "category=new", "total_investment_fen=十万"], "不是数字"),
    (["project", "new", "name=", "plan_year=2028", "category=new", "total_investment_fen=1"], "必填"),
    (["project", "new", "name=甲", "plan_year=2028", "category=new", "total_investment_fen=1",
      "planned_start=2028-05-01", "planned_completion=2028-01-01"], "不能早于"),
    (["project", "act", "MYJYJ-2028-001", "start_review"], "只能由县政府办公室"),
    (["project", "act", "MYJYJ-2028-001", "submit"], "申请材料不全"),
    (["record", "add", "contract", "MYJYJ-2028-001", "contract_no=1", "title=t", "supplier=s",
      "procurement_method=公开招标", "amount_fen=1", "signed_on=2026-11-01"], "第八条"),
    (["record", "add", "spaceship", "MYJYJ-2028-001"], "未知的记录类型"),
    (["check", "--today", "2026-13-01"], "格式不对"),
])
def test_bad_input_exit_1_chinese_and_nothing_written(unit_db, args, needle):
    db = DB(unit_db)
    before = db.snap()
    r = govis(unit_db, *args)
    assert r.returncode == 1, r.stderr
    assert needle in r.stderr
    assert db.snap() == before


def test_project_delete_removes_an_unsent_draft_and_is_audited(unit_db):
    r = govis(unit_db, "project", "delete", "MYJYJ-2028-001", check=0)
    assert "已删除项目草稿 MYJYJ-2028-001" in r.stdout
    r = govis(unit_db, "project", "show", "MYJYJ-2028-001", check=1)
    assert "找不到" in r.stderr
    con = sqlite3.connect(unit_db)
    op, before = con.execute("SELECT operation, before FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    con.close()
    assert op == "删除项目" and json.loads(before)["project"]["name"] == "县智慧教育云平台"
    assert "逐条校验通过" in govis(unit_db, "audit", "verify", check=0).stdout


def test_tampered_audit_row_is_named(unit_db):
    con = sqlite3.connect(unit_db)
    con.execute("UPDATE audit_log SET summary='改过' WHERE seq=2")
    con.commit()
    con.close()
    r = govis(unit_db, "audit", "verify")
    assert r.returncode == 1 and "第 2 条" in r.stderr


def test_missing_database_says_init(tmp_path):
    r = govis(tmp_path / "none.db", "ledger", check=1)
    assert "govis init" in r.stderr


def test_demo_check_cites_eight_clauses(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVIS_PASSWORD", "govis-demo-2026")  # the demo county's accounts
    db = tmp_path / "demo.db"
    govis(db, "demo", "--projects", "80", "--today", "2026-11-24", "--quiet", check=0)
    r = govis(db, "check", "--json", "--today", "2026-11-24", check=0)
    findings = json.loads(r.stdout)
    clauses = {f["clause"] for f in findings}
    assert len(clauses) >= 8, clauses
    states = {f["state"] for f in findings}
    assert {"overdue", "upcoming"} <= states
    ledger = json.loads(govis(db, "ledger", "--json", "--today", "2026-11-24", check=0).stdout)
    assert len(ledger) == 80
    assert govis(db, "audit", "verify").returncode == 0


def test_holidays_for_2027_make_dates_official(tmp_path):
    db = tmp_path / "c.db"
    govis(db, "init", "--role", "county_office", "--org-code", "MYXZF", "--org-name", "蒙阴县人民政府办公室", check=0)
    govis(db, "org", "add", "MYJYJ", "蒙阴县教育和体育局", check=0)
    r = govis(db, "holidays", "set", "2027", "--holidays", "2027-13-01", check=1)
    assert "不存在" in r.stderr or "格式" in r.stderr
    govis(db, "holidays", "set", "2027", "--holidays", "2027-01-01,2027-02-08", "--workdays", "2027-02-06", check=0)


def test_every_command_is_documented_in_the_readme():
    import argparse
    from pathlib import Path

    from desktop_app.cli import build_parser

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [name for name in sub.choices if f"govis {name}" not in readme]
    assert not missing, f"commands not in README: {missing}"


def test_back_dating_refused_on_a_real_database(unit_db):
    """Issue case 7: `project act CODE submit --today 2026-08-01` on a real database is refused, and
    changes nothing; the date of a write is the clock's."""
    before = DB(unit_db).snap()
    r = govis(unit_db, "project", "act", "MYJYJ-2028-001", "submit", "--today", "2026-08-01", check=1)
    assert "不能用 --today" in r.stderr and "倒签" in r.stderr
    r = govis(unit_db, "record", "add", "consultation", "MYJYJ-2028-001", "consulted_on=2026-06-01",
              "--today", "2026-06-01", check=1)
    assert "不能用 --today" in r.stderr
    assert DB(unit_db).snap() == before
    # without --today the same command runs on the clock (and is refused here only by its gates)
    r = govis(unit_db, "project", "act", "MYJYJ-2028-001", "submit", check=1)
    assert "不能用 --today" not in r.stderr and "申请材料不全" in r.stderr


def test_today_stays_for_a_demo_county(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVIS_PASSWORD", "govis-demo-2026")  # the demo county's accounts
    db = tmp_path / "demo.db"
    govis(db, "demo", "--projects", "30", "--today", "2026-11-24", "--quiet", check=0)
    rows = json.loads(govis(db, "ledger", "--json", "--today", "2026-11-24", check=0).stdout)
    draft = next(r for r in rows if r["status"] == "draft")
    r = govis(db, "project", "act", draft["code"], "submit", "--today", "2026-08-01", "--user", "admin")
    assert "不能用 --today" not in r.stderr
