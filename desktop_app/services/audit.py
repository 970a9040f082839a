"""The audit log as a hash chain: each entry hashes its content and the previous entry's hash.

`verify` recomputes the chain and names every row edited, inserted or deleted behind the program's
back. The head (last seq and hash) is also kept in `settings`, so cutting rows off the end shows too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from desktop_app.models.store import now_iso

GENESIS = "0" * 64
HASHED = ("seq", "at", "actor", "org_code", "operation", "record_kind", "record_id", "project_id",
          "summary", "before", "after", "prev_hash")


# built once: json.dumps with options makes a new encoder per call, and an import writes thousands of entries
_encode_row = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str).encode
_encode_hashed = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json(value) -> str | None:
    if value is None:
        return None
    return _encode_row(value)


def entry_hash(row: dict) -> str:
    payload = _encode_hashed([row.get(k) for k in HASHED])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
    seq: int
    message: str


def verify(store) -> list[Problem]:
    problems: list[Problem] = []
    expected_prev, expected_seq = GENESIS, 1
    last_seq = 0
    cur = store.conn.execute("SELECT * FROM audit_log ORDER BY seq")
    cols = [c[0] for c in cur.description]
    for values in cur:
        row = dict(zip(cols, values))
        seq = row["seq"]
        label = f"第 {seq} 条操作记录（{row['at']}，{row['operation']}：{row['summary'][:30]}）"
        if seq != expected_seq:
            problems.append(Problem(expected_seq, f"第 {expected_seq} 至 {seq - 1} 条操作记录被删除"))
        if entry_hash(row) != row["hash"]:
            problems.append(Problem(seq, f"{label}的内容被改动"))
        elif row["prev_hash"] != expected_prev and seq == expected_seq:
            problems.append(Problem(seq, f"{label}与前一条记录接不上：其前的记录被改动、删除，或这一条是插入的"))
        expected_prev, expected_seq, last_seq = row["hash"], seq + 1, seq
    head = store.get_setting("audit_head")
    if head:
        head_seq, head_hash = head.split(":", 1)
        if int(head_seq) > last_seq:
            problems.append(Problem(last_seq + 1, f"第 {last_seq + 1} 至 {head_seq} 条操作记录（日志末尾）被删除"))
        elif int(head_seq) < last_seq:
            problems.append(Problem(int(head_seq) + 1,
                                    f"第 {int(head_seq) + 1} 至 {last_seq} 条操作记录不是本程序写入的"))
        elif last_seq and head_hash != expected_prev:
            problems.append(Problem(last_seq, f"第 {last_seq} 条操作记录（日志末尾）被改动"))
    elif last_seq:
        problems.append(Problem(last_seq, "操作日志的校验点丢失"))
    return problems


def for_project(store, project_id: str) -> list[dict]:
    return store.all("SELECT seq, at, actor, org_code, operation, summary, before, after FROM audit_log "
                     "WHERE project_id=? ORDER BY seq DESC", (project_id,))
