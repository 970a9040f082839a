"""Reading the 操作日志 (audit log) with filters, for the screen, the xlsx export and the print.

Newest first. The screen pages through `page(filters, offset, limit)` and never holds 100,000 rows;
`position` finds where an entry sits under the filters (to select the first broken one). `changes`
turns an entry's before/after into field-by-field rows with the kind registry's Chinese labels.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from desktop_app.lifecycle.states import status_label
from desktop_app.models.fields import BOOL, ENUM, MONEY, fen_to_wan_text
from desktop_app.models.kinds import KINDS

# fields every record has, and a few the operations put into before/after besides the kind's own
COMMON_LABELS = {
    "id": "记录编号", "rev": "版本", "created_at": "创建时间", "updated_at": "修改时间", "owner_org": "填报单位",
    "project_id": "所属项目", "status": "项目状态", "status_since": "状态开始日期", "code": "编号", "role": "角色",
    "name": "名称", "sequence": "序号", "recipient": "接收单位", "sender": "发送单位", "counts": "条数",
    "signer": "签名密钥", "file_sha256": "文件摘要", "sender_audit_head": "发送单位操作日志链头",
    "year": "年度", "holidays": "放假日期", "workdays": "调休上班日期", "filename": "文件名", "size": "大小（字节）",
    "media_type": "文件类型", "sha256": "文件摘要", "record_kind": "所属记录类型", "record_id": "所属记录",
    "lead_org_id": "建设单位", "action": "办理事项",
    "rated_on": "评级日期", "suggested_level": "系统建议风险等级", "level": "风险等级", "reasons": "建议理由",
    "note": "说明", "rated_by": "确认人",
}
JOINS = (" FROM audit_log a LEFT JOIN projects p ON p.id = a.project_id LEFT JOIN users u ON u.username = a.actor"
         " LEFT JOIN organisations o ON o.code = a.org_code")
NAMES = "u.display_name, o.name AS org_name, p.code AS project_code, p.name AS project_name"
SELECT = ("SELECT a.seq, a.at, a.actor, a.org_code, a.operation, a.record_kind, a.project_id, a.summary, a.hash, "
          + NAMES + JOINS)


@dataclass(frozen=True)
class Filters:
    project: str = ""  # part of a project code or name
    user: str | None = None  # username
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    operation: str | None = None

    def describe(self) -> str:
        """The filters in words, for the printed log and the export."""
        parts = []
        if self.project.strip():
            parts.append(f"项目：含“{self.project.strip()}”")
        if self.user:
            parts.append(f"操作人：{self.user}")
        if self.date_from or self.date_to:
            a = self.date_from.isoformat() if self.date_from else "最早"
            b = self.date_to.isoformat() if self.date_to else "今"
            parts.append(f"日期：{a} 至 {b}")
        if self.operation:
            parts.append(f"操作：{self.operation}")
        return "；".join(parts) if parts else "全部操作记录"


def _where(f: Filters) -> tuple[str, list]:
    sql, params = [], []
    text = f.project.strip()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql.append("a.project_id IN (SELECT id FROM projects WHERE code LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')")
        params += [like, like]
    if f.user:
        sql.append("a.actor = ?")
        params.append(f.user)
    if f.operation:
        sql.append("a.operation = ?")
        params.append(f.operation)
    # `at` is local time in ISO form, so a day is a text range
    if f.date_from:
        sql.append("a.at >= ?")
        params.append(f.date_from.isoformat())
    if f.date_to:
        sql.append("a.at < ?")
        params.append((f.date_to + dt.timedelta(days=1)).isoformat())
    return (" WHERE " + " AND ".join(sql)) if sql else "", params


def count(store, f: Filters) -> int:
    where, params = _where(f)
    return store.conn.execute(f"SELECT COUNT(*) FROM audit_log a{where}", params).fetchone()[0]


def page(store, f: Filters, offset: int, limit: int) -> list[dict]:
    where, params = _where(f)
    return store.all(f"{SELECT}{where} ORDER BY a.seq DESC LIMIT ? OFFSET ?", (*params, limit, offset))


def position(store, f: Filters, seq: int) -> int | None:
    """Row number of entry `seq` in the filtered newest-first list, or None when the filters hide it."""
    where, params = _where(f)
    if not store.conn.execute(f"SELECT 1 FROM audit_log a{where}{' AND' if where else ' WHERE'} a.seq = ?",
                              (*params, seq)).fetchone():
        return None
    return store.conn.execute(f"SELECT COUNT(*) FROM audit_log a{where}{' AND' if where else ' WHERE'} a.seq > ?",
                              (*params, seq)).fetchone()[0]


def users(store) -> list[tuple[str, str]]:
    """(username, what to show) of everyone who appears in the log."""
    rows = store.all("SELECT a.actor, u.display_name FROM (SELECT DISTINCT actor FROM audit_log) a "
                     "LEFT JOIN users u ON u.username = a.actor ORDER BY a.actor")
    return [(r["actor"], user_text(r["actor"], r["display_name"])) for r in rows]


def user_text(username: str, display_name: str | None) -> str:
    return f"{display_name}（{username}）" if display_name and display_name != username else username


def operations(store) -> list[str]:
    return [r["operation"] for r in store.all("SELECT DISTINCT operation FROM audit_log ORDER BY operation")]


def entry(store, seq: int) -> dict | None:
    return store.one(f"SELECT a.*, {NAMES}{JOINS} WHERE a.seq=?", (seq,))


def iter_rows(store, f: Filters, progress: Callable[[int, int], None] | None = None) -> Iterator[dict]:
    """Every entry under the filters, newest first, before/after included (export, print)."""
    where, params = _where(f)
    total = count(store, f)
    sql = f"SELECT a.*, {NAMES}{JOINS}{where} ORDER BY a.seq DESC"
    for n, row in enumerate(store.conn.execute(sql, params), 1):
        if progress and n % 1000 == 0:
            progress(n, total)
        yield dict(row)


# ---------------------------------------------------------------- before / after


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _load(text):
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def value_text(kind_name: str | None, name: str, value) -> str:
    """A stored value as a person reads it: choice labels, 万元, 是/否, statuses."""
    if value is None or value == "":
        return ""
    kind = KINDS.get(kind_name or "")
    field = None
    if kind is not None:
        try:
            field = kind.field(name)
        except KeyError:
            field = None
    if field is not None:
        if field.type == MONEY and isinstance(value, int):
            return f"{fen_to_wan_text(value)} 万元"
        if field.type == BOOL:
            return {1: "是", 0: "否"}.get(value, str(value))  # True == 1, False == 0
        if field.type == ENUM and field.choices:
            return field.choice_label(value)
    if name == "status" and isinstance(value, str):
        return status_label(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def label_of(kind_name: str | None, name: str) -> str:
    kind = KINDS.get(kind_name or "")
    if kind is not None:
        try:
            return kind.field(name).label
        except KeyError:
            pass
    return COMMON_LABELS.get(name, name)


ORG_FIELDS = ("owner_org", "lead_org_id", "org_id")


def _names(store, values: dict) -> dict:
    """Organisation and project ids shown by name (ids mean nothing to the audit bureau)."""
    out = dict(values)
    for k, v in values.items():
        if not isinstance(v, str) or not v:
            continue
        if k in ORG_FIELDS:
            r = store.one("SELECT name FROM organisations WHERE id=?", (v,))
            out[k] = r["name"] if r else v
        elif k == "project_id":
            r = store.one("SELECT code, name FROM projects WHERE id=?", (v,))
            out[k] = f"{r['code']} {r['name']}" if r else v
    return out


def changes(row: dict, store=None) -> list[FieldChange]:
    """An entry's before and after, field by field (the kind's field order first), changed ones marked;
    with `store`, organisation and project ids read as names."""
    before, after = _load(row.get("before")), _load(row.get("after"))
    if store is not None:
        before = _names(store, before) if isinstance(before, dict) else before
        after = _names(store, after) if isinstance(after, dict) else after
    kind = row.get("record_kind")
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before is None and after is None:
            return []
        return [FieldChange("", "内容", value_text(kind, "", before), value_text(kind, "", after))]
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    seen = {n: i for i, n in enumerate(dict.fromkeys([*before, *after]))}
    order = {f.name: i for i, f in enumerate(KINDS[kind].fields)} if kind in KINDS else {}
    names = sorted(seen, key=lambda n: (order.get(n, len(order)), seen[n]))
    return [FieldChange(n, label_of(kind, n), value_text(kind, n, before.get(n)), value_text(kind, n, after.get(n)))
            for n in names]
