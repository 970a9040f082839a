"""`govis keys|trust|export|import|verify|packages`: the exchange commands (registered by cli.py).

The passphrase comes from a prompt, or from GOVIS_PASSPHRASE in scripts. A refused import exits 1
with the Chinese reason and leaves the database unchanged.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from desktop_app.errors import GovisError
from desktop_app.exchange import export, history, importer, keyring, receipt, trust
from desktop_app.exchange.package import STEPS, AlreadyImported
from desktop_app.exchange.signing import format_fingerprint
from desktop_app.services import atomic_file

_STEP_LABELS = dict(STEPS)


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def passphrase(prompt: str = "请输入签名密钥口令：", confirm: bool = False) -> str:
    env = os.environ.get("GOVIS_PASSPHRASE")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise GovisError("需要签名密钥口令：请在终端中运行以便输入口令，或在脚本中设置环境变量 GOVIS_PASSPHRASE。")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("请再输入一次口令：") != first:
        raise GovisError("两次输入的口令不一致，未做任何更改。")
    return first


def _ctx(args, open_store):
    store = open_store(args)  # cli.open_session: signs the person in and keeps the Actor on args
    return store, args.signed_in


# ---- keys ----------------------------------------------------------------------------------------

def cmd_keys_init(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    v = keyring.setup_keys(store, actor, passphrase("请设置签名密钥口令（至少8个字符）：", confirm=True), args.algorithm)
    _out(f"已生成本机签名密钥（{v.algorithm}）。公钥指纹：{format_fingerprint(v.fingerprint)}")
    _out("请打印密钥登记表（govis keys print --out 密钥登记表.pdf），盖章后连同公钥文件交县政府办公室登记。")
    return 0


def cmd_keys_show(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    info = keyring.key_info(store, actor)
    if args.json:
        _out(json.dumps(info, ensure_ascii=False, indent=1))
        return 0 if info["has_key"] else 1
    if not info["has_key"]:
        sys.stderr.write("本机尚未生成签名密钥。请运行 govis keys init。\n")
        return 1
    _out(f"单位：{info['org_name']}（{info['org_code']}）")
    _out(f"算法：{info['algorithm']}    生成时间：{info['created_at']}")
    _out(f"公钥指纹：{info['fingerprint_groups']}")
    _out(f"核对用指纹（登记表前8组）：{info['fingerprint_short']}")
    return 0


def cmd_keys_export_public(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    atomic_file.write_text(args.out, keyring.export_public(store, actor))
    _out(f"已导出公钥文件：{args.out}（指纹 {format_fingerprint(keyring.own_verifier(store).fingerprint, short=True)}）")
    return 0


def cmd_keys_print(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    receipt.key_form_pdf(store, actor, args.out)
    _out(f"已生成密钥登记表：{args.out}。请打印、签字盖章后交县政府办公室。")
    return 0


def cmd_keys_rotate(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    old = passphrase("请输入当前签名密钥口令：")
    new = os.environ.get("GOVIS_NEW_PASSPHRASE") or passphrase("请设置新密钥口令：", confirm=True)
    v = keyring.rotate_key(store, actor, old, new)
    _out(f"已更换签名密钥。新指纹：{format_fingerprint(v.fingerprint)}")
    _out("请打印新的密钥登记表交各单位核对；各单位下次导入目录时须确认新指纹。")
    return 0


# ---- trust ---------------------------------------------------------------------------------------

def cmd_trust_add(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    data = Path(args.file).read_bytes()
    r = trust.register_key(store, actor, data, args.fingerprint, args.org)
    _out(f"指纹核对一致，已登记{r['org_name']}（{r['org_code']}）的公钥：{format_fingerprint(r['fingerprint'], short=True)}")
    return 0


def cmd_trust_revoke(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    n = trust.revoke_key(store, actor, args.org_code, args.fingerprint, args.reason)
    _out(f"已注销单位 {args.org_code} 的公钥 {n} 个。请导出新的单位及密钥目录发给各单位。")
    return 0


def cmd_trust_list(args, open_store) -> int:
    store, _ = _ctx(args, open_store)
    for k in trust.list_keys(store):
        state = f"已注销（{k['revoked_on']}）" if k["revoked_on"] else "有效"
        _out(f"{k['org_code']}\t{k['org_name'] or ''}\t{format_fingerprint(k['fingerprint'], short=True)}\t{state}")
    return 0


# ---- packages ------------------------------------------------------------------------------------

def cmd_export(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    contents = {c.strip() for c in args.contents.replace("，", ",").split(",") if c.strip()} if args.contents else None
    res = export.export_package(store, actor, passphrase(), args.to, args.out, contents=contents,
                                everything=args.all, kind="directory" if args.directory else "records")
    m = res.manifest
    _out(f"已导出数据包：{res.path}（第{m['sequence']}号，编号 {m['package_id']}）")
    for name, n in res.counts.items():
        if n:
            _out(f"  {name}：{n} 条")
    return 0


def _step_printer(code: str, state: str) -> None:
    if state in ("ok", "failed"):
        sys.stderr.write(f"  [{'通过' if state == 'ok' else '未通过'}] {_STEP_LABELS[code]}\n")


def _print_preview(pv) -> None:
    m = pv.manifest
    _out(f"数据包：第{m['sequence']}号，来自{pv.sender_name}（{m['sender']}），生成于 {m['created_at']}")
    for note in pv.opened.format_notes:
        _out(f"  版本说明：{note}")
    for sheet, c in pv.counts.items():
        _out(f"  {sheet}：新增 {c['new']}，修改 {c['changed']}，无变化 {c['unchanged']}，冲突 {c['conflict']}")
    for item in pv.items:
        if item.action == "conflict":
            _out(f"  冲突：{item.sheet} {item.label} —— {item.detail}")
    _print_duplicates(pv.duplicates)


def _print_duplicates(checks) -> None:
    """第一条 集约建设: the arriving applications that repeat a held one or each other (a suggestion only)."""
    from desktop_app.services import similarity_batch

    if not checks:
        return
    lines = similarity_batch.lines(checks)
    for line in lines:
        _out(f"  {line}")
    if lines:
        _out("  以上为查重提示，是否重复由县政府办公室在项目的“相似项目”页审查认定（第一条）。")
    else:
        _out("  查重：导入的项目与本机已有项目均无内容相似。")


def cmd_import(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    try:
        pv, rc = importer.import_package(store, actor, args.file, confirm_fingerprint=args.fingerprint,
                                         dry_run=args.dry_run, on_step=_step_printer)
    except AlreadyImported as exc:
        _out(exc.message)
        return 0
    _print_preview(pv)
    if rc is None:
        _out("试运行（--dry-run）：校验全部通过，未写入任何数据。")
        return 0
    _out(f"已导入。备份：{rc['backup'] or '—'}")
    if args.receipt:
        receipt.receipt_pdf(rc, args.receipt)
        _out(f"已生成数据包接收回执：{args.receipt}")
    return 0


def cmd_verify(args, open_store) -> int:
    store, actor = _ctx(args, open_store)
    try:
        pv = importer.preview(store, actor, args.file, confirm_fingerprint=args.fingerprint, on_step=_step_printer)
    except AlreadyImported as exc:
        _out(exc.message)
        return 0
    _print_preview(pv)
    _out("校验通过：签名有效，发给本单位，序号有效，文件完整，数据合规。")
    return 0


def cmd_packages(args, open_store) -> int:
    store, _ = _ctx(args, open_store)
    rows = history.packages(store)
    if not rows:
        _out("还没有发出或收到过数据包。")
        return 0
    _out("办理时间\t方向\t对方单位\t序号\t内容\t状态\t数据包编号")
    for p in rows:
        way = "发出" if p["direction"] == "sent" else "收到"
        peer = f"{p['peer_name']}（{p['peer_org']}）" if p["peer_name"] else p["peer_org"]
        _out(f"{_local_time(p['processed_at'])}\t{way}\t{peer}\t第{p['sequence']}号\t"
             f"{PACKAGE_KINDS.get(p['kind'], p['kind'])}\t{p['state']}\t{p['id']}")
    return 0


PACKAGE_KINDS = {"records": "业务数据", "directory": "单位及密钥目录"}


def _local_time(iso: str) -> str:
    """'2026-11-26T09:30:00+08:00' as people write it: 2026年11月26日 09:30 (local time is what was stored)."""
    import datetime as dt

    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{t.year}年{t.month:02d}月{t.day:02d}日 {t:%H:%M}"


def cmd_receipt(args, open_store) -> int:
    store, _ = _ctx(args, open_store)
    rc = history.receipt(store, args.package_id)
    if rc is None:
        raise GovisError(f"找不到已导入的数据包「{args.package_id}」。")
    receipt.receipt_pdf(rc, args.out)
    _out(f"已生成数据包接收回执：{args.out}")
    return 0


def register(sub, common, open_store) -> None:
    def bind(parser, fn):
        parser.set_defaults(func=lambda args: fn(args, open_store))

    p = sub.add_parser("keys", help="本机签名密钥")
    ks = p.add_subparsers(dest="keys_command", required=True)
    v = ks.add_parser("init", parents=[common], help="生成本机签名密钥（尚无密钥时）")
    v.add_argument("--algorithm", default="ed25519", choices=["ed25519", "sm2"])
    bind(v, cmd_keys_init)
    v = ks.add_parser("show", parents=[common], help="显示本机公钥指纹")
    v.add_argument("--json", action="store_true")
    bind(v, cmd_keys_show)
    v = ks.add_parser("export-public", parents=[common], help="导出公钥文件")
    v.add_argument("--out", required=True)
    bind(v, cmd_keys_export_public)
    v = ks.add_parser("print", parents=[common], help="生成密钥登记表（PDF）")
    v.add_argument("--out", required=True)
    bind(v, cmd_keys_print)
    v = ks.add_parser("rotate", parents=[common], help="更换本机签名密钥（新口令可用 GOVIS_NEW_PASSPHRASE）")
    bind(v, cmd_keys_rotate)

    p = sub.add_parser("trust", help="可信公钥（县政府办公室登记）")
    ts = p.add_subparsers(dest="trust_command", required=True)
    v = ts.add_parser("add", parents=[common], help="核对指纹后登记单位公钥")
    v.add_argument("file")
    v.add_argument("--fingerprint", required=True, help="照密钥登记表录入的指纹")
    v.add_argument("--org", help="单位代码（默认取公钥文件中的单位代码）")
    bind(v, cmd_trust_add)
    v = ts.add_parser("revoke", parents=[common], help="注销单位公钥")
    v.add_argument("org_code")
    v.add_argument("--fingerprint")
    v.add_argument("--reason", help="注销原因（记入操作日志）")
    bind(v, cmd_trust_revoke)
    v = ts.add_parser("list", parents=[common], help="列出可信公钥")
    bind(v, cmd_trust_list)

    v = sub.add_parser("export", parents=[common], help="导出签名数据包")
    v.add_argument("--to", required=True, help="接收单位代码")
    v.add_argument("--out", required=True, help="输出文件（.zip），可直接写到U盘")
    v.add_argument("--directory", action="store_true", help="导出单位及密钥目录（县政府办公室）")
    v.add_argument("--contents", help="只导出这些内容（记录类型代码，逗号分隔；project_status、attachment）")
    v.add_argument("--all", action="store_true", help="全部内容（默认只导出上次发给该单位以来新增或修改的内容）")
    bind(v, cmd_export)

    v = sub.add_parser("import", parents=[common], help="校验并导入数据包")
    v.add_argument("file")
    v.add_argument("--dry-run", action="store_true", help="只校验和预览，不写入")
    v.add_argument("--fingerprint", help="首次导入县政府办公室目录时，照其密钥登记表录入的指纹")
    v.add_argument("--receipt", help="导入后生成数据包接收回执（PDF）")
    bind(v, cmd_import)

    v = sub.add_parser("verify", parents=[common], help="只校验数据包（不写入）")
    v.add_argument("file")
    v.add_argument("--fingerprint")
    bind(v, cmd_verify)

    v = sub.add_parser("packages", parents=[common], help="列出已发出和已收到的数据包")
    bind(v, cmd_packages)
    v = sub.add_parser("receipt", parents=[common], help="重新生成数据包接收回执（PDF）")
    v.add_argument("package_id")
    v.add_argument("--out", required=True)
    bind(v, cmd_receipt)
