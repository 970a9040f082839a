"""`govis users …`, `--user` (also before the command), GOVIS_USER / GOVIS_PASSWORD, through the real
command-line entry point: sign-in, separation of duties, the auditor, first use, lockout."""

from __future__ import annotations

import pytest

from desktop_app.cli import main
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from tests.core.dbstate import snapshot

LI, WANG, ZHAO = "li-secret-2026", "wang-secret-2026", "zhao-secret-2026"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def as_(monkeypatch, user: str | None, password: str) -> None:
    if user is None:
        monkeypatch.delenv("GOVIS_USER", raising=False)
    else:
        monkeypatch.setenv("GOVIS_USER", user)
    monkeypatch.setenv("GOVIS_PASSWORD", password)


@pytest.fixture
def unit(tmp_path, monkeypatch, capsys):
    db = tmp_path / "unit.db"
    monkeypatch.setenv("GOVIS_DB", str(db))
    assert run(capsys, "init", "--role", "unit", "--org-code", "MYJYJ", "--org-name", "蒙阴县教育和体育局",
               "--no-key")[0] == 0
    for name, role, label, pw in (("li", "clerk", "李明", LI), ("wang", "审核人", "王芳", WANG),
                                  ("zhao", "auditor", "赵敏", ZHAO)):
        monkeypatch.setenv("GOVIS_NEW_PASSWORD", pw)
        code, _out, err = run(capsys, "users", "add", name, "--role", role, "--name", label)
        assert code == 0, err
    return db


def test_users_list_names_everyone_with_role(unit, capsys):
    code, out, _ = run(capsys, "users", "list")
    assert code == 0
    for text in ("admin", "系统管理员", "管理员", "li", "李明", "经办人", "wang", "审核人", "zhao", "只读审计"):
        assert text in out


def test_clerk_drafts_reviewer_submits(unit, monkeypatch, capsys):
    as_(monkeypatch, "li", LI)
    fields = ["name=县智慧教育云平台", "plan_year=2028", "category=新建", "total_investment_fen=120",
              "mlps_level=2", "planned_start=2028-03-01", "planned_completion=2028-12-31"]
    assert run(capsys, "project", "new", *fields)[0] == 0
    code, _, err = run(capsys, "project", "act", "MYJYJ-2028-001", "submit")
    assert code == 1 and "「提交申报」须由审核人或管理员办理，当前账户为经办人" in err
    monkeypatch.setenv("GOVIS_PASSPHRASE", "unused-passphrase")
    code, _, err = run(capsys, "export", "--to", "MYXZF", "--out", unit.parent / "x.zip")
    assert code == 1 and "导出数据包须由审核人或管理员办理" in err
    # the reviewer passes the person check (and meets the gate: materials still missing)
    code, _, err = run(capsys, "--user", "wang", "project", "act", "MYJYJ-2028-001", "submit")
    assert code == 1  # GOVIS_PASSWORD is li's: wang's sign-in fails first
    assert "密码不对" in err
    monkeypatch.setenv("GOVIS_PASSWORD", WANG)
    code, _, err = run(capsys, "--user", "wang", "project", "act", "MYJYJ-2028-001", "submit")
    assert code == 1 and "申请材料不全" in err and "须由" not in err
    store = Store.open(unit)
    assert store.one("SELECT actor FROM audit_log WHERE operation='新建项目'")["actor"] == "li"
    store.close()


def test_auditor_reads_and_verifies_writes_nothing(unit, monkeypatch, capsys):
    as_(monkeypatch, "zhao", ZHAO)
    monkeypatch.setenv("GOVIS_PASSPHRASE", "a-good-passphrase-2026")
    assert run(capsys, "ledger")[0] == 0  # reading refreshes the deadline cache: snapshot after it
    store = Store.open(unit)
    before = snapshot(store)
    store.close()
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "逐条校验通过" in out
    for argv in (["project", "new", "name=某项目", "plan_year=2028", "category=新建", "total_investment_fen=1"],
                 ["users", "add", "qian", "--role", "admin"], ["users", "reset", "admin"],
                 ["users", "disable", "li"], ["keys", "init"]):
        code, _, err = run(capsys, *argv)
        assert code == 1 and "当前账户为只读审计" in err, (argv, err)
    store = Store.open(unit)
    assert snapshot(store) == before
    store.close()


def test_password_from_nowhere_is_refused_in_chinese(unit, monkeypatch, capsys):
    monkeypatch.delenv("GOVIS_PASSWORD")
    code, _, err = run(capsys, "ledger")
    assert code == 1 and "GOVIS_PASSWORD" in err and "Traceback" not in err


def test_leading_user_and_env_user(unit, monkeypatch, capsys):
    as_(monkeypatch, None, LI)
    code, _, err = run(capsys, "--user", "li", "users", "add", "qian", "--role", "clerk")
    assert code == 1 and "当前账户为经办人" in err  # signed in as li, not the default administrator
    as_(monkeypatch, "li", LI)
    code, _, err = run(capsys, "users", "add", "qian", "--role", "clerk")
    assert code == 1 and "当前账户为经办人" in err


def test_disable_and_reset(unit, monkeypatch, capsys):
    assert run(capsys, "users", "disable", "li")[0] == 0
    as_(monkeypatch, "li", LI)
    code, _, err = run(capsys, "ledger")
    assert code == 1 and "已停用" in err
    as_(monkeypatch, None, "govis-test-2026")
    monkeypatch.setenv("GOVIS_NEW_PASSWORD", "wang-new-2026")
    assert run(capsys, "users", "reset", "wang")[0] == 0
    as_(monkeypatch, "wang", "wang-new-2026")
    assert run(capsys, "ledger")[0] == 0


def test_lockout_after_five_wrong_passwords(unit, monkeypatch, capsys):
    as_(monkeypatch, "li", "wrong-password")
    errs = [run(capsys, "ledger")[2] for _ in range(5)]
    assert "还可以再试1次" in errs[3] and "锁定15分钟" in errs[4]
    as_(monkeypatch, "li", LI)
    code, _, err = run(capsys, "ledger")
    assert code == 1 and "已锁定" in err


def test_own_password_change(unit, monkeypatch, capsys):
    as_(monkeypatch, "zhao", ZHAO)  # the auditor too
    monkeypatch.setenv("GOVIS_NEW_PASSWORD", "zhao-new-2026")
    assert run(capsys, "users", "passwd")[0] == 0
    assert run(capsys, "ledger")[0] == 1
    as_(monkeypatch, "zhao", "zhao-new-2026")
    assert run(capsys, "ledger")[0] == 0


def test_first_use_of_an_account_without_password(tmp_path, monkeypatch, capsys):
    db = tmp_path / "old.db"
    store = Store.open(db)
    ops.init_installation(store, "unit", "MYJYJ", "蒙阴县教育和体育局")  # as before accounts: no password
    store.close()
    monkeypatch.setenv("GOVIS_DB", str(db))
    code, _, err = run(capsys, "ledger")
    assert code == 1 and "尚未设置密码" in err and "govis users passwd" in err
    monkeypatch.setenv("GOVIS_NEW_PASSWORD", "first-secret-1")
    assert run(capsys, "users", "passwd")[0] == 0
    as_(monkeypatch, None, "first-secret-1")
    assert run(capsys, "ledger")[0] == 0


def test_init_needs_a_password_source(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GOVIS_NEW_PASSWORD")
    db = tmp_path / "n.db"
    code, _, err = run(capsys, "init", "--db", db, "--role", "unit", "--org-code", "MYJYJ", "--org-name", "某局",
                       "--no-key")
    assert code == 1 and "GOVIS_NEW_PASSWORD" in err
    assert not db.exists() or not ops.is_initialised(Store.open(db))
    monkeypatch.setenv("GOVIS_NEW_PASSWORD", "short")
    code, _, err = run(capsys, "init", "--db", db, "--role", "unit", "--org-code", "MYJYJ", "--org-name", "某局",
                       "--no-key")
    assert code == 1 and "至少需要8个字符" in err
