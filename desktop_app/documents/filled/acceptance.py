"""第六条 and 第九条: 竣工验收申请表, 延期验收申请表, 竣工验收意见书."""

from __future__ import annotations

from reportlab.lib.units import mm

from desktop_app.documents.forms import KV, FormDocument, Signature
from desktop_app.lifecycle.workdays import add_months

from .common import (
    Request,
    as_date,
    county_office,
    date_text,
    finance_bureau,
    label,
    money,
    people,
    project_items,
    section,
    sum_fen,
    text_or,
    unit_box,
    unit_name,
)


def _funds_items(req: Request) -> list[KV]:
    funded = sum_fen(req.records("funding"), "approved_fen")
    # wide: a 大写 amount does not fit half a row and would break
    return [
        KV("核定资金", money(funded) if funded else "（未核定）", wide=True),
        KV("合同总额", money(sum_fen(req.records("contract"), "amount_fen")), wide=True),
        KV("累计拨付", money(sum_fen(req.records("disbursement"), "amount_fen")), wide=True),
    ]


def _products_table(doc: FormDocument, req: Request) -> None:
    products = req.records("controllable_product")
    doc.table(["序号", "产品名称及型号", "产品类别", "生产厂商", "自主可控"],
              [[str(i), x["product"], x["category"], text_or(x.get("vendor"), ""), "是" if x["controllable"] else "否"]
               for i, x in enumerate(products, 1)] or [["", "（未填报安全可控产品清单）", "", "", ""]],
              col_widths=[0.7, 4, 1.8, 3, 1.2], align=["center", "left", "center", "left", "center"],
              name="安全可控产品")


def acceptance_application(req: Request) -> FormDocument:
    a = req.r
    unit = unit_name(req)
    doc = FormDocument("政务信息系统项目竣工验收申请表", registry=req.registry)
    doc.meta_line(f"申请单位（盖章）：{unit}", f"申请日期：{date_text(a['applied_on'])}")
    section(doc, "一、项目情况").kv_table(project_items(req), columns=2)
    section(doc, "二、建设完成情况").kv_table([
        KV("设计建设周期", f"{date_text(req.p.get('planned_start'))}至{date_text(req.p.get('planned_completion'))}"),
        KV("建设完成日期", date_text(a.get("completed_on"), "")),
        KV("建设完成情况", text_or(a.get("summary")), min_lines=3),
        *_funds_items(req),
    ])
    section(doc, "三、软硬件产品安全可控情况（第九条）")
    _products_table(doc, req)
    unit_box(doc, "申请单位签章", unit, as_date(a["applied_on"]))
    doc.opinion_box("县政府办公室意见", signer=f"{county_office(req.store)}（盖章）", lines=3)
    doc.notes(["竣工验收原则上由县政府办公室会同县财政局组织有关部门和专家组成验收组实施（通知第六条）。",
               "随附：建设总结报告、合同及采购文件、财务决算、测试报告、等级保护测评和密码应用安全性评估材料。"])
    return doc


def extension_form(req: Request) -> FormDocument:
    e = req.r
    unit = unit_name(req)
    end = as_date(req.p.get("planned_completion"))
    due = add_months(end, req.profile.acceptance_grace_months) if end else None
    doc = FormDocument("政务信息系统项目延期验收申请表", registry=req.registry)
    doc.meta_line(f"申请单位（盖章）：{unit}", f"申请日期：{date_text(e['requested_on'])}")
    section(doc, "一、项目情况").kv_table(project_items(req), columns=2)
    section(doc, "二、延期申请").kv_table([
        KV("设计建设周期截止", date_text(req.p.get("planned_completion"))),
        KV("原定验收申请期限", (date_text(due.isoformat()) + "前") if due else ""),
        KV("拟验收日期", date_text(e["new_date"])),
        KV("延期原因", e["reason"], min_lines=3),
        *_funds_items(req)[2:],
    ])
    # the county office's decision is its own record (延期验收审核意见), latest first
    decisions = sorted((d for d in req.records("extension_decision") if d["extension_id"] == e["id"]),
                       key=lambda d: d["decided_on"])
    d = decisions[-1] if decisions else None
    text = "" if d is None else ((d.get("opinion") or "").strip()
                                 or ("同意延期验收。" if d["decision"] == "approved" else "不同意延期验收。"))
    unit_box(doc, "申请单位签章", unit, as_date(e["requested_on"]))
    doc.opinion_box("县政府办公室意见", text, signer=f"{county_office(req.store)}（盖章）",
                    date=as_date(d["decided_on"]) if d else None, lines=2)
    doc.notes([("未按期提出验收申请的，应向县政府办公室提出延期验收申请；未经验收的项目不得拨付后续建设资金和"
               "运行维护经费（通知第六条）。")])
    return doc


def acceptance_opinion(req: Request) -> FormDocument:
    r = req.r
    unit, office = unit_name(req), county_office(req.store)
    members = people(r["group_members"])
    passed = r["conclusion"] == "pass"
    doc = FormDocument("政务信息系统项目竣工验收意见书", registry=req.registry)
    doc.meta_line(f"组织单位：{office}、{finance_bureau(req.store)}", f"验收日期：{date_text(r['accepted_on'])}")
    section(doc, "一、项目情况").kv_table(project_items(req) + _funds_items(req), columns=2)
    section(doc, "二、验收组成员")
    doc.table(["序号", "姓名", "验收组职务", "签字"],
              [[str(i), m, "组长" if i == 1 else "成员", ""] for i, m in enumerate(members, 1)],
              col_widths=[0.8, 3, 2.5, 3.5], align=["center", "center", "center", "center"], name="验收组成员")
    section(doc, "三、验收结论").kv_table([
        KV("验收结论", label("acceptance_result", "conclusion", r["conclusion"])),
        KV("软硬件产品安全可控情况（第九条）", label("acceptance_result", "controllable_ok", r["controllable_ok"])),
        KV("验收意见", text_or(r.get("opinion"), "同意通过竣工验收。" if passed else ""), min_lines=3),
        *([] if passed else [KV("整改期限", date_text(r.get("rectify_by"), "（未定）"))]),
        KV("验收报告备案日期", date_text(r.get("report_filed_on"), "")),
    ], label_width=48 * mm)
    section(doc, "四、安全可控产品清单")
    _products_table(doc, req)
    doc.signature_block(Signature("验收组组长（签字）", "验收组成员（签字）"),
                        Signature("组织单位（盖章）", "经办人（签字）", office, as_date(r["accepted_on"])))
    doc.notes(["项目软硬件产品安全可控情况作为项目验收的重要内容（通知第九条）。",
               "未通过验收的，建设单位应制定整改方案，限期整改后重新提交竣工验收申请（通知第六条）。",
               f"建设单位：{unit}。"])
    return doc

