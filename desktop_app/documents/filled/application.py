"""政务信息系统项目申请表 (第二条): the project, its builders, money, materials and history."""

from __future__ import annotations

from reportlab.lib.units import mm

from desktop_app.documents.formatting import format_cn_date
from desktop_app.documents.forms import KV, FormDocument, Signature
from desktop_app.lifecycle.rules import PROHIBITED_LABELS, prohibited_codes

from .common import Request, date_text, label, money, org_name, section, text_or, unit_name, wan


def _yes_no(value) -> str:
    return "是" if value else "否"


def application_form(req: Request) -> FormDocument:
    p = req.p
    unit = unit_name(req)
    doc = FormDocument("政务信息系统项目申请表", f"（{p['plan_year']}年度）", registry=req.registry)
    doc.meta_line(f"申报单位（盖章）：{unit}", f"填报日期：{format_cn_date(req.day)}")

    higher = "否"
    if p.get("higher_level"):
        tier = label("project", "higher_level_tier", p.get("higher_level_tier"))
        higher = f"是（{tier}部门组织申报）" if tier else "是"
    section(doc, "一、项目基本情况").kv_table([
        KV("项目编号", p["code"]), KV("建设类型", label("project", "category", p["category"])),
        KV("项目名称", p["name"], wide=True),
        KV("牵头单位", unit), KV("项目责任人", text_or(p.get("responsible_person"), "")),
        KV("联系电话", text_or(p.get("contact"), "")),
        KV("等级保护级别", label("project", "mlps_level", p.get("mlps_level")) or "未明确"),
        KV("计划开工日期", date_text(p.get("planned_start"))),
        KV("建设周期截止", date_text(p.get("planned_completion"))),
        KV("涉密项目", _yes_no(p.get("classified"))), KV("上级组织申报", higher),
        KV("建设内容摘要", text_or(p.get("summary")), wide=True, min_lines=3),
    ], columns=2, label_width=28 * mm)

    section(doc, "二、投资估算").kv_table([
        KV("项目总投资", money(p["total_investment_fen"])),
        KV("其中财政资金", money(p.get("fiscal_share_fen"), "无")),
        KV("运维经费概算", (money(p["om_estimate_fen"]) + "／年") if p.get("om_estimate_fen") else "未填报"),
        KV("大型项目", _yes_no(p.get("large_project"))
           + ("（运行维护费用概算与建设资金概算一并报审）" if p.get("large_project") else "")),
    ])

    codes = prohibited_codes(p)
    kinds = "、".join(PROHIBITED_LABELS.get(c, c) for c in codes) if codes else "否"
    items = [KV("是否属于原则上不得单独建设的类型（第一条）", kinds)]
    if codes:
        items.append(KV("单独建设的必要性说明", text_or(p.get("prohibited_justification"), "（未填写）"),
                        min_lines=2))
    section(doc, "三、建设范围审查").kv_table(items, label_width=62 * mm)

    co = req.records("co_builder")
    section(doc, "四、牵头单位和共建单位")
    rows = [["牵头单位", unit, "牵头组织项目整体方案，会同共建单位建立统筹协调和共建共享机制"]]
    rows += [["共建单位", org_name(req.store, c["org_id"]), text_or(c.get("scope"), "")] for c in co]
    doc.table(["角色", "单位名称", "建设范围和责任义务"], rows, col_widths=[1.2, 3, 5.8],
              align=["center", "left", "left"], name="共建单位")

    mats = req.records("material")
    section(doc, "五、申报材料清单")
    doc.table(["序号", "材料类型", "材料名称", "编制日期"],
              [[str(i), label("material", "material_type", m["material_type"]), m["title"],
                date_text(m.get("prepared_on"))] for i, m in enumerate(mats, 1)] or [["", "（未提交材料）", "", ""]],
              col_widths=[0.8, 3.2, 4.5, 2], align=["center", "left", "left", "center"], name="申报材料")

    hist = sorted(req.records("investment_history"), key=lambda h: h["year"])
    section(doc, "六、最近3-5年政务信息系统投资、运行和应用情况")
    doc.table(["年度", "投资（万元）", "运维费用（万元）", "运行和应用情况"],
              [[f"{h['year']}年", wan(h["investment_fen"]), wan(h.get("om_cost_fen")), text_or(h.get("usage"), "")]
               for h in hist] or [["", "", "", "（未填报）"]],
              col_widths=[1.1, 1.9, 2.4, 4.6], align=["center", "right", "right", "left"], name="投资历史")

    cons = req.records("consultation")
    section(doc, "七、县政府电子政务中心咨询情况")
    if cons:
        c = cons[-1]
        doc.kv_table([KV("咨询日期", date_text(c["consulted_on"])),
                      KV("经办人", text_or(c.get("advisor"), "")),
                      KV("优化建议", text_or(c.get("advice")), wide=True, min_lines=2)], columns=2)
    else:
        doc.kv_table([KV("咨询情况", "（尚未咨询）", min_lines=2)])

    doc.opinion_box("县政府办公室受理意见", lines=3)
    doc.signature_block(Signature("申报单位（盖章）", "单位负责人（签字）", unit))
    doc.notes(["金额单位为万元，大写金额以人民币元计。",
               f"本表于每年8月31日前连同申报材料报送县政府办公室（{req.profile.notice_no}第二条）。",
               "多部门共建项目由牵头单位会同共建单位共同填报。"])
    return doc
