"""The self-test's steps. Each takes the shared Context, returns one Chinese sentence of what it checked,
and raises (CheckFailed or the program's own Chinese error) when something is wrong."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.models.store import Store

DEMO_PROJECTS = 30  # the showcase: one project per status and per situation the notice names
PASSPHRASE = "govis-selftest-2026"  # keys of the two throw-away installations (never kept)
PASSWORD = "govis-selftest-2026"


class CheckFailed(Exception):
    """A step found something wrong; its text is the Chinese line shown to the user."""


@dataclass
class Context:
    folder: Path
    today: dt.date
    demo_db: Path | None = None
    _stores: list[Store] = field(default_factory=list)

    def open(self, path: Path) -> Store:
        store = Store.open(path)
        self._stores.append(store)
        return store

    def close(self) -> None:
        while self._stores:
            self._stores.pop().close()

    def demo_store(self) -> Store:
        if self.demo_db is None:
            raise CheckFailed("演示县没有生成（前一步失败）。")
        return self.open(self.demo_db)


def resources(ctx: Context) -> str:
    from desktop_app import resources as res

    fonts = res.listing("fonts", (".ttf", ".ttc", ".otf"))
    icons = res.listing("icons", (".svg", ".ico", ".png"))
    if not fonts:
        raise CheckFailed(f"程序文件夹中没有字体文件（应在 {res.path('fonts')}）。请重新安装本程序。")
    if not icons:
        raise CheckFailed(f"程序文件夹中没有图标文件（应在 {res.path('icons')}）。请重新安装本程序。")
    return f"{len(fonts)} 个字体、{len(icons)} 个图标"


def demo(ctx: Context) -> str:
    from desktop_app.demo.file import generate_file

    ctx.demo_db = ctx.folder / "演示县.db"
    stats = generate_file(ctx.demo_db, projects=DEMO_PROJECTS, seed=2018, today=ctx.today)
    return f"{stats['units']} 个单位，{stats['projects']} 个项目，{stats['records']} 条记录"


def rules(ctx: Context) -> str:
    from desktop_app.lifecycle import rules as R
    from desktop_app.services import queries

    store = ctx.demo_store()
    findings = queries.check(store, ctx.today)
    states = {f.state for f in findings}
    # the showcase has overdue obligations and violations on purpose: finding none means the rules are broken
    for state in ("overdue", "violation"):
        if state not in states:
            raise CheckFailed(f"演示县应有“{R.STATE_LABELS[state]}”的检查结果，却一条也没有找到：规则检查不正常。")
    return f"{len(findings)} 条检查结果，涉及 {len({f.project_id for f in findings})} 个项目"


def _print_args(store: Store, doc) -> dict | None:
    """Where a document of this kind can be printed from in the demo county (None: nowhere)."""
    from desktop_app.documents.filled import registry as REG
    from desktop_app.models.kinds import KINDS

    if doc.needs == REG.RECORD:
        table = KINDS[doc.record_kind].table
        for row in store.all(f"SELECT * FROM {table} ORDER BY id"):  # a table name from the kind registry
            if doc.record_filter is None or doc.record_filter(row):
                return {"project": row["project_id"], "record_id": row["id"]}
        return None
    if doc.needs == REG.PROJECT:
        row = store.one("SELECT id FROM projects ORDER BY code")
        return {"project": row["id"]} if row else None
    if doc.needs == REG.SESSION:  # the demo's richest session
        row = store.one("SELECT session_id FROM review_assignments GROUP BY session_id ORDER BY COUNT(*) DESC, "
                        "session_id")
        return {"session": row["session_id"]} if row else None
    if doc.needs in (REG.YEAR, REG.LEDGER):
        row = store.one("SELECT plan_year FROM projects GROUP BY plan_year ORDER BY COUNT(*) DESC, plan_year")
        return {"year": row["plan_year"]} if row else None
    return {}


def print_all(ctx: Context) -> str:
    from desktop_app.documents import filled
    from desktop_app.selftest.pdf_fonts import unembedded_fonts

    store = ctx.demo_store()
    out = ctx.folder / "文书"
    out.mkdir(exist_ok=True)
    pages = 0
    for doc in filled.DOCUMENTS.values():
        where = _print_args(store, doc)
        if where is None:
            raise CheckFailed(f"演示县中没有可打印《{doc.name}》的记录。")
        target = out / f"{doc.code}.pdf"
        data = filled.render(store, doc.code, today=ctx.today, target=target, **where)
        missing, n = unembedded_fonts(data)
        if missing:
            raise CheckFailed(f"《{doc.name}》中的字体没有嵌入：{'、'.join(missing)}。换一台电脑打开时会缺字。")
        pages += n
    return f"{len(filled.DOCUMENTS)} 种文书，共 {pages} 页，字体均已嵌入"


def _installation(ctx: Context, name: str, role: str, code: str, org_name: str, prefix: str):
    from desktop_app.exchange import keyring
    from desktop_app.services import operations as ops

    folder = ctx.folder / name
    folder.mkdir(exist_ok=True)
    store = ctx.open(folder / "govis.db")
    actor = ops.init_installation(store, role, code, org_name, code_prefix=prefix, admin_password=PASSWORD)
    keyring.setup_keys(store, actor, PASSPHRASE)
    return store, actor


def exchange(ctx: Context) -> str:
    """The way two offices start: the county registers the unit's key, sends its signed directory; the unit
    drafts a project and sends it up. Both packages are written to files, as onto a USB stick."""
    from desktop_app.exchange import export, importer, keyring, trust
    from desktop_app.services import operations as ops

    county, county_actor = _installation(ctx, "县政府办公室", "county_office", "MYXZF", "蒙阴县人民政府办公室", "MY")
    unit, unit_actor = _installation(ctx, "申报单位", "unit", "MYJYJ", "蒙阴县教育和体育局", "JY")
    ops.add_organisation(county, county_actor, "MYJYJ", "蒙阴县教育和体育局", "unit")
    trust.register_key(county, county_actor, keyring.export_public(unit, unit_actor),
                       keyring.own_verifier(unit).fingerprint)
    stick = ctx.folder / "U盘"
    stick.mkdir(exist_ok=True)
    down = export.export_package(county, county_actor, PASSPHRASE, "MYJYJ", stick / "单位目录.zip", kind="directory")
    importer.import_package(unit, unit_actor, down.path,
                            confirm_fingerprint=keyring.own_verifier(county).fingerprint)
    project = ops.create_project(unit, unit_actor, {
        "name": "自检示例项目", "plan_year": str(ctx.today.year + 1), "category": "new",
        "total_investment_fen": "120", "fiscal_share_fen": "100", "responsible_person": "张明",
        "contact": "0539-4271234"})
    up = export.export_package(unit, unit_actor, PASSPHRASE, "MYXZF", stick / "申报.zip")
    importer.import_package(county, county_actor, up.path)
    got = county.one("SELECT code, name FROM projects WHERE id=?", (project["id"],))
    if got is None or got["name"] != "自检示例项目":
        raise CheckFailed("数据包已导入，但县政府办公室的数据库中找不到单位发来的项目。")
    return f"单位目录下发、项目 {got['code']} 上报，两个数据包签名校验和导入均正常"


def backup_restore(ctx: Context) -> str:
    """Back up, write something, restore: the something must be gone and the backup's state back."""
    from desktop_app.services import backups
    from desktop_app.services import operations as ops

    count = "SELECT COUNT(*) AS n FROM organisations"
    store = ctx.demo_store()
    before = store.one(count)["n"]
    made = backups.make_backup(store, "manual")
    actor = ops.installation_actor(store)
    ops.add_organisation(store, actor, "SELFTEST", "自检临时单位（恢复后应不存在）", "unit")
    if store.one(count)["n"] != before + 1:
        raise CheckFailed("备份后登记的单位没有写入数据库。")
    ctx.close()  # restore wants no connection of ours open on the database
    backups.restore(ctx.demo_db, made.path, actor=actor)
    after = ctx.demo_store().one(count)["n"]
    if after != before:
        raise CheckFailed(f"从备份恢复后应有 {before} 个单位，实际有 {after} 个。")
    return f"备份 {made.path.name}（{backups.size_text(made.path.stat().st_size)}），恢复后回到备份时的 {before} 个单位"


def audit_chains(ctx: Context) -> str:
    from desktop_app.services import audit

    named = {"演示县": ctx.demo_db, "县政府办公室": ctx.folder / "县政府办公室" / "govis.db",
             "申报单位": ctx.folder / "申报单位" / "govis.db"}
    dbs = {name: p for name, p in named.items() if p is not None and p.exists()}
    if not dbs:
        raise CheckFailed("没有可校验的数据库（前面的步骤没有完成）。")
    entries = 0
    for name, path in dbs.items():
        store = ctx.open(path)
        problems = audit.verify(store)
        if problems:
            raise CheckFailed(f"{name}的操作日志链校验未通过：{problems[0].message}")
        entries += audit.head(store)[0]
    return f"{len(dbs)} 个数据库，共 {entries} 条操作记录，链完整"
