"""Separate installations (county office, a unit, finance), each with its own database and key,
wired together the way people do it: key forms, `trust add`, the signed directory."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from desktop_app.exchange import export, importer, keyring, trust
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from tests.core.builders import BASE, TEST_PASSWORD

PASS = "县政府口令2026"
D = dt.date


@dataclass
class Site:
    store: Store
    actor: ops.Actor
    folder: Path
    # the day packages are made and read here (None: the real clock); a story with dated actions sets it,
    # since a package may claim nothing later than its creation and nothing earlier than what was known
    day: D | None = None

    def _now(self, kw: dict) -> dict:
        if self.day is not None and "now" not in kw:
            kw["now"] = dt.datetime(self.day.year, self.day.month, self.day.day, 9, 0, tzinfo=dt.UTC)
        return kw

    def export(self, to: str, name: str | None = None, **kw) -> bytes:
        out = self.folder / (name or f"to-{to}.zip")
        return export.export_package(self.store, self.actor, PASS, to, out, **self._now(kw)).data

    def import_(self, data, **kw):
        return importer.import_package(self.store, self.actor, data, **self._now(kw))


def _site(folder: Path, role: str, code: str, name: str, prefix: str) -> Site:
    folder.mkdir(parents=True, exist_ok=True)
    store = Store.open(folder / "govis.db")
    actor = ops.init_installation(store, role, code, name, code_prefix=prefix, admin_password=TEST_PASSWORD)
    keyring.setup_keys(store, actor, PASS)
    return Site(store, actor, folder)


@dataclass
class World:
    county: Site
    unit: Site
    finance: Site

    def on(self, day: D) -> World:
        """Every installation's packages are made and read on `day` from now on."""
        for site in filter(None, (self.county, self.unit, self.finance)):
            site.day = day
        return self


def make_world(tmp: Path, with_finance: bool = True) -> World:
    county = _site(tmp / "county", "county_office", "MYXZF", "蒙阴县人民政府办公室", "MY")
    unit = _site(tmp / "unit", "unit", "MYJYJ", "蒙阴县教育和体育局", "JY")
    finance = _site(tmp / "finance", "finance", "MYCZJ", "蒙阴县财政局", "CZ") if with_finance else None
    ops.add_organisation(county.store, county.actor, "MYJYJ", "蒙阴县教育和体育局", "unit")
    ops.add_organisation(county.store, county.actor, "MYCZJ", "蒙阴县财政局", "finance")
    ops.add_organisation(county.store, county.actor, "MYWJJ", "蒙阴县卫生健康局", "unit")
    for site in filter(None, (unit, finance)):
        fp = keyring.own_verifier(site.store).fingerprint
        trust.register_key(county.store, county.actor, keyring.export_public(site.store, site.actor), fp)
    county_fp = keyring.own_verifier(county.store).fingerprint
    for site in filter(None, (unit, finance)):
        data = county.export(site.actor.org_code, f"dir-{site.actor.org_code}.zip", kind="directory")
        site.import_(data, confirm_fingerprint=county_fp)
    # the keys were exchanged before the stories the tests tell (dated 2026): a package may not be
    # older than its signer's registration, so date the registrations back to the start of that year
    for site in filter(None, (county, unit, finance)):
        site.store.conn.execute("UPDATE trusted_keys SET registered_on='2026-01-01'")
    return World(county, unit, finance)


def unit_application(w: World) -> dict:
    """The unit drafts a project with its materials and submits it."""
    return submitted_application(w, "县智慧教育云平台")


def submitted_application(w: World, name: str, summary: str | None = None) -> dict:
    """The unit drafts one more project (name, 建设内容摘要) with its materials and submits it."""
    s, a = w.unit.store, w.unit.actor
    p = ops.create_project(s, a, {**BASE, "name": name, **({"summary": summary} if summary else {})})
    for code, title in (("application_report", "项目申请报告"), ("plan", "建设方案"), ("budget", "投资预算"),
                        ("history", "近三年情况")):
        ops.add_record(s, a, "material", p["id"], {"material_type": code, "title": title})
    for y in (2023, 2024, 2025):
        ops.add_record(s, a, "investment_history", p["id"], {"year": str(y), "investment_fen": "10"})
    ops.add_record(s, a, "consultation", p["id"], {"consulted_on": "2026-06-01", "advisor": "李华"})
    ops.transition(s, a, p["id"], "submit", today=D(2026, 7, 1))
    return p


# 第一条 集约建设: two held applications, then a package with a duplicate, a partial and an unrelated one
RIVER = ("县河长制信息化平台", "建设河长制河湖名录和一河一档，河长巡河APP记录巡河轨迹，问题上报与交办督办。")
LIBRARY = ("县图书馆管理系统", "图书采编、流通借还和读者证管理，馆藏古籍扫描，少儿阅览室预约。")
RIVER_AGAIN = ("河湖长制管理系统", "建立河湖名录和一河一档，开发河长巡河APP记录巡河轨迹，实现问题上报和交办督办。")
LIBRARY_PART = ("县图书馆读者服务平台", "图书流通借还和读者证管理，新增电子书借阅和公众号服务。")
UNRELATED = ("智慧旅游服务平台", "建设智慧旅游综合管理系统，提供平台服务。")


def duplicates_story(w: World) -> dict:
    """The county office holds RIVER and LIBRARY; `second.zip` (in the unit's folder, not yet imported)
    brings RIVER_AGAIN, LIBRARY_PART and UNRELATED. Returns the projects by name."""
    held = {t[0]: submitted_application(w, *t) for t in (RIVER, LIBRARY)}
    w.county.import_(w.unit.export("MYXZF", "first.zip"))
    arriving = {t[0]: submitted_application(w, *t) for t in (RIVER_AGAIN, LIBRARY_PART, UNRELATED)}
    w.unit.export("MYXZF", "second.zip")
    return {**held, **arriving}
