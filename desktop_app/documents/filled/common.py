"""What every filled document needs: the request, store look-ups, labels, dates, money.

Reads only (store.get / store.for_project / plain selects); never writes.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from desktop_app.documents.amounts import format_amount_wan, wan_str
from desktop_app.documents.errors import DocumentError
from desktop_app.documents.fonts import FANGSONG, FontRegistry, code_label, default_registry
from desktop_app.documents.formatting import format_cn_date, format_doc_no
from desktop_app.documents.forms import KV, FormDocument
from desktop_app.lifecycle.policy import PolicyProfile, load_profile
from desktop_app.lifecycle.states import status_label
from desktop_app.models.kinds import KINDS
from desktop_app.models.store import Store


class MissingRecordError(DocumentError):
    """The document needs a record the project does not have (yet)."""


class UnknownDocumentError(DocumentError):
    """No document of that kind code."""


@dataclass
class Request:
    """One document to fill: the store, the project and record it is about, the year, today."""

    store: Store
    doc_name: str
    project: dict | None = None
    record: dict | None = None
    year: int | None = None
    today: _dt.date | None = None
    registry: FontRegistry | None = None
    record_kind: str | None = None
    filters: object | None = None  # audit_log.Filters, for the 操作日志
    session: dict | None = None  # a review session's row, for the 评审会汇总表

    @property
    def day(self) -> _dt.date:
        return self.today or _dt.date.today()

    @property
    def profile(self) -> PolicyProfile:
        if not hasattr(self, "_profile"):
            self._profile = load_profile(self.store)
        return self._profile

    @property
    def p(self) -> dict:
        assert self.project is not None, "document needs a project"
        return self.project

    @property
    def r(self) -> dict:
        assert self.record is not None, "document needs a record"
        return self.record

    def records(self, kind: str) -> list[dict]:
        return self.store.for_project(kind, self.p["id"])

    def missing(self, what: str) -> MissingRecordError:
        p = self.p
        return MissingRecordError(f"项目「{p['code']} {p['name']}」{what}，无法打印《{self.doc_name}》。")


# ---------------------------------------------------------------- organisations


def org_name(store: Store, org_id: str | None) -> str:
    if not org_id:
        return ""
    row = store.one("SELECT name FROM organisations WHERE id=?", (org_id,))
    return row["name"] if row else ""


def county_name(store: Store) -> str:
    return store.get_setting("county_name") or load_profile(store).county_name


def _org_of_role(store: Store, role: str) -> str | None:
    row = store.one("SELECT name FROM organisations WHERE role=? ORDER BY created_at LIMIT 1", (role,))
    return row["name"] if row else None


def county_office(store: Store) -> str:
    return _org_of_role(store, "county_office") or f"{county_name(store)}人民政府办公室"


def finance_bureau(store: Store) -> str:
    return _org_of_role(store, "finance") or f"{county_name(store)}财政局"


def compiling_org(store: Store) -> tuple[str, bool]:
    """Who compiles a list printed here (编制单位): this installation's own organisation, so a
    unit's ledger names the unit; and whether that is the county office (the 汇总 of the county)."""
    own = store.get_setting("installation_org_id")
    row = store.one("SELECT name, role FROM organisations WHERE id=?", (own,)) if own else None
    if row is None:
        return county_office(store), True
    return row["name"], row["role"] == "county_office"


def unit_name(req: Request) -> str:
    return org_name(req.store, req.p["lead_org_id"])


# ---------------------------------------------------------------- the notice


def notice_title(req: Request) -> str:
    return f"《{county_name(req.store)}人民政府办公室关于加强政务信息系统项目管理工作的通知》"


def notice_cite(req: Request) -> str:
    """《…通知》（蒙政办字〔2018〕51号）."""
    return f"{notice_title(req)}（{req.profile.notice_no}）"


def doc_prefix(req: Request) -> str:
    """发文机关代字, taken from the notice's own number (蒙政办字〔2018〕51号 -> 蒙政办字)."""
    m = re.match(r"\s*(.+?)〔", req.profile.notice_no or "")
    return m.group(1) if m else "政办字"


def doc_number(req: Request, given: str | None, year: int, sequence: int) -> str:
    """The record's own 文号 if it has one, else a formatted number of the county office."""
    if given and given.strip():
        return given.strip()
    return format_doc_no(doc_prefix(req), year, max(1, sequence))


# ---------------------------------------------------------------- values


def as_date(iso: str | None) -> _dt.date | None:
    return _dt.date.fromisoformat(iso[:10]) if iso else None


def date_text(iso: str | None, blank: str = "") -> str:
    """2026年11月24日, or `blank` when the record has no date."""
    return format_cn_date(as_date(iso)) if iso else blank


def money(fen: int | None, blank: str = "") -> str:
    """123.45万元（人民币壹佰贰拾叁万肆仟伍佰元整）."""
    return blank if fen is None else format_amount_wan(int(fen))


def wan(fen: int | None, blank: str = "") -> str:
    return blank if fen is None else wan_str(int(fen))


def label(kind: str, field: str, value) -> str:
    """The Chinese label of a choice or yes/no value."""
    f = KINDS[kind].field(field)
    if value is None or value == "":
        return ""
    return f.choice_label(str(value))


def lines_of(text: str | None) -> list[str]:
    return [s.strip() for s in (text or "").splitlines() if s.strip()]


def people(text: str | None) -> list[str]:
    """Names from a free list: 王五、赵六，孙七 / one per line."""
    return [s.strip() for s in re.split(r"[、，,；;\n]+", text or "") if s.strip()]


def text_or(value, fallback: str = "无") -> str:
    text = "" if value is None else str(value).strip()
    return text or fallback


# ---------------------------------------------------------------- shared blocks


def project_items(req: Request, *, investment: bool = True) -> list[KV]:
    """The project's head lines on every form: code, name, unit, year, investment."""
    p = req.p
    items = [KV("项目编号", p["code"]), KV("计划年度", f"{p['plan_year']}年度"),
             KV("项目名称", p["name"], wide=True), KV("建设单位", unit_name(req)),
             KV("项目责任人", text_or(p.get("responsible_person"), ""))]
    if investment:
        items.append(KV("总投资", money(p["total_investment_fen"]), wide=True))
    return items


def status_text(project: dict) -> str:
    return status_label(project["status"])


def latest(rows: list[dict], *keys: str) -> dict | None:
    """The latest record by its date fields, insertion order breaking ties."""
    if not rows:
        return None
    indexed = list(enumerate(rows))
    return max(indexed, key=lambda ir: (tuple(ir[1].get(k) or "" for k in keys), ir[0]))[1]


def sum_fen(rows: list[dict], field: str) -> int:
    return sum(int(r.get(field) or 0) for r in rows)


# ---------------------------------------------------------------- layout helpers


def section(doc: FormDocument, title: str) -> FormDocument:
    """A section heading that never ends a page: it keeps with the table after it."""
    doc.section(title)
    # FormDocument keeps its block factories in order; mark the heading's flowables.
    factory = doc._blocks[-1]

    def keep():
        flowables = factory()
        for f in flowables:
            f.keepWithNext = True
        return flowables

    doc._blocks[-1] = keep
    return doc


def unit_box(doc: FormDocument, label: str, unit: str, date: _dt.date | None,
             person: str = "项目责任人（签字）") -> FormDocument:
    """The unit's signing box inside the form: name, person's signature, stamp and date."""
    return doc.opinion_box(label, f"{unit}\n\n{person}：", signer="（盖章）", date=date, lines=4)


class CodedTexts:
    """Cell texts of a list over many projects (台账, 汇总表).

    One project's character that no font has refuses that project's own documents, but must not
    stop the county's list: there it is shown as its code (［U+2A6A5］) and `notes()` names the
    project on the last page.
    """

    def __init__(self, req: Request, face: str = FANGSONG):
        self.registry = req.registry or default_registry()
        self.face = face
        self._found: dict[str, dict[str, list[str]]] = {}  # project -> field -> characters

    def __call__(self, text: str | None, project: str, field: str) -> str:
        shown, bad = self.registry.with_codes(text or "", self.face)
        if bad:
            self._found.setdefault(project, {}).setdefault(field, []).extend(bad)
        return shown

    def project(self, code: str, name: str) -> str:
        """How the notes name a project: MY-2027-003（［U+2A6A5］山镇便民服务系统）."""
        return f"{code}（{self.registry.with_codes(name, self.face)[0]}）"

    def notes(self) -> list[str]:
        if not self._found:
            return []
        lines = []
        for project, fields in self._found.items():
            where = "，".join(f"{field}中的{'、'.join(code_label(c) for c in dict.fromkeys(chars))}"
                             for field, chars in fields.items())
            lines.append(f"项目{project}：{where}。")
        lines.append("以上字符在本机所有字体中都没有字形，表中以其Unicode编码代替；安装含该字的字体或改用常用字之前，"
                     "这些项目的单项文书无法打印。")
        return lines
