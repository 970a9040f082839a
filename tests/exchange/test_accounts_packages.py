"""Packages obey the person's rights too: a unit's 经办人 cannot export, its 审核人 can; at the county
office an 只读审计 account cannot import, an 经办人 can, and the audit entries name that person."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_app.errors import Refused
from desktop_app.exchange import export, importer
from desktop_app.models import authority as A
from tests.core.dbstate import snapshot
from tests.exchange.world import PASS, make_world, unit_application


@pytest.fixture
def w(tmp_path):
    world = make_world(tmp_path, with_finance=False)
    yield world
    for site in (world.county, world.unit):
        site.store.close()


def as_person(actor, username: str, role: str):
    return dataclasses.replace(actor, user=username, user_role=role)


def test_clerk_cannot_export_reviewer_can(w, tmp_path):
    unit_application(w)
    clerk = as_person(w.unit.actor, "li", A.CLERK)
    before = snapshot(w.unit.store)
    with pytest.raises(Refused, match="导出数据包须由审核人或管理员办理，当前账户为经办人"):
        export.export_package(w.unit.store, clerk, PASS, "MYXZF", tmp_path / "up.zip")
    assert snapshot(w.unit.store) == before and not (tmp_path / "up.zip").exists()
    reviewer = as_person(w.unit.actor, "wang", A.REVIEWER)
    export.export_package(w.unit.store, reviewer, PASS, "MYXZF", tmp_path / "up.zip")
    assert w.unit.store.one("SELECT actor FROM audit_log WHERE operation='导出数据包'")["actor"] == "wang"


def test_auditor_cannot_import_clerk_can_and_is_named(w, tmp_path):
    unit_application(w)
    data = w.unit.export("MYXZF")
    auditor = as_person(w.county.actor, "zhao", A.AUDITOR)
    before = snapshot(w.county.store)
    with pytest.raises(Refused, match="导入数据包须由.*当前账户为只读审计"):
        importer.import_package(w.county.store, auditor, data)
    assert snapshot(w.county.store) == before
    clerk = as_person(w.county.actor, "li", A.CLERK)
    importer.import_package(w.county.store, clerk, data)
    actors = {r["actor"] for r in w.county.store.all(
        "SELECT actor FROM audit_log WHERE operation LIKE '导入%'")}
    assert actors == {"li"}  # every imported record's entry names the person importing it
    assert w.county.store.one("SELECT status FROM projects")["status"] == "submitted"


def test_a_directory_package_needs_the_administrator(w):
    data = w.county.export("MYJYJ", "dir2.zip", kind="directory", everything=True)
    reviewer = as_person(w.unit.actor, "wang", A.REVIEWER)
    pv = importer.preview(w.unit.store, reviewer, data)
    with pytest.raises(Refused, match="须由管理员办理"):
        importer.apply(w.unit.store, reviewer, pv)
