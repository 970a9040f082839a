"""第五条: 整改通知书, a 公文 from the county office to the unit listing an inspection's findings."""

from __future__ import annotations

from desktop_app.documents.gongwen import GongwenDocument, Heading1, Heading2
from desktop_app.lifecycle.rules import SANCTION_LABELS, SANCTION_LADDER

from .common import (
    Request,
    as_date,
    county_office,
    date_text,
    doc_number,
    finance_bureau,
    money,
    notice_cite,
    org_name,
    text_or,
    unit_name,
)


def rectification_notice(req: Request) -> GongwenDocument:
    p, ins = req.p, req.r
    findings = [f for f in req.records("finding") if f["inspection_id"] == ins["id"]]
    if not findings:
        raise req.missing(f"{date_text(ins['inspected_on'])}的监督检查没有录入发现的问题")
    office, unit = county_office(req.store), unit_name(req)
    day = as_date(ins["inspected_on"])
    earlier = req.store.all(
        "SELECT DISTINCT i.id, i.inspected_on FROM inspections i JOIN findings f ON f.inspection_id = i.id "
        "WHERE i.inspected_on LIKE ? ORDER BY i.inspected_on, i.rowid", (f"{day.year}-%",))
    seq = next((n for n, row in enumerate(earlier, 1) if row["id"] == ins["id"]), 1)
    given = next((f["notice_no"] for f in findings if (f.get("notice_no") or "").strip()), None)
    number = doc_number(req, given, day.year, seq)
    inspector = org_name(req.store, ins.get("owner_org")) or office
    who = f"由{text_or(ins.get('inspectors'), '')}组成的检查组" if ins.get("inspectors") else "检查组"
    scope = f"，重点检查了{ins['scope'].rstrip('。')}" if ins.get("scope") else ""
    ladder = "、".join(SANCTION_LABELS[c] for c in SANCTION_LADDER)
    paragraphs: list = [
        (f"{date_text(ins['inspected_on'])}，{inspector}{who}依据{notice_cite(req)}第五条规定，"
        f"对你单位承建的“{p['name']}”（项目编号：{p['code']}，总投资{money(p['total_investment_fen'])}）"
        f"进行了监督检查{scope}。检查发现以下问题，现通知你单位限期整改。"),
        Heading1("一、存在的问题和整改期限"),
    ]
    numerals = "一二三四五六七八九十"
    for n, f in enumerate(findings):
        mark = f"（{numerals[n]}）" if n < len(numerals) else f"（{n + 1}）"
        # the finding is the level-2 heading, all of it in 楷体; its deadline runs on in 仿宋
        paragraphs.append(Heading2(f"{mark}{f['description'].rstrip('。')}。", f"整改期限：{date_text(f['rectify_by'])}前。"))
    paragraphs += [
        Heading1("二、整改要求"),
        ("请你单位逐项制定整改措施，明确责任人和完成时限，于整改期限届满前将整改情况书面报告县政府办公室。"
        f"根据通知第五条规定，对拒不整改或整改后仍不符合要求的，将依次采取{ladder}等措施。"),
        "特此通知。",
    ]
    return GongwenDocument(office, number, f"{office}关于“{p['name']}”限期整改的通知", unit, paragraphs,
                           office, day, title_keep=(unit,), cc=[finance_bureau(req.store), f"{req.profile.county_name}审计局"],
                           printer=office, print_date=day, registry=req.registry)
