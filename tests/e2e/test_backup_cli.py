"""End to end through `govis`: backup, list, restore; a damaged file refused for writing (exit 1, the
newest good backup named) but still readable; a second program holding the database (a real process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.models.store import Store
from desktop_app.services import audit
from desktop_app.services.instance_lock import Held, InstanceLock
from tests.core import damage

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "county.db"
    damage.build(path, projects=300)
    return path


def test_backup_list_restore(db, capsys, monkeypatch):
    assert run(capsys, "org", "add", "MYA", "先前的单位", "--db", str(db))[0] == 0  # the day's first backup
    code, out, err = run(capsys, "backup", "--db", str(db))
    assert code == 0 and "已备份到" in out and "项目 300 个" in out, err
    backup = Path(out.split("已备份到：")[1].split("（")[0])
    code, out, _ = run(capsys, "org", "add", "MYX", "后来的单位", "--db", str(db))
    assert code == 0
    code, out, _ = run(capsys, "backup", "--list", "--db", str(db))
    assert "手动" in out and "每日" in out and "项目 300" in out and "共 2 个备份" in out
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, _, err = run(capsys, "restore", str(backup), "--db", str(db))
    assert code == 1 and "--yes" in err
    code, out, err = run(capsys, "restore", str(backup), "--yes", "--db", str(db))
    assert code == 0 and "恢复前的数据已备份为" in out, err
    store = Store.open(db)
    try:
        assert store.one("SELECT 1 FROM organisations WHERE code='MYX'") is None
        assert store.one("SELECT 1 FROM organisations WHERE code='MYA'") is not None
        assert audit.verify(store) == []
    finally:
        store.close()


def test_damaged_database_refused_for_writing(db, capsys):
    code, out, _ = run(capsys, "backup", "--db", str(db))
    good = out.split("已备份到：")[1].split("（")[0]
    damage.overwrite_middle_of_index_page(db)
    code, _, err = run(capsys, "org", "add", "MYX", "某单位", "--db", str(db))
    assert code == 1 and "数据库文件已损坏" in err and good in err and "govis restore" in err
    assert "Traceback" not in err
    code, out, err = run(capsys, "ledger", "--db", str(db))
    assert code == 0 and "共 300 个项目" in out and "已损坏" in err
    code, _, err = run(capsys, "integrity", "--db", str(db))
    assert code == 1 and "未通过" in err
    code, out, err = run(capsys, "restore", good, "--yes", "--db", str(db))
    assert code == 0, err
    code, out, _ = run(capsys, "integrity", "--full", "--db", str(db))
    assert code == 0 and "通过" in out
    assert run(capsys, "org", "add", "MYX", "某单位", "--db", str(db))[0] == 0


HOLDER = textwrap.dedent("""
    import sys
    from desktop_app.services.instance_lock import InstanceLock
    lock = InstanceLock(sys.argv[1], "wangming").acquire()
    print("held", flush=True)
    sys.stdin.read()  # hold until the test closes our stdin
""")


def test_second_program_refused_naming_the_holder(db, capsys):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Held) as exc:
            InstanceLock(db).acquire()
        assert f"进程号 {holder.pid}" in exc.value.message and "wangming" in exc.value.message
        code, _, err = run(capsys, "org", "add", "MYX", "某单位", "--db", str(db))
        assert code == 1 and f"进程号 {holder.pid}" in err and "wangming" in err
        code, out, _ = run(capsys, "ledger", "--db", str(db))  # reading goes on beside it
        assert code == 0 and "共 300 个项目" in out
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    with InstanceLock(db) as lock:  # released by the OS when the holder ended
        assert lock.held


def test_killed_holder_releases_the_lock(db):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()  # no clean-up code runs
    holder.wait(timeout=30)
    holder.stdin.close()
    with InstanceLock(db) as lock:
        assert lock.held
