"""`govis round` and `govis plan`: the county office's year (第二条 申报, 第八条 计划与预算), read only.

Registered as a plugin (cli._register_plugins) beside printing and packages."""

from __future__ import annotations

import argparse
import json
import sys

from desktop_app.errors import GovisError
from desktop_app.models.fields import fen_to_wan_text


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")




class _RoundWords(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        verb = values[0] if values and values[0] in ROUND_VERBS else None
        rest = values[1:] if verb else values
        if len(rest) > 1 or (rest and not rest[0].isdigit()) or (verb and not rest):
            parser.error("应写成 govis round [年度]、govis round open 年度 或 govis round close 年度")
        namespace.round_command = verb
        setattr(namespace, self.dest, values)
        namespace.year = int(rest[0]) if rest else None


ROUND_VERBS = ("open", "close")


def register(sub, common, open_store) -> None:
    def bind(parser, fn):
        parser.set_defaults(func=lambda args: fn(args, open_store))

    v = sub.add_parser("round", parents=[common], help="年度项目申报：查看申报情况；县政府办公室开启申报、截止受理",
                       description="govis round [年度] [--json]：查看申报情况；govis round open 年度 [--notice 文号] "
                                   "[--note 备注]：开启申报；govis round close 年度 [--note 理由]：截止受理")
    # `round [YEAR]` reads, `round open|close YEAR` writes: one positional list keeps `round 2027` working
    # (a subparser would take 2027 for a command); the action names the write for cli.READ_ONLY.
    v.add_argument("words", nargs="*", action=_RoundWords, metavar="[open|close] 年度",
                   help="计划年度（默认：今天正在受理申报的年度）；open 开启申报，close 截止受理")
    v.add_argument("--json", action="store_true")
    v.add_argument("--notice", help="开启申报：县政府办公室通知的文号或标题")
    v.add_argument("--note", help="备注；提前截止受理时写明理由")
    v.add_argument("--today", help="查看日期（默认今天），YYYY-MM-DD；开启、截止受理仅限演示数据库")
    v.set_defaults(year=None, round_command=None)
    bind(v, cmd_round)
    v = sub.add_parser("plan", parents=[common], help="年度政务信息系统项目计划与预算安排（第八条）")
    v.add_argument("year", type=int, help="计划年度")
    v.add_argument("--json", action="store_true")
    v.add_argument("--xlsx", metavar="FILE", help="另存为 Excel 文件（WPS/Excel 可直接打开）")
    bind(v, cmd_plan)


def cmd_round(args, open_store) -> int:
    from desktop_app.services import annual_round

    verb = getattr(args, "round_command", None)
    if verb:
        return cmd_round_write(args, open_store, verb)
    if args.notice or args.note:
        raise GovisError("--notice、--note 只用于 govis round open / close")
    store = open_store(args)
    from desktop_app.cli import _today  # the CLI's own --today reading (cli imports this plugin)

    today = _today(args)
    year = args.year or annual_round.open_year(store, today)
    rnd = annual_round.annual_round(store, year, today)
    if args.json:
        _out(json.dumps(rnd.as_dict(), ensure_ascii=False, indent=1))
        return 0
    state = "受理中" if rnd.is_open else "已截止"
    _out(f"{year}年度项目申报情况（截止日期 {rnd.deadline.isoformat()}，{state}）")
    _out(f"申报：{rnd.state_text}" + (f"；通知：{rnd.notice}" if rnd.notice else ""))
    for a in rnd.applications:
        when = a.submitted_on or "未记录"
        late = a.timing_text
        mats = "材料齐全" if a.complete else "缺：" + "、".join(a.missing)
        consult = f"已咨询 {a.consulted_on}" if a.consulted_on else "未咨询电子政务中心"
        _out(f"{a.code}\t{a.name}\t{a.unit}\t{when}\t{late}\t{mats}\t{consult}\t{a.status_text}"
             f"\t{fen_to_wan_text(a.total_investment_fen)}万元")
    _out(f"收到申请 {len(rnd.applications)} 个（逾期 {len(rnd.late)}，"
         + (f"截止受理后收到 {len(rnd.after_close)}，" if rnd.after_close else "")
         + f"材料不全 {len(rnd.incomplete)}，未咨询 {len(rnd.unconsulted)}）；本机草稿 {len(rnd.drafts)} 个")
    _out("未申报的单位：" + ("、".join(rnd.units_without) if rnd.units_without else "无"))
    return 0


def cmd_round_write(args, open_store, verb: str) -> int:
    from desktop_app.cli import _write_today
    from desktop_app.services import operations as ops

    store = open_store(args)
    today = _write_today(args, store)
    if verb == "open":
        if args.json:
            raise GovisError("--json 只用于查看申报情况")
        row = ops.open_round(store, args.signed_in, args.year, {"notice": args.notice, "note": args.note}, today=today)
        _out(f"已开启{row['plan_year']}年度项目申报：{row['opened_on']}开启，截止日期{row['deadline']}"
             + (f"，通知：{row['notice']}" if row["notice"] else ""))
        return 0
    if args.notice:
        raise GovisError("--notice 只用于开启申报（govis round open）")
    row = ops.close_round(store, args.signed_in, args.year, args.note or "", today=today)
    _out(f"{row['plan_year']}年度项目申报已截止受理（{row['closed_on']}，截止日期{row['deadline']}）")
    return 0


def cmd_plan(args, open_store) -> int:
    from desktop_app.services import annual_plan as AP

    store = open_store(args)
    plan = AP.annual_plan(store, args.year)
    if args.xlsx:
        from desktop_app.services import xlsx_export as xlsx

        path = xlsx.save_workbook(args.xlsx, AP.xlsx_sheets(plan))
        sys.stderr.write(f"已保存：{path}\n")
    if args.json:
        _out(json.dumps(plan.as_dict(), ensure_ascii=False, indent=1))
        return 0
    _out(f"{plan.year}年度政务信息系统项目计划（{len(plan.items)}个项目）")
    for n, i in enumerate(plan.items, 1):
        rank = f"第{i.priority}位" if i.priority else "未排序"
        _out(f"{n}\t{i.code}\t{i.name}\t{i.unit}\t核定{fen_to_wan_text(i.approved_fen)}万元"
             f"\t预算建设资金{fen_to_wan_text(i.construction_fen)}万元\t{rank}\t{i.status_text}")
    _out(f"评审核定投资合计 {fen_to_wan_text(plan.approved_total)} 万元；预算建设资金 "
         f"{fen_to_wan_text(plan.construction_total)} 万元；运行维护经费（部门预算） {fen_to_wan_text(plan.om_total)} 万元")
    for o in plan.om_lines:
        _out(f"运维\t{o.code}\t{o.name}\t{o.unit}\t{fen_to_wan_text(o.amount_fen)}万元\t列入{o.unit}部门预算")
    return 0
