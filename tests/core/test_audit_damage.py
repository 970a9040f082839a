"""`audit verify` on a damaged file: real bytes overwritten in a real database, in the audit table's
pages and in an index's pages. It names the damage in Chinese; it never crashes or says 操作日志完整."""

import sqlite3

import pytest

from desktop_app import cli
from desktop_app.models.store import Store
from desktop_app.services import audit
from desktop_app.services import operations as ops
from tests.core import builders as B


@pytest.fixture
def busy_file(tmp_path):
    path = tmp_path / "county.db"
    c = B.make_county(str(path))
    p = B.in_construction(c)
    for i in range(120):  # enough entries for the audit table to span many pages
        ops.update_project(c.store, c.unit, p["id"], {"contact": f"0539-42{i:05d}"}, today=B.TODAY)
    c.store.close()  # checkpoints the WAL: every page is in the file
    return path


def pages(path, name: str, kind: str) -> list[int]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name=? AND pagetype=? ORDER BY pageno",
                                          (name, kind))]
    finally:
        con.close()


def overwrite(path, page: int, offset: int, data: bytes) -> None:
    con = sqlite3.connect(path)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * size + offset)
        fh.write(data)


def test_damaged_audit_page_is_named_not_a_crash(busy_file, capsys):
    leaves = pages(busy_file, "audit_log", "leaf")
    assert len(leaves) > 5
    overwrite(busy_file, leaves[len(leaves) // 2], 0, b"\xff" * 16)  # its page header: unreadable
    store = Store.open(busy_file)
    problems = audit.verify(store)
    store.close()
    assert problems and all(p.damage for p in problems)
    lost = [p for p in problems if "无法读取" in p.message]
    assert lost and lost[0].seq > 1 and "备份" in lost[0].message
    assert cli.main(["audit", "verify", "--db", str(busy_file)]) == 1
    err = capsys.readouterr().err
    assert "无法读取" in err and "备份恢复" in err and "Traceback" not in err and "程序内部错误" not in err


def test_damaged_index_page_is_reported_not_complete(busy_file, capsys):
    leaves = pages(busy_file, "idx_audit_project", "leaf") or pages(busy_file, "idx_audit_project", "internal")
    con = sqlite3.connect(busy_file)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    overwrite(busy_file, leaves[0], size - 200, bytes(range(7, 23)))  # 16 bytes inside its cells
    store = Store.open(busy_file)
    problems = audit.verify(store)
    store.close()
    assert problems and problems[0].damage and "idx_audit_project" in problems[0].message, problems
    assert cli.main(["audit", "verify", "--db", str(busy_file)]) == 1
    out = capsys.readouterr()
    assert "操作日志完整" not in out.out and "损坏" in out.err and "Traceback" not in out.err


def test_intact_file_still_verifies(busy_file, capsys):
    assert cli.main(["audit", "verify", "--db", str(busy_file)]) == 0
    assert "操作日志完整" in capsys.readouterr().out
