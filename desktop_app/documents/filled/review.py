"""第三条: 专家评审意见表 and the county office's 同意申报审核意见 (a 公文)."""

from __future__ import annotations

from desktop_app.documents.formatting import format_cn_date
from desktop_app.documents.forms import KV, FormDocument
from desktop_app.documents.gongwen import GongwenDocument, Heading1

from .common import (
    Request,
    as_date,
    county_office,
    date_text,
    doc_number,
    finance_bureau,
    label,
    money,
    notice_cite,
    project_items,
    section,
    text_or,
    unit_name,
)


def review_form(req: Request) -> FormDocument:
    r = req.r
    office = county_office(req.store)
    experts = [e for e in req.records("expert_opinion") if e["review_id"] == r["id"]]
    doc = FormDocument("政务信息系统项目专家评审意见表", f"（第{r['round']}轮评审）", registry=req.registry)
    doc.meta_line(f"组织单位：{office}", f"评审日期：{date_text(r['reviewed_on'])}")
    section(doc, "一、项目概况").kv_table(project_items(req), columns=2)
    section(doc, "二、评审情况").kv_table([
        KV("评审方式", label("review", "method", r["method"])),
        KV("评审轮次", f"第{r['round']}轮"),
        KV("评审结论", label("review", "conclusion", r["conclusion"])),
        KV("意见文号", text_or(r.get("opinion_no"), "")),
        KV("核定投资", money(r.get("approved_investment_fen"), "（未核定）"), wide=True),
    ], columns=2)
    section(doc, "三、专家意见")
    rows = [[str(i), e["expert_name"], text_or(e.get("affiliation"), ""), e["opinion"],
             label("expert_opinion", "conclusion", e.get("conclusion")), ""]
            for i, e in enumerate(experts, 1)]
    doc.table(["序号", "专家姓名", "工作单位及职称", "评审意见", "建议结论", "专家签字"],
              rows or [["", "", "", "（未录入专家意见）", "", ""]],
              col_widths=[0.9, 1.4, 2.5, 4.4, 1.5, 1.6], align=["center", "center", "left", "left", "center", "center"],
              name="专家意见")
    doc.opinion_box("评审专家组组长", "", signer="（签字）", date=as_date(r["reviewed_on"]), lines=1)
    doc.opinion_box("县政府办公室审核意见", f"{label('review', 'conclusion', r['conclusion'])}。{r['opinion']}",
                    signer=f"{office}（盖章）", date=as_date(r["reviewed_on"]), lines=3)
    doc.notes([(f"县政府办公室的审核意见是项目资金安排的前提和依据，{finance_bureau(req.store)}据此进行资金审核；"
               "需修改的，申报单位修改完善后重新报送评审（通知第三条）。")])
    return doc


def consent_letter(req: Request) -> GongwenDocument:
    """县政府办公室同意申报的审核意见 for a project organised by a higher level."""
    p, r = req.p, req.r
    if not r.get("consent_on"):
        raise req.missing("尚未录入县政府办公室同意申报日期")
    office, unit = county_office(req.store), unit_name(req)
    consent = as_date(r["consent_on"])
    same_year = [x for x in req.store.all(
        "SELECT id, consent_on FROM upward_consents WHERE consent_on LIKE ? ORDER BY consent_on, rowid",
        (f"{consent.year}-%",))]
    seq = next((i for i, x in enumerate(same_year, 1) if x["id"] == r["id"]), 1)
    number = doc_number(req, r.get("consent_no"), consent.year, seq)
    tier = label("project", "higher_level_tier", p.get("higher_level_tier")) or "上级"
    filings = [f for f in req.records("higher_level_filing") if f.get("upper_authority")]
    authority = text_or(filings[-1]["upper_authority"] if filings else None, f"{tier}有关部门")
    fiscal = f"，其中财政资金{money(p['fiscal_share_fen'])}" if p.get("fiscal_share_fen") else ""
    paragraphs = [
        (f"你单位关于申报“{p['name']}”（项目编号：{p['code']}）的请示收悉。根据{notice_cite(req)}第三条规定，"
        "经审核，现提出如下意见："),
        Heading1("一、同意申报"),
        f"同意你单位按规定程序向{authority}申报该项目。项目总投资{money(p['total_investment_fen'])}{fiscal}。",
        Heading1("二、审批后备案"),
        (f"项目经{authority}审批后，请于审批之日起{req.profile.higher_filing_workdays}个工作日内将审批文件"
        f"报{office}备案，备案后方可组织实施。"),
        Heading1("三、建设要求"),
        ("项目建设应严格按照审批的建设内容和投资实施，落实网络安全等级保护和密码应用要求，"
        "优先采购安全可控产品，建成后按规定接入数据共享开放平台。"),
        "特此函复。",
    ]
    # a 函 to one unit: the 信函格式 of GB/T 9704 §10.1, not the 文件 版头
    return GongwenDocument(office, number, f"{office}关于同意{unit}申报{p['name']}的审核意见", unit, paragraphs,
                           office, consent, letter=True, title_keep=(unit,), cc=[finance_bureau(req.store)],
                           registry=req.registry)


def consent_date_text(r: dict) -> str:
    return format_cn_date(as_date(r.get("consent_on")))
