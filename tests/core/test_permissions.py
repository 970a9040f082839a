"""Who inside an organisation may do what (models.authority.PERSON_RIGHTS), through the operations:
a unit's 经办人 drafts but cannot submit; an 审核人 can; a 只读审计 account writes nothing at all."""

from __future__ import annotations

import inspect

import pytest

from desktop_app.errors import Refused
from desktop_app.lifecycle import machine
from desktop_app.models import authority as A
from desktop_app.services import accounts
from desktop_app.services import operations as ops
from desktop_app.services.ledger_import.plan import PlanRow
from tests.core.builders import TODAY, D, actor_for, add_materials, in_construction, make_county, new_project
from tests.core.dbstate import snapshot


@pytest.fixture
def c(tmp_path):
    county = make_county(tmp_path / "county.db")
    yield county
    county.store.close()


def person(c, org_actor, user_role: str) -> ops.Actor:
    """The same organisation, signed in as a person of `user_role`."""
    return actor_for(c.store, org_actor.org_code, f"{user_role}-user", user_role)


def test_declaration_is_complete():
    assert set(A.SIGN_OFF_ACTIONS) <= set(machine.TRANSITIONS)
    assert {"submit", "request_acceptance"} <= set(A.SIGN_OFF_ACTIONS)
    assert all(A.AUDITOR not in r.roles for r in A.PERSON_RIGHTS.values())
    assert all(A.ADMIN in r.roles for r in A.PERSON_RIGHTS.values())


def test_a_clerk_drafts_but_cannot_submit_a_reviewer_can(c):
    clerk, reviewer = person(c, c.unit, A.CLERK), person(c, c.unit, A.REVIEWER)
    p = new_project(c, clerk)
    add_materials(c, p["id"], clerk)
    before = snapshot(c.store)
    with pytest.raises(Refused) as exc:
        ops.transition(c.store, clerk, p["id"], "submit", today=D(2026, 7, 1))
    assert "「提交申报」须由审核人或管理员办理，当前账户为经办人" in exc.value.message
    assert snapshot(c.store) == before
    ops.transition(c.store, reviewer, p["id"], "submit", today=D(2026, 7, 1))
    assert c.store.get("project", p["id"])["status"] == "submitted"
    entry = c.store.one("SELECT actor FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert entry["actor"] == "reviewer-user"


def test_a_clerk_cannot_request_acceptance_but_records_construction(c):
    p = in_construction(c)
    clerk = person(c, c.unit, A.CLERK)
    ops.add_record(c.store, clerk, "controllable_product", p["id"],
                   {"product": "国产服务器", "category": "服务器", "controllable": "是"}, today=TODAY)
    with pytest.raises(Refused, match="「申请验收」须由审核人或管理员办理"):
        ops.transition(c.store, clerk, p["id"], "request_acceptance", {"applied_on": "2027-11-30"},
                       today=D(2027, 11, 30))


def test_a_county_clerk_cannot_record_a_review_decision(c):
    from tests.core.builders import submitted

    p = submitted(c)
    clerk = person(c, c.county, A.CLERK)
    ops.transition(c.store, clerk, p["id"], "start_review", today=D(2026, 9, 10))  # 受理: not a sign-off
    with pytest.raises(Refused, match="「录入评审意见」须由审核人或管理员"):
        ops.transition(c.store, clerk, p["id"], "record_review",
                       {"reviewed_on": "2026-09-15", "method": "central", "conclusion": "pass"}, today=D(2026, 9, 15))


def test_settings_need_the_administrator(c):
    reviewer = person(c, c.county, A.REVIEWER)
    with pytest.raises(Refused, match="须由管理员办理，当前账户为审核人"):
        ops.set_holidays(c.store, reviewer, 2027, ["2027-01-01"], [])
    with pytest.raises(Refused, match="须由管理员"):
        ops.add_organisation(c.store, reviewer, "MYXX", "某局")


# ---- the auditor: every write refused, nothing changed ---------------------------------------------

def _auditor_attempts(c, p: dict, tmp_path) -> dict:
    """One call per write of the operations layer, made by a 只读审计 account of the county office."""
    aud = person(c, c.county, A.AUDITOR)
    unit_aud = person(c, c.unit, A.AUDITOR)
    contract = ops.add_record(c.store, c.unit, "contract", p["id"], {
        "contract_no": "HT-1", "title": "平台建设合同", "supplier": "某公司", "procurement_method": "open_tender", "amount_fen": "50", "signed_on": "2026-11-01",
        "filed_on": "2026-11-03"}, today=TODAY)
    f = tmp_path / "scan.pdf"
    f.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return {
        "create_project": lambda: new_project(c, unit_aud),
        "update_project": lambda: ops.update_project(c.store, unit_aud, p["id"], {"contact": "0539-1"}, today=TODAY),
        "add_record": lambda: ops.add_record(c.store, aud, "inspection", p["id"], {"inspected_on": "2026-12-01"}, today=TODAY),
        "update_record": lambda: ops.update_record(c.store, unit_aud, "contract", contract["id"], {"supplier": "另一公司"}, today=TODAY),
        "transition": lambda: ops.transition(c.store, aud, p["id"], "suspend", {"reason": "检查"}, today=TODAY),
        "set_holidays": lambda: ops.set_holidays(c.store, aud, 2027, ["2027-01-01"], []),
        "attach_file": lambda: ops.attach_file(c.store, unit_aud, p["id"], f, "project", p["id"]),
        "add_organisation": lambda: ops.add_organisation(c.store, aud, "MYXX", "某局"),
        "update_organisation": lambda: ops.update_organisation(c.store, aud, "MYJYJ", {"short_name": "教体局"}),
        "set_policy": lambda: ops.set_policy(c.store, aud, {"application_month": "10"}),
        "set_indicators": lambda: ops.set_indicators(c.store, aud, [["全部", 100, [["全部", 100, ""]]]]),
        "add_user": lambda: accounts.add_user(c.store, aud, "zhang", "admin", "张", "zhang-secret-1"),
        "disable_user": lambda: accounts.disable_user(c.store, aud, "admin"),
        "reset_password": lambda: accounts.reset_password(c.store, aud, "admin", "take-over-123"),
        "note_restore": lambda: ops.note_restore(c.store, aud, "govis-20261126-0930-手动.db", None),
        "receive_attachment": lambda: ops.receive_attachment(
            c.store, c.unit, {"project_id": p["id"]}, new=True, recorder=aud, package="第1号数据包"),
        "import_ledger_rows": lambda: ops.import_ledger_rows(c.store, aud, [PlanRow(
            5, "new", "县档案系统", "蒙阴县教育和体育局", project={
                "code": None, "name": "县档案系统", "lead_org_id": c.unit.org_id, "plan_year": 2025,
                "category": "new", "total_investment_fen": 10_000_000}, status="planned",
            status_since="2026-11-01")], "台账.xlsx·Sheet1"),
        "review_ledger_import": lambda: ops.review_ledger_import(c.store, aud, p["id"]),
        "delete_project": lambda: ops.delete_project(c.store, unit_aud, p["id"]),
        "delete_record": lambda: ops.delete_record(c.store, unit_aud, "contract", contract["id"]),
        # 集中评审: the person is checked before the session is even looked up
        "add_review_session": lambda: ops.add_review_session(c.store, aud, {"title": "评审会"}),
        "add_review_expert": lambda: ops.add_review_expert(c.store, aud, "s", {"name": "王建国"}),
        "assign_to_review": lambda: ops.assign_to_review(c.store, aud, "s", p["id"]),
        "score_review": lambda: ops.score_review(c.store, aud, "s", p["id"], "e", {}, "同意"),
        "conclude_review": lambda: ops.conclude_review(c.store, aud, "s", p["id"], {"conclusion": "pass"}),
        "remove_review_expert": lambda: ops.remove_review_expert(c.store, aud, "s", "e", discard_scores=True),
        "unassign_from_review": lambda: ops.unassign_from_review(c.store, aud, "s", p["id"], discard_scores=True),
        "rate_risk": lambda: ops.rate_risk(c.store, aud, p["id"], 5),
        # 年度申报: the person is checked before the year or the round is looked at
        "open_round": lambda: ops.open_round(c.store, aud, 2028, {}, today=TODAY),
        "close_round": lambda: ops.close_round(c.store, aud, 2028, "", today=TODAY),
    }


def test_an_auditor_writes_nothing_through_any_operation(c, tmp_path):
    p = in_construction(c)
    attempts = _auditor_attempts(c, p, tmp_path)
    before = snapshot(c.store)
    for name, attempt in attempts.items():
        with pytest.raises(Refused) as exc:
            attempt()
        assert "当前账户为只读审计" in exc.value.message, (name, exc.value.message)
        assert "管理员" in exc.value.message, name
    assert snapshot(c.store) == before


def test_the_walk_covers_every_write_of_the_operations_layer(c, tmp_path):
    """A new operation taking an actor must be added to the walk above (and check the person)."""
    p = in_construction(c)
    covered = set(_auditor_attempts(c, p, tmp_path))
    # not a person's write: set-up makes the first administrator, a sign-in is recorded for anyone, and
    # everyone (the auditor too) changes their own password (test below)
    exempt = {"installation_actor", "init_installation", "record_login", "change_password",
              # reads: why a deletion is refused, for the window's tooltip (the delete_* ops raise it)
              "project_delete_refusal", "record_delete_refusal"}
    writes = {name for name, fn in inspect.getmembers(ops, inspect.isfunction)
              if fn.__module__ == ops.__name__ and not name.startswith("_")
              and ({"actor", "recorder"} & set(inspect.signature(fn).parameters))}
    assert writes - exempt == covered


def test_an_auditor_changes_only_their_own_password(c):
    accounts.add_user(c.store, c.county, "shenji", "auditor", "赵审计", "audit-secret-1")
    aud = accounts.authenticate(c.store, "shenji", "audit-secret-1")
    accounts.change_password(c.store, aud, "audit-secret-1", "audit-secret-2")
    assert accounts.authenticate(c.store, "shenji", "audit-secret-2").user_role == "auditor"


def test_session_shows_the_reason_on_an_action_it_may_not_take(c):
    from desktop_app.services.session import Session

    p = new_project(c)
    add_materials(c, p["id"])
    s = Session(c.store, person(c, c.unit, A.CLERK), today_override=D(2026, 7, 1))
    why = {t.action: reason for t, reason in s.actions(p["id"])}["submit"]
    assert why and "审核人或管理员" in why
    assert s.may("draft") is None and "只读审计" in Session(c.store, person(c, c.unit, A.AUDITOR)).may("draft")
