"""`govis risk list` and `govis risk rate`: the command-line side of services/risk.py and
operations.rate_risk (registered by cli.py like the printing and backup commands)."""

from __future__ import annotations

import json
import sys


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def cmd_risk_list(args, open_store) -> int:
    from desktop_app.cli import _today, aligned
    from desktop_app.services import queries, risk

    store = open_store(args)
    today = _today(args)
    queries.ensure_deadlines_fresh(store, today)  # the 逾期 counts the suggestion reads
    items = risk.ratings(store, today)
    if not args.all:
        items = [r for r in items if r.needs_attention]
    if args.json:
        _out(json.dumps([{"code": r.code, "name": r.name, "suggested": r.suggested, "reasons": list(r.reasons),
                          "level": r.confirmed["level"] if r.confirmed else None,
                          "rated_on": r.confirmed["rated_on"] if r.confirmed else None, "stale": r.stale}
                         for r in items], ensure_ascii=False, indent=1))
        return 0
    rows = [["编号", "系统建议", "已确认", "项目名称 / 理由"]]
    for r in items:
        confirmed = (risk.level_text(r.confirmed["level"]) + (f" {r.confirmed['rated_on']}")
                     + ("（已过期）" if r.stale else "")) if r.confirmed else "未确认"
        rows.append([r.code, risk.level_text(r.suggested), confirmed,
                     f"{r.name}：{'；'.join(r.reasons) or '未发现风险事项'}"])
    for line in aligned(rows):
        _out(line)
    _out(f"共 {len(items)} 个项目" + ("" if args.all else "待确认（未确认、已过期或记录有变化）；--all 列出全部"))
    return 0


def cmd_risk_rate(args, open_store) -> int:
    from desktop_app.cli import _write_today
    from desktop_app.services import operations as ops
    from desktop_app.services import risk

    store = open_store(args)
    p = ops.project_by_code(store, args.code)
    row = ops.rate_risk(store, args.signed_in, p["id"], args.level, args.note or "", args.date,
                        today=_write_today(args, store))
    _out(f"{p['code']} 风险等级：{risk.level_text(row['level'])}（系统建议{risk.level_text(row['suggested_level'])}，"
         f"{row['rated_on']}）")
    return 0


def register(sub, common, open_store) -> None:
    def bind(parser, fn):
        parser.set_defaults(func=lambda args: fn(args, open_store))

    v = sub.add_parser("risk", parents=[common], help="风险评级：系统建议等级及理由，县政府办公室确认或调整")
    cmds = v.add_subparsers(dest="risk_command", required=True)
    c = cmds.add_parser("list", parents=[common], help="列出待确认的风险评级（5为低风险，1为高风险）")
    c.add_argument("--all", action="store_true", help="列出全部在建及已建项目")
    c.add_argument("--json", action="store_true")
    c.add_argument("--today", help="按这一天计算（默认今天）")
    bind(c, cmd_risk_list)
    c = cmds.add_parser("rate", parents=[common], help="确认或调整一个项目的风险等级")
    c.add_argument("code", help="项目编号")
    c.add_argument("level", help="风险等级 1-5（5为低风险，1为高风险）")
    c.add_argument("--note", help="说明；与系统建议不同时必填")
    c.add_argument("--date", help="评级日期（默认今天）")
    c.add_argument("--today", help="仅限演示数据库：办理日期（真实数据库一律取本机时钟）")
    bind(c, cmd_risk_rate)
