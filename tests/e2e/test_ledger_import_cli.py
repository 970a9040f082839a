"""`govis ledger import` end to end: refusal of a file with bad rows, --dry-run, --skip-invalid, a second
import, a saved mapping, a workbook written by LibreOffice; `govis ledger` itself still reads."""

import shutil
import subprocess

import pytest

from desktop_app import cli
from desktop_app.models.store import Store
from tests.core.builders import make_county
from tests.core.dbstate import snapshot
from tests.core.ledger_files import messy_ledger


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "county.db"
    make_county(path).store.close()
    return path


def state(db):
    s = Store.open(db)
    try:
        return snapshot(s)
    finally:
        s.close()


def count(db, sql):
    s = Store.open(db)
    try:
        return s.one(sql)["n"]
    finally:
        s.close()


def test_import_is_a_writing_command_and_ledger_still_reads(db, capsys):
    parser = cli.build_parser(plugins=False)
    assert cli.writes(parser.parse_args(["ledger", "import", "x.xlsx"]))
    assert not cli.writes(parser.parse_args(["ledger", "--json"]))
    assert cli.main(["ledger", "--db", str(db), "--year", "2026"]) == 0
    assert "共 0 个项目" in capsys.readouterr().out


def test_bad_rows_refuse_the_whole_file_then_skip_invalid_and_again(db, tmp_path, capsys):
    path = messy_ledger(tmp_path / "台账.xlsx")
    before = state(db)
    assert cli.main(["ledger", "import", str(path), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "第 9 行" in err and "第 11 行" in err and "整个文件没有导入" in err
    assert state(db) == before

    assert cli.main(["ledger", "import", str(path), "--db", str(db), "--skip-invalid", "--dry-run"]) == 0
    assert "没有写入" in capsys.readouterr().out
    assert state(db) == before

    assert cli.main(["ledger", "import", str(path), "--db", str(db), "--skip-invalid"]) == 0
    assert "新增 4 个项目" in capsys.readouterr().out
    assert count(db, "SELECT COUNT(*) AS n FROM projects") == 4
    assert cli.main(["audit", "verify", "--db", str(db)]) == 0
    after = state(db)

    assert cli.main(["ledger", "import", str(path), "--db", str(db), "--skip-invalid"]) == 0
    assert "无变化 4 行" in capsys.readouterr().out
    assert state(db) == after


def test_saved_mapping_names_a_unit(db, tmp_path, capsys):
    path = messy_ledger(tmp_path / "台账.xlsx")
    saved = tmp_path / "对应.json"
    assert cli.main(["ledger", "import", str(path), "--db", str(db), "--dry-run", "--save-mapping", str(saved)]) == 1
    assert "是否为「蒙阴县卫生健康局」" in capsys.readouterr().out
    text = saved.read_text(encoding="utf-8").replace('"units_of_orgs": {}', '"units_of_orgs": {"蒙阴县卫健局": "MYWJJ"}')
    saved.write_text(text, encoding="utf-8")
    assert cli.main(["ledger", "import", str(path), "--db", str(db), "--mapping", str(saved), "--json",
                     "--dry-run"]) == 1
    out = capsys.readouterr()
    assert '"units_unknown": []' in out.out and "第 9 行：总投资" in out.err


def test_a_workbook_written_by_libreoffice(db, tmp_path, capsys):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice (soffice) is not installed: the LibreOffice-written workbook is not tested")
        pytest.skip("soffice not installed")
    src = tmp_path / "台账源.csv"
    src.write_text("蒙阴县信息化项目台账,,,,\n,,,,\n序号,项目名称,建设单位,计划年度,投资额（元）,验收日期\n"
                   "1,县档案数字化,蒙阴县教育和体育局,2025,\"1,200,000\",2026/3/5\n,,,,\n"
                   "2,县远程会诊系统,蒙阴县卫生健康局,2026,800000,\n", encoding="utf-8")
    out = tmp_path / "lo"
    profile = tmp_path / "lo-profile"
    r = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--infilter=CSV:44,34,76",
                        "--convert-to", "xlsx", "--outdir", str(out), str(src)], capture_output=True, timeout=180,
                       check=False)
    book = out / "台账源.xlsx"
    if not book.exists():
        print(f"LibreOffice did not convert the file: {r.stderr[-300:]!r}")
        pytest.skip("LibreOffice conversion failed")
    assert cli.main(["ledger", "import", str(book), "--db", str(db)]) == 0
    assert "新增 2 个项目" in capsys.readouterr().out
    s = Store.open(db)
    try:
        p = s.one("SELECT * FROM projects WHERE name='县档案数字化'")
        assert (p["total_investment_fen"], p["status"], p["status_since"]) == (120_000_000, "accepted", "2026-03-05")
    finally:
        s.close()


def test_reviewing_an_imported_project_clears_its_mark_once(db, tmp_path, capsys):
    path = messy_ledger(tmp_path / "台账.xlsx")
    assert cli.main(["ledger", "import", str(path), "--db", str(db), "--skip-invalid"]) == 0
    capsys.readouterr()
    s = Store.open(db)
    code = s.one("SELECT p.code FROM projects p JOIN ledger_imports m ON m.project_id=p.id ORDER BY p.code")["code"]
    s.close()
    marked = "SELECT COUNT(*) AS n FROM ledger_imports WHERE reviewed_at IS NULL"
    assert count(db, marked) == 4
    assert cli.main(["ledger", "reviewed", code, "--db", str(db)]) == 0
    assert "不再标记" in capsys.readouterr().out
    assert count(db, marked) == 3
    assert count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE operation='核对台账导入项目'") == 1
    assert cli.main(["ledger", "reviewed", code, "--db", str(db)]) == 1  # once only
    assert "不是待核对" in capsys.readouterr().err
    assert count(db, marked) == 3
