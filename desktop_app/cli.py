"""`govis`: the headless commands, over the same service operations the window uses.

Exit codes: 0 done, 1 refused or invalid input (Chinese message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from desktop_app import __version__
from desktop_app.errors import GovisError, ValidationError
from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.states import parse_status
from desktop_app.models.fields import fen_to_wan_text
from desktop_app.models.kinds import KINDS
from desktop_app.models.store import Store
from desktop_app.services import audit, queries
from desktop_app.services import operations as ops


def default_db_path() -> Path:
    env = os.environ.get("GOVIS_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("govis", appauthor=False)) / "govis.db"


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _today(args) -> dt.date:
    if getattr(args, "today", None):
        try:
            return dt.date.fromisoformat(args.today)
        except ValueError:
            raise ValidationError({"today": f"日期「{args.today}」格式不对，请写成 YYYY-MM-DD"}) from None
    return dt.date.today()


def _write_today(args, store) -> dt.date | None:
    """The date of a write: the clock. `--today` only on a demo county (dates there are made up)."""
    if not getattr(args, "today", None):
        return None
    if store.get_setting("demo_today") is None:
        raise GovisError("办理日期取自本机时钟，不能用 --today 指定（防止倒签）。--today 只用于演示数据库"
                         "（govis demo 生成）和 govis check、govis ledger 等查看命令。")
    return _today(args)


def _pairs(items: list[str], kind_name: str) -> dict:
    """`field=value` pairs; the field may be its code name or its Chinese label."""
    kind = KINDS[kind_name]
    by_label = {f.label: f.name for f in kind.fields}
    out = {}
    for item in items:
        if "=" not in item:
            raise ValidationError({item: f"参数「{item}」应写成 字段=值，例如 name=县政务服务平台"})
        key, value = item.split("=", 1)
        key = by_label.get(key.strip(), key.strip())
        out[key] = value
    return out


def _open(args, create: bool = False) -> Store:
    return Store.open(args.db or default_db_path(), create=create)


# ---- commands -------------------------------------------------------------------------------------

def cmd_init(args) -> int:
    from desktop_app import exchange
    from desktop_app.exchange import commands as xcmd
    from desktop_app.exchange.keys import check_passphrase_strength

    secret = None
    if not args.no_key and (os.environ.get("GOVIS_PASSPHRASE") is not None or sys.stdin.isatty()):
        # checked before anything is written, so a weak passphrase leaves no half-made installation
        secret = xcmd.passphrase("请设置签名密钥口令（至少8个字符）：", confirm=True)
        check_passphrase_strength(secret)
    store = _open(args, create=True)
    actor = ops.init_installation(store, args.role, args.org_code, args.org_name, args.county,
                                  args.admin, args.admin_name, args.code_prefix)
    _out(f"已建立数据库：{store.path}")
    _out(f"本机单位：{actor.org_name}（{actor.org_code}），角色：{ops.ROLES[actor.role]}，管理员：{actor.user}，"
         f"项目编号前缀：{store.get_setting('project_code_prefix')}")
    if secret is not None:
        verifier = exchange.setup_keys(store, actor, secret)
        from desktop_app.exchange.signing import format_fingerprint

        _out(f"已生成本机签名密钥，指纹：{format_fingerprint(verifier.fingerprint, short=True)}")
        if actor.role == "county_office":
            _out("请打印密钥登记表（govis keys print --out 登记表.pdf），盖章后随单位目录下发各单位核对指纹。")
        else:
            _out("请打印密钥登记表（govis keys print --out 登记表.pdf），盖章后报县政府办公室登记。")
    else:
        _out("尚未生成签名密钥：交换数据包前请运行 govis keys init。")
    return 0


def cmd_demo(args) -> int:
    from desktop_app.demo.file import generate_file

    path = Path(args.db or default_db_path())
    if path.exists() and not args.force:
        store = Store.open(path)
        try:
            if ops.is_initialised(store):
                raise GovisError(f"数据库 {path} 已有数据。演示数据请生成到新文件（--db 新文件路径），或加 --force 覆盖。")
        finally:
            store.close()
    # built beside `path` and renamed at the end: a kill leaves no database or the complete one
    stats = generate_file(path, projects=args.projects, seed=args.seed, today=_today(args),
                          progress=None if args.quiet else _progress)
    _out(f"已生成演示县数据：{stats['units']} 个单位，{stats['projects']} 个项目，写入 {path}")
    return 0


def _progress(done: int, total: int) -> None:
    if total and (done == total or done % max(1, total // 10) == 0):
        sys.stderr.write(f"  生成中 {done}/{total}\n")


def cmd_ledger(args) -> int:
    store = _open(args)
    queries.ensure_deadlines_fresh(store, _today(args))
    rows = queries.ledger(store)
    if args.status:
        try:
            wanted = parse_status(args.status)
        except ValueError as exc:
            raise ValidationError({"status": str(exc)}) from None
        rows = [r for r in rows if r["status"] == wanted]
    if args.year:
        rows = [r for r in rows if r["plan_year"] == args.year]
    if args.json:
        _out(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    _out(f"{'编号':<14}{'年度':<6}{'状态':<10}{'总投资(万元)':>12}{'已拨付(万元)':>12}  下一期限      项目名称 / 建设单位")
    for r in rows:
        due = (r["next_due"] or "") + ("暂定" if r["next_due_tentative"] else "")
        mark = "【逾期】" if r["overdue"] else ""
        _out(f"{r['code']:<14}{r['plan_year']:<6}{r['status_label']:<10}{fen_to_wan_text(r['total_investment_fen']):>12}"
             f"{fen_to_wan_text(r['disbursed_fen']):>12}  {due:<14}{mark}{r['name']} / {r['unit']}")
    _out(f"共 {len(rows)} 个项目")
    return 0


def cmd_check(args) -> int:
    store = _open(args)
    today = _today(args)
    findings = queries.check(store, today)
    if not args.all:
        findings = [f for f in findings if f.open]
    if args.json:
        _out(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=1))
        return 0
    _out(f"检查日期：{today.isoformat()}")
    for f in findings:
        due = f.due.text() if f.due else "—"
        _out(f"{f.project_code}\t{f.rule_id}\t{f.clause}\t{due}\t{f.state_text}\t{f.message}")
    order = "一二三四五六七八九十"
    clauses = sorted({f.clause for f in findings}, key=lambda c: order.index(c[1]) if c[1] in order else 99)
    counts = {s: sum(1 for f in findings if f.state == s) for s in R.STATE_LABELS}
    late = sum(1 for f in findings if f.late_workdays)
    parts = [f"{R.STATE_LABELS[s]} {n}" + (f"（其中逾期完成 {late}）" if s == R.DONE and late else "")
             for s, n in counts.items() if n]
    _out("合计：" + "，".join(parts) + f"；涉及条款：{'、'.join(clauses)}")
    return 0


def cmd_audit_verify(args) -> int:
    store = _open(args)
    problems = audit.verify(store)
    total = store.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    if problems:
        for p in problems:
            sys.stderr.write(f"操作日志异常：{p.message}\n")
        sys.stderr.write(f"共发现 {len(problems)} 处异常，操作日志可能在程序之外被改动。请从备份核对。\n")
        return 1
    _out(f"操作日志完整：共 {total} 条，逐条校验通过")
    return 0


def cmd_org_add(args) -> int:
    store = _open(args)
    actor = ops.installation_actor(store, args.user)
    ops.add_organisation(store, actor, args.code, args.name, args.role)
    _out(f"已登记单位：{args.name}（{args.code}）")
    return 0


def cmd_project_new(args) -> int:
    store = _open(args)
    actor = ops.installation_actor(store, args.user)
    row = ops.create_project(store, actor, _pairs(args.fields, "project"))
    _out(f"已新建项目 {row['code']}：{row['name']}")
    return 0


def cmd_project_edit(args) -> int:
    store = _open(args)
    actor = ops.installation_actor(store, args.user)
    p = ops.project_by_code(store, args.code)
    ops.update_project(store, actor, p["id"], _pairs(args.fields, "project"))
    _out(f"已保存项目 {p['code']}")
    return 0


def cmd_project_show(args) -> int:
    store = _open(args)
    p = ops.project_by_code(store, args.code)
    findings = queries.check(store, _today(args), [p["id"]])
    if args.json:
        _out(json.dumps({"project": p, "findings": [f.as_dict() for f in findings]}, ensure_ascii=False, indent=1))
        return 0
    kind = KINDS["project"]
    for f in kind.fields:
        value = p.get(f.name)
        if f.type == "money":
            value = fen_to_wan_text(value, 6).rstrip("0").rstrip(".") + " 万元" if value is not None else ""
        elif f.choices:
            value = f.choice_label(str(value) if value is not None else None)
        _out(f"{f.label}：{'' if value is None else value}")
    _out(f"状态：{R.describe_status(p['status'])}")
    for f in findings:
        if f.open:
            _out(f"  [{f.state_text}] {f.clause} {f.message}")
    return 0


def cmd_project_act(args) -> int:
    store = _open(args)
    actor = ops.installation_actor(store, args.user)
    p = ops.project_by_code(store, args.code)
    kind = ops.machine.TRANSITIONS.get(args.action)
    values = _pairs(args.fields, kind.record_kind) if (kind and kind.record_kind) else \
        dict(x.split("=", 1) for x in args.fields if "=" in x)
    after = ops.transition(store, actor, p["id"], args.action, values, _write_today(args, store))
    _out(f"{p['code']}：{R.describe_status(p['status'])} → {R.describe_status(after['status'])}")
    return 0


def cmd_record_add(args) -> int:
    store = _open(args)
    actor = ops.installation_actor(store, args.user)
    if args.kind not in KINDS or not KINDS[args.kind].project_scoped:
        raise ValidationError({"kind": f"未知的记录类型「{args.kind}」。可用：" + "、".join(
            f"{k.name}（{k.label}）" for k in KINDS.values() if k.project_scoped)})
    p = ops.project_by_code(store, args.project)
    row = ops.add_record(store, actor, args.kind, p["id"], _pairs(args.fields, args.kind), _write_today(args, store))
    _out(f"已添加{KINDS[args.kind].label}（{row['id']}）到项目 {p['code']}")
    return 0


def cmd_holidays_set(args) -> int:
    store = _open(args)
    actor = ops.installation_actor(store, args.user)
    split = lambda s: [x for x in (s or "").replace("，", ",").split(",") if x.strip()]
    n = ops.set_holidays(store, actor, args.year, split(args.holidays), split(args.workdays))
    _out(f"已录入{args.year}年节假日安排 {n} 天")
    return 0


def cmd_policy_show(args) -> int:
    from dataclasses import asdict

    from desktop_app.lifecycle.policy import load_profile

    store = _open(args)
    for key, value in asdict(load_profile(store)).items():
        _out(f"{key} = {value}")
    return 0


def cmd_policy_set(args) -> int:
    store = _open(args)
    actor = ops.installation_actor(store, args.user)
    pairs = {}
    for item in args.pairs:
        if "=" not in item:
            raise ValidationError({item: f"参数「{item}」应写成 名称=值，例如 application_month=10"})
        k, v = item.split("=", 1)
        pairs[k.strip()] = v
    ops.set_policy(store, actor, pairs)
    _out("已保存县级政策参数：" + "、".join(pairs))
    return 0


# ---- parser ---------------------------------------------------------------------------------------

def build_parser(plugins: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govis", description="政务信息系统项目管理（命令行）")
    parser.add_argument("--version", action="version", version=f"govis {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="数据库文件（默认：本用户数据目录；环境变量 GOVIS_DB 可覆盖）")
    common.add_argument("--user", help="操作用户名（默认：本机管理员）")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("init", parents=[common], help="建立本单位数据库")
    p.add_argument("--role", required=True, choices=list(ops.INSTALL_ROLES))
    p.add_argument("--org-code", required=True)
    p.add_argument("--org-name", required=True)
    p.add_argument("--county", default="蒙阴县")
    p.add_argument("--admin", default="admin")
    p.add_argument("--admin-name", default="系统管理员")
    p.add_argument("--code-prefix", default=None, help="项目编号前缀（默认：县级单位为 MY，申报单位取单位代码）")
    p.add_argument("--no-key", action="store_true", help="暂不生成签名密钥（以后运行 govis keys init）")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", parents=[common], help="生成演示县数据")
    p.add_argument("--projects", type=int, default=120)
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument("--today", help="演示数据的“今天”（默认今天）")
    p.add_argument("--force", action="store_true", help="覆盖已有数据库文件")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("ledger", parents=[common], help="项目台账")
    p.add_argument("--json", action="store_true")
    p.add_argument("--today")
    p.add_argument("--status", help="只看某一状态（代码或中文名，如 建设中）")
    p.add_argument("--year", type=int, help="只看某一计划年度")
    p.set_defaults(func=cmd_ledger)

    p = sub.add_parser("check", parents=[common], help="检查所有义务、期限和限制")
    p.add_argument("--json", action="store_true")
    p.add_argument("--today")
    p.add_argument("--all", action="store_true", help="包括已完成事项")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("audit", parents=[common], help="操作日志")
    asub = p.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser("verify", parents=[common], help="校验操作日志链")
    v.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("org", help="单位")
    osub = p.add_subparsers(dest="org_command", required=True)
    v = osub.add_parser("add", parents=[common], help="登记单位（县政府办公室）")
    v.add_argument("code")
    v.add_argument("name")
    v.add_argument("--role", default="unit")
    v.set_defaults(func=cmd_org_add)

    p = sub.add_parser("project", help="项目")
    psub = p.add_subparsers(dest="project_command", required=True)
    v = psub.add_parser("new", parents=[common], help="新建项目：字段=值 ...")
    v.add_argument("fields", nargs="*")
    v.set_defaults(func=cmd_project_new)
    v = psub.add_parser("edit", parents=[common], help="修改项目：编号 字段=值 ...")
    v.add_argument("code")
    v.add_argument("fields", nargs="*")
    v.set_defaults(func=cmd_project_edit)
    v = psub.add_parser("show", parents=[common], help="查看项目")
    v.add_argument("code")
    v.add_argument("--json", action="store_true")
    v.add_argument("--today")
    v.set_defaults(func=cmd_project_show)
    v = psub.add_parser("act", parents=[common], help="办理生命周期操作：编号 操作 [字段=值 ...]")
    v.add_argument("code")
    v.add_argument("action")
    v.add_argument("fields", nargs="*")
    v.add_argument("--today", help="仅限演示数据库：办理日期（真实数据库一律取本机时钟）")
    v.set_defaults(func=cmd_project_act)

    p = sub.add_parser("record", help="项目记录")
    rsub = p.add_subparsers(dest="record_command", required=True)
    v = rsub.add_parser("add", parents=[common], help="添加记录：类型 项目编号 字段=值 ...")
    v.add_argument("kind")
    v.add_argument("project")
    v.add_argument("fields", nargs="*")
    v.add_argument("--today", help="仅限演示数据库：填报日期（真实数据库一律取本机时钟）")
    v.set_defaults(func=cmd_record_add)

    p = sub.add_parser("holidays", help="节假日安排")
    hsub = p.add_subparsers(dest="holidays_command", required=True)
    v = hsub.add_parser("set", parents=[common], help="录入某年国务院节假日安排")
    v.add_argument("year", type=int)
    v.add_argument("--holidays", required=True, help="放假日期，逗号分隔")
    v.add_argument("--workdays", default="", help="调休上班日期，逗号分隔")
    v.set_defaults(func=cmd_holidays_set)

    p = sub.add_parser("policy", help="县级政策参数（期限、天数）")
    polsub = p.add_subparsers(dest="policy_command", required=True)
    v = polsub.add_parser("show", parents=[common], help="查看政策参数")
    v.set_defaults(func=cmd_policy_show)
    v = polsub.add_parser("set", parents=[common], help="修改政策参数：名称=值 ...")
    v.add_argument("pairs", nargs="+")
    v.set_defaults(func=cmd_policy_set)

    if plugins:  # `govis gui` skips them: importing reportlab/openpyxl here costs start-up time
        _register_plugins(sub, common)

    p = sub.add_parser("gui", parents=[common], help="打开程序窗口")
    p.add_argument("--demo", action="store_true", help="打开一个临时演示县")
    p.set_defaults(func=cmd_gui)
    return parser


def _register_plugins(sub, common) -> None:
    """Commands that live beside their layer: printing (documents) and packages (exchange)."""
    import importlib

    for module in ("desktop_app.documents.commands", "desktop_app.exchange.commands"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(sub, common, _open)


def cmd_gui(args) -> int:
    try:
        from desktop_app.ui.app import run
    except ImportError as exc:  # the window is a later piece; say so plainly
        raise GovisError(f"无法启动图形界面：{exc}") from exc
    return run(db=args.db or str(default_db_path()), demo=args.demo)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["gui", *argv]  # `govis` and `govis --db FILE` open the window
    parser = build_parser(plugins=argv[0] != "gui")
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except ValidationError as exc:
        for msg in exc.fields.values():
            sys.stderr.write(f"输入有误：{msg}\n")
        return 1
    except GovisError as exc:
        sys.stderr.write(f"操作未完成：{exc.message}\n")
        return 1
    except BrokenPipeError:  # `govis ledger | head`: the reader left; not an error
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (replaces the closed pipe for the exit flush)
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("已取消\n")
        return 1
    except Exception:  # noqa: BLE001  (an unexpected fault: keep the trace, say so in Chinese)
        import traceback

        traceback.print_exc()
        sys.stderr.write("程序内部错误，本次操作没有完成。请把以上信息发给技术支持。\n")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
