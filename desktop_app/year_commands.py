"""`govis round` and `govis plan`: the county office's year (第二条 申报, 第八条 计划与预算), read only.

Registered as a plugin (cli._register_plugins) beside printing and packages."""

from __future__ import annotations

import datetime as dt
import json
import sys

from desktop_app.errors import ValidationError
from desktop_app.models.fields import fen_to_wan_text


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _today(args) -> dt.date:
    if getattr(args, "today", None):
        try:
            return dt.date.fromisoformat(args.today)
        except ValueError:
            raise ValidationError({"today": f"日期「{args.today}」格式不对，请写成 YYYY-MM-DD"}) from None
    return dt.date.today()


def register(sub, common, open_store) -> None:
    def bind(parser, fn):
        parser.set_defaults(func=lambda args: fn(args, open_store))

    v = sub.add_parser("round", parents=[common], help="年度项目申报情况：收到的申请、材料、咨询、逾期、未申报单位")
    v.add_argument("year", nargs="?", type=int, help="计划年度（默认：今天正在受理申报的年度）")
    v.add_argument("--json", action="store_true")
    v.add_argument("--today", help="查看日期（默认今天），YYYY-MM-DD")
    bind(v, cmd_round)


def cmd_round(args, open_store) -> int:
    from desktop_app.services import annual_round

    store = open_store(args)
    today = _today(args)
    year = args.year or annual_round.open_year(store, today)
    rnd = annual_round.annual_round(store, year, today)
    if args.json:
        _out(json.dumps(rnd.as_dict(), ensure_ascii=False, indent=1))
        return 0
    state = "受理中" if rnd.is_open else "已截止"
    _out(f"{year}年度项目申报情况（截止日期 {rnd.deadline.isoformat()}，{state}）")
    for a in rnd.applications:
        when = a.submitted_on or "—"
        late = f"逾期{a.late_days}天" if a.late else "按期"
        mats = "材料齐全" if a.complete else "缺：" + "、".join(a.missing)
        consult = f"已咨询 {a.consulted_on}" if a.consulted_on else "未咨询电子政务中心"
        _out(f"{a.code}\t{a.name}\t{a.unit}\t{when}\t{late}\t{mats}\t{consult}\t{a.status_text}"
             f"\t{fen_to_wan_text(a.total_investment_fen)}万元")
    _out(f"收到申请 {len(rnd.applications)} 个（逾期 {len(rnd.late)}，材料不全 {len(rnd.incomplete)}，"
         f"未咨询 {len(rnd.unconsulted)}）；本机草稿 {len(rnd.drafts)} 个")
    _out("未申报的单位：" + ("、".join(rnd.units_without) if rnd.units_without else "无"))
    return 0
