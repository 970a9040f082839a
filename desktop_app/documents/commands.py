"""`govis print`: list the official documents, or fill one from the database into a PDF.

    govis print --list
    govis print application --project MY-2027-001 --out 申请表.pdf
    govis print contract --project MY-2027-001 --record <合同记录ID> --out 合同备案表.pdf
    govis print ledger --year 2027 --out 台账.pdf
    govis print audit-log --project MY-2027-001 --out 操作日志.pdf
    govis print review-session --session 2027年度第一次集中评审 --out 评审会汇总表.pdf

Exit 0 done; 1 bad input or a document that cannot be printed (Chinese message on stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from desktop_app.documents.errors import DocumentError

NEEDS_TEXT = {"project": "需 --project", "record": "需 --project，可加 --record", "year": "需 --year",
              "ledger": "可加 --year", "audit": "可加 --project（项目编号或名称的一部分）",
              "session": "需 --session（评审会名称），或 --project（该项目最近的评审会）"}


def register(sub, common, open_store) -> None:
    p = sub.add_parser("print", parents=[common], help="打印公文和表格（输出PDF）",
                       description="从本机数据库填写官方文书并输出为PDF。")
    p.add_argument("kind", nargs="?", help="文书代码（见 --list），如 application、contract、ledger")
    p.add_argument("--list", action="store_true", help="列出可打印的文书")
    p.add_argument("--project", help="项目编号，如 MY-2027-001")
    p.add_argument("--record", help="记录ID（默认：该项目最近的一条）")
    p.add_argument("--year", type=int, help="计划年度（年度汇总表、台账）")
    p.add_argument("--session", help="评审会名称（评审会汇总表）")
    p.add_argument("--out", help="输出的PDF文件")
    p.add_argument("--today", help="表上填报/统计日期（默认今天），YYYY-MM-DD")
    p.set_defaults(func=lambda args: run(args, open_store))


def _fail(message: str) -> int:
    sys.stderr.write(f"无法打印：{message}\n")
    return 1


def _list() -> int:
    from desktop_app.documents import filled

    sys.stdout.write(f"{'代码':<24}{'文书':<24}说明\n")
    for d in filled.DOCUMENTS.values():
        extra = "（横向）" if d.landscape else ("（公文格式）" if d.gongwen else "")
        sys.stdout.write(f"{d.code:<24}{d.name + extra:<24}{NEEDS_TEXT[d.needs]}\n")
    return 0


def run(args: argparse.Namespace, open_store) -> int:
    from desktop_app.documents import filled
    from desktop_app.errors import GovisError

    if args.list:
        return _list()
    if not args.kind:
        return _fail("请指定文书代码，或用 --list 查看可打印的文书。")
    try:
        doc = filled.get(args.kind)
    except DocumentError as exc:
        return _fail(str(exc))
    if not args.out:
        return _fail("请用 --out 指定输出的PDF文件，例如 --out 申请表.pdf")
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        return _fail(f"输出文件「{out}」应以 .pdf 结尾")
    if not out.parent.is_dir():
        return _fail(f"输出文件夹「{out.parent}」不存在")
    today = None
    if args.today:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            return _fail(f"日期「{args.today}」格式不对，请写成 YYYY-MM-DD")
    try:
        store = open_store(args)
        try:
            data = filled.render(store, doc.code, project=args.project, record_id=args.record, year=args.year,
                                 today=today, target=out, session=args.session)
        finally:
            store.close()
    except (DocumentError, GovisError) as exc:
        return _fail(getattr(exc, "message", None) or str(exc))
    except OSError as exc:
        return _fail(f"无法写入「{out}」：{exc.strerror or exc}")
    sys.stdout.write(f"已生成《{doc.name}》：{out}（{len(data) // 1024} KB）\n")
    return 0
