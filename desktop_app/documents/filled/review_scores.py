"""第三条: 专家评分表 (one page per expert) and the 评审汇总 of a centralised review session, for one
project: the session the project last went before. The numbers are `lifecycle.review_scoring`'s, read
through `services.review_sessions`, so the print says exactly what the window and `govis review show` say."""

from __future__ import annotations

from fractions import Fraction

from reportlab.platypus import PageBreak

from desktop_app.documents.forms import KV, FormDocument
from desktop_app.lifecycle.review_scoring import parse_sheet, points
from desktop_app.services import review_sessions as RS

from .common import (
    Request,
    as_date,
    county_office,
    date_text,
    money,
    project_items,
    section,
    text_or,
    unit_name,
)


def _session_of(req: Request) -> tuple[RS.Session, RS.Application] | None:
    row = req.store.one(
        "SELECT a.session_id FROM review_assignments a JOIN review_sessions s ON s.id=a.session_id "
        "WHERE a.project_id=? ORDER BY s.held_on DESC, a.rowid DESC LIMIT 1", (req.p["id"],))
    if not row:
        return None
    session = RS.load(req.store, row["session_id"])
    app = next(a for a in reversed(session.applications) if a.project_id == req.p["id"])
    return session, app


def _expert_sheet(doc: FormDocument, req: Request, sheet, venue: str, held: str | None, unit: str,
                  expert: dict, e: RS.ExpertScore | None) -> None:
    doc.meta_line(f"评审地点：{venue}", f"评审日期：{date_text(held) if held else '　　年　　月　　日'}")
    section(doc, "一、项目与专家").kv_table([
        KV("项目编号", req.p["code"]), KV("申报单位", unit), KV("项目名称", req.p["name"], wide=True),
        KV("申报投资", money(req.p.get("total_investment_fen"), ""), wide=True),
        KV("专家姓名", expert.get("name") or ""), KV("专业领域", text_or(expert.get("field"), "")),
        KV("工作单位及职称", text_or(expert.get("affiliation"), ""), wide=True),
    ], columns=2)
    scored = e is not None and e.scores is not None
    rows = [[str(i), item.name, str(item.weight), str(e.scores[item.name]) if scored else "",
             points(Fraction(e.scores[item.name] * item.weight, 100)) if scored else ""]
            for i, item in enumerate(sheet, 1)]
    rows.append(["", "加权总分", "100", "", points(e.total) if scored else ""])
    section(doc, "二、评分（每项0至100分，加权得分＝得分×权重÷100）")
    doc.table(["序号", "评分项", "权重", "得分", "加权得分"], rows, col_widths=[0.8, 3.2, 1.2, 1.4, 1.6],
              align=["center", "left", "center", "center", "center"], name="评分")
    doc.opinion_box("专家评审意见", e.opinion if e else "", signer="评审专家（签字）",
                    date=as_date(held) if held else None, lines=5)


def review_scores(req: Request) -> FormDocument:
    found = _session_of(req)
    if found is None:  # not yet before a session: a blank sheet on the profile's items, to fill by hand
        doc = FormDocument("政务信息系统项目专家评分表", "", registry=req.registry)
        _expert_sheet(doc, req, parse_sheet(req.profile.review_sheet), "", None, unit_name(req), {}, None)
        return doc
    session, app = found
    s, office = session.row, county_office(req.store)
    held = as_date(s["held_on"])
    doc = FormDocument("政务信息系统项目专家评分表", f"（{s['title']}）", registry=req.registry)
    for n, e in enumerate(app.experts):
        if n:
            doc._add(lambda: [PageBreak()])  # each expert signs a sheet of their own
        expert = next(x for x in session.experts if x["id"] == e.expert_id)
        _expert_sheet(doc, req, session.sheet, s["venue"], s["held_on"], app.unit, expert, e)
    if app.experts:
        doc._add(lambda: [PageBreak()])
    doc.meta_line(f"组织单位：{office}", f"评审日期：{date_text(s['held_on'])}")
    section(doc, "评审汇总：项目概况").kv_table(project_items(req), columns=2)
    p = app.panel
    rows = [[str(i), e.name, points(e.total) if e.scores else "未评分",
             "偏离" if e.name in p.outliers else "", e.opinion]
            for i, e in enumerate(app.experts, 1)]
    section(doc, "专家评分汇总")
    doc.table(["序号", "专家姓名", "加权总分", "提示", "专家评审意见"], rows or [["", "", "", "", "（无专家）"]],
              col_widths=[0.8, 1.6, 1.4, 1.0, 6.0], align=["center", "center", "center", "center", "left"],
              name="评分汇总")
    review = app.review
    section(doc, "评审结果").kv_table([
        KV("专家人数", f"{len(app.experts)}人"), KV("平均分", points(p.average)),
        KV("极差", points(p.spread)), KV("中位数", points(p.median)),
        KV("偏离提示", ("、".join(sorted(p.outliers)) if p.outliers else "无")
           + f"（与中位数相差超过{s['outlier_points']}分，三位及以上专家时标出）", wide=True),
        KV("评审结论", app.conclusion_text), KV("核定投资", money(review and review["approved_investment_fen"], "—")),
        KV("评审意见", text_or(review and review["opinion"], "（尚未形成结论）"), wide=True),
    ], columns=2)
    doc.opinion_box("评审专家组组长", "", signer="（签字）", date=held, lines=1)
    doc.notes(["评分项及权重取自县级政策参数（评审会建立时），各项权重之和为100。",
               "评审结论写入项目的评审意见，是资金安排的前提和依据（通知第三条）。"])
    return doc
