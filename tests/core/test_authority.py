"""The authority declaration is the one source: the window's forms, the command line (the operations it
calls) and the importer allow exactly the same roles, in the same statuses, to set the same fields."""

from __future__ import annotations

import pytest

from desktop_app.errors import Refused, StatusRefused, ValidationError
from desktop_app.exchange import records as XR
from desktop_app.models import authority as A
from desktop_app.models.kinds import COUNTY, FINANCE, KINDS, UNIT
from desktop_app.models.statuses import STATUSES
from desktop_app.services import authorize as Z
from desktop_app.services import project_view as PV
from desktop_app.services.operations import Actor

ROLES = (UNIT, COUNTY, FINANCE)
ACTORS = {r: Actor(f"id-{r}", f"C{r[:3].upper()}", f"{r}单位", r, "clerk", "admin") for r in ROLES}


def test_every_kind_and_field_is_declared():
    assert A.check_registry() == []


def _ops_allows_add(role: str, kind_name: str, status: str) -> bool:
    project = {"id": "p", "code": "MY-2027-001", "status": status, "lead_org_id": ACTORS[UNIT].org_id}
    try:
        Z.check_role(ACTORS[role], kind_name)
        if A.rule(kind_name).via_action and status not in A.rule(kind_name).add_in:
            raise StatusRefused("via action")
        Z.check_status(kind_name, project, adding=True)
    except Refused:
        return False
    return True


@pytest.mark.parametrize("kind_name", [k for k in KINDS if KINDS[k].project_scoped])
def test_window_operations_and_importer_agree_on_who_adds_what_when(kind_name):
    kind = KINDS[kind_name]
    for role in ROLES:
        carry = XR.may_carry(kind, "X", role, "X", role) is None  # the importer's routing by role
        for status in STATUSES:
            project = {"id": "p", "status": status, "lead_org_id": ACTORS[UNIT].org_id}
            window = PV.write_refusal(ACTORS[role], kind, project) is None
            operations = _ops_allows_add(role, kind_name, status)
            declared = role in A.writers(kind_name) and status in A.rule(kind_name).add_in
            assert window == operations == declared, (kind_name, role, status)
            assert carry == (role in A.writers(kind_name)), (kind_name, role)


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_fields_typed_in_the_window_are_exactly_those_the_operations_accept(kind_name):
    kind = KINDS[kind_name]
    for role in A.writers(kind_name):
        shown = set(PV.typed_fields(ACTORS[role], kind_name, creating=True))
        assert shown == set(A.typed_fields(kind_name, role, creating=True))
        # a new project's form shows the fields its draft locks read-only (create_locks): not typed
        typed = shown - set(PV.create_locks(ACTORS[role])) if kind_name == "project" else shown
        for f in kind.fields:
            try:
                Z.check_fields(kind_name, role, {f.name: "x"}, creating=True, status=None)
                ok = True
            except ValidationError:
                ok = False
            assert ok == (f.name in typed), (kind_name, role, f.name)
        for status in STATUSES:
            locked = PV.edit_locks(ACTORS[role], kind_name, {"status": status})
            for f in kind.fields:
                try:
                    Z.check_fields(kind_name, role, {f.name: "x"}, creating=False, status=status)
                    ok = True
                except ValidationError:
                    ok = False
                assert ok == (f.name not in locked), (kind_name, role, status, f.name)


def test_project_fields_lock_after_submission_and_cite_their_clause():
    unit = ACTORS[UNIT]
    assert PV.edit_locks(unit, "project", {"status": "draft"}).keys() == {"code", "lead_org_id", "delay_explanation"}
    locked = PV.edit_locks(unit, "project", {"status": "under_review"})
    assert "第十条" in locked["classified"] and "第九条" in locked["mlps_level"]
    assert "第四条" in locked["planned_completion"] and "contact" not in locked


def test_action_forms_leave_out_what_the_action_fills():
    assert "sanction_kind" not in A.action_typed_fields("suspend", "sanction", COUNTY)
    assert "lifted_on" not in A.action_typed_fields("suspend", "sanction", COUNTY)
    assert "round" not in A.action_typed_fields("record_review", "review", COUNTY)
    assert "eval_kind" not in A.action_typed_fields("self_evaluate", "evaluation", UNIT)
    assert "reason" in A.action_typed_fields("suspend", "sanction", COUNTY)


def test_a_closed_project_keeps_its_facts_as_it_closed(tmp_path):
    """The project's `edit_in` (OPEN): open projects change (contact, person in charge), a terminated one not."""
    import datetime as dt

    import pytest

    from desktop_app.errors import StatusRefused
    from desktop_app.services import operations as ops
    from tests.core.builders import in_construction, make_county
    from tests.core.dbstate import snapshot

    c = make_county(tmp_path / "c.db")
    p = in_construction(c)
    ops.update_project(c.store, c.unit, p["id"], {"contact": "0539-4270001"}, today=dt.date(2026, 11, 26))
    ops.transition(c.store, c.county, p["id"], "terminate", {"reason": "严重违规"}, today=dt.date(2026, 11, 26))
    before = snapshot(c.store)
    with pytest.raises(StatusRefused, match="已终止.*不能修改"):
        ops.update_project(c.store, c.unit, p["id"], {"contact": "0539-4270002"}, today=dt.date(2026, 11, 26))
    assert snapshot(c.store) == before
    c.store.close()


def test_a_new_draft_takes_no_delay_explanation_in_the_core_either(tmp_path):
    """第四条: 未按期完成的说明 belongs to a project past its completion date. The window shows the field
    read-only on a new project (project_view.create_locks); the core refuses it the same way
    (authorize.draft_locks), so the CLI and a package cannot set it at creation either."""
    import datetime as dt

    from desktop_app.services import operations as ops
    from tests.core.builders import BASE, make_county
    from tests.core.dbstate import snapshot

    c = make_county(tmp_path / "c.db")
    day = dt.date(2026, 5, 6)
    before = snapshot(c.store)
    with pytest.raises(ValidationError) as exc:
        ops.create_project(c.store, c.unit, {**BASE, "delay_explanation": "因疫情延误"}, today=day)
    assert "新建的项目为「草稿」" in exc.value.fields["delay_explanation"] and "第四条" in exc.value.fields["delay_explanation"]
    assert snapshot(c.store) == before
    assert PV.create_locks(c.unit)["delay_explanation"] == Z.draft_locks(UNIT)["delay_explanation"]
    made = ops.create_project(c.store, c.unit, {**BASE, "delay_explanation": ""}, today=day)
    assert made["delay_explanation"] is None
    c.store.close()
