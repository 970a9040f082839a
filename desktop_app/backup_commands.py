"""`govis backup`, `govis restore`, `govis integrity`: the command-line side of services/backups.py and
services/integrity.py (registered by cli.py like the printing and package commands)."""

from __future__ import annotations

import sys

from desktop_app.errors import GovisError


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def cmd_backup(args, open_store) -> int:
    from desktop_app.services import backups

    if args.list:
        from desktop_app.cli import db_path_of

        folder = backups.folder_of(db_path_of(args))
        items = backups.list_backups(folder, check=args.check)
        _out(f"备份文件夹：{folder}")
        for b in items:
            _out(f"{backups.describe(b)}  {b.name}")
        _out(f"共 {len(items)} 个备份")
        return 0
    store = open_store(args)
    made = backups.make_backup(store, "manual", out=args.out)
    c = made.note["counts"]
    _out(f"已备份到：{made.path}（{backups.size_text(made.note['size'])}；项目 {c['projects']} 个，记录 {c['records']} 条，"
         f"操作日志 {c['audit']} 条）")
    if made.second is not None:
        _out(f"第二份备份：{made.second}")
    if made.warning:
        sys.stderr.write(f"注意：{made.warning}\n")
    if made.note.get("quick_check") != "ok":
        sys.stderr.write("注意：被备份的数据库本身未通过完整性检查，这个备份不能用于恢复。\n")
    return 0


def _confirm(question: str) -> bool:
    sys.stderr.write(question)
    sys.stderr.flush()
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "是", "确认")


def cmd_restore(args, open_store) -> int:
    from desktop_app.cli import db_path_of
    from desktop_app.services import backups

    db = db_path_of(args)
    insp = backups.check_backup(args.file)  # refuse a bad file before asking anything
    signer = _restorer(args)
    c = insp.counts
    if not args.yes:
        if not sys.stdin.isatty():
            raise GovisError("恢复会用备份替换当前数据库。请在命令后加 --yes 确认（脚本中使用），或在终端中运行以便确认。")
        if not _confirm(f"将用 {args.file}（项目 {c['projects']} 个，记录 {c['records']} 条）替换数据库 {db}。\n"
                        "当前状态会先自动备份。确认恢复吗？输入 y 继续："):
            _out("已取消，数据库没有改动。")
            return 1
    done = backups.restore(db, args.file, actor=signer)  # the 从备份恢复 entry arrives with the data
    _out(f"已从 {args.file} 恢复数据库：项目 {c['projects']} 个，记录 {c['records']} 条，操作日志 {c['audit']} 条。")
    if done.safety:
        _out(f"恢复前的数据已备份为：{done.safety}")
    if done.warning:
        sys.stderr.write(f"注意：{done.warning}\n")
    return 0


def _restorer(args):
    """The administrator who restores, signed in against the current database -- or, when that file is
    too damaged to read its accounts, against the accounts kept in the backup itself."""
    import sqlite3

    from desktop_app.cli import db_path_of
    from desktop_app.errors import StoreError
    from desktop_app.models.store import Store
    from desktop_app.services import signin
    from desktop_app.services.authorize import check_person

    user = getattr(args, "user", None)
    try:
        store = Store.open(db_path_of(args), create=False)
        try:
            actor = signin.sign_in(store, user)
        finally:
            store.close()
    except (StoreError, sqlite3.DatabaseError):
        store = Store.open(args.file, create=False, read_only=True)
        try:
            actor = signin.sign_in(store, user)
        finally:
            store.close()
    check_person(actor, "settings")
    return actor


def cmd_integrity(args, open_store) -> int:
    from desktop_app.services import integrity

    store = open_store(args)
    result = integrity.check(store, full=args.full)
    kind = "完整检查（integrity_check）" if result.full else "快速检查（quick_check）"
    if result.ok:
        _out(f"数据库{kind}通过：{store.path}")
        return 0
    sys.stderr.write(f"数据库{kind}未通过。{store.writes_refused}\n")
    for p in result.problems[:10]:
        sys.stderr.write(f"  {p}\n")
    return 1


def register(sub, common, open_store) -> None:
    def bind(parser, fn):
        parser.set_defaults(func=lambda args: fn(args, open_store))

    v = sub.add_parser("backup", parents=[common], help="备份数据库（默认存入数据库旁的 backups 文件夹）")
    v.add_argument("--out", help="备份到这个文件（或文件夹），例如U盘上的 E:\\govis备份.db")
    v.add_argument("--list", action="store_true", help="列出已有的备份")
    v.add_argument("--check", action="store_true", help="与 --list 同用：逐个只读检查备份是否完好")
    bind(v, cmd_backup)
    v = sub.add_parser("restore", parents=[common], help="用备份恢复数据库（先自动备份当前状态）")
    v.add_argument("file", help="备份文件")
    v.add_argument("--yes", action="store_true", help="不再询问（脚本中使用）")
    bind(v, cmd_restore)
    v = sub.add_parser("integrity", parents=[common], help="检查数据库文件是否完好")
    v.add_argument("--full", action="store_true", help="完整检查（较慢；默认快速检查）")
    bind(v, cmd_integrity)

