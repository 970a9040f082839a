"""Landscape lists over many projects: 年度项目申报汇总表 and 项目台账 (全口径备案台账)."""

from __future__ import annotations

from desktop_app.documents.formatting import format_cn_date
from desktop_app.documents.forms import FormDocument, Signature
from desktop_app.lifecycle.states import status_label
from desktop_app.services import queries

from .common import Request, as_date, county_office, label, money, wan


def summary_rows(req: Request) -> list[dict]:
    return req.store.all(
        "SELECT p.*, o.name AS unit FROM projects p JOIN organisations o ON o.id = p.lead_org_id "
        "WHERE p.plan_year=? ORDER BY p.code", (req.year,))


def plan_summary(req: Request) -> FormDocument:
    rows = summary_rows(req)
    office = county_office(req.store)
    total = sum(r["total_investment_fen"] for r in rows)
    fiscal = sum(r.get("fiscal_share_fen") or 0 for r in rows)
    doc = FormDocument(f"{req.year}年度政务信息系统项目申报汇总表", landscape=True, registry=req.registry)
    doc.meta_line(f"汇总单位（盖章）：{office}", f"制表日期：{format_cn_date(req.day)}")
    body = [[str(i), r["code"], r["name"], r["unit"], label("project", "category", r["category"]),
             wan(r["total_investment_fen"]), wan(r.get("fiscal_share_fen")), status_label(r["status"])]
            for i, r in enumerate(rows, 1)]
    body.append(["", "合计", f"共{len(rows)}个项目", "", "", wan(total), wan(fiscal), ""])
    doc.table(["序号", "项目编号", "项目名称", "建设单位", "建设类型", "总投资\n（万元）", "财政资金\n（万元）", "状态"], body,
              col_widths=[0.7, 2, 5, 3.6, 1.3, 1.6, 1.6, 1.6],
              align=["center", "left", "left", "left", "center", "right", "right", "center"],
              font_size=10.5, name="汇总表")
    doc.paragraph(f"总投资合计：{money(total)}；其中财政资金：{money(fiscal)}。", indent=False)
    doc.signature_block(Signature("汇总单位（盖章）", "审核人（签字）", office))
    return doc


def ledger(req: Request) -> FormDocument:
    queries.ensure_deadlines_fresh(req.store, req.day)
    rows = queries.ledger(req.store)
    if req.year:
        rows = [r for r in rows if r["plan_year"] == req.year]
    total = sum(r["total_investment_fen"] for r in rows)
    paid = sum(r["disbursed_fen"] for r in rows)
    scope = f"（{req.year}年度）" if req.year else "（全口径）"
    doc = FormDocument("政务信息系统项目台账", scope, landscape=True, registry=req.registry)
    doc.meta_line(f"编制单位：{county_office(req.store)}", f"统计日期：{format_cn_date(req.day)}")
    body = []
    for i, r in enumerate(rows, 1):
        due = ""
        if r["next_due"]:
            due = format_cn_date(as_date(r["next_due"]))
            due += "（暂定）" if r["next_due_tentative"] else ""
        body.append([str(i), r["code"], r["name"], r["unit"], str(r["plan_year"]), r["status_label"],
                     wan(r["total_investment_fen"]), wan(r["disbursed_fen"]), due, "是" if r["overdue"] else ""])
    overdue = sum(1 for r in rows if r["overdue"])
    body.append(["", "合计", f"共{len(rows)}个项目", "", "", "", wan(total), wan(paid), "", str(overdue)])
    doc.table(["序号", "项目编号", "项目名称", "建设单位", "年度", "状态", "总投资\n（万元）", "已拨付\n（万元）", "下一期限",
               "逾期"],
              body, col_widths=[0.7, 2, 4.2, 3, 0.9, 1.6, 1.6, 1.6, 2.6, 0.8],
              align=["center", "left", "left", "left", "center", "center", "right", "right", "center", "center"],
              font_size=10.5, name="台账")
    doc.paragraph(f"总投资合计：{money(total)}；已拨付合计：{money(paid)}。“逾期”指项目有已过期限未办结的事项"
                  f"（共{overdue}个项目）；“暂定”指期限所在年度尚无官方节假日安排。", indent=False)
    return doc
