"""操作日志 printed for the audit bureau: A4 landscape, the filters in words, newest first."""

from __future__ import annotations

from desktop_app.documents.formatting import format_cn_date
from desktop_app.documents.forms import FormDocument, Signature
from desktop_app.services import audit_log

from .common import MissingRecordError, Request, org_name

MAX_PRINT = 20_000  # ~700 pages; more is a sign the filters are missing


def audit_log_document(req: Request) -> FormDocument:
    f = req.filters or audit_log.Filters()
    n = audit_log.count(req.store, f)
    if n == 0:
        raise MissingRecordError(f"没有符合条件的操作记录（{f.describe()}），无法打印《操作日志》。")
    if n > MAX_PRINT:
        raise MissingRecordError(f"符合条件的操作记录有 {n} 条，超过一次打印的上限 {MAX_PRINT} 条。"
                                 "请按项目、操作人、日期或操作缩小范围后再打印。")
    own = req.store.get_setting("installation_org_id")
    doc = FormDocument("操作日志", f"（{f.describe()}）", landscape=True, registry=req.registry)
    doc.meta_line(f"打印单位：{org_name(req.store, own)}", f"打印日期：{format_cn_date(req.day)}")
    body = []
    for r in audit_log.iter_rows(req.store, f):
        project = f"{r['project_code']} {r['project_name']}" if r.get("project_code") else ""
        body.append([str(r["seq"]), r["at"][:19].replace("T", " "), r["org_name"] or r["org_code"],
                     audit_log.user_text(r["actor"], r["display_name"]), r["operation"], project, r["summary"],
                     r["hash"][:12]])
    doc.table(["序号", "时间", "单位", "操作人", "操作", "项目", "内容摘要", "校验值（前12位）"], body,
              col_widths=[0.8, 2.4, 2.0, 1.5, 1.4, 2.8, 5.9, 1.7],
              align=["center", "left", "left", "left", "left", "left", "left", "left"], font_size=9, name="操作日志")
    doc.paragraph(f"筛选条件：{f.describe()}。共 {n} 条，按时间由近及远排列。“序号”是操作记录在本机操作日志中的顺序号，"
                  "“校验值”是该条记录的哈希链校验值，可用 govis audit verify 逐条核对。", indent=False)
    doc.signature_block(Signature("打印单位（盖章）", "核对人（签字）"))
    return doc
