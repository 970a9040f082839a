"""Kind code -> (Chinese name, builder, what it needs). One place for the CLI, the window and tests.

    make(store, "contract", project="MY-2027-001")            # the latest contract's 合同备案表
    render(store, "ledger", year=2027, target="台账.pdf")      # bytes, also written to the path
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.documents.fonts import FANGSONG, FontRegistry, default_registry
from desktop_app.documents.forms import FormDocument
from desktop_app.documents.gongwen import GongwenDocument
from desktop_app.documents.page import Target
from desktop_app.models.kinds import KINDS
from desktop_app.models.store import Store

from . import (
    acceptance,
    application,
    audit_log,
    construction,
    evaluation,
    lists,
    plan,
    review,
    review_scores,
    review_session,
    supervision,
)
from .common import MissingRecordError, Request, UnknownDocumentError, latest, org_name

PROJECT, RECORD, YEAR, LEDGER, AUDIT, SESSION = "project", "record", "year", "ledger", "audit", "session"

Document = FormDocument | GongwenDocument


@dataclass(frozen=True)
class DocKind:
    code: str  # the CLI name
    name: str  # 中文
    build: Callable[[Request], Document]
    needs: str  # PROJECT, RECORD (project + one record), YEAR (a plan year), LEDGER (year optional),
    # AUDIT (the 操作日志 under filters; a --project is a filter there, not a lookup),
    # SESSION (a review session, or the last one a --project went before)
    record_kind: str | None = None
    order: tuple[str, ...] = ()  # fields that make a record "the latest"
    landscape: bool = False
    gongwen: bool = False
    # what the record must be, with the Chinese words for its absence
    record_filter: Callable[[dict], bool] | None = None
    absent: str = ""


DOCUMENTS: dict[str, DocKind] = {d.code: d for d in (
    DocKind("application", "项目申请表", application.application_form, PROJECT),
    DocKind("plan-summary", "年度项目申报汇总表", lists.plan_summary, YEAR, landscape=True),
    DocKind("annual-plan", "年度政务信息系统项目计划", plan.annual_plan, YEAR, landscape=True),
    DocKind("review", "专家评审意见表", review.review_form, RECORD, "review", ("round", "reviewed_on"),
            absent="还没有评审意见"),
    DocKind("review-scores", "专家评分表及评审汇总", review_scores.review_scores, PROJECT),
    DocKind("review-session", "评审会汇总表", review_session.review_session, SESSION, landscape=True),
    DocKind("consent", "同意申报审核意见", review.consent_letter, RECORD, "upward_consent",
            ("consent_on",), gongwen=True,
            absent="没有县政府办公室同意申报的记录（仅上级部门组织申报的项目有此文书）"),
    DocKind("contract", "合同备案表", construction.contract_form, RECORD, "contract", ("signed_on",),
            absent="还没有采购合同"),
    DocKind("progress", "年度建设进度和预算执行情况报告", construction.progress_report, RECORD, "progress_report",
            ("year", "reported_on"), absent="还没有建设进度和预算执行情况报告"),
    DocKind("change", "设计变更申请表", construction.change_form, RECORD, "change_request", ("submitted_on",),
            absent="没有设计变更申请"),
    DocKind("problem", "重大问题报告", construction.problem_form, RECORD, "problem_report", ("reported_on",),
            absent="没有重大问题报告"),
    DocKind("rectification", "整改通知书", supervision.rectification_notice, RECORD, "inspection",
            ("inspected_on",), gongwen=True, absent="没有监督检查记录"),
    DocKind("acceptance-application", "竣工验收申请表", acceptance.acceptance_application, RECORD,
            "acceptance_application", ("applied_on",), absent="还没有申请竣工验收"),
    DocKind("extension", "延期验收申请表", acceptance.extension_form, RECORD, "acceptance_extension",
            ("requested_on",), absent="没有延期验收申请"),
    DocKind("acceptance", "竣工验收意见书", acceptance.acceptance_opinion, RECORD, "acceptance_result",
            ("accepted_on",), absent="尚未进行竣工验收（没有竣工验收意见）"),
    DocKind("evaluation", "绩效自评价报告", evaluation.evaluation_report, RECORD, "evaluation",
            ("evaluated_on",), absent="还没有绩效评价"),
    DocKind("ledger", "项目台账", lists.ledger, LEDGER, landscape=True),
    DocKind("audit-log", "操作日志", audit_log.audit_log_document, AUDIT, landscape=True),
)}


def get(code: str) -> DocKind:
    doc = DOCUMENTS.get(code)
    if doc is None:
        for d in DOCUMENTS.values():  # the Chinese name works too
            if code == d.name:
                return d
        known = "、".join(f"{d.code}（{d.name}）" for d in DOCUMENTS.values())
        raise UnknownDocumentError(f"没有名为「{code}」的文书。可打印的文书：{known}")
    return doc


def for_record_kind(kind_name: str) -> list[DocKind]:
    """Documents printed from one record kind (the project window's 预览/打印 for a selected row)."""
    return [d for d in DOCUMENTS.values() if d.record_kind == kind_name]


def _project(store: Store, ref: str | dict | None) -> dict | None:
    if ref is None or isinstance(ref, dict):
        return ref
    row = store.one("SELECT * FROM projects WHERE code=? OR id=?", (ref, ref))
    if row is None:
        raise MissingRecordError(f"找不到编号为「{ref}」的项目。")
    return row


def _record(store: Store, doc: DocKind, project: dict | None, record_id: str | None) -> tuple[dict, dict]:
    kind = KINDS[doc.record_kind]
    if record_id:
        row = store.find(kind, record_id)
        if row is None or (project is not None and row["project_id"] != project["id"]):
            where = f"项目「{project['code']}」中" if project else ""
            raise MissingRecordError(f"{where}找不到编号为「{record_id}」的{kind.label}记录，无法打印《{doc.name}》。")
        return (project or store.get("project", row["project_id"])), row
    if project is None:
        raise MissingRecordError(f"打印《{doc.name}》须指定项目（--project 项目编号）。")
    rows = store.for_project(kind, project["id"])
    if doc.record_filter:
        rows = [r for r in rows if doc.record_filter(r)]
    row = latest(rows, *doc.order)
    if row is None:
        raise MissingRecordError(f"项目「{project['code']} {project['name']}」{doc.absent}，无法打印《{doc.name}》。")
    return project, row


def make(store: Store, code: str, *, project: str | dict | None = None, record_id: str | None = None,
         year: int | None = None, today: _dt.date | None = None, registry: FontRegistry | None = None,
         filters=None, session: str | None = None) -> Document:
    """The filled document object, ready to `.build()`. Raises DocumentError subclasses (Chinese).
    `filters`: an `audit_log.Filters` for the 操作日志 (default: `project` as its project filter).
    `session`: a review session's id or title (评审会汇总表)."""
    doc = get(code)
    if doc.needs == AUDIT:
        from desktop_app.services.audit_log import Filters

        req = Request(store, doc.name, None, None, year, today, registry,
                      filters=filters or Filters(project=project or ""))
        return doc.build(req)
    proj = _project(store, project)
    req = Request(store, doc.name, proj, None, year, today, registry)
    if doc.needs == PROJECT:
        if proj is None:
            raise MissingRecordError(f"打印《{doc.name}》须指定项目（--project 项目编号）。")
    elif doc.needs == RECORD:
        req.project, req.record = _record(store, doc, proj, record_id)
        req.record_kind = doc.record_kind
    elif doc.needs == SESSION and session:
        req.session = store.one("SELECT * FROM review_sessions WHERE id=? OR title=? ORDER BY held_on DESC",
                                (session, session))
        if req.session is None:
            raise MissingRecordError(f"找不到评审会「{session}」，无法打印《{doc.name}》。用 govis review list 查看已有评审会。")
    elif doc.needs == YEAR:
        if year is None:
            raise MissingRecordError(f"打印《{doc.name}》须指定计划年度（--year 年份）。")
        if not store.one("SELECT 1 FROM projects WHERE plan_year=?", (year,)):
            raise MissingRecordError(f"{year}年度没有申报项目，无法打印《{doc.name}》。")
    if doc.needs != SESSION:  # a list over many projects prints a missing character as its code
        _check_glyphs(req)
    return doc.build(req)


def _check_glyphs(req: Request) -> None:
    """Check the project's and the record's texts first, so a refusal names the form's field
    (「建设单位」) rather than the place in the layout where the text happens to appear first."""
    reg = req.registry or default_registry()
    items = []
    for kind, row in (("project", req.project), (req.record and req.record_kind, req.record)):
        if not row or not kind:
            continue
        for f in KINDS[kind].fields:
            value = row.get(f.name)
            if isinstance(value, str) and f.type in ("text", "longtext"):
                items.append((f.label, value, FANGSONG))
    if req.project:
        items.append(("建设单位", org_name(req.store, req.project["lead_org_id"]), FANGSONG))
    reg.check(items)


def render(store: Store, code: str, *, target: Target = None, **kw) -> bytes:
    """Fill and build in one call; returns the PDF bytes (and writes `target` if given)."""
    return make(store, code, **kw).build(target)


def projects_of_year(store: Store, year: int) -> list[dict]:
    """Projects of a plan year, by code (what a batch print walks)."""
    return store.all("SELECT id, code, name FROM projects WHERE plan_year=? ORDER BY code", (year,))


def file_name(code: str, project: dict | None = None, year: int | None = None) -> str:
    """A suggested file name: MY-2027-001-合同备案表.pdf, 2027年度-项目台账.pdf."""
    doc = get(code)
    head = project["code"] if project else (f"{year}年度" if year else "")
    name = f"{head}-{doc.name}" if head else doc.name
    return re.sub(r'[\\/:*?"<>|]+', "_", name) + ".pdf"
