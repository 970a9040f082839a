import pytest

from desktop_app.services import audit
from tests.core import builders as B


@pytest.fixture
def busy(county):
    B.in_construction(county)
    assert audit.verify(county.store) == []
    return county.store


def test_clean_chain_verifies(busy):
    assert busy.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] > 10


def test_edited_row_is_named(busy):
    busy.conn.execute("UPDATE audit_log SET actor='someone' WHERE seq=5")
    problems = audit.verify(busy)
    assert [p.seq for p in problems] == [5] and "第 5 条" in problems[0].message and "改动" in problems[0].message


def test_edited_and_rehashed_row_breaks_the_next_link(busy):
    row = busy.one("SELECT * FROM audit_log WHERE seq=5")
    row["summary"] = "伪造"
    busy.conn.execute("UPDATE audit_log SET summary=?, hash=? WHERE seq=5", ("伪造", audit.entry_hash(row)))
    assert [p.seq for p in audit.verify(busy)] == [6]


def test_deleted_row_is_named(busy):
    busy.conn.execute("DELETE FROM audit_log WHERE seq=4")
    problems = audit.verify(busy)
    assert problems[0].seq == 4 and "删除" in problems[0].message


def test_inserted_row_is_named(busy):
    last = busy.conn.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
    busy.conn.execute("INSERT INTO audit_log (seq, at, actor, org_code, operation, record_kind, summary, prev_hash, hash)"
                      " VALUES (?, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x')", (last + 1,))
    problems = audit.verify(busy)
    assert any(p.seq == last + 1 for p in problems)


def test_truncated_tail_is_found(busy):
    last = busy.conn.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
    busy.conn.execute("DELETE FROM audit_log WHERE seq=?", (last,))
    problems = audit.verify(busy)
    assert problems and problems[0].seq == last and "末尾" in problems[0].message
