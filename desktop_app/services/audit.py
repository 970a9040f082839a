"""The audit log as a hash chain: each entry hashes its content and the previous entry's hash.

`verify` recomputes the chain and names every row edited, inserted or deleted behind the program's
back. The head (last seq and hash) is also kept in `settings`, so cutting rows off the end shows too.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass

import orjson

from desktop_app.models.store import now_iso

GENESIS = "0" * 64
HASHED = ("seq", "at", "actor", "org_code", "operation", "record_kind", "record_id", "project_id",
          "summary", "before", "after", "prev_hash")


# orjson: an import writes an entry per record, and the standard encoder was a fifth of its time.
# The hashed payload is byte for byte what json.dumps(ensure_ascii=False, separators=(",", ":")) gives
# for a list of str/int/None (tests/core/test_audit_json.py), so chains written before still verify.
# `before`/`after` are stored text: verification hashes the text as stored, never re-encodes it.
_ROW_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _json(value) -> str | None:
    if value is None:
        return None
    return orjson.dumps(value, default=str, option=_ROW_OPTIONS).decode("utf-8")


def entry_hash(row: dict) -> str:
    return hashlib.sha256(orjson.dumps([row.get(k) for k in HASHED])).hexdigest()


def _head(store) -> tuple[int, str]:
    if store.audit_head is not None:  # kept by the store while its transaction lasts
        return store.audit_head
    row = store.conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(store, actor, operation: str, record_kind: str, record_id: str | None, project_id: str | None,
           summary: str, before=None, after=None) -> int:
    """Append one entry. Must run inside the operation's transaction."""
    assert store.conn.in_transaction, "audit entries are written inside the operation's transaction"
    seq, prev = _head(store)
    row = {
        "seq": seq + 1, "at": now_iso(), "actor": actor.user, "org_code": actor.org_code,
        "operation": operation, "record_kind": record_kind, "record_id": record_id,
        "project_id": project_id, "summary": summary, "before": _json(before), "after": _json(after),
        "prev_hash": prev,
    }
    row["hash"] = entry_hash(row)
    store.insert_deferred("audit_log", row)  # in a batch (an import) written at its end, all at once
    if not store.bulk_depth:  # a batch stores the head once, at its end
        store.set_setting("audit_head", f"{row['seq']}:{row['hash']}")
    store.audit_head = (row["seq"], row["hash"])
    return row["seq"]


@dataclass
class Problem:
    seq: int  # the first entry concerned; 0 when the damage is not in an entry (an index, the file)
    message: str
    damage: bool = False  # the file itself is damaged (restore from a backup), not an edited chain


RESTORE = "数据库文件已损坏，请停止在本机录入，从最近的备份恢复（或请技术人员检查硬盘）。"
TABLE_LABELS = {"audit_log": "操作日志", "projects": "项目", "settings": "系统设置", "organisations": "单位"}


def head(store) -> tuple[int, str]:
    """(entry count, hash of the last entry): what a package carries as the sender's audit head."""
    return _head(store)


def _ranges(seqs: list[int]) -> str:
    parts, start = [], None
    for i, s in enumerate(seqs):
        if start is None:
            start = s
        if i + 1 == len(seqs) or seqs[i + 1] != s + 1:
            parts.append(f"第 {start} 条" if start == s else f"第 {start} 至 {s} 条")
            start = None
    return "、".join(parts[:8]) + ("等" if len(parts) > 8 else "")


def _unreadable(store, after: int, upto: int) -> Problem:
    """The walk hit a damaged page after entry `after`: probe each later entry alone to name those lost."""
    lost = []
    for seq in range(after + 1, min(upto, after + 200_000) + 1):
        try:
            store.conn.execute("SELECT * FROM audit_log WHERE seq=?", (seq,)).fetchone()
        except sqlite3.DatabaseError:
            lost.append(seq)
    where = _ranges(lost) if lost else f"第 {after + 1} 条及其后的"
    return Problem(lost[0] if lost else after + 1, f"{where}操作记录无法读取（所在的数据页已损坏）。{RESTORE}", True)


def _walk(store, upto: int | None = None) -> tuple[list[Problem], int, str, bool]:
    """Recompute the chain (up to entry `upto`): (problems, last seq read, its hash, damaged)."""
    problems: list[Problem] = []
    expected_prev, expected_seq = GENESIS, 1
    last_seq = 0
    sql = "SELECT * FROM audit_log" + (" WHERE seq <= ?" if upto is not None else "") + " ORDER BY seq"
    try:
        cur = store.conn.execute(sql, () if upto is None else (upto,))
        cols = [c[0] for c in cur.description]
        for values in cur:
            row = dict(zip(cols, values))
            seq = row["seq"]
            label = f"第 {seq} 条操作记录（{row['at']}，{row['operation']}：{str(row['summary'])[:30]}）"
            if seq != expected_seq:
                problems.append(Problem(expected_seq, f"第 {expected_seq} 至 {seq - 1} 条操作记录被删除"))
            if entry_hash(row) != row["hash"]:
                problems.append(Problem(seq, f"{label}的内容被改动"))
            elif row["prev_hash"] != expected_prev and seq == expected_seq:
                problems.append(Problem(seq, f"{label}与前一条记录接不上：其前的记录被改动、删除，或这一条是插入的"))
            expected_prev, expected_seq, last_seq = row["hash"], seq + 1, seq
    except sqlite3.DatabaseError:
        bound = upto if upto is not None else max(_stored_head(store)[0], last_seq + 1)
        problems.append(_unreadable(store, last_seq, bound))
        return problems, last_seq, expected_prev, True
    return problems, last_seq, expected_prev, False


def _stored_head(store) -> tuple[int, str]:
    try:
        head_text = store.get_setting("audit_head")
    except sqlite3.DatabaseError:
        return 0, ""
    if not head_text:
        return 0, ""
    seq, hash_ = head_text.split(":", 1)
    return int(seq), hash_


def file_damage(store) -> list[Problem]:
    """Damage the walk cannot see: anywhere in the file (quick_check), in the audit table's indexes."""
    lines: list[str] = []
    # quick_check walks the whole file but not index contents; the audit table's own indexes get the
    # full check (bytes overwritten inside an index cell leave its structure valid)
    for pragma in ("PRAGMA quick_check", "PRAGMA integrity_check(audit_log)"):
        try:
            lines += [r[0] for r in store.conn.execute(pragma).fetchall() if r[0] != "ok"]
        except sqlite3.DatabaseError:
            return [Problem(0, f"数据库文件无法完成检查（文件结构损坏）。{RESTORE}", True)]
    if not lines:
        return []
    names = sorted(set(re.findall(r"(?:index|table) (\w+)", "\n".join(lines))))
    where = "、".join(("索引" if n.startswith(("idx_", "sqlite_autoindex")) else "数据表") + " "
                     + n + (f"（{TABLE_LABELS[n]}）" if n in TABLE_LABELS else "") for n in names)
    return [Problem(0, f"数据库文件检查发现 {len(lines)} 处损坏" + (f"，涉及{where}" if where else "")
                    + f"。{RESTORE}", True)]


def verify(store) -> list[Problem]:
    """Every problem of the chain and of the file: edited, inserted, deleted or unreadable entries, damage."""
    problems, last_seq, last_hash, damaged = _walk(store)
    problems = file_damage(store) + problems
    if damaged:
        return problems
    head_seq, head_hash = _stored_head(store)
    if head_hash:
        if head_seq > last_seq:
            problems.append(Problem(last_seq + 1, f"第 {last_seq + 1} 至 {head_seq} 条操作记录（日志末尾）被删除"))
        elif head_seq < last_seq:
            problems.append(Problem(head_seq + 1, f"第 {head_seq + 1} 至 {last_seq} 条操作记录不是本程序写入的"))
        elif last_seq and head_hash != last_hash:
            problems.append(Problem(last_seq, f"第 {last_seq} 条操作记录（日志末尾）被改动"))
    elif last_seq:
        problems.append(Problem(last_seq, "操作日志的校验点丢失"))
    return problems


def check_head(store, count: int, hash_: str) -> list[Problem]:
    """Does this installation's history still hold a head it once sent (entry `count` with hash `hash_`,
    the chain up to it intact)? A history rewritten and rehashed after sending passes `verify` but not this."""
    problems, last_seq, last_hash, damaged = _walk(store, upto=count)
    if damaged:
        return problems
    if last_seq < count:
        problems.append(Problem(last_seq + 1, f"本机操作日志只到第 {last_seq} 条，而回执记载发送时已有 {count} 条："
                                              f"第 {last_seq + 1} 条起的记录已不在本机"))
    elif last_hash != hash_:
        problems.append(Problem(count, f"本机第 {count} 条操作记录的校验值（{last_hash[:12]}…）与回执记载的"
                                       f"（{hash_[:12]}…）不同：发送之后，这一条或更早的操作日志被改写过"))
    return problems


def for_project(store, project_id: str) -> list[dict]:
    return store.all("SELECT seq, at, actor, org_code, operation, summary, before, after FROM audit_log "
                     "WHERE project_id=? ORDER BY seq DESC", (project_id,))
