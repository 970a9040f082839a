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
from desktop_app.services import accounts, audit, queries, signin
from desktop_app.services import operations as ops
from desktop_app.services.text_encoding import decode_text


def default_db_path() -> Path:
    env = os.environ.get("GOVIS_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("govis", appauthor=False)) / "govis.db"


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def aligned(rows: list[list[str]], right: set[int] = frozenset(), gap: int = 2) -> list[str]:
    """Rows as lines of columns that line up in a terminal: a CJK character takes two cells. The last
    column is not padded (it holds the long names)."""
    # the one CJK display-width function there is (the package workbook sizes its columns with it);
    # imported here so `govis gui` does not load openpyxl
    from desktop_app.services.sheet_text import display_width

    if not rows:
        return []
    n = len(rows[0])
    widths = [max(display_width(r[i]) for r in rows) for i in range(n - 1)]
    lines = []
    for r in rows:
        cells = []
        for i, text in enumerate(r[:-1]):
            pad = " " * (widths[i] - display_width(text))
            cells.append(pad + text if i in right else text + pad)
        lines.append((" " * gap).join([*cells, r[-1]]).rstrip())
    return lines


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


# Commands that only read (and may run beside the window): no instance lock, no daily backup; a damaged
# file is reported but does not stop them. Every other command writes. Key: (command, subcommand).
READ_ONLY = {("ledger", None), ("check", None), ("project", "show"), ("audit", "verify"), ("policy", "show"),
             ("print", None), ("keys", "show"), ("keys", "export-public"), ("keys", "print"), ("trust", "list"),
             ("verify", None), ("packages", None), ("receipt", None), ("backup", None), ("integrity", None),
             ("gui", None), ("org", "list"), ("selftest", None), ("similar", None),
             ("review", "list"), ("review", "show"),
             ("round", None), ("plan", None),
             ("risk", "list"), ("indicators", "show")}


def command_key(args) -> tuple[str, str | None]:
    return args.command, getattr(args, f"{args.command}_command", None)


def writes(args) -> bool:
    return command_key(args) not in READ_ONLY


def db_path_of(args) -> Path:
    return Path(args.db or default_db_path())


_opened: list[Store] = []  # closed when the command ends (in-process calls, tests)


def _open_file(args, create: bool = False) -> Store:
    """The store for a command. A writing command (run under the instance lock, see `main`) is refused on a
    damaged or read-only file; a reading one only warns."""
    from desktop_app.services import integrity

    store = integrity.open_checked(db_path_of(args), create=create, writes=writes(args))
    _opened.append(store)
    if not writes(args) and store.writes_refused and not store.read_only:
        sys.stderr.write(f"注意：{store.writes_refused}\n")
    return store


def _daily_backup(store: Store) -> None:
    """The day's first backup, before a writing command's work; a failure is said plainly, the work goes on."""
    from desktop_app.services import backups

    try:
        made = backups.ensure_daily(store)
    except GovisError as exc:
        sys.stderr.write(f"注意：今天的自动备份没有完成。{exc.message}\n")
    else:
        if made is not None and made.warning:
            sys.stderr.write(f"注意：{made.warning}\n")


def open_session(args) -> tuple[Store, ops.Actor]:
    """Every command's start: open the database and sign the person in (--user, GOVIS_USER or the
    first administrator; GOVIS_PASSWORD or a prompt), then, for a writing command, the day's first
    backup. The Actor is also kept on `args.signed_in` for plugin commands, which receive `_open` below."""
    store = _open_file(args)
    try:
        actor = signin.sign_in(store, getattr(args, "user", None))
    except BaseException:
        store.close()
        raise
    args.signed_in = actor
    if writes(args):
        _daily_backup(store)
    return store, actor


def _open(args) -> Store:
    return open_session(args)[0]


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
    admin_password = signin.new_password(f"请设置管理员 {args.admin} 的登录密码（至少8个字符）：")
    store = _open_file(args, create=True)
    actor = ops.init_installation(store, args.role, args.org_code, args.org_name, args.county,
                                  args.admin, args.admin_name, args.code_prefix, admin_password=admin_password)
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
    rows = queries.ledger(store, today=_today(args))
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
    table = []
    for r in rows:
        due = (r["next_due"] or "") + ("暂定" if r["next_due_tentative"] else "")
        mark = "【逾期】" if r["overdue"] else ""
        table.append([r["code"], str(r["plan_year"]), r["status_label"], fen_to_wan_text(r["total_investment_fen"]),
                      fen_to_wan_text(r["disbursed_fen"]), due or "—", f"{mark}{r['name']} / {r['unit']}"])
    headers = ["编号", "年度", "状态", "总投资(万元)", "已拨付(万元)", "下一期限", "项目名称 / 建设单位"]
    for line in aligned([headers, *table], right={3, 4}):
        _out(line)
    _out(f"共 {len(rows)} 个项目")
    return 0


def cmd_ledger_reviewed(args) -> int:
    store, actor = open_session(args)
    project = ops.project_by_code(store, args.code)
    ops.review_ledger_import(store, actor, project["id"])
    _out(f"已核对：{project['code']} {project['name']} 不再标记为“由台账导入”，此后导入台账不会再修改它。")
    return 0


def cmd_ledger_import(args) -> int:
    from desktop_app.services import ledger_import as L
    from desktop_app.services.ledger_import.plan import ACTION_LABELS, change_text

    store, actor = open_session(args)
    mapping = L.Mapping.load(args.mapping) if args.mapping else None
    plan = L.preview(store, args.file, mapping, args.sheet)
    if args.save_mapping:
        plan.mapping.save(args.save_mapping)
    if args.json:
        _out(json.dumps({"counts": plan.counts(), "invalid": plan.problems(),
                         "units_unknown": [u.text for u in plan.units if u.org is None],
                         "rows": [{"row": r.row, "action": r.action, "name": r.name, "unit": r.unit,
                                   "reasons": r.reasons, "changes": change_text(r)} for r in plan.rows]},
                        ensure_ascii=False, indent=1))
    else:
        _out(f"台账：{plan.source}，表头在第 {plan.mapping.header_row} 行；{plan.summary()}")
        for u in plan.units:
            if u.org is None:
                hint = f"（是否为「{u.suggestion['name']}」？）" if u.suggestion else "（请先登记该单位）"
                _out(f"  未登记的建设单位：{u.text}{hint}")
        for r in plan.rows:
            if r.action in ("update", "kept"):
                _out(f"  第 {r.row} 行 {ACTION_LABELS[r.action]}：{r.name}：{change_text(r)}")
        from desktop_app.services.similarity_batch import lines

        for line in lines(list(plan.duplicates.values())):  # 第一条: rows like a held project or another row
            _out(f"  {line}")
    if plan.invalid:
        for line in plan.problems():
            sys.stderr.write(f"  {line}\n")
        if not args.skip_invalid:
            sys.stderr.write(f"有 {len(plan.invalid)} 行有误，整个文件没有导入。请改正后重新导入，"
                             "或加 --skip-invalid 只导入无误的行。\n")
            return 1
    if args.dry_run:
        _out("预览完毕（--dry-run），没有写入。")
        return 0
    changes = L.apply(store, actor, plan)
    c = plan.counts()
    _out(f"已导入：新增 {c['new']} 个项目，更新 {c['update']} 个；{len(changes.project_ids)} 个项目标记为“由台账导入”，"
         "核对后可取消标记。")
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
    try:
        store = _open(args)
    except GovisError as exc:  # a file too damaged to open at all
        sys.stderr.write(f"操作日志无法校验：{exc.message}\n")
        return 1
    if args.against:
        return _audit_against(store, args.against)
    problems = audit.verify(store)
    if problems:
        for p in problems:
            sys.stderr.write(f"{'数据库损坏' if p.damage else '操作日志异常'}：{p.message}\n")
        if any(not p.damage for p in problems):
            sys.stderr.write(f"共发现 {len(problems)} 处异常，操作日志可能在程序之外被改动。请从备份核对。\n")
        else:
            sys.stderr.write("数据库文件已损坏：请不要继续录入，从最近的备份恢复。\n")
        return 1
    total = audit.head(store)[0]
    _out(f"操作日志完整：共 {total} 条，逐条校验通过；数据库文件检查通过")
    return 0


def _audit_against(store, path: str) -> int:
    """Does this installation's history still contain the head a receipt or a sent package records?"""
    from desktop_app.exchange import audit_heads

    claim = audit_heads.read_claim(store, audit_heads.own_org_code(store), path)
    problems = audit.check_head(store, claim.count, claim.hash)
    where = f"{claim.source}（数据包 {claim.package_id[:8]}…）记载：发送时本机操作日志共 {claim.count} 条，" \
            f"第 {claim.count} 条校验值 {claim.hash[:12]}…"
    _out(where)
    if problems:
        for p in problems:
            sys.stderr.write(f"{'数据库损坏' if p.damage else '与回执不符'}：{p.message}\n")
        sys.stderr.write("本机的操作日志不再包含发送时的历史：发送之后操作日志被删改过（或本机从更早的备份恢复过）。"
                         "请保留本机数据库文件和回执，报县审计局核查。\n")
        return 1
    now = audit.head(store)[0]
    _out(f"核对通过：本机操作日志仍包含发送时的第 1 至 {claim.count} 条，逐条校验一致（本机现有 {now} 条）。")
    return 0


def cmd_audit_heads(args) -> int:
    from desktop_app.exchange import audit_heads

    store = _open(args)
    rows = audit_heads.last_heads(store)
    if not rows:
        _out("还没有收到带操作日志链头的数据包。")
        return 0
    for r in rows:
        flag = f"\t异常 {r['warnings']} 次：{r['last_warning']}" if r["warnings"] else ""
        _out(f"{r['sender_org']}\t{r['sender_name'] or ''}\t第{r['sequence']}号\t{r['count']} 条\t"
             f"{r['hash'][:12]}\t{r['received_at'][:10]}\t{r['package_id']}{flag}")
    return 0


def cmd_org_add(args) -> int:
    store, actor = open_session(args)
    ops.add_organisation(store, actor, args.code, args.name, args.role)
    _out(f"已登记单位：{args.name}（{args.code}）")
    return 0


def cmd_org_list(args) -> int:
    from desktop_app.exchange.signing import format_fingerprint
    from desktop_app.services import units

    store, actor = open_session(args)
    rows = units.organisations(store, actor.org_code)
    if args.json:
        _out(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1))
        return 0

    def mark(m) -> str:
        return f"{m.day} 第{m.sequence}号" if m else "—"

    _out("单位代码\t单位名称\t角色\t编号前缀\t公钥指纹（前8组）\t状态\t最近收到\t最近发出\t操作日志链头")
    for r in rows:
        fp = format_fingerprint(r.fingerprint, short=True) if r.fingerprint else "—"
        head = f"{r.audit_head.count} 条 {r.audit_head.hash[:12]}" if r.audit_head else "—"
        name = r.name + ("（本单位）" if r.is_self else "")
        _out(f"{r.code}\t{name}\t{r.role_label}\t{r.code_prefix}\t{fp}\t{r.state_label}\t"
             f"{mark(r.last_received)}\t{mark(r.last_sent)}\t{head}")
    return 0


def cmd_org_edit(args) -> int:
    store, actor = open_session(args)
    changes = {f: getattr(args, f) for f in ("name", "short_name", "code_prefix") if getattr(args, f) is not None}
    if not changes:
        raise GovisError("请指定要修改的内容：--name、--short-name 或 --code-prefix。")
    row = ops.update_organisation(store, actor, args.code, changes)
    _out(f"已修改单位：{row['name']}（{row['code']}），简称：{row['short_name'] or '—'}，"
         f"项目编号前缀：{row['code_prefix'] or '—'}。请导出新的单位及密钥目录发给各单位。")
    return 0


def cmd_project_new(args) -> int:
    store, actor = open_session(args)
    row = ops.create_project(store, actor, _pairs(args.fields, "project"))
    _out(f"已新建项目 {row['code']}：{row['name']}")
    return 0


def cmd_project_edit(args) -> int:
    store, actor = open_session(args)
    p = ops.project_by_code(store, args.code)
    ops.update_project(store, actor, p["id"], _pairs(args.fields, "project"))
    _out(f"已保存项目 {p['code']}")
    return 0


def cmd_project_delete(args) -> int:
    store, actor = open_session(args)
    p = ops.project_by_code(store, args.code)
    ops.delete_project(store, actor, p["id"])
    _out(f"已删除项目草稿 {p['code']}：{p['name']}（删除前的内容记入操作日志）")
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
        elif f.type == "ref" and value:
            value = _ref_name(store, f.ref_kind, value)
        _out(f"{f.label}：{'' if value is None else value}")
    _out(f"状态：{R.describe_status(p['status'])}")
    for f in findings:
        if f.open:
            _out(f"  [{f.state_text}] {f.clause} {f.message}")
    return 0


def cmd_similar(args) -> int:
    """第一条: the projects most like this one, with score, suggested level and the phrases they share."""
    from desktop_app.services import similarity

    store = _open(args)
    result = similarity.report(store, args.code, limit=args.limit)
    if args.json:
        _out(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    if not result["candidates"]:
        _out(f"{result['project']}：本机其他项目中没有内容相似的项目。")
        return 0
    _out(f"与 {result['project']} 最相似的项目（相似度、建议认定、相同的表述）：")
    for c in result["candidates"]:
        _out(f"  {c['code']}\t{c['name']}\t{round(c['score'] * 100)}%\t{c['level']}\t{'、'.join(c['overlap'])}")
    return 0


def _ref_name(store, ref_kind: str, record_id: str) -> str:
    """What a reference field shows people: a unit's name and code, a record's title; never its id."""
    from desktop_app.services.attachment_files import record_title

    if ref_kind == "organisation":
        org = store.one("SELECT name, code FROM organisations WHERE id=?", (record_id,))
        return f"{org['name']}（{org['code']}）" if org else "（未登记的单位）"
    row = store.find(ref_kind, record_id) if ref_kind in KINDS else None
    return record_title(ref_kind, row) if row else "（已不存在的记录）"


def cmd_project_act(args) -> int:
    store, actor = open_session(args)
    p = ops.project_by_code(store, args.code)
    kind = ops.machine.TRANSITIONS.get(args.action)
    values = _pairs(args.fields, kind.record_kind) if (kind and kind.record_kind) else \
        dict(x.split("=", 1) for x in args.fields if "=" in x)
    after = ops.transition(store, actor, p["id"], args.action, values, _write_today(args, store))
    _out(f"{p['code']}：{R.describe_status(p['status'])} → {R.describe_status(after['status'])}")
    return 0


def cmd_record_add(args) -> int:
    store, actor = open_session(args)
    if args.kind not in KINDS or not KINDS[args.kind].project_scoped:
        raise ValidationError({"kind": f"未知的记录类型「{args.kind}」。可用：" + "、".join(
            f"{k.name}（{k.label}）" for k in KINDS.values() if k.project_scoped)})
    p = ops.project_by_code(store, args.project)
    row = ops.add_record(store, actor, args.kind, p["id"], _pairs(args.fields, args.kind), _write_today(args, store))
    from desktop_app.services.attachment_files import record_title

    _out(f"已添加{KINDS[args.kind].label}「{record_title(args.kind, row)}」到项目 {p['code']}")
    return 0


def _notice_text(path: str) -> str:
    """The notice as saved from a web page or WPS: UTF-8 (with or without BOM), else GB18030 (GBK)."""
    p = Path(path)
    if not p.is_file():
        raise ValidationError({"notice": f"找不到通知文件：{p}。请把通知正文另存为文本文件后再试"})
    text = decode_text(p.read_bytes())
    if text is None:
        raise ValidationError({"notice": f"无法读取通知文件 {p.name}：请另存为 UTF-8 或 GBK 编码的文本文件"})
    return text


def cmd_holidays_set(args) -> int:
    split = lambda s: [x for x in (s or "").replace("，", ",").split(",") if x.strip()]
    if args.notice:
        from desktop_app.services import holiday_notice

        if args.holidays or args.workdays:
            raise ValidationError({"notice": "--notice 与 --holidays/--workdays 只能选用一种"})
        notice = holiday_notice.parse(_notice_text(args.notice), args.year)
        holidays = [d.isoformat() for d in notice.holidays]
        workdays = [d.isoformat() for d in notice.workdays]
        _out(notice.summary())
        source = f"国务院办公厅通知（{Path(args.notice).name}）"
    elif args.holidays:
        holidays, workdays, source = split(args.holidays), split(args.workdays), "国务院办公厅通知"
    else:
        raise ValidationError({"holidays": "请用 --notice 给出通知正文文件，或用 --holidays 列出放假日期"})
    store, actor = open_session(args)
    n = ops.set_holidays(store, actor, args.year, holidays, workdays, source=source)
    _out(f"已录入{args.year}年节假日安排 {n} 天（放假{len(holidays)}天，调休上班{len(workdays)}天）")
    return 0


def cmd_policy_show(args) -> int:
    from dataclasses import asdict

    from desktop_app.lifecycle.policy import BASIS_LABELS, NOTICE_RULE, POLICY_FIELDS, load_profile

    store = _open(args)
    for key, value in asdict(load_profile(store)).items():
        meta = POLICY_FIELDS[key]
        where = "，".join(x for x in (meta.clause, BASIS_LABELS[meta.basis] if meta.basis != NOTICE_RULE else "") if x)
        _out(f"{key} = {value}    # {meta.label}{meta.unit and '（' + meta.unit + '）'}{where and '，' + where}")
    return 0


def cmd_policy_set(args) -> int:
    store, actor = open_session(args)
    pairs = {}
    for item in args.pairs:
        if "=" not in item:
            raise ValidationError({item: f"参数「{item}」应写成 名称=值，例如 application_month=10"})
        k, v = item.split("=", 1)
        pairs[k.strip()] = v
    ops.set_policy(store, actor, pairs)
    _out("已保存县级政策参数：" + "、".join(pairs))
    return 0


# ---- users ----------------------------------------------------------------------------------------

def _role_code(text: str) -> str:
    from desktop_app.models.authority import USER_ROLES

    by_label = {v: k for k, v in USER_ROLES.items()}
    return by_label.get(text.strip(), text.strip())


def cmd_users_add(args) -> int:
    store, actor = open_session(args)
    password = signin.new_password(f"请设置用户 {args.name} 的初始密码（至少8个字符）：")
    row = accounts.add_user(store, actor, args.name, _role_code(args.role), args.display_name or "", password)
    _out(f"已添加用户 {row['username']}（{row['display_name']}，{accounts.A.USER_ROLES[row['role']]}）。"
         "请告知其初始密码，并请其登录后修改（govis users passwd）。")
    return 0


def cmd_users_list(args) -> int:
    store, _ = open_session(args)
    _out(f"{'用户名':<14}{'姓名':<10}{'角色':<8}状态")
    for u in accounts.list_users(store):
        state = "已停用" if u["disabled"] else ("未设置密码" if not u["has_password"] else "正常")
        _out(f"{u['username']:<14}{u['display_name']:<10}{u['role_label']:<8}{state}")
    return 0


def cmd_users_disable(args) -> int:
    store, actor = open_session(args)
    accounts.disable_user(store, actor, args.name)
    _out(f"已停用用户 {args.name}。其操作记录仍保留在操作日志中。")
    return 0


def cmd_users_reset(args) -> int:
    store, actor = open_session(args)
    accounts.reset_password(store, actor, args.name, signin.new_password(f"请设置用户 {args.name} 的新密码："))
    _out(f"已重置用户 {args.name} 的密码（账户锁定一并解除）。请其登录后修改密码。")
    return 0


def cmd_users_passwd(args) -> int:
    """Change one's own password; a user without one (made before this version) sets it here first."""
    store = _open_file(args)
    name = signin.username(args.user) or ops.installation_actor(store).user
    if not accounts.has_password(store, name):
        accounts.set_first_password(store, name, signin.new_password())
        _out(f"已为用户 {name} 设置密码。")
        return 0
    old = signin.password(f"请输入用户 {name} 的原密码：")
    actor = accounts.authenticate(store, name, old)
    accounts.change_password(store, actor, old, signin.new_password())
    _out(f"已修改用户 {name} 的密码。")
    return 0


# ---- parser ---------------------------------------------------------------------------------------

# Options people write before the command name (`govis --db FILE ledger`); `main` moves them to just after
# the command's path, where every command declares them. Value: what the option's value is, for messages.
GLOBAL_OPTIONS = {"--db": "数据库文件路径", "--user": "用户名", "--today": "日期（YYYY-MM-DD）"}

_USAGE_MESSAGES = [  # argparse's English usage errors (Python 3.11 wording) -> Chinese
    (r"unrecognized arguments: (.*)", "不认识的参数：{0}"),
    (r"the following arguments are required: (.*)", "缺少必须写的参数：{0}"),
    (r"argument (\S+): expected one argument", "选项 {0} 后面应写一个值"),
    (r"argument (\S+): expected at least one argument", "选项 {0} 后面至少应写一个值"),
    (r"argument (\S+): invalid int value: '(.*)'", "{0} 应为整数，「{1}」不是整数"),
    (r"argument (\S+): invalid (\w+) value: '(.*)'", "{0} 的值「{2}」格式不对"),
    (r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)", "{0} 没有「{1}」这一项，可选：{2}"),
    (r"argument (\S+): ignored explicit argument '(.*)'", "选项 {0} 不接受值「{1}」"),
    (r"ambiguous option: (\S+) could match (.*)", "选项 {0} 不明确，可能是：{1}"),
]


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its usage errors and help headings in Chinese; a usage error still exits 2."""

    def _subcommands(self) -> dict[str, argparse.ArgumentParser]:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action.choices
        return {}

    def _chinese(self, message: str) -> str:
        import re

        subs = self._subcommands()
        m = re.fullmatch(r"argument \S+: invalid choice: '(.*)' \(choose from .*\)", message)
        if m and subs and m.group(1) not in subs:  # a command name that does not exist
            return f"没有「{m.group(1)}」这个命令。可用的命令：{'、'.join(subs)}"
        m = re.fullmatch(r"the following arguments are required: (.*)", message)
        if m and subs and m.group(1).endswith("_command"):
            return f"缺少子命令，可用：{'、'.join(subs)}"
        for pattern, text in _USAGE_MESSAGES:
            m = re.fullmatch(pattern, message)
            if m:
                return text.format(*(g.replace("'", "") for g in m.groups()))
        return message

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：用法有误：{self._chinese(message)}\n运行 {self.prog} --help 查看用法。\n")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "用法：", 1)

    def format_help(self) -> str:
        text = super().format_help().replace("usage: ", "用法：", 1)
        for english, chinese in (("\npositional arguments:\n", "\n参数：\n"), ("\noptions:\n", "\n选项：\n"),
                                 ("show this help message and exit", "显示本帮助后退出"),
                                 ("show program's version number and exit", "显示版本号后退出")):
            text = text.replace(english, chinese)
        return text


def _split_global_options(argv: list[str]) -> tuple[list[str], list[str]]:
    """The global options written before the command name, as `[--db, FILE, …]`, and the rest."""
    hoisted, i = [], 0
    while i < len(argv):
        name, eq, value = argv[i].partition("=")
        if name not in GLOBAL_OPTIONS:
            break
        if not eq:
            if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                build_parser().error(f"选项 {name} 后面应写{GLOBAL_OPTIONS[name]}")
            value, i = argv[i + 1], i + 1
        hoisted += [name, value]
        i += 1
    return hoisted, argv[i:]


def _place_global_options(parser: ChineseArgumentParser, argv: list[str], hoisted: list[str]) -> list[str]:
    """`govis --db F ledger import X` -> `govis ledger import --db F X`: after the command's path, so an
    option written again after the command name still wins."""
    node, i = parser, 0
    while i < len(argv) and argv[i] in node._subcommands():
        node, i = node._subcommands()[argv[i]], i + 1
    if i == 0:
        return argv + hoisted  # not a command: argparse names the unknown word
    if "--today" in hoisted and node.get_default("func") and "--today" not in node._option_string_actions:
        node.error("这个命令没有 --today 选项：写入操作的日期一律取自本机时钟。--today 用于 ledger、check、"
                   "project show 等查看命令，以及演示数据库上的 project act、record add、demo")
    return argv[:i] + hoisted + argv[i:]


def build_parser(plugins: bool = True) -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="govis", description="政务信息系统项目管理（命令行）",
                                   epilog="--db、--user、--today 也可写在命令名之前，例如 govis --db 县.db ledger。")
    parser.add_argument("--version", action="version", version=f"govis {__version__}")
    # listed here for --help; `main` moves them behind the command name before parsing
    parser.add_argument("--db", dest="global_db", metavar="FILE", help="数据库文件（默认：本用户数据目录；"
                        "环境变量 GOVIS_DB 可覆盖）")
    parser.add_argument("--user", dest="global_user", metavar="USER",
                        help="登录用户名（默认：环境变量 GOVIS_USER，否则本机第一位管理员）")
    parser.add_argument("--today", dest="global_today", metavar="YYYY-MM-DD",
                        help="查看命令的“今天”（写入命令只在演示数据库上接受）")
    common = ChineseArgumentParser(add_help=False)
    common.add_argument("--db", help="数据库文件（默认：本用户数据目录；环境变量 GOVIS_DB 可覆盖）")
    common.add_argument("--user", help="登录用户名（默认：环境变量 GOVIS_USER，否则本机第一位管理员）；"
                        "密码取自环境变量 GOVIS_PASSWORD 或终端提示")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("init", parents=[common], help="建立本单位数据库")
    p.add_argument("--role", required=True, choices=list(ops.INSTALL_ROLES))
    p.add_argument("--org-code", required=True)
    p.add_argument("--org-name", required=True)
    p.add_argument("--county", default="蒙阴县")
    p.add_argument("--admin", default="admin", help="第一位管理员的用户名；其密码取自终端提示（输入两次）或 "
                   "GOVIS_NEW_PASSWORD")
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
    # `govis ledger [--json …]` reads; `govis ledger import FILE` (a writing subcommand) brings in an old ledger
    lsub = p.add_subparsers(dest="ledger_command", metavar="import|reviewed")
    v = lsub.add_parser("import", parents=[common], help="导入原有台账（Excel 或 CSV）",
                        description="导入县政府办公室原有的项目台账。先预览；有任何一行有误则整个文件不导入"
                                    "（列出行号和原因），除非加 --skip-invalid。")
    v.add_argument("file", help="台账文件（.xlsx、.xls 或 .csv）")
    v.add_argument("--mapping", help="列对应关系文件（.json，导入向导或 --save-mapping 保存的）")
    v.add_argument("--save-mapping", metavar="FILE.json", help="把本次使用的列对应关系保存到该文件")
    v.add_argument("--sheet", help="工作表名称（默认第一个）")
    v.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    v.add_argument("--skip-invalid", action="store_true", help="跳过有误的行，导入其余各行")
    v.add_argument("--json", action="store_true", help="以 JSON 输出预览结果")
    v.set_defaults(func=cmd_ledger_import)

    v = lsub.add_parser("reviewed", parents=[common], help="已核对由台账导入的项目：取消其“由台账导入”标记")
    v.add_argument("code", help="项目编号")
    v.set_defaults(func=cmd_ledger_reviewed)

    p = sub.add_parser("check", parents=[common], help="检查所有义务、期限和限制")
    p.add_argument("--json", action="store_true")
    p.add_argument("--today")
    p.add_argument("--all", action="store_true", help="包括已完成事项")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("audit", parents=[common], help="操作日志")
    asub = p.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser("verify", parents=[common], help="校验操作日志链和数据库文件",
                        description="逐条校验操作日志链并检查数据库文件；--against 核对本机操作日志是否仍包含"
                                    "某次发出数据包时的历史。")
    v.add_argument("--against", metavar="RECEIPT_OR_PACKAGE",
                   help="县政府办公室的数据包接收回执（PDF或其数据文件），或本单位发出的数据包")
    v.set_defaults(func=cmd_audit_verify)
    v = asub.add_parser("heads", parents=[common], help="各单位操作日志链头（收到的数据包所记载的）")
    v.set_defaults(func=cmd_audit_heads)

    p = sub.add_parser("org", help="单位")
    osub = p.add_subparsers(dest="org_command", required=True)
    v = osub.add_parser("add", parents=[common], help="登记单位（县政府办公室）")
    v.add_argument("code")
    v.add_argument("name")
    v.add_argument("--role", default="unit")
    v.set_defaults(func=cmd_org_add)
    v = osub.add_parser("list", parents=[common], help="列出单位及其公钥、数据包和操作日志链头")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_org_list)
    v = osub.add_parser("edit", parents=[common], help="修改单位名称、简称或项目编号前缀（县政府办公室）")
    v.add_argument("code")
    v.add_argument("--name")
    v.add_argument("--short-name")
    v.add_argument("--code-prefix")
    v.set_defaults(func=cmd_org_edit)

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
    v = psub.add_parser("delete", parents=[common], help="删除尚未报送的项目草稿：编号")
    v.add_argument("code")
    v.set_defaults(func=cmd_project_delete)

    p = sub.add_parser("similar", parents=[common], help="查重：与本机所有项目比较名称、建设内容和数据资源（第一条）")
    p.add_argument("code", help="项目编号")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--limit", type=int, default=10, help="最多列出几个相似项目（默认10）")
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser("record", help="项目记录")
    rsub = p.add_subparsers(dest="record_command", required=True)
    record_kinds = [k for k in KINDS.values() if k.project_scoped]
    v = rsub.add_parser("add", parents=[common], help="添加记录：类型 项目编号 字段=值 ...",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="给项目添加一条记录。字段可写代码名或中文名，例如 title=项目申请报告 或 材料名称=项目申请报告。",
                        epilog="记录类型（类型代码  中文名称）：\n" + "\n".join(
                            f"  {line}" for line in aligned([[k.name, k.label] for k in record_kinds])) + "\n")
    v.add_argument("kind", metavar="类型", help="记录类型代码，见下方列表（如 material 申报材料）")
    v.add_argument("project")
    v.add_argument("fields", nargs="*")
    v.add_argument("--today", help="仅限演示数据库：填报日期（真实数据库一律取本机时钟）")
    v.set_defaults(func=cmd_record_add)

    p = sub.add_parser("holidays", help="节假日安排")
    hsub = p.add_subparsers(dest="holidays_command", required=True)
    v = hsub.add_parser("set", parents=[common], help="录入某年国务院节假日安排")
    v.add_argument("year", type=int)
    v.add_argument("--notice", metavar="FILE", help="国务院办公厅节假日安排通知的正文（文本文件），解析出放假和调休上班日期")
    v.add_argument("--holidays", help="放假日期，逗号分隔（不用 --notice 时）")
    v.add_argument("--workdays", default="", help="调休上班日期，逗号分隔")
    v.set_defaults(func=cmd_holidays_set)

    p = sub.add_parser("policy", help="县级政策参数（期限、天数）")
    polsub = p.add_subparsers(dest="policy_command", required=True)
    v = polsub.add_parser("show", parents=[common], help="查看政策参数")
    v.set_defaults(func=cmd_policy_show)
    v = polsub.add_parser("set", parents=[common], help="修改政策参数：名称=值 ...")
    v.add_argument("pairs", nargs="+")
    v.set_defaults(func=cmd_policy_set)

    p = sub.add_parser("users", help="用户账户（管理员添加、停用、重置；每人修改自己的密码）")
    usub = p.add_subparsers(dest="users_command", required=True)
    v = usub.add_parser("add", parents=[common], help="添加用户：用户名 --role 角色 [--name 姓名]")
    v.add_argument("name")
    v.add_argument("--role", required=True, help="admin 管理员、clerk 经办人、reviewer 审核人、auditor 只读审计")
    v.add_argument("--name", dest="display_name", help="姓名")
    v.set_defaults(func=cmd_users_add)
    v = usub.add_parser("list", parents=[common], help="列出用户")
    v.set_defaults(func=cmd_users_list)
    v = usub.add_parser("disable", parents=[common], help="停用用户")
    v.add_argument("name")
    v.set_defaults(func=cmd_users_disable)
    v = usub.add_parser("reset", parents=[common], help="重置用户密码（新密码取自终端提示或 GOVIS_NEW_PASSWORD）")
    v.add_argument("name")
    v.set_defaults(func=cmd_users_reset)
    v = usub.add_parser("passwd", parents=[common], help="修改自己的密码（首次使用时设置密码）")
    v.set_defaults(func=cmd_users_passwd)

    if plugins:  # `govis gui` skips them: importing reportlab/openpyxl here costs start-up time
        _register_plugins(sub, common)

    p = sub.add_parser("gui", parents=[common], help="打开程序窗口")
    p.add_argument("--demo", action="store_true", help="打开一个临时演示县")
    p.set_defaults(func=cmd_gui)
    return parser


def _register_plugins(sub, common) -> None:
    """Commands that live beside their layer: printing (documents) and packages (exchange)."""
    import importlib

    for module in ("desktop_app.documents.commands", "desktop_app.exchange.commands", "desktop_app.backup_commands",
                   "desktop_app.selftest.commands", "desktop_app.review_commands",
                   "desktop_app.year_commands", "desktop_app.risk_commands", "desktop_app.indicator_commands"):
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
    except ImportError as exc:  # PySide6 missing or broken on this machine: say so plainly
        raise GovisError(f"无法启动图形界面：{exc}") from exc
    return run(db=args.db or str(default_db_path()), demo=args.demo, user=signin.username(args.user))


GUI_OPTIONS = ("--demo",)  # `govis --demo` opens the window on a demo county


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    hoisted, argv = _split_global_options(argv)
    if not argv or argv[0].split("=", 1)[0] in GUI_OPTIONS:
        argv = ["gui", *argv]  # `govis` and `govis --db FILE` open the window
    parser = build_parser(plugins=argv[0] != "gui")
    if argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        parser.error(f"不认识的选项 {argv[0]}。写在命令名之前的只能是 {'、'.join(GLOBAL_OPTIONS)}；"
                     "其余选项写在命令名之后")
    args = parser.parse_args(_place_global_options(parser, argv, hoisted))
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    lock = None
    try:
        if writes(args):
            from desktop_app.services.instance_lock import InstanceLock

            lock = InstanceLock(db_path_of(args), getattr(args, "user", None)).acquire()
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
    finally:
        while _opened:
            _opened.pop().close()
        if lock is not None:
            lock.release()


if __name__ == "__main__":
    raise SystemExit(main())
