"""Deleting: the owner deletes a draft project or a record not yet sent, after which only the audit
entry (with the deleted rows as `before`) remains; anything sent, submitted or someone else's stays."""

import json

import pytest

from desktop_app.errors import Refused
from desktop_app.models.kinds import KINDS
from desktop_app.services import operations as ops
from tests.core import builders as B
from tests.core.dbstate import snapshot
from tests.exchange.world import make_world


def last_entry(store) -> dict:
    return store.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")


def test_owner_deletes_a_draft_with_its_records_and_files(county, tmp_path):
    c = county
    p = B.new_project(c)
    B.add_materials(c, p["id"])
    scan = tmp_path / "申请报告.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    ops.attach_file(c.store, c.unit, p["id"], scan, "project", p["id"])
    changes = ops.delete_project(c.store, c.unit, p["id"])
    assert changes.project_ids == {p["id"]} and "project" in changes.kinds
    assert c.store.find("project", p["id"]) is None
    for table in ("application_materials", "investment_history", "attachments", "project_deadlines"):
        assert c.store.one(f"SELECT COUNT(*) AS n FROM {table} WHERE project_id=?", (p["id"],))["n"] == 0
    entry = last_entry(c.store)
    assert entry["operation"] == "删除项目" and entry["project_id"] == p["id"]
    assert entry["actor"] == c.unit.user and entry["org_code"] == "MYJYJ"
    before = json.loads(entry["before"])
    assert before["project"]["name"] == "县智慧教育云平台"
    assert len(before["records"]["material"]) == 4 and before["attachments"][0]["filename"] == "申请报告.pdf"
    from desktop_app.services import audit
    assert audit.verify(c.store) == []


def test_owner_deletes_an_unsent_record(county):
    c = county
    p = B.new_project(c)
    rec = ops.add_record(c.store, c.unit, "investment_history", p["id"], {"year": "2024", "investment_fen": "10"}, today=B.TODAY)
    changes = ops.delete_record(c.store, c.unit, "investment_history", rec["id"])
    assert changes.record_ids == {rec["id"]} and changes.kinds == {"investment_history"}
    assert c.store.find("investment_history", rec["id"]) is None
    entry = last_entry(c.store)
    assert entry["operation"] == f"删除{KINDS['investment_history'].label}" and entry["record_id"] == rec["id"]
    assert json.loads(entry["before"])["year"] == 2024


@pytest.mark.parametrize("case, needle", [
    ("submitted", "只有未提交的草稿可以删除"),
    ("other_unit", "只有填报该项目的单位"),
    ("county", "只有填报该项目的单位"),
    ("auditor", "只读审计"),
])
def test_refused_project_deletion_changes_nothing(county, case, needle):
    c = county
    p = B.submitted(c) if case == "submitted" else B.new_project(c)
    actor = {"submitted": c.unit, "other_unit": c.unit2, "county": c.county,
             "auditor": B.actor_for(c.store, "MYJYJ", user_role="auditor")}[case]
    before = snapshot(c.store)
    with pytest.raises(Refused) as e:
        ops.delete_project(c.store, actor, p["id"])
    assert needle in e.value.message
    assert snapshot(c.store) == before


def test_action_records_and_other_parties_records_are_not_deleted(county):
    c = county
    p = B.approved(c)
    review = c.store.for_project("review", p["id"])[0]
    before = snapshot(c.store)
    with pytest.raises(Refused, match="录入评审意见"):
        ops.delete_record(c.store, c.county, "review", review["id"])
    material = c.store.for_project("material", p["id"])[0]
    with pytest.raises(Refused, match="不能删除"):
        ops.delete_record(c.store, c.county, "material", material["id"])  # the unit's
    with pytest.raises(Refused, match="已不能修改或删除"):
        ops.delete_record(c.store, c.unit, "material", material["id"])  # submitted: locked
    assert snapshot(c.store) == before


def test_nothing_sent_can_be_deleted(tmp_path):
    w = make_world(tmp_path, with_finance=False)
    s, a = w.unit.store, w.unit.actor
    p = ops.create_project(s, a, {**B.BASE}, today=B.TODAY)
    rec = ops.add_record(s, a, "investment_history", p["id"], {"year": "2024", "investment_fen": "10"}, today=B.TODAY)
    w.unit.export("MYXZF")  # the draft and its record leave in a package
    before = snapshot(s)
    with pytest.raises(Refused, match="已通过数据包报送"):
        ops.delete_record(s, a, "investment_history", rec["id"])
    with pytest.raises(Refused, match="已通过数据包报送"):
        ops.delete_project(s, a, p["id"])
    assert snapshot(s) == before
    # a record added after the package is still the unit's own to delete
    late = ops.add_record(s, a, "investment_history", p["id"], {"year": "2025", "investment_fen": "12"}, today=B.TODAY)
    ops.delete_record(s, a, "investment_history", late["id"])
    assert s.find("investment_history", late["id"]) is None
