"""第四条: 合同备案表, 年度建设进度和预算执行情况报告, 设计变更申请表, 重大问题报告."""

from __future__ import annotations

from desktop_app.documents.formatting import format_cn_date
from desktop_app.documents.forms import KV, FormDocument
from desktop_app.lifecycle.workdays import DueDate, WorkCalendar

from .common import (
    Request,
    as_date,
    county_office,
    date_text,
    finance_bureau,
    label,
    money,
    project_items,
    section,
    sum_fen,
    text_or,
    unit_box,
    unit_name,
    wan,
)


def due_text(due: DueDate) -> str:
    return format_cn_date(due.day) + ("（暂定）" if due.tentative else "")


def _workday_due(req: Request, start_iso: str, days: int) -> DueDate:
    return WorkCalendar.from_store(req.store).add_workdays(as_date(start_iso), days)


def contract_form(req: Request) -> FormDocument:
    c = req.r
    unit = unit_name(req)
    days = req.profile.contract_filing_workdays
    due = _workday_due(req, c["signed_on"], days)
    filed = as_date(c.get("filed_on"))
    if filed is None:
        state = "尚未备案"
    elif filed > due.day:
        state = f"逾期备案（{format_cn_date(filed)}）"
    else:
        state = f"按期备案（{format_cn_date(filed)}）"
    doc = FormDocument("政务信息系统项目采购合同备案表", registry=req.registry)
    # A contract not yet filed has no 备案编号: left blank for the county office to write in.
    doc.meta_line(f"建设单位（盖章）：{unit}", f"备案编号：{c['contract_no'] if filed else ''}")
    section(doc, "一、项目情况").kv_table(project_items(req), columns=2)
    section(doc, "二、合同情况").kv_table([
        KV("合同编号", c["contract_no"]), KV("采购方式", label("contract", "procurement_method", c["procurement_method"])),
        KV("合同名称", c["title"], wide=True),
        KV("供应商", c["supplier"], wide=True),
        KV("合同金额", money(c["amount_fen"]), wide=True),
        KV("签订日期", date_text(c["signed_on"])), KV("工程监理单位", text_or(c.get("supervisor"), "无")),
        KV("备案期限", f"{due_text(due)}前（签订后{days}个工作日内）", wide=True),
        KV("备案日期", date_text(c.get("filed_on"), "")), KV("备案情况", state),
    ], columns=2)
    unit_box(doc, "建设单位签章", unit, None)
    doc.opinion_box("县政府办公室备案意见", "已备案。" if filed else "", signer=f"{county_office(req.store)}（盖章）",
                    date=filed, lines=2)
    notes = [(f"依据通知第四条，签订正式采购合同{days}个工作日内将合同文本（复印件）及采购文件"
             "（招标文件、投标或响应文件、中标或成交通知书）报县政府办公室备案。")]
    if due.tentative:
        notes.append("标注“暂定”的日期所在年度尚无官方节假日安排，以国务院通知为准。")
    doc.notes(notes)
    return doc


def progress_report(req: Request) -> FormDocument:
    r = req.r
    unit = unit_name(req)
    year = r["year"]
    funded = sum_fen(req.records("funding"), "approved_fen")
    paid = sum_fen([d for d in req.records("disbursement") if d["paid_on"] <= f"{year}-12-31"], "amount_fen")
    contracts = [c for c in req.records("contract") if c["signed_on"] <= f"{year}-12-31"]
    executed = r["budget_executed_fen"]
    rate = f"{executed * 100 / funded:.1f}%" if funded else "—"
    doc = FormDocument(f"{year}年度政务信息系统项目建设进度和预算执行情况报告", registry=req.registry)
    doc.meta_line(f"报送单位（盖章）：{unit}", f"报送日期：{date_text(r['reported_on'])}")
    doc.paragraph(f"{county_office(req.store)}、{finance_bureau(req.store)}：", indent=False)
    doc.paragraph(f"根据通知第四条规定，现将“{req.p['name']}”{year}年度建设进度和预算执行情况报告如下。")
    section(doc, "一、项目情况").kv_table(project_items(req), columns=2)
    section(doc, "二、建设进度").kv_table([
        KV("建设进度", f"已完成{r['progress_pct']}%"),
        KV("设计建设周期", f"{date_text(req.p.get('planned_start'))}至{date_text(req.p.get('planned_completion'))}"),
        KV("已投入试运行", "是" if r.get("trial_run") else "否"),
        KV("试运行效果", text_or(r.get("effects"), "（未投入试运行）" if not r.get("trial_run") else "无"),
           min_lines=2),
        KV("存在问题", text_or(r.get("problems")), min_lines=2),
    ])
    section(doc, "三、预算执行情况").kv_table([
        KV("核定资金", money(funded, "（未核定）")),
        KV("预算执行金额", money(executed)),
        KV("预算执行率", rate),
        KV("累计拨付资金", money(paid)),
        KV("已签合同金额", money(sum_fen(contracts, "amount_fen"))),
    ])
    if contracts:
        doc.table(["合同编号", "合同名称", "供应商", "签订日期", "金额（万元）"],
                  [[c["contract_no"], c["title"], c["supplier"], date_text(c["signed_on"]), wan(c["amount_fen"])]
                   for c in contracts],
                  col_widths=[3, 3, 2.6, 2.2, 2.1], align=["left", "left", "left", "center", "right"],
                  font_size=10.5, name="合同")
    unit_box(doc, "报送单位签章", unit, as_date(r["reported_on"]))
    doc.notes([("依据通知第四条：每年年底前向县政府办公室和县财政局报告项目建设进度和预算执行情况；"
               "已经投入试运行的应说明效果及存在问题。")])
    return doc


DECIDER_BOXES = (
    ("egov_office", "县政府电子政务办公室审核意见"),
    ("county_office", "县政府办公室审核意见"),
    ("finance", "县财政局审批意见"),
)


def change_form(req: Request) -> FormDocument:
    ch = req.r
    unit = unit_name(req)
    major = ch["change_kind"] == "major"
    decisions = [d for d in req.records("change_decision") if d["change_request_id"] == ch["id"]]
    delta = ch.get("investment_delta_fen")
    doc = FormDocument("政务信息系统项目设计变更申请表", registry=req.registry)
    doc.meta_line(f"建设单位（盖章）：{unit}", f"申请日期：{date_text(ch['submitted_on'])}")
    section(doc, "一、项目情况").kv_table(project_items(req), columns=2)
    section(doc, "二、变更内容").kv_table([
        KV("调整类型", label("change_request", "change_kind", ch["change_kind"])
           + ("（建设目标、主要内容或投资的调整）" if major else "（技术方案的调整）")),
        KV("投资增加额", money(delta, "无") if delta else "无"),
        KV("调整后总投资", money(req.p["total_investment_fen"] + (delta or 0))),
        KV("调整原因", ch["reason"], min_lines=2),
        KV("调整内容", ch["content"], min_lines=3),
        KV("已先行实施", "是" if ch.get("implemented_before_approval") else "否"),
    ])
    unit_box(doc, "建设单位签章", unit, as_date(ch["submitted_on"]))
    section(doc, "三、审核意见")
    for decider, box in DECIDER_BOXES:
        ours = [d for d in decisions if d["decider"] == decider]
        d = ours[-1] if ours else None
        if d:
            text = label("change_decision", "decision", d["decision"]) + "。" + text_or(d.get("opinion"), "")
            day = as_date(d["decided_on"])
        elif decider == "egov_office" and major:
            text, day = "（重大调整由县政府办公室提出审核意见、县财政局审批）", None
        elif decider != "egov_office" and not major:
            text, day = "（技术性调整由县政府电子政务办公室审核把关）", None
        else:
            text, day = "", None
        doc.opinion_box(box, text, date=day, lines=2)
    doc.notes([("技术性调整由县政府电子政务办公室审核把关；建设目标、主要内容和投资方面的重大调整，"
               "由县政府办公室提出审核意见，由县财政局按程序审批（通知第四条）。"),
               "未经批准擅自进行重大设计变更的，追究建设单位责任；导致投资超预算的不再追加资金。"])
    return doc


def problem_form(req: Request) -> FormDocument:
    pr = req.r
    unit = unit_name(req)
    days = req.profile.problem_report_workdays
    due = _workday_due(req, pr["occurred_on"], days)
    late = as_date(pr["reported_on"]) > due.day
    paid = sum_fen(req.records("disbursement"), "amount_fen")
    doc = FormDocument("政务信息系统项目重大问题报告", registry=req.registry)
    doc.meta_line(f"报告单位（盖章）：{unit}", f"报告日期：{date_text(pr['reported_on'])}")
    doc.paragraph(f"{county_office(req.store)}：", indent=False)
    doc.paragraph(f"根据通知第四条规定，现将“{req.p['name']}”建设过程中出现的"
                  f"{label('problem_report', 'problem_kind', pr['problem_kind'])}情况报告如下。")
    section(doc, "一、项目情况").kv_table(project_items(req) + [KV("累计拨付资金", money(paid), wide=True)], columns=2)
    section(doc, "二、问题情况").kv_table([
        KV("问题类型", label("problem_report", "problem_kind", pr["problem_kind"])),
        KV("发生日期", date_text(pr["occurred_on"])),
        KV("报告期限", f"{due_text(due)}前" + ("（本报告逾期）" if late else "")),
        KV("情况说明", pr["description"], min_lines=3),
        KV("拟采取措施", text_or(pr.get("measures")), min_lines=2),
    ])
    unit_box(doc, "报告单位签章", unit, as_date(pr["reported_on"]))
    doc.opinion_box("县政府办公室处理意见", signer=f"{county_office(req.store)}（盖章）", lines=3)
    doc.notes([("项目建设过程中出现工程严重逾期、投资重大损失等情形的，建设单位要及时报告；"
               "县政府办公室可要求整改或暂停建设（通知第四条）。")])
    return doc
