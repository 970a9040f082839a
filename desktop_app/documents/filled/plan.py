"""年度政务信息系统项目计划 (第八条): the approved projects of a plan year with their approved amounts and
the budget finance compiled from them (construction and O&M apart, in 轻重缓急 order)."""

from __future__ import annotations

from desktop_app.documents.formatting import format_cn_date
from desktop_app.documents.forms import FormDocument, Signature
from desktop_app.services import annual_plan as AP

from .common import CodedTexts, Request, compiling_org, county_office, finance_bureau, money, wan
from .lists import fit_codes

HEADERS = ["序号", "项目编号", "项目名称", "建设单位", "建设类型", "总投资\n（万元）", "评审核定\n投资（万元）",
           "预算建设\n资金（万元）", "轻重\n缓急"]
ALIGN = ["center", "left", "left", "left", "center", "right", "right", "right", "center"]
OM_HEADERS = ["序号", "项目编号", "项目名称", "建设单位", "计划\n年度", "运维经费概算\n（万元/年）", "预算运维\n经费（万元）"]
OM_ALIGN = ["center", "left", "left", "left", "center", "right", "right"]
SIZE = 10


def annual_plan(req: Request) -> FormDocument:
    plan = AP.annual_plan(req.store, req.year)
    shown = CodedTexts(req)
    org, _ = compiling_org(req.store)
    doc = FormDocument(f"{req.year}年度政务信息系统项目计划", landscape=True, registry=req.registry)
    doc.meta_line(f"编制单位（盖章）：{shown(org, '编制单位', '单位名称')}", f"编制日期：{format_cn_date(req.day)}")
    widths = fit_codes(doc, [0.7, 2, 5.2, 3.4, 1.2, 1.6, 1.7, 1.7, 0.9], 1, [i.code for i in plan.items], SIZE, 2)
    body = []
    for n, i in enumerate(plan.items, 1):
        who = shown.project(i.code, i.name)
        body.append([str(n), i.code, shown(i.name, who, "项目名称"), shown(i.unit, who, "建设单位"), i.category_text,
                     wan(i.total_investment_fen), wan(i.approved_fen), wan(i.construction_fen) if i.construction_fen else "",
                     str(i.priority) if i.priority else ""])
    body.append(["", "合计", f"共{len(plan.items)}个项目", "", "", wan(sum(i.total_investment_fen for i in plan.items)),
                 wan(plan.approved_total), wan(plan.construction_total), ""])
    doc.table(HEADERS, body, col_widths=widths, align=ALIGN, font_size=SIZE, name="年度计划")
    doc.paragraph(f"列入计划的项目评审核定投资合计：{money(plan.approved_total)}；{req.year}年度预算安排建设资金"
                  f"{wan(plan.construction_total)}万元，运行维护经费{wan(plan.om_total)}万元。", indent=False)
    if plan.om_lines:
        doc.paragraph(f"{req.year}年度运行维护经费（大型项目，列入项目建设单位部门年度预算）：", indent=False)
        om = [[str(n), o.code, shown(o.name, shown.project(o.code, o.name), "项目名称"),
               shown(o.unit, shown.project(o.code, o.name), "建设单位"), str(o.plan_year), wan(o.om_estimate_fen),
               wan(o.amount_fen)] for n, o in enumerate(plan.om_lines, 1)]
        om.append(["", "合计", f"共{len(plan.om_lines)}个项目", "", "", "", wan(plan.om_total)])
        doc.table(OM_HEADERS, om, col_widths=fit_codes(doc, [0.7, 2, 5.6, 3.6, 1, 2, 2], 1,
                                                       [o.code for o in plan.om_lines], SIZE, 2),
                  align=OM_ALIGN, font_size=SIZE, name="运维经费")
    doc.signature_block(Signature("县政府办公室（盖章）", "审核人（签字）", county_office(req.store)),
                        Signature("县财政局（盖章）", "审核人（签字）", finance_bureau(req.store)))
    doc.notes([
        "列入本计划的项目为计划年度内经县政府办公室集中评审通过的项目（第三条），金额为评审核定投资；未核定投资的按总投资列示。",
        (f"县财政局根据本计划区分轻重缓急编制{req.year}年度预算（第八条）；“轻重缓急”栏为安排顺序，1为最优先。"
        "未列入本年度建设计划的项目所需资金，原则上不予追加。"),
        ("运维经费仅为大型项目且日常运行维护费用较高的项目安排，列入项目建设单位的部门年度预算；"
        "其余项目的日常运行维护费用从单位公用经费中解决。"),
    ], title="说明")
    notes = shown.notes()
    if notes:
        doc.notes(notes, title="注")
    return doc
