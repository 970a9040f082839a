"""`govis keys|trust|export|import|verify` end to end through the real command line entry point."""

import json
import shutil
import subprocess

import pytest

from desktop_app.cli import main
from tests.exchange.helpers import full_state
from tests.exchange.world import PASS, unit_application

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GOVIS_PASSPHRASE", PASS)
    county, unit = tmp_path / "county.db", tmp_path / "unit.db"
    assert run(capsys, "init", "--db", county, "--role", "county_office", "--org-code", "MYXZF",
               "--org-name", "蒙阴县人民政府办公室")[0] == 0
    assert run(capsys, "init", "--db", unit, "--role", "unit", "--org-code", "MYJYJ", "--org-name", "蒙阴县教育和体育局",
               "--code-prefix", "JY")[0] == 0
    for db in (county, unit):  # `init` made the key at set-up; a second one is refused
        code, _, err = run(capsys, "keys", "init", "--db", db)
        assert code == 1 and "已有签名密钥" in err
    assert run(capsys, "org", "add", "MYJYJ", "蒙阴县教育和体育局", "--db", county)[0] == 0
    return tmp_path, county, unit


def test_keys_trust_export_import_verify(two, capsys):
    tmp, county, unit = two
    code, out, _ = run(capsys, "keys", "show", "--json", "--db", unit)
    unit_fp = json.loads(out)["fingerprint_short"]
    assert run(capsys, "keys", "export-public", "--db", unit, "--out", tmp / "unit.pub")[0] == 0
    code, _, err = run(capsys, "trust", "add", tmp / "unit.pub", "--fingerprint", "ABCD" * 8, "--db", county)
    assert code == 1 and "不一致" in err
    assert run(capsys, "trust", "add", tmp / "unit.pub", "--fingerprint", unit_fp.lower(), "--db", county)[0] == 0
    county_fp = json.loads(run(capsys, "keys", "show", "--json", "--db", county)[1])["fingerprint"]
    assert run(capsys, "export", "--to", "MYJYJ", "--directory", "--out", tmp / "dir.zip", "--db", county)[0] == 0
    code, _, err = run(capsys, "import", tmp / "dir.zip", "--db", unit)
    assert code == 1 and "不在本机登记的可信密钥中" in err
    assert run(capsys, "import", tmp / "dir.zip", "--fingerprint", county_fp, "--db", unit)[0] == 0
    # the unit applies through the same operations, then packages it
    assert run(capsys, "project", "new", "--db", unit, "name=县智慧教育云平台", "plan_year=2027", "category=new",
               "total_investment_fen=120")[0] == 0
    assert run(capsys, "export", "--to", "MYXZF", "--out", tmp / "up.zip", "--db", unit)[0] == 0
    code, out, _ = run(capsys, "verify", tmp / "up.zip", "--db", county)
    assert code == 0 and "校验通过" in out
    code, out, _ = run(capsys, "import", tmp / "up.zip", "--dry-run", "--db", county)
    assert code == 0 and "未写入任何数据" in out
    code, out, _ = run(capsys, "import", tmp / "up.zip", "--db", county, "--receipt", tmp / "回执.pdf")
    assert code == 0 and (tmp / "回执.pdf").read_bytes().startswith(b"%PDF")
    code, out, _ = run(capsys, "import", tmp / "up.zip", "--db", county)
    assert code == 0 and "已导入" in out
    assert run(capsys, "keys", "print", "--db", unit, "--out", tmp / "登记表.pdf")[0] == 0
    assert "收到" in run(capsys, "packages", "--db", county)[1]


def test_refused_import_exits_1_and_changes_nothing(two, capsys):
    tmp, county, unit = two
    from desktop_app.models.store import Store

    assert run(capsys, "export", "--to", "MYXZF", "--out", tmp / "x.zip", "--db", unit)[0] == 1  # no directory yet
    (tmp / "junk.zip").write_bytes(b"PK\x03\x04 this is not a package")
    s = Store.open(county)
    before = full_state(s)
    s.close()
    code, _, err = run(capsys, "import", tmp / "junk.zip", "--db", county)
    assert code == 1 and "操作未完成" in err
    s = Store.open(county)
    assert full_state(s) == before


def test_wrong_passphrase_message(two, capsys, monkeypatch):
    tmp, county, _unit = two
    monkeypatch.setenv("GOVIS_PASSPHRASE", "不是这个口令啊")
    code, _, err = run(capsys, "export", "--to", "MYJYJ", "--directory", "--out", tmp / "d.zip", "--db", county)
    assert code == 1 and "口令不正确" in err


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui")
def test_exported_workbook_converts_with_libreoffice(tmp_path):
    """The package's workbook opens in a real spreadsheet program with the Chinese text intact."""
    import csv
    import io

    from tests.exchange.helpers import members
    from tests.exchange.world import make_world

    w = make_world(tmp_path / "w", with_finance=False)
    unit_application(w)
    wb = members(w.unit.export("MYXZF"))["records.xlsx"]
    (tmp_path / "pkg.xlsx").write_bytes(wb)
    flt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", flt,
                    "--outdir", str(tmp_path / "out"), str(tmp_path / "pkg.xlsx")],
                   check=True, capture_output=True, timeout=180)
    sheets = {p.name: list(csv.reader(io.StringIO(p.read_text("utf-8")))) for p in (tmp_path / "out").glob("*.csv")}
    cover = [c for row in sheets["pkg-说明.csv"] for c in row]
    assert "蒙阴县教育和体育局（MYJYJ）" in cover
    project = sheets["pkg-项目.csv"]
    assert "项目名称" in project[0] and "县智慧教育云平台" in project[1]
    assert any("项目申请报告" in row for row in sheets["pkg-申报材料.csv"])
