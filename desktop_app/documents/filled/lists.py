"""Landscape lists over many projects: 年度项目申报汇总表 and 项目台账 (全口径备案台账)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop_app.documents.fonts import FANGSONG
from desktop_app.documents.formatting import format_cn_date
from desktop_app.documents.forms import CELL_PAD, FormDocument, Signature
from desktop_app.lifecycle.states import status_label
from desktop_app.services import annual_round as AR
from desktop_app.services import queries

from .common import CodedTexts, Request, as_date, compiling_org, label, money, wan

# Listed apart from the year's 汇总 and left out of its 合计: not (or no longer) in the plan.
OUTSIDE_PLAN = ("draft", "rejected")


def summary_rows(req: Request) -> list[dict]:
    return req.store.all(
        "SELECT p.*, o.name AS unit FROM projects p JOIN organisations o ON o.id = p.lead_org_id "
        "WHERE p.plan_year=? ORDER BY p.code", (req.year,))


def fit_codes(doc: FormDocument, weights: Sequence[float], col: int, codes: Sequence[str], size: float,
              take_from: int) -> list[float]:
    """Column weights with column `col` wide enough for the longest project code on one line
    (MYJYJ-2028-001 must not wrap), the room taken from column `take_from` (the name)."""
    weights = list(weights)
    if not codes:
        return weights
    font = doc.registry.primary(FANGSONG).name  # the face of table cells
    need = max(stringWidth(c, font, size) for c in codes) + 2 * CELL_PAD + 2
    total = sum(weights)
    have = doc.width * weights[col] / total
    if need > have:
        extra = (need - have) * total / doc.width
        weights[col] += extra
        weights[take_from] -= extra
    return weights


SUMMARY_HEADERS = ["序号", "项目编号", "项目名称", "建设单位", "建设类型", "总投资\n（万元）", "财政资金\n（万元）", "状态",
                   "收到日期"]
SUMMARY_ALIGN = ["center", "left", "left", "left", "center", "right", "right", "center", "center"]
SUMMARY_SIZE = 10.5


def plan_summary(req: Request) -> FormDocument:
    rows = summary_rows(req)
    planned = [r for r in rows if r["status"] not in OUTSIDE_PLAN]
    apart = [r for r in rows if r["status"] in OUTSIDE_PLAN]
    org, is_county = compiling_org(req.store)
    role = "汇总单位" if is_county else "编制单位"
    shown = CodedTexts(req)
    total = sum(r["total_investment_fen"] for r in planned)
    fiscal = sum(r.get("fiscal_share_fen") or 0 for r in planned)
    doc = FormDocument(f"{req.year}年度政务信息系统项目申报汇总表", landscape=True, registry=req.registry)
    doc.meta_line(f"{role}（盖章）：{shown(org, role, '单位名称')}", f"制表日期：{format_cn_date(req.day)}")
    rnd = AR.annual_round(req.store, req.year, req.day)
    doc.paragraph(round_text(rnd, is_county, shown), indent=False)
    received = {a.code: a for a in rnd.applications}
    widths = fit_codes(doc, [0.7, 2, 4.2, 3.0, 1.3, 1.6, 1.6, 1.6, 2.0], 1, [r["code"] for r in rows], SUMMARY_SIZE, 2)

    def line(i: int, r: dict) -> list[str]:
        who = shown.project(r["code"], r["name"])
        a = received.get(r["code"])
        day = (a.submitted_on or "未记录") + ("" if a.timing_text == "按期" else f"\n{a.timing_text}") if a else ""
        return [str(i), r["code"], shown(r["name"], who, "项目名称"), shown(r["unit"], who, "建设单位"), label("project", "category", r["category"]),
                wan(r["total_investment_fen"]), wan(r.get("fiscal_share_fen")), status_label(r["status"]), day]

    body = [line(i, r) for i, r in enumerate(planned, 1)]
    body.append(["", "合计", f"共{len(planned)}个项目", "", "", wan(total), wan(fiscal), "", ""])
    doc.table(SUMMARY_HEADERS, body, col_widths=widths, align=SUMMARY_ALIGN, font_size=SUMMARY_SIZE, name="汇总表")
    doc.paragraph(f"总投资合计：{money(total)}；其中财政资金：{money(fiscal)}。", indent=False)
    if rnd.late:
        doc.paragraph(f"截止日期后收到的申请{len(rnd.late)}个，已在“收到日期”栏注明逾期天数（第二条）。", indent=False)
    if rnd.after_close:
        doc.paragraph(f"截止受理后收到的申请{len(rnd.after_close)}个，已在“收到日期”栏注明（第二条）。", indent=False)
    if apart:
        doc.paragraph(f"以下{len(apart)}个项目为草稿（尚未申报）或评审不予通过，未列入计划，不计入上表合计：",
                      indent=False)
        doc.table(SUMMARY_HEADERS, [line(i, r) for i, r in enumerate(apart, 1)], col_widths=widths,
                  align=SUMMARY_ALIGN, font_size=SUMMARY_SIZE, name="未列入计划的项目")
    doc.signature_block(Signature(f"{role}（盖章）", "审核人（签字）", shown(org, role, '单位名称')))
    notes = shown.notes()
    if notes:
        doc.notes(notes, title="注")
    return doc


def round_text(rnd: AR.Round, is_county: bool, shown: CodedTexts) -> str:
    """The round the summary belongs to (第二条): as the county office recorded it, or the profile's deadline."""
    deadline = format_cn_date(rnd.deadline)
    if not rnd.recorded:
        tail = "（县政府办公室尚未记录开启本年度申报）" if is_county else ""
        return f"申报截止日期：{deadline}{tail}。"
    notice = f"（通知：{shown(rnd.notice, '申报通知', '文号')}）" if rnd.notice else ""
    closed = f"{format_cn_date(rnd.closed_on)}截止受理" if rnd.closed_on else "尚未截止受理"
    return f"本年度申报于{format_cn_date(rnd.opened_on)}开启{notice}，申报截止日期{deadline}，{closed}。"


def ledger(req: Request) -> FormDocument:
    queries.ensure_deadlines_fresh(req.store, req.day)
    rows = queries.ledger(req.store)
    if req.year:
        rows = [r for r in rows if r["plan_year"] == req.year]
    total = sum(r["total_investment_fen"] for r in rows)
    paid = sum(r["disbursed_fen"] for r in rows)
    scope = f"（{req.year}年度）" if req.year else "（全口径）"
    shown = CodedTexts(req)
    org, _ = compiling_org(req.store)
    doc = FormDocument("政务信息系统项目台账", scope, landscape=True, registry=req.registry)
    doc.meta_line(f"编制单位：{shown(org, '编制单位', '单位名称')}", f"统计日期：{format_cn_date(req.day)}")
    size = 10.5
    widths = fit_codes(doc, [0.7, 2, 4.2, 3, 0.9, 1.6, 1.6, 1.6, 2.6, 0.8], 1, [r["code"] for r in rows], size, 2)
    body = []
    for i, r in enumerate(rows, 1):
        due = ""
        if r["next_due"]:
            due = format_cn_date(as_date(r["next_due"]))
            due += "（暂定）" if r["next_due_tentative"] else ""
        who = shown.project(r["code"], r["name"])
        body.append([str(i), r["code"], shown(r["name"], who, "项目名称"), shown(r["unit"], who, "建设单位"), str(r["plan_year"]), r["status_label"],
                     wan(r["total_investment_fen"]), wan(r["disbursed_fen"]), due, "是" if r["overdue"] else ""])
    overdue = sum(1 for r in rows if r["overdue"])
    body.append(["", "合计", f"共{len(rows)}个项目", "", "", "", wan(total), wan(paid), "", str(overdue)])
    doc.table(["序号", "项目编号", "项目名称", "建设单位", "年度", "状态", "总投资\n（万元）", "已拨付\n（万元）", "下一期限",
               "逾期"],
              body, col_widths=widths,
              align=["center", "left", "left", "left", "center", "center", "right", "right", "center", "center"],
              font_size=size, name="台账")
    doc.paragraph(f"总投资合计：{money(total)}；已拨付合计：{money(paid)}。“逾期”指项目有已过期限未办结的事项"
                  f"（共{overdue}个项目）；“暂定”指期限所在年度尚无官方节假日安排。", indent=False)
    notes = shown.notes()
    if notes:
        doc.notes(notes, title="注")
    return doc
