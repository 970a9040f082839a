"""`govis review …`: centralised review sessions (第三条) from the command line (registered by cli.py).

    govis review session-add --title 2027年度第一次集中评审 --date 2026-09-20 --venue 县政府第三会议室
    govis review expert-add 2027年度第一次集中评审 --name 王建国 --field 信息化 --affiliation "临沂大学 教授"
    govis review expert-remove 2027年度第一次集中评审 --name 王建国 [--discard-scores]
    govis review assign 2027年度第一次集中评审 MY-2027-001
    govis review unassign 2027年度第一次集中评审 MY-2027-001 [--discard-scores]
    govis review score 2027年度第一次集中评审 MY-2027-001 --expert 王建国 --item 必要性=90 … --opinion …
    govis review conclude 2027年度第一次集中评审 MY-2027-001 --conclusion 通过 --opinion … --approved 95
    govis review list | show SESSION [--json]
"""

from __future__ import annotations

import json
import sys

from desktop_app.errors import ValidationError
from desktop_app.lifecycle.review_scoring import points
from desktop_app.models.fields import fen_to_wan_text
from desktop_app.services import operations as ops
from desktop_app.services import review_sessions as RS


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _ctx(args, open_store):
    store = open_store(args)
    return store, args.signed_in


def _today(args, store):
    from desktop_app.cli import _write_today

    return _write_today(args, store)


def cmd_session_add(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    row = ops.add_review_session(store, actor, {"title": args.title, "held_on": args.date, "venue": args.venue,
                                                "method": args.method}, _today(args, store))
    _out(f"已新建评审会「{row['title']}」（{row['held_on']}，{row['venue']}），评分表：{row['sheet']}")
    return 0


def cmd_expert_add(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    session = RS.find(store, args.session)
    row = ops.add_review_expert(store, actor, session["id"], {"name": args.name, "field": args.field,
                                                             "affiliation": args.affiliation}, _today(args, store))
    _out(f"评审会「{session['title']}」已添加专家 {row['name']}")
    return 0


def cmd_assign(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    session = RS.find(store, args.session)
    p = ops.project_by_code(store, args.project)
    ops.assign_to_review(store, actor, session["id"], p["id"], _today(args, store))
    _out(f"项目 {p['code']} {p['name']} 已提交评审会「{session['title']}」")
    return 0


def cmd_expert_remove(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    session = RS.find(store, args.session)
    expert = RS.find_expert(store, session["id"], args.name)
    ops.remove_review_expert(store, actor, session["id"], expert["id"], _today(args, store),
                             discard_scores=args.discard_scores)
    _out(f"评审会「{session['title']}」已移除专家 {expert['name']}")
    return 0


def cmd_unassign(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    session = RS.find(store, args.session)
    p = ops.project_by_code(store, args.project)
    ops.unassign_from_review(store, actor, session["id"], p["id"], _today(args, store),
                             discard_scores=args.discard_scores)
    _out(f"项目 {p['code']} {p['name']} 已撤出评审会「{session['title']}」，仍为评审中，可提交其他评审会")
    return 0


def _items(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        name, sep, value = pair.replace("＝", "=").partition("=")
        if not sep:
            raise ValidationError({"item": f"评分「{pair}」应写成 评分项=分数，如 必要性=90"})
        out[name.strip()] = value.strip()
    return out


def cmd_score(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    session = RS.find(store, args.session)
    p = ops.project_by_code(store, args.project)
    expert = RS.find_expert(store, session["id"], args.expert)
    ops.score_review(store, actor, session["id"], p["id"], expert["id"], _items(args.item), args.opinion,
                     _today(args, store))
    app = next(a for a in RS.load(store, session["id"]).applications
               if a.project_id == p["id"] and a.review is None)
    mine = next(e for e in app.experts if e.expert_id == expert["id"])
    _out(f"已录入专家 {expert['name']} 对项目 {p['code']} 的评分：加权总分 {points(mine.total)}")
    return 0


def cmd_conclude(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    session = RS.find(store, args.session)
    p = ops.project_by_code(store, args.project)
    values = {"conclusion": args.conclusion, "opinion": args.opinion, "approved_investment_fen": args.approved,
              "opinion_no": args.opinion_no}
    row = ops.conclude_review(store, actor, session["id"], p["id"], {k: v for k, v in values.items() if v},
                              _today(args, store))
    review = row["review"]
    _out(f"项目 {p['code']} 第{review['round']}轮评审结论：{RS.CONCLUSION[review['conclusion']]}"
         + (f"，核定投资 {fen_to_wan_text(review['approved_investment_fen'])} 万元"
            if review["approved_investment_fen"] is not None else ""))
    return 0


def cmd_list(args, open_store) -> int:
    store, _ = _ctx(args, open_store)
    rows = RS.sessions(store)
    if not rows:
        _out("还没有评审会。用 govis review session-add 新建")
    for r in rows:
        _out(f"{r['held_on']}  {r['title']}  {r['venue']}  专家{r['experts']}人  项目{r['applications']}个"
             f"（待结论{r['pending']}个）")
    return 0


def as_json(session: RS.Session) -> dict:
    return {
        "session": {k: session.row[k] for k in ("id", "title", "held_on", "venue", "method", "outlier_points")},
        "sheet": [{"item": i.name, "weight": i.weight} for i in session.sheet],
        "experts": [{k: e[k] for k in ("name", "field", "affiliation")} for e in session.experts],
        "applications": [{
            "code": a.code, "name": a.name, "unit": a.unit,
            "scores": [{"expert": e.name, "scores": e.scores, "total": points(e.total) if e.scores else None,
                        "outlier": e.name in a.panel.outliers, "opinion": e.opinion} for e in a.experts],
            "average": points(a.panel.average) if a.panel.average is not None else None,
            "spread": points(a.panel.spread) if a.panel.spread is not None else None,
            "conclusion": a.review and a.review["conclusion"], "round": a.review and a.review["round"],
            "approved_investment_fen": a.review and a.review["approved_investment_fen"],
        } for a in session.applications],
    }


def cmd_show(args, open_store) -> int:
    store, _ = _ctx(args, open_store)
    session = RS.load(store, RS.find(store, args.session)["id"])
    if args.json:
        _out(json.dumps(as_json(session), ensure_ascii=False, indent=1))
        return 0
    r = session.row
    _out(f"{r['title']}  {r['held_on']}  {r['venue']}  {session.method_text}")
    _out("评分表：" + "；".join(f"{i.name}（权重{i.weight}）" for i in session.sheet)
         + f"；偏离提示：与中位数相差超过{r['outlier_points']}分")
    _out("专家：" + ("、".join(f"{e['name']}（{e['field'] or '—'}，{e['affiliation'] or '—'}）"
                             for e in session.experts) or "尚未添加"))
    for a in session.applications:
        _out(f"\n{a.code} {a.name}（{a.unit}）  {a.conclusion_text}")
        for e in a.experts:
            flag = "  ※偏离" if e.name in a.panel.outliers else ""
            _out(f"  {e.name}：" + (f"{points(e.total)}{flag}" if e.scores else "未评分"))
        if a.panel.average is not None:
            _out(f"  平均 {points(a.panel.average)}  极差 {points(a.panel.spread)}")
    return 0


def register(sub, common, open_store) -> None:
    def bind(parser, fn):
        parser.set_defaults(func=lambda args: fn(args, open_store))

    p = sub.add_parser("review", parents=[common], help="集中评审：评审会、专家、评分和评审结论（第三条）")
    rs = p.add_subparsers(dest="review_command", metavar="子命令", required=True)
    v = rs.add_parser("list", parents=[common], help="列出评审会")
    bind(v, cmd_list)
    v = rs.add_parser("session-add", parents=[common], help="新建评审会（评分表取自政策参数）")
    v.add_argument("--title", required=True, help="评审会名称")
    v.add_argument("--date", required=True, help="评审日期 YYYY-MM-DD")
    v.add_argument("--venue", required=True, help="评审地点")
    v.add_argument("--method", default="central", help="评审方式：集中评审（默认）或 专家论证会")
    bind(v, cmd_session_add)
    v = rs.add_parser("expert-add", parents=[common], help="为评审会添加专家")
    v.add_argument("session", help="评审会名称")
    v.add_argument("--name", required=True, help="专家姓名")
    v.add_argument("--field", help="专业领域")
    v.add_argument("--affiliation", help="工作单位及职称")
    bind(v, cmd_expert_add)
    v = rs.add_parser("assign", parents=[common], help="把评审中的项目提交评审会")
    v.add_argument("session", help="评审会名称")
    v.add_argument("project", help="项目编号")
    bind(v, cmd_assign)
    v = rs.add_parser("expert-remove", parents=[common], help="移除评审会的专家（评分已用于评审结论的不能移除）")
    v.add_argument("session", help="评审会名称")
    v.add_argument("--name", required=True, help="专家姓名")
    v.add_argument("--discard-scores", dest="discard_scores", action="store_true",
                   help="该专家已对尚未形成结论的项目评分时，确认一并删除这些评分")
    bind(v, cmd_expert_remove)
    v = rs.add_parser("unassign", parents=[common], help="把项目撤出评审会（已形成结论的不能撤出）")
    v.add_argument("session", help="评审会名称")
    v.add_argument("project", help="项目编号")
    v.add_argument("--discard-scores", dest="discard_scores", action="store_true",
                   help="专家已对该项目评分时，确认一并删除这些评分")
    bind(v, cmd_unassign)
    v = rs.add_parser("score", parents=[common], help="录入一位专家对一个项目的评分和意见")
    v.add_argument("session", help="评审会名称")
    v.add_argument("project", help="项目编号")
    v.add_argument("--expert", required=True, help="专家姓名")
    v.add_argument("--item", action="append", metavar="评分项=分数", help="每个评分项一次，如 --item 必要性=90")
    v.add_argument("--opinion", required=True, help="专家评审意见")
    bind(v, cmd_score)
    v = rs.add_parser("conclude", parents=[common], help="形成评审结论（写入项目的评审意见）")
    v.add_argument("session", help="评审会名称")
    v.add_argument("project", help="项目编号")
    v.add_argument("--conclusion", required=True, help="通过、修改后重新评审 或 不予通过")
    v.add_argument("--opinion", required=True, help="评审意见")
    v.add_argument("--approved", help="核定投资（万元，通过时必填）")
    v.add_argument("--opinion-no", dest="opinion_no", help="意见文号")
    bind(v, cmd_conclude)
    v = rs.add_parser("show", parents=[common], help="评审会的专家评分、平均分、极差和结论")
    v.add_argument("session", help="评审会名称")
    v.add_argument("--json", action="store_true", help="以 JSON 输出")
    bind(v, cmd_show)
