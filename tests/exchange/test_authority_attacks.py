"""The eight ways a dishonest but trusted unit got past the rules (issue: one authority for every write),
each reproduced as described -- packages signed with the unit's real key, or commands on its own
installation -- and refused with a Chinese message naming the rule or clause, leaving the receiving
database unchanged; and the honest counterpart of each, accepted."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from desktop_app.errors import Refused, ValidationError
from desktop_app.exchange import keyring, trust
from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.package import build_package
from desktop_app.exchange.records import ATTACHMENT_SPEC, KIND_SPECS, RECORDS_SCHEMA, STATUS_SPEC, to_sheet
from desktop_app.exchange.workbook import Cover
from desktop_app.models.kinds import KINDS
from desktop_app.services import operations as ops
from tests.core.builders import BASE, actor_for
from tests.exchange.helpers import full_state
from tests.exchange.world import PASS, make_world, unit_application

D = dt.date
TIME = "2026-11-20T09:00:00+08:00"
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # the packages below are made and read on this day


# ---- the county office, an honest unit (MYWJJ) with a project in construction, and the attacker (MYJYJ)

@pytest.fixture
def w(tmp_path):
    w = make_world(tmp_path)
    w.on(D(2026, 11, 24))
    cs, county = w.county.store, w.county.actor
    wjj = actor_for(cs, "MYWJJ")
    # the victim's project, as the county office holds it (its writes are MYWJJ's, through the operations)
    v = ops.create_project(cs, wjj, {**BASE, "name": "县卫生健康信息平台", "plan_year": "2027"}, today=D(2026, 6, 1))
    for code in ("application_report", "plan", "budget", "history"):
        ops.add_record(cs, wjj, "material", v["id"], {"material_type": code, "title": code}, today=D(2026, 6, 1))
    for y in (2023, 2024, 2025):
        ops.add_record(cs, wjj, "investment_history", v["id"], {"year": str(y), "investment_fen": "10"},
                       today=D(2026, 6, 1))
    ops.add_record(cs, wjj, "consultation", v["id"], {"consulted_on": "2026-06-01"}, today=D(2026, 6, 1))
    ops.transition(cs, wjj, v["id"], "submit", today=D(2026, 7, 1))
    ops.transition(cs, county, v["id"], "start_review", today=D(2026, 9, 10))
    ops.transition(cs, county, v["id"], "record_review", {"reviewed_on": "2026-09-15", "method": "central",
                                                          "conclusion": "pass", "opinion": "同意",
                                                          "approved_investment_fen": "110"}, today=D(2026, 9, 15))
    ops.transition(cs, actor_for(cs, "MYCZJ"), v["id"], "fund", {"decided_on": "2026-10-20", "approved_fen": "100",
                                                                 "budget_year": "2027"}, today=D(2026, 10, 20))
    ops.transition(cs, wjj, v["id"], "start_construction", today=D(2026, 10, 21))
    w.victim = cs.get("project", v["id"])
    # the attacker's own application, honestly sent once
    w.own = unit_application(w)
    w.county.import_(w.unit.export("MYXZF", "own.zip"))
    w.seq = 10
    return w


def codes(store) -> dict[str, str]:
    return {o["id"]: o["code"] for o in store.all("SELECT id, code FROM organisations")}


def sheet_row(w, kind_name: str, project: dict, owner: str = "MYJYJ", **values) -> dict:
    """A record as the attacker's workbook carries it (organisations by code)."""
    kind = KINDS[kind_name]
    row = {f.name: None for f in kind.fields}
    row.update(values)
    row.update(id=str(uuid.uuid4()), owner_org=owner, rev=1, created_at=TIME, updated_at=TIME)
    if kind.project_scoped:
        row["project_id"] = project["id"]
    out = to_sheet(kind, {**row, "owner_org": None}, {}, {})
    out["owner_org"] = owner
    for f in kind.fields:
        if f.type == "ref" and f.ref_kind == "organisation":
            out[f.name] = values.get(f.name)
    return out


def signed(w, sheets: list, attachments: dict | None = None) -> bytes:
    """A package the attacker signs with its own registered key."""
    w.seq += 1
    signer = keyring.load_signer(w.unit.store, PASS)
    data, _ = build_package(
        signer=signer, kind="records", sender="MYJYJ", recipient="MYXZF", sequence=w.seq,
        schema_version=RECORDS_SCHEMA, cover=Cover("单位", "县政府办公室", "2026年11月24日"),
        sheets=[(spec, rows) for spec, rows in sheets], attachments=attachments or {},
        public_key_text=keyring.export_public(w.unit.store, w.unit.actor), created_at="2026-11-24T01:00:00Z")
    return data


def refused(w, data: bytes, *needles: str) -> PackageRejected:
    before = full_state(w.county.store)
    with pytest.raises(PackageRejected) as exc:
        w.county.import_(data)
    assert full_state(w.county.store) == before, "a refused package changed the county's database"
    for needle in needles:
        assert needle in exc.value.message, exc.value.message
    return exc.value


def accepted(w, data: bytes) -> dict:
    _, receipt = w.county.import_(data)
    return receipt


def spec(kind_name):
    return KIND_SPECS[kind_name]


CONTRACT = {"contract_no": "HT-1", "title": "软件开发", "supplier": "某公司", "procurement_method": "open_tender",
            "amount_fen": 50_000_000, "signed_on": "2026-11-02"}
PROBLEM = {"problem_kind": "delay", "occurred_on": "2026-11-01", "reported_on": "2026-11-03", "description": "延期"}


# ---- 1. co-builder hijack --------------------------------------------------------------------------

def test_1_unit_cannot_make_itself_co_builder_of_another_units_project(w):
    co = sheet_row(w, "co_builder", w.victim, org_id="MYJYJ", scope="接管")
    contract = sheet_row(w, "contract", w.victim, **CONTRACT)
    problem = sheet_row(w, "problem_report", w.victim, **PROBLEM)
    e = refused(w, signed(w, [(spec("co_builder"), [co]), (spec("contract"), [contract]),
                              (spec("problem_report"), [problem])]), "共建单位", "县政府办公室")
    assert e.reason_code == "not_owner"
    # without the forged relation, the contract alone is refused for ownership (第二条)
    refused(w, signed(w, [(spec("contract"), [contract])]), "不是蒙阴县教育和体育局牵头的项目", "第二条")
    # nothing about the victim's project goes to the attacker either
    assert not w.unit.store.one("SELECT 1 FROM projects WHERE id=?", (w.victim["id"],))


def test_1_honest_co_builder_set_by_the_county_office_may_write(w):
    cs = w.county.store
    ops.add_record(cs, w.county.actor, "co_builder", w.victim["id"],
                   {"org_id": w.unit.actor.org_code and cs.one("SELECT id FROM organisations WHERE code='MYJYJ'")["id"],
                    "scope": "负责教育数据接口"}, today=D(2026, 11, 1))
    contract = sheet_row(w, "contract", w.victim, **CONTRACT)
    rc = accepted(w, signed(w, [(spec("contract"), [contract])]))
    assert rc["totals"]["new"] == 1 and cs.find("contract", contract["id"])


# ---- 2. attachment smuggling ---------------------------------------------------------------------

def _attachment(w, project, record_kind, record_id, name, content, media="application/pdf"):
    import hashlib
    att_id = str(uuid.uuid4())
    member = f"attachments/{att_id}_x"
    row = {"id": att_id, "project_id": project["id"], "owner_org": "MYJYJ", "rev": 1, "created_at": TIME,
           "updated_at": TIME, "record_kind": record_kind, "record_id": record_id, "filename": name,
           "media_type": media, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
           "member": member}
    return row, {member: content}


EXE = b"MZ\x90\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_2_attachment_smuggled_into_another_units_project_refused(w):
    row, files = _attachment(w, w.victim, "material", str(uuid.uuid4()), "项目申请报告\u202efdp.exe", EXE)
    refused(w, signed(w, [(ATTACHMENT_SPEC, [row])], files), "附件")
    # into its own project, still unbound and disguised: refused for what it is
    row, files = _attachment(w, w.own, "material", str(uuid.uuid4()), "项目申请报告\u202efdp.exe", EXE)
    refused(w, signed(w, [(ATTACHMENT_SPEC, [row])], files), "附件")
    [mat] = [m for m in w.county.store.for_project("material", w.own["id"])][:1]
    row, files = _attachment(w, w.own, "material", mat["id"], "项目申请报告\u202efdp.exe", EXE)
    refused(w, signed(w, [(ATTACHMENT_SPEC, [row])], files), "附件")


def test_2_honest_attachment_bound_to_own_record_accepted(w):
    [mat] = w.county.store.for_project("material", w.own["id"])[:1]
    row, files = _attachment(w, w.own, "material", mat["id"], "项目申请报告.pdf", PDF)
    accepted(w, signed(w, [(ATTACHMENT_SPEC, [row])], files))
    got = w.county.store.one("SELECT filename, media_type FROM attachments WHERE id=?", (row["id"],))
    assert got == {"filename": "项目申请报告.pdf", "media_type": "application/pdf"}


# ---- 3. status by package ------------------------------------------------------------------------

def _draft(w, name="县教育督导平台", materials=False):
    s, a = w.unit.store, w.unit.actor
    p = ops.create_project(s, a, {**BASE, "name": name}, today=D(2026, 6, 1))
    if materials:
        for code in ("application_report", "plan", "budget", "history"):
            ops.add_record(s, a, "material", p["id"], {"material_type": code, "title": code}, today=D(2026, 6, 2))
        for y in (2023, 2024, 2025):
            ops.add_record(s, a, "investment_history", p["id"], {"year": str(y), "investment_fen": "10"},
                           today=D(2026, 6, 2))
        ops.add_record(s, a, "consultation", p["id"], {"consulted_on": "2026-06-01"}, today=D(2026, 6, 2))
    return p


def test_3_status_set_by_package_is_replayed_and_refused_by_its_gates(w):
    p = _draft(w)  # its own installation refuses 提交申报: materials missing, deadline passed
    with pytest.raises(Refused):
        ops.transition(w.unit.store, w.unit.actor, p["id"], "submit", today=D(2026, 11, 24))
    cs_codes = codes(w.unit.store)
    proj = to_sheet(KINDS["project"], w.unit.store.get("project", p["id"]), cs_codes, {})
    status = {"project_id": p["id"], "project_code": p["code"], "status": "submitted", "status_since": "2026-08-01"}
    refused(w, signed(w, [(spec("project"), [proj]), (STATUS_SPEC, [status])]), "申请材料不全", "第二条")
    # multi-step jumps through other roles' steps: refused before anything is written
    for target in ("approved", "in_construction", "planned"):
        jump = {**status, "status": target}
        refused(w, signed(w, [(spec("project"), [proj]), (STATUS_SPEC, [jump])]), "无权")
    # a date after the package was made is refused too
    late = {**status, "status_since": "2026-11-30"}
    refused(w, signed(w, [(spec("project"), [proj]), (STATUS_SPEC, [late])]), "晚于数据包生成日期")


def test_3_honest_submission_by_package_accepted_on_its_date(w):
    p = _draft(w, materials=True)
    ops.transition(w.unit.store, w.unit.actor, p["id"], "submit", today=D(2026, 8, 1))
    accepted(w, w.unit.export("MYXZF", "honest.zip"))
    got = w.county.store.get("project", p["id"])
    assert (got["status"], got["status_since"]) == ("submitted", "2026-08-01")


def test_3_backdating_before_the_receivers_known_status_refused(w):
    # the county office started the review on 2026-09-10 of a project it returned on 2026-09-20; the unit
    # then claims to have resubmitted on 2026-09-15, before the return: refused
    cs = w.county.store
    ops.transition(cs, w.county.actor, w.own["id"], "start_review", today=D(2026, 9, 10))
    ops.transition(cs, w.county.actor, w.own["id"], "record_review",
                   {"reviewed_on": "2026-09-20", "method": "central", "conclusion": "revise", "opinion": "补充"},
                   today=D(2026, 9, 20))
    status = {"project_id": w.own["id"], "project_code": w.own["code"], "status": "submitted",
              "status_since": "2026-09-15"}
    refused(w, signed(w, [(STATUS_SPEC, [status])]), "早于本机已知", "倒签")
    accepted(w, signed(w, [(STATUS_SPEC, [{**status, "status_since": "2026-09-21"}])]))


# ---- 4. record rules on import --------------------------------------------------------------------

def test_4_record_rules_apply_to_packages(w):
    post = sheet_row(w, "evaluation", w.own, eval_kind="post", evaluated_on="2026-11-01", score=90, grade="excellent")
    refused(w, signed(w, [(spec("evaluation"), [post])]), "后评价")
    contract = sheet_row(w, "contract", w.own, **CONTRACT)  # its project is only 已申报, not funded
    refused(w, signed(w, [(spec("contract"), [contract])]), "第八条")
    apply = sheet_row(w, "acceptance_application", w.own, applied_on="2026-11-01")
    refused(w, signed(w, [(spec("acceptance_application"), [apply])]), "申请验收")


def test_4_honest_contract_on_a_funded_project_accepted(w):
    cs = w.county.store
    ops.transition(cs, w.county.actor, w.own["id"], "start_review", today=D(2026, 9, 10))
    ops.transition(cs, w.county.actor, w.own["id"], "record_review", {
        "reviewed_on": "2026-09-15", "method": "central", "conclusion": "pass", "opinion": "同意"}, today=D(2026, 9, 15))
    ops.transition(cs, actor_for(cs, "MYCZJ"), w.own["id"], "fund", {
        "decided_on": "2026-10-20", "approved_fen": "100", "budget_year": "2027"}, today=D(2026, 10, 20))
    contract = sheet_row(w, "contract", w.own, **CONTRACT)
    accepted(w, signed(w, [(spec("contract"), [contract])]))


# ---- 5. code squatting ----------------------------------------------------------------------------

def test_5_project_code_under_another_units_prefix_refused(w):
    row = w.unit.store.get("project", w.own["id"])
    squat = to_sheet(KINDS["project"], {**row, "id": str(uuid.uuid4()), "code": "MYWJJ-2027-002",
                                        "created_at": TIME, "updated_at": TIME}, codes(w.unit.store), {})
    e = refused(w, signed(w, [(spec("project"), [squat])]), "MYWJJ", "蒙阴县卫生健康局")
    assert "UNIQUE" not in e.message
    # reusing a code the county office already holds, for another project: named, in Chinese
    clash = {**squat, "id": str(uuid.uuid4()), "code": w.own["code"]}
    e = refused(w, signed(w, [(spec("project"), [clash])]), w.own["code"], "已被本机项目", "县智慧教育云平台")
    # renaming is no edit at all: a project's code is fixed
    with pytest.raises(ValidationError, match="项目编号建立后不能修改"):
        ops.update_project(w.unit.store, w.unit.actor, w.own["id"], {"code": "JY-2027-009"})


def test_5_honest_new_project_under_own_prefix_accepted(w):
    p = _draft(w, name="县教育资源平台")
    assert p["code"].startswith("JY-")
    accepted(w, w.unit.export("MYXZF", "new.zip"))
    assert w.county.store.get("project", p["id"])["code"] == p["code"]


# ---- 6. county facts typed by the unit on its own installation ------------------------------------

def test_6_county_facts_are_not_the_units_to_type(w):
    s, a = w.unit.store, w.unit.actor
    pid = w.own["id"]
    before = full_state(s)
    for kind, values in (("extension_decision", {"decision": "approved", "decided_on": "2026-11-01"}),
                         ("delay_acceptance", {"decision": "approved", "decided_on": "2026-11-01"}),
                         ("upward_consent", {"consent_on": "2026-06-01"}),
                         ("secrecy_confirmation", {"confirmed_on": "2026-06-01"})):
        with pytest.raises(Refused, match="由县政府办公室填报"):
            ops.add_record(s, a, kind, pid, values, today=D(2026, 11, 24))
    # the old tick boxes are gone from the unit's records
    with pytest.raises(ValidationError, match="没有「approved」"):
        ops.validate(KINDS["acceptance_extension"], {"requested_on": "2026-11-01", "reason": "x",
                                                     "new_date": "2027-01-01", "approved": "1"})
    with pytest.raises(ValidationError, match="没有「consent_on」"):
        ops.validate(KINDS["higher_level_filing"], {"consent_on": "2026-06-01"})
    # after submission the application's facts are locked (第四条/第九条/第十条)
    for field, value, clause in (("planned_completion", "2029-12-31", "第四条"), ("classified", "0", "第十条"),
                                 ("mlps_level", "1", "第九条")):
        with pytest.raises(ValidationError) as e:
            ops.update_project(s, a, pid, {field: value})
        assert clause in e.value.fields[field]
    assert full_state(s) == before, "a refused write changed the unit's database"


def test_6_money_against_an_unfunded_budget_year_refused(w):
    cs, fin = w.county.store, actor_for(w.county.store, "MYCZJ")
    pay = {"paid_on": "2026-11-02", "amount_fen": "10", "purpose": "construction"}
    before = full_state(cs)
    with pytest.raises(Refused, match="预算年度2030没有该项目的资金安排"):
        ops.add_record(cs, fin, "disbursement", w.victim["id"], {**pay, "budget_year": "2030"}, today=D(2026, 11, 2))
    assert full_state(cs) == before
    ops.add_record(cs, fin, "disbursement", w.victim["id"], {**pay, "budget_year": "2027"}, today=D(2026, 11, 2))


def test_6_honest_change_of_completion_and_level_through_a_decided_request(w):
    cs, wjj = w.county.store, actor_for(w.county.store, "MYWJJ")
    ch = ops.add_record(cs, wjj, "change_request", w.victim["id"], {
        "change_kind": "technical", "submitted_on": "2026-11-02", "reason": "接口调整", "content": "顺延",
        "new_planned_completion": "2028-06-30", "new_mlps_level": "3"}, today=D(2026, 11, 2))
    from desktop_app.lifecycle.facts import load_facts
    assert load_facts(cs, [w.victim["id"]])[0].project["planned_completion"] == "2027-12-31"  # not yet decided
    ops.add_record(cs, w.county.actor, "change_decision", w.victim["id"], {
        "change_request_id": ch["id"], "decider": "egov_office", "decision": "approved",
        "decided_on": "2026-11-05"}, today=D(2026, 11, 5))
    effective = load_facts(cs, [w.victim["id"]])[0].project
    assert (effective["planned_completion"], effective["mlps_level"]) == ("2028-06-30", "3")


# ---- 7. back-dating --------------------------------------------------------------------------------

def test_7_typed_dates_may_not_lie_in_the_future(w):
    s, a = w.unit.store, w.unit.actor
    p = _draft(w, name="县教育安全平台", materials=True)
    before = full_state(s)
    with pytest.raises(ValidationError, match="不能填写将来的日期"):
        ops.add_record(s, a, "security_record", p["id"], {"security_kind": "risk_assessment",
                                                          "done_on": "2026-11-25"}, today=D(2026, 11, 24))
    assert full_state(s) == before
    ops.add_record(s, a, "security_record", p["id"], {"security_kind": "risk_assessment", "done_on": "2026-11-24"},
                   today=D(2026, 11, 24))


# ---- 8. a suspension withholds funds ----------------------------------------------------------------

def test_8_suspension_cannot_be_lifted_as_it_is_imposed(w):
    cs = w.county.store
    before = full_state(cs)
    with pytest.raises(ValidationError, match="解除日期"):
        ops.transition(cs, w.county.actor, w.victim["id"], "suspend",
                       {"reason": "严重逾期", "lifted_on": "2026-11-24"}, today=D(2026, 11, 24))
    assert full_state(cs) == before
    ops.transition(cs, w.county.actor, w.victim["id"], "suspend", {"reason": "严重逾期"}, today=D(2026, 11, 24))
    with pytest.raises(Refused, match="第五条"):
        ops.add_record(cs, actor_for(cs, "MYCZJ"), "disbursement", w.victim["id"], {
            "paid_on": "2026-11-24", "amount_fen": "1", "purpose": "construction", "budget_year": "2027"},
            today=D(2026, 11, 24))


def test_revoked_trust_is_not_a_way_around(w):
    trust.revoke_key(w.county.store, w.county.actor, "MYJYJ")
    contract = sheet_row(w, "contract", w.own, **CONTRACT)
    refused(w, signed(w, [(spec("contract"), [contract])]))


def test_6_by_package_too_locked_fields_and_county_records_refused(w):
    """The same county facts, sent in a package signed with the unit's real key instead of typed."""
    row = dict(w.unit.store.get("project", w.own["id"]))
    for field, value in (("planned_completion", "2029-12-31"), ("classified", 0), ("mlps_level", "1"),
                         ("total_investment_fen", 999_000_000)):
        forged = to_sheet(KINDS["project"], {**row, field: value, "rev": row["rev"] + 1,
                                            "updated_at": TIME}, codes(w.unit.store), {})
        refused(w, signed(w, [(spec("project"), [forged])]), "不能再修改")
    decision = sheet_row(w, "extension_decision", w.own, extension_id=str(uuid.uuid4()), decision="approved",
                         decided_on="2026-11-01")
    refused(w, signed(w, [(spec("extension_decision"), [decision])]), "县政府办公室")
    consent = sheet_row(w, "upward_consent", w.own, consent_on="2026-06-01")
    refused(w, signed(w, [(spec("upward_consent"), [consent])]), "县政府办公室", "第三条")
    # honest: a field the unit may still change after submission (联系电话) arrives and is kept
    honest = to_sheet(KINDS["project"], {**row, "contact": "0539-4270000", "rev": row["rev"] + 1,
                                        "updated_at": TIME}, codes(w.unit.store), {})
    accepted(w, signed(w, [(spec("project"), [honest])]))
    assert w.county.store.get("project", w.own["id"])["contact"] == "0539-4270000"
