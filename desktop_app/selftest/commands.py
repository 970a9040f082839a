"""`govis selftest [--folder DIR] [--today YYYY-MM-DD]`: one line per step; exit 0, or 1 naming the step.

It never opens the user's database (no --db, no sign-in, no instance lock): everything happens in a
fresh temporary folder, removed afterwards unless --folder names one to keep for inspection."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path


def register(sub, common, open_store) -> None:
    p = sub.add_parser("selftest", help="自检：在临时文件夹中试运行演示县、规则、打印、数据交换、备份恢复和操作日志",
                       description="在临时文件夹中检查本程序能否正常工作，不读写本单位的数据库。")
    p.add_argument("--folder", help="在此文件夹中进行并保留生成的文件（默认：临时文件夹，结束后删除）")
    p.add_argument("--today", help="演示县的“今天”（默认今天），YYYY-MM-DD")
    p.set_defaults(func=run_command)


def _line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run_command(args) -> int:
    from desktop_app import selftest

    today = None
    if args.today:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            sys.stderr.write(f"输入有误：日期「{args.today}」格式不对，请写成 YYYY-MM-DD\n")
            return 1

    def on_step(number, total, result, step):
        if result is not None:
            _line(result.line(number, total))

    if args.folder:
        folder = Path(args.folder)
        if folder.exists() and any(folder.iterdir()):
            sys.stderr.write(f"输入有误：文件夹「{folder}」不是空的。自检请用一个新的或空的文件夹。\n")
            return 1
        folder.mkdir(parents=True, exist_ok=True)
        report = selftest.run(folder, today=today, on_step=on_step)
    else:
        with tempfile.TemporaryDirectory(prefix="govis-selftest-") as tmp:
            report = selftest.run(tmp, today=today, on_step=on_step)
    _line(report.summary())
    return 0 if report.ok else 1
