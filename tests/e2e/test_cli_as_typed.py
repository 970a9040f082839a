"""The command line as people type it (issue 11, items 17-19): global options before the command name,
Chinese usage errors, names instead of internal ids, aligned CJK columns, and `govis gui` on a machine
without a display."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata

import pytest

from desktop_app.cli import main
from desktop_app.models.kinds import KINDS
from tests.e2e.test_cli import DB

CODE = "MYJYJ-2028-001"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def govis(*args, env_remove=(), **env_extra):
    """The real program in a subprocess, without GOVIS_DB: the database comes from --db only."""
    env = {k: v for k, v in os.environ.items() if k not in ("GOVIS_DB", *env_remove)}
    env.update(PYTHONIOENCODING="utf-8", **env_extra)
    return subprocess.run([sys.executable, "-m", "desktop_app", *map(str, args)], capture_output=True, text=True,
                          env=env, encoding="utf-8", timeout=120, check=False)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" not in err and "error:" not in err and "invalid choice" not in err
    return err


@pytest.fixture
def unit_db(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GOVIS_DB", raising=False)
    db = tmp_path / "unit.db"
    assert run(capsys, "--db", db, "init", "--role", "unit", "--org-code", "MYJYJ", "--org-name", "蒙阴县教育和体育局",
               "--no-key")[0] == 0
    assert run(capsys, "--db", db, "project", "new", "name=县智慧教育云平台", "plan_year=2028", "category=新建",
               "total_investment_fen=120.5")[0] == 0
    return db


# ---- 17. global options before the command --------------------------------------------------------

def test_db_before_the_command_as_typed(tmp_path):
    db = tmp_path / "县教体局.db"
    r = govis("--db", db, "init", "--role", "unit", "--org-code", "MYJYJ", "--org-name", "蒙阴县教育和体育局", "--no-key")
    assert r.returncode == 0, r.stderr
    assert db.exists()
    assert govis("--db", db, "project", "new", "name=县智慧教育云平台", "plan_year=2028", "category=new",
                 "total_investment_fen=120").returncode == 0
    r = govis(f"--db={db}", "--user", "admin", "--today", "2026-11-26", "ledger")
    assert r.returncode == 0, r.stderr
    assert CODE in r.stdout and "共 1 个项目" in r.stdout
    # the same option written again after the command name wins (the leading one is only a default)
    r = govis("--db", tmp_path / "别的.db", "ledger", "--db", db)
    assert r.returncode == 0 and CODE in r.stdout


def test_user_before_the_command_signs_that_user_in(unit_db, capsys):
    code, _, err = run(capsys, "--user", "nobody", "--db", unit_db, "ledger")
    assert code == 1 and "nobody" in err
    code, out, _ = run(capsys, "--user=admin", "--db", unit_db, "project", "show", CODE)
    assert code == 0 and "县智慧教育云平台" in out


def test_today_before_a_command_that_reads(unit_db, capsys):
    code, out, _ = run(capsys, "--db", unit_db, "--today", "2026-11-26", "check")
    assert code == 0 and "检查日期：2026-11-26" in out


def test_today_before_a_writing_command_is_a_usage_error_and_writes_nothing(unit_db, capsys):
    before = DB(unit_db).snap()
    err = usage_error(capsys, "--db", unit_db, "--today", "2026-01-05", "project", "new", "name=甲", "plan_year=2028",
                      "category=new", "total_investment_fen=1")
    assert "没有 --today 选项" in err and "本机时钟" in err
    assert DB(unit_db).snap() == before


@pytest.mark.parametrize("argv,needle", [
    (["--frobnicate", "ledger"], "不认识的选项 --frobnicate"),
    (["nonsense"], "没有「nonsense」这个命令"),
    (["--db"], "选项 --db 后面应写数据库文件路径"),
    (["--user", "--db", "x.db", "ledger"], "选项 --user 后面应写用户名"),
    (["ledger", "--year", "abc"], "--year 应为整数"),
    (["ledger", "--frobnicate"], "不认识的参数：--frobnicate"),
    (["audit"], "缺少子命令，可用：verify、heads"),
    (["record", "add"], "缺少必须写的参数"),
    (["init", "--role", "emperor", "--org-code", "X", "--org-name", "Y"], "没有「emperor」这一项"),
])
def test_usage_errors_stay_exit_2_in_chinese(unit_db, capsys, argv, needle):
    before = DB(unit_db).snap()
    err = usage_error(capsys, "--db", unit_db, *argv)
    assert needle in err, err
    assert "--help 查看用法" in err
    assert DB(unit_db).snap() == before


def test_unknown_command_lists_every_command(capsys):
    from desktop_app.cli import build_parser

    err = usage_error(capsys, "--db", "x.db", "nonsense")
    commands = next(a for a in build_parser()._actions if hasattr(a, "choices") and a.choices).choices
    assert len(commands) > 20
    missing = [name for name in commands if name not in err]
    assert not missing, missing


# ---- 18. names, never internal ids ----------------------------------------------------------------

def test_project_show_names_the_lead_unit(unit_db, capsys):
    code, out, _ = run(capsys, "--db", unit_db, "project", "show", CODE, "--today", "2026-11-26")
    assert code == 0
    assert "牵头（建设）单位：蒙阴县教育和体育局（MYJYJ）" in out
    assert not UUID.search(out), out


def test_record_add_names_the_kind_and_title(unit_db, capsys):
    code, out, err = run(capsys, "--db", unit_db, "record", "add", "material", CODE, "material_type=application_report",
                         "title=项目申请报告")
    assert code == 0, err
    assert f"已添加申报材料「项目申请报告」到项目 {CODE}" in out
    assert not UUID.search(out)
    # still refused: an unknown kind names the kinds there are, and nothing is written
    before = DB(unit_db).snap()
    code, _, err = run(capsys, "--db", unit_db, "record", "add", "spaceship", CODE)
    assert code == 1 and "未知的记录类型" in err and "material（申报材料）" in err
    assert DB(unit_db).snap() == before


def test_record_add_help_lists_kinds_with_chinese_labels(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["record", "add", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    for kind in KINDS.values():
        if kind.project_scoped:
            assert any(line.split() == [kind.name, kind.label] for line in lines), kind.name
    assert "用法：" in out and "usage:" not in out


def cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def starts(line: str, tokens: list[str]) -> list[int]:
    """Terminal columns (CJK counted twice) where each of `tokens` starts, found left to right."""
    out, at = [], 0
    for token in tokens:
        at = line.index(token, at)
        out.append(cells(line[:at]))
        at += len(token)
    return out


def test_ledger_columns_line_up_in_cjk_cells(tmp_path, capsys, monkeypatch):
    from desktop_app.demo import DEMO_PASSWORD

    monkeypatch.setenv("GOVIS_PASSWORD", DEMO_PASSWORD)  # the demo county's accounts
    db = tmp_path / "demo.db"
    assert run(capsys, "--db", db, "demo", "--projects", "12", "--today", "2026-11-26", "--quiet")[0] == 0
    code, out, _ = run(capsys, "--db", db, "--today", "2026-11-26", "ledger")
    assert code == 0
    header, *rows, total = out.splitlines()
    assert total.startswith("共 ") and len(rows) >= 12
    assert len({r.split()[2] for r in rows}) >= 3  # statuses of different widths (草稿, 建设中, 已竣工验收…)
    names = ["编号", "年度", "状态", "总投资(万元)", "已拨付(万元)"]
    at = starts(header, names)
    ends = [a + cells(n) for a, n in zip(at, names)]
    for row in rows:
        tokens = row.split()[:5]
        got = starts(row, tokens)
        assert got[:3] == at[:3], row  # left-aligned: the code never runs into the year
        assert [g + cells(t) for g, t in zip(got[3:], tokens[3:])] == ends[3:], row  # amounts right-aligned
        assert re.fullmatch(r"\d{4}", tokens[1])


def test_packages_in_chinese(tmp_path, capsys, monkeypatch):
    from tests.exchange.world import PASS

    monkeypatch.setenv("GOVIS_PASSPHRASE", PASS)
    county, unit = tmp_path / "county.db", tmp_path / "unit.db"
    assert run(capsys, "--db", county, "init", "--role", "county_office", "--org-code", "MYXZF",
               "--org-name", "蒙阴县人民政府办公室")[0] == 0
    assert run(capsys, "--db", unit, "init", "--role", "unit", "--org-code", "MYJYJ",
               "--org-name", "蒙阴县教育和体育局")[0] == 0
    code, out, _ = run(capsys, "--db", county, "packages")
    assert code == 0 and "还没有发出或收到过数据包" in out
    assert run(capsys, "--db", county, "org", "add", "MYJYJ", "蒙阴县教育和体育局")[0] == 0
    assert run(capsys, "--db", unit, "keys", "export-public", "--out", tmp_path / "unit.pub")[0] == 0
    fp = run(capsys, "--db", unit, "keys", "show")[1].split("核对用指纹（登记表前8组）：")[1].strip()
    assert run(capsys, "--db", county, "trust", "add", tmp_path / "unit.pub", "--fingerprint", fp)[0] == 0
    assert run(capsys, "--db", county, "export", "--to", "MYJYJ", "--directory", "--out", tmp_path / "d.zip")[0] == 0
    code, out, _ = run(capsys, "--db", county, "packages")
    assert code == 0
    header, line = out.splitlines()
    assert header.split("\t")[:5] == ["办理时间", "方向", "对方单位", "序号", "内容"]
    when, way, peer, seq, kind, state, _id = line.split("\t")
    assert re.fullmatch(r"\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}", when), when
    assert (way, peer, seq, kind, state) == ("发出", "蒙阴县教育和体育局（MYJYJ）", "第1号", "单位及密钥目录", "已导出")
    assert "directory" not in out and "T" not in when


# ---- 19. the window on a machine without a display ------------------------------------------------

def test_gui_without_a_display_says_so_in_chinese(tmp_path):
    r = govis("--db", tmp_path / "x.db", "gui", env_remove=("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "没有可用的图形显示" in r.stderr and "govis ledger" in r.stderr and "govis --help" in r.stderr
    assert "qt.qpa" not in r.stderr and "Aborted" not in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.db").exists()  # nothing was created
    # `govis` alone (the window) and `govis --db FILE` alike
    r = govis("--db", tmp_path / "x.db", env_remove=("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    assert r.returncode == 1 and "没有可用的图形显示" in r.stderr


@pytest.mark.parametrize("env,platform,ok", [
    ({}, "linux", False),
    ({"QT_QPA_PLATFORM": "xcb"}, "linux", False),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", True),
    ({"DISPLAY": ":0"}, "linux", True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
    ({}, "win32", True),
    ({}, "darwin", True),
])
def test_which_machines_have_a_display(env, platform, ok):
    from desktop_app.ui.app import no_display_reason

    assert (no_display_reason(env, platform) is None) == ok
