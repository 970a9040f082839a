"""第三条: 评审会汇总表 -- one centralised review session as a whole: its date, venue and method, the
panel, and every application before it with each expert's weighted total, the panel's average, spread and
outlier flag, the conclusion and the approved investment; signed by the panel leader and the county office.

A list over many projects: a character no font has is printed as its code (`CodedTexts`), never refused.
The numbers are `lifecycle.review_scoring`'s through `services.review_sessions`, as in the window."""

from __future__ import annotations

from desktop_app.documents.forms import KV, FormDocument, Signature
from desktop_app.lifecycle.review_scoring import points
from desktop_app.services import review_sessions as RS

from .common import CodedTexts, MissingRecordError, Request, as_date, county_office, date_text, wan
from .lists import fit_codes

SIZE = 10.5
# up to this many experts each get a column of their own; beyond it one column lists them all
EXPERT_COLUMNS = 5


def session_of(req: Request) -> RS.Session:
    """The session asked for, or the last one the project went before."""
    if req.session is not None:
        return RS.load(req.store, req.session["id"])
    if req.project is None:
        raise MissingRecordError(f"打印《{req.doc_name}》须指定评审会（--session 评审会名称）。")
    row = req.store.one(
        "SELECT a.session_id FROM review_assignments a JOIN review_sessions s ON s.id=a.session_id "
        "WHERE a.project_id=? ORDER BY s.held_on DESC, a.rowid DESC LIMIT 1", (req.project["id"],))
    if not row:
        raise MissingRecordError(f"项目「{req.project['code']}」还没有提交评审会，无法打印《{req.doc_name}》。")
    return RS.load(req.store, row["session_id"])


def review_session(req: Request) -> FormDocument:
    session = session_of(req)
    s = session.row
    shown = CodedTexts(req)
    office = county_office(req.store)
    doc = FormDocument("政务信息系统项目集中评审汇总表", f"（{shown(s['title'], '评审会', '评审会名称')}）",
                       landscape=True, registry=req.registry, font_size=SIZE)
    doc.meta_line(f"组织单位：{shown(office, '组织单位', '单位名称')}", f"评审日期：{date_text(s['held_on'])}")
    doc.section("一、评审会概况").kv_table([
        KV("评审地点", shown(s["venue"], "评审会", "评审地点")), KV("评审方式", session.method_text),
        KV("评分表", "；".join(f"{i.name}（权重{i.weight}）" for i in session.sheet)
           + "。每项0至100分，加权总分＝Σ得分×权重÷100", wide=True),
    ], columns=2)

    apps = session.applications
    doc.section(f"二、项目评分及评审结论（{len(apps)}个项目）")
    own_columns = 0 < len(session.experts) <= EXPERT_COLUMNS
    names = [e["name"] for e in session.experts]

    def total_of(a: RS.Application, e: RS.ExpertScore) -> str:
        if e.scores is None:
            return "未评分"
        return points(e.total) + ("※" if e.name in a.panel.outliers else "")

    rows = []
    for n, a in enumerate(apps, 1):
        who = shown.project(a.code, a.name)
        review = a.review
        if own_columns:
            scores = [total_of(a, e) for e in a.experts]
        else:
            scores = ["；".join(f"{shown(e.name, who, '专家姓名')} {total_of(a, e)}" for e in a.experts) or "—"]
        rows.append([str(n), a.code, shown(a.name, who, "项目名称"), shown(a.unit, who, "申报单位"),
                     wan(a.investment_fen), *scores, points(a.panel.average), points(a.panel.spread),
                     "、".join(sorted(a.panel.outliers)) or "无" if a.panel.average is not None else "—",
                     a.conclusion_text.replace("：", "\n", 1) if review else "待形成结论",
                     wan(review and review["approved_investment_fen"], "—")])
    expert_heads = [f"{x}\n加权总分" for x in names] if own_columns else ["各专家加权总分"]
    headers = ["序号", "项目编号", "项目名称", "申报单位", "申报投资\n（万元）", *expert_heads, "平均分", "极差",
               "偏离", "评审结论", "核定投资\n（万元）"]
    expert_weights = [1.3] * len(names) if own_columns else [5.0]
    weights = [0.7, 2.1, 3.6, 2.6, 1.4, *expert_weights, 1.0, 0.9, 1.2, 1.6, 1.4]
    widths = fit_codes(doc, weights, 1, [a.code for a in apps], SIZE, 2)
    if not rows:
        rows = [["", "", "（尚未提交项目）", *[""] * (len(headers) - 3)]]
    doc.table(headers, rows, col_widths=widths, font_size=SIZE, name="项目评分",
              align=["center", "center", "left", "left", "right", *["center"] * len(expert_heads),
                     "center", "center", "center", "center", "right"])
    pending = sum(1 for a in apps if a.review is None)
    doc.section(f"三、评审专家（{len(session.experts)}人）")
    experts = [[str(n), shown(e["name"], "评审专家", "专家姓名"), shown(e["affiliation"] or "", "评审专家", "工作单位及职称"),
                shown(e["field"] or "", "评审专家", "专业领域")] for n, e in enumerate(session.experts, 1)]
    doc.table(["序号", "专家姓名", "工作单位及职称", "专业领域"], experts or [["", "（尚未添加专家）", "", ""]],
              col_widths=[0.8, 2, 6, 3], align=["center", "center", "left", "left"], font_size=SIZE, name="评审专家")

    held = as_date(s["held_on"])
    doc.signature_block(Signature("评审专家组", "组长（签字）", date=held),
                        Signature("县政府办公室（盖章）", "负责人（签字）", shown(office, "组织单位", "单位名称"), held))
    doc.notes([f"共{len(apps)}个项目，已形成结论{len(apps) - pending}个" + (f"，待形成结论{pending}个" if pending else "")
               + "。加权总分、平均分、极差按评审会建立时的评分表计算，保留一位小数。",
               f"“※”为偏离提示：专家加权总分与评审组中位数相差超过{s['outlier_points']}分（三位及以上专家时标出）。",
               "评审结论写入项目的评审意见，是资金安排的前提和依据（通知第三条）；核定投资只对评审通过的项目填写。",
               *shown.notes()], title="说明")
    return doc
