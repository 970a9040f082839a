import datetime as dt

import pytest

from desktop_app.errors import NotFound, Refused, ValidationError
from desktop_app.services import operations as ops
from tests.core import builders as B
from tests.core.dbstate import snapshot

D = dt.date


def audit_count(store):
    return store.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]


def test_whole_lifecycle_with_one_audit_entry_per_change(county):
    c = county
    p = B.accepted(c, on="2027-11-30")
    s = c.store
    ops.transition(s, c.unit, p["id"], "go_live", today=D(2027, 12, 5))
    n = audit_count(s)
    ops.transition(s, c.unit, p["id"], "self_evaluate",
                   B.evaluation("2029-01-10", 88), today=D(2029, 1, 10))
    assert audit_count(s) == n + 1
    ops.transition(s, c.county, p["id"], "post_evaluate",
                   B.evaluation("2029-06-10", 85), today=D(2029, 6, 10))
    assert s.get("project", p["id"])["status"] == "post_evaluated"
    evals = s.for_project("evaluation", p["id"])
    assert [e["eval_kind"] for e in evals] == ["self", "post"]


def test_review_revise_loop(county):
    c = county
    p = B.submitted(c)
    ops.transition(c.store, c.county, p["id"], "start_review", today=D(2026, 9, 10))
    ops.transition(c.store, c.county, p["id"], "record_review",
                   {"reviewed_on": "2026-09-15", "method": "central", "conclusion": "revise", "opinion": "补充方案"}, today=B.TODAY)
    assert c.store.get("project", p["id"])["status"] == "revise"
    ops.transition(c.store, c.unit, p["id"], "resubmit", today=D(2026, 9, 20))
    ops.transition(c.store, c.county, p["id"], "start_review", today=D(2026, 9, 21))
    ops.transition(c.store, c.county, p["id"], "record_review",
                   {"reviewed_on": "2026-09-25", "method": "expert_panel", "conclusion": "pass", "opinion": "同意"}, today=B.TODAY)
    rounds = [r["round"] for r in c.store.for_project("review", p["id"])]
    assert rounds == [1, 2]


@pytest.mark.parametrize("who,action,values,needle", [
    ("county", "submit", None, "只能由申报单位"),
    ("unit2", "submit", None, "牵头单位"),
    ("unit", "start_review", None, "只能由县政府办公室"),
    ("unit", "go_live", None, "当前状态为「草稿」"),
    ("finance", "record_review", {"reviewed_on": "2026-09-15", "method": "central", "conclusion": "pass",
                                  "opinion": "x"}, "只能由县政府办公室"),
])
def test_refused_transition_changes_nothing(county, who, action, values, needle):
    c = county
    p = B.new_project(c)
    B.add_materials(c, p["id"])
    before = snapshot(c.store)
    with pytest.raises(Refused) as e:
        ops.transition(c.store, getattr(c, who), p["id"], action, values, today=D(2026, 7, 1))
    assert needle in e.value.message and "依据：通知" in e.value.message
    assert snapshot(c.store) == before


def test_submission_gates_cite_their_clause(county):
    c = county
    p = B.new_project(c)
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.unit, p["id"], "submit", today=D(2026, 7, 1))
    assert "申请材料不全" in e.value.message and e.value.clause == "第二条"
    B.add_materials(c, p["id"])
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.unit, p["id"], "submit", today=D(2026, 9, 1))
    assert e.value.clause == "第二条" and "截止" in e.value.message
    ops.transition(c.store, c.unit, p["id"], "submit", today=D(2026, 8, 31))


def test_unit_with_unexplained_late_project_may_not_apply(county):
    c = county
    late = B.in_construction(c, planned_completion="2026-10-31", planned_start="2026-03-01")
    p = B.new_project(c, name="第二个项目", plan_year="2028", planned_start="2028-03-01",
                      planned_completion="2028-12-31")
    B.add_materials(c, p["id"])
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.unit, p["id"], "submit", today=D(2026, 11, 2))
    assert e.value.clause == "第四条" and late["code"] in e.value.message
    # the unit's own explanation does not lift the bar (第四条 有效说明 is the county office's call) ...
    ops.update_project(c.store, c.unit, late["id"], {"delay_explanation": "设备供货延迟，已书面报告"}, today=B.TODAY)
    with pytest.raises(Refused):
        ops.transition(c.store, c.unit, p["id"], "submit", today=D(2026, 11, 2))
    # ... nor may the unit record the county office's acceptance itself
    with pytest.raises(Refused, match="县政府办公室"):
        ops.add_record(c.store, c.unit, "delay_acceptance", late["id"],
                       {"decision": "approved", "decided_on": "2026-11-01"}, today=D(2026, 11, 2))
    ops.add_record(c.store, c.county, "delay_acceptance", late["id"],
                   {"decision": "approved", "decided_on": "2026-11-01"}, today=D(2026, 11, 2))
    ops.transition(c.store, c.unit, p["id"], "submit", today=D(2026, 11, 2))


def test_approval_needs_mlps_level_and_secrecy_confirmation(county):
    c = county
    p = B.submitted(c, mlps_level="", classified="是")
    ops.transition(c.store, c.county, p["id"], "start_review", today=B.TODAY)
    review = {"reviewed_on": "2026-09-15", "method": "central", "conclusion": "pass", "opinion": "同意"}
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.county, p["id"], "record_review", review, today=B.TODAY)
    assert e.value.clause == "第九条"
    # the unit cannot fill the level in during review; the county office returns the application
    with pytest.raises(ValidationError, match="等级保护级别"):
        ops.update_project(c.store, c.unit, p["id"], {"mlps_level": "3"}, today=B.TODAY)
    ops.transition(c.store, c.county, p["id"], "record_review", {**review, "conclusion": "revise"}, today=B.TODAY)
    ops.update_project(c.store, c.unit, p["id"], {"mlps_level": "3"}, today=B.TODAY)
    ops.transition(c.store, c.unit, p["id"], "resubmit", today=D(2026, 8, 20))
    ops.transition(c.store, c.county, p["id"], "start_review", today=B.TODAY)
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.county, p["id"], "record_review", review, today=B.TODAY)
    assert e.value.clause == "第十条"
    ops.add_record(c.store, c.county, "secrecy_confirmation", p["id"], {"confirmed_on": "2026-09-12"}, today=B.TODAY)
    ops.transition(c.store, c.county, p["id"], "record_review", review, today=B.TODAY)


FUNDING = {"decided_on": "2026-10-20", "approved_fen": "100", "budget_year": "2027"}


def test_funding_is_refused_to_the_county_office_by_role(county):
    c = county
    p = B.approved(c)
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.county, p["id"], "fund", FUNDING, today=D(2026, 10, 20))
    assert "县财政局" in e.value.message and "评审" not in e.value.message
    assert c.store.get("project", p["id"])["status"] == "approved"


def test_funding_requires_a_passing_review(county):
    c = county
    p = B.approved(c)
    # an approved project whose passing review is gone (a damaged or hand-edited file): the gate still holds
    with c.store.tx():
        c.store.conn.execute("UPDATE reviews SET conclusion='revise' WHERE project_id=?", (p["id"],))
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.finance, p["id"], "fund", FUNDING, today=D(2026, 10, 20))
    assert e.value.clause == "第三条" and "没有通过评审" in e.value.message
    assert c.store.get("project", p["id"])["status"] == "approved"


def test_disbursement_gates(county):
    c = county
    draft = B.new_project(c)
    pay = {"paid_on": "2026-11-01", "amount_fen": "10", "purpose": "construction", "budget_year": "2027"}
    with pytest.raises(Refused) as e:
        ops.add_record(c.store, c.finance, "disbursement", draft["id"], pay, today=B.TODAY)
    assert e.value.clause == "第八条"
    p = B.in_construction(c, name="在建项目")
    ops.add_record(c.store, c.finance, "disbursement", p["id"], pay, today=D(2026, 11, 1))
    with pytest.raises(Refused) as e:  # 100 万元 approved, 10 paid: 91 more is one too many
        ops.add_record(c.store, c.finance, "disbursement", p["id"], {**pay, "amount_fen": "91"}, today=D(2026, 11, 1))
    assert e.value.clause == "第八条" and "超支" in e.value.message
    ops.add_record(c.store, c.finance, "disbursement", p["id"], {**pay, "amount_fen": "90"}, today=D(2026, 11, 1))
    with pytest.raises(Refused) as e:
        ops.add_record(c.store, c.finance, "disbursement", p["id"], {**pay, "purpose": "om", "amount_fen": "1"},
                       today=D(2026, 11, 1))
    assert e.value.clause == "第六条"


def test_withheld_funds_block_disbursement(county):
    c = county
    p = B.in_construction(c)
    ops.add_record(c.store, c.county, "sanction", p["id"],
                   {"sanction_kind": "withhold_funds", "imposed_on": "2026-11-01", "reason": "拒不整改"}, today=B.TODAY)
    with pytest.raises(Refused) as e:
        ops.add_record(c.store, c.finance, "disbursement", p["id"],
                       {"paid_on": "2026-11-02", "amount_fen": "1", "purpose": "construction", "budget_year": "2027"}, today=B.TODAY)
    assert e.value.clause == "第五条"


def test_major_change_order_county_then_finance(county):
    c = county
    p = B.in_construction(c)
    ch = ops.add_record(c.store, c.unit, "change_request", p["id"], {
        "change_kind": "major", "submitted_on": "2026-11-01", "reason": "需求变化", "content": "增加模块",
        "investment_delta_fen": "10"}, today=B.TODAY)
    decision = {"change_request_id": ch["id"], "decider": "finance", "decision": "approved", "decided_on": "2026-11-05"}
    with pytest.raises(Refused) as e:
        ops.add_record(c.store, c.finance, "change_decision", p["id"], decision, today=B.TODAY)
    assert e.value.clause == "第四条"
    ops.add_record(c.store, c.county, "change_decision", p["id"], {**decision, "decider": "county_office"}, today=B.TODAY)
    ops.add_record(c.store, c.finance, "change_decision", p["id"], decision, today=B.TODAY)


@pytest.mark.parametrize("values,field", [
    ({"total_investment_fen": "-5"}, "total_investment_fen"),
    ({"total_investment_fen": "一百"}, "total_investment_fen"),
    ({"name": ""}, "name"),
    ({"planned_start": "2027-06-01", "planned_completion": "2027-01-01"}, "planned_completion"),
    ({"category": "gold"}, "category"),
    ({"plan_year": "明年"}, "plan_year"),
    ({"fiscal_share_fen": "500"}, "fiscal_share_fen"),
])
def test_bad_project_input_refused_and_nothing_written(county, values, field):
    before = snapshot(county.store)
    with pytest.raises(ValidationError) as e:
        B.new_project(county, **values)
    assert field in e.value.fields
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in e.value.fields.values())
    assert snapshot(county.store) == before


def test_record_role_enforced(county):
    c = county
    p = B.in_construction(c)
    with pytest.raises(Refused, match="县政府办公室"):
        ops.add_record(c.store, c.unit, "inspection", p["id"], {"inspected_on": "2026-11-01"}, today=B.TODAY)
    with pytest.raises(Refused, match="不是蒙阴县卫生健康局牵头的项目，县政府办公室也未登记其为共建单位"):
        ops.add_record(c.store, c.unit2, "progress_report", p["id"], {
            "year": "2026", "reported_on": "2026-12-20", "progress_pct": "40", "budget_executed_fen": "10"}, today=B.TODAY)
    with pytest.raises(Refused, match="录入评审意见"):
        ops.add_record(c.store, c.county, "review", p["id"], {}, today=B.TODAY)


def test_contract_only_after_funding(county):
    c = county
    p = B.submitted(c)
    with pytest.raises(Refused) as e:
        ops.add_record(c.store, c.unit, "contract", p["id"], {
            "contract_no": "HT1", "title": "软件开发", "supplier": "某公司", "procurement_method": "公开招标",
            "amount_fen": "50", "signed_on": "2026-11-01"}, today=B.TODAY)
    assert e.value.clause == "第八条"


def test_locked_fields_after_submission(county):
    c = county
    p = B.submitted(c)
    with pytest.raises(ValidationError) as e:
        ops.update_project(c.store, c.unit, p["id"], {"total_investment_fen": "200"}, today=B.TODAY)
    assert "第四条" in e.value.fields["total_investment_fen"]
    ops.update_project(c.store, c.unit, p["id"], {"contact": "13800000000"}, today=B.TODAY)


def test_unknown_project_and_action(county):
    with pytest.raises(NotFound):
        ops.project_by_code(county.store, "MY-1999-999")
    p = B.new_project(county)
    with pytest.raises(ValidationError):
        ops.transition(county.store, county.unit, p["id"], "fly", today=B.TODAY)


def test_self_evaluation_not_before_12_months(county):
    c = county
    p = B.accepted(c, on="2027-11-30")
    ops.transition(c.store, c.unit, p["id"], "go_live", today=D(2027, 12, 1))
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.unit, p["id"], "self_evaluate",
                       B.evaluation("2028-11-29", 80), today=D(2028, 11, 29))
    assert e.value.clause == "第六条"


def test_acceptance_needs_controllable_products(county):
    c = county
    p = B.in_construction(c)
    on = D(2027, 11, 1)
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.unit, p["id"], "request_acceptance", {"applied_on": "2027-11-01"}, today=on)
    assert e.value.clause == "第九条"
    ops.add_record(c.store, c.unit, "controllable_product", p["id"],
                   {"product": "国产数据库", "category": "基础软件", "controllable": "是"}, today=B.TODAY)
    ops.transition(c.store, c.unit, p["id"], "request_acceptance", {"applied_on": "2027-11-01"}, today=on)
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.county, p["id"], "record_acceptance", {
            "accepted_on": "2027-11-20", "group_members": "甲、乙", "conclusion": "pass", "controllable_ok": "fail"}, today=B.TODAY)
    assert e.value.clause == "第九条"


def test_deadline_cache_follows_operations(county):
    c = county
    p = B.in_construction(c)
    ops.add_record(c.store, c.unit, "contract", p["id"], {
        "contract_no": "HT-9", "title": "软件", "supplier": "某公司", "procurement_method": "公开招标",
        "amount_fen": "50", "signed_on": "2026-09-30"}, today=D(2026, 10, 9))
    row = c.store.one("SELECT * FROM project_deadlines WHERE project_id=?", (p["id"],))
    assert row["next_due"] == "2026-10-13"


def test_october_county_changes_data_not_code(county):
    c = county
    p = B.new_project(c)
    B.add_materials(c, p["id"])
    with pytest.raises(Refused):
        ops.transition(c.store, c.unit, p["id"], "submit", today=D(2026, 9, 15))
    with pytest.raises(Refused):
        ops.set_policy(c.store, c.unit, {"application_month": "10"})
    with pytest.raises(ValidationError):
        ops.set_policy(c.store, c.county, {"application_month": "13"})
    ops.set_policy(c.store, c.county, {"application_month": "10"})
    ops.transition(c.store, c.unit, p["id"], "submit", today=D(2026, 9, 15))


def test_deciding_fields_cannot_be_edited(county):
    c = county
    p = B.approved(c)
    review = c.store.for_project("review", p["id"])[0]
    before = snapshot(c.store)
    with pytest.raises(Refused, match="评审结论"):
        ops.update_record(c.store, c.county, "review", review["id"], {"conclusion": "reject"}, today=B.TODAY)
    assert snapshot(c.store) == before
    ops.update_record(c.store, c.county, "review", review["id"], {"opinion_no": "蒙政办审〔2026〕3号"}, today=B.TODAY)


def test_evaluations_and_heavy_sanctions_go_through_actions(county):
    c = county
    p = B.in_construction(c)
    with pytest.raises(Refused, match="报送绩效自评价"):
        ops.add_record(c.store, c.unit, "evaluation", p["id"],
                       {"eval_kind": "self", "evaluated_on": "2026-11-01", "score": "90", "grade": "excellent"}, today=B.TODAY)
    with pytest.raises(Refused, match="后评价"):
        ops.add_record(c.store, c.unit, "evaluation", p["id"],
                       {"eval_kind": "post", "evaluated_on": "2026-11-01", "score": "90", "grade": "excellent"}, today=B.TODAY)
    with pytest.raises(Refused, match="终止项目"):
        ops.add_record(c.store, c.county, "sanction", p["id"],
                       {"sanction_kind": "terminate", "imposed_on": "2026-11-01", "reason": "x"}, today=B.TODAY)


def test_suspend_and_resume_record_and_lift_the_sanction(county):
    c = county
    p = B.in_construction(c)
    ops.transition(c.store, c.county, p["id"], "suspend", {"reason": "工程严重逾期"}, today=D(2026, 11, 2))
    [s] = c.store.for_project("sanction", p["id"])
    assert s["sanction_kind"] == "suspend" and s["lifted_on"] is None
    ops.transition(c.store, c.county, p["id"], "resume", today=D(2026, 11, 20))
    [s] = c.store.for_project("sanction", p["id"])
    assert s["lifted_on"] == "2026-11-20"


def test_ledger_shows_disbursed_total_after_each_payment(county):
    from desktop_app.services import queries
    c = county
    p = B.in_construction(c)
    ops.add_record(c.store, c.finance, "disbursement", p["id"],
                   {"paid_on": "2026-11-01", "amount_fen": "12.5", "purpose": "construction", "budget_year": "2027"}, today=D(2026, 11, 1))
    [row] = [r for r in queries.ledger(c.store) if r["id"] == p["id"]]
    assert row["disbursed_fen"] == 12_500_000


def test_migration_missing_in_the_middle_is_still_applied(tmp_path, monkeypatch):
    # a file migrated by a build that had 1 and 3 but not yet 2 still gets 2 later
    import desktop_app.models.store as store_mod
    from desktop_app.models.migrations import MIGRATIONS
    every = {v for v, _, _ in MIGRATIONS}
    monkeypatch.setattr(store_mod, "MIGRATIONS", [m for m in MIGRATIONS if m[0] != 2])
    s = store_mod.Store.open(tmp_path / "m.db")
    assert {r[0] for r in s.conn.execute("SELECT version FROM schema_migrations")} == every - {2}
    s.close()
    monkeypatch.setattr(store_mod, "MIGRATIONS", MIGRATIONS)
    s = store_mod.Store.open(tmp_path / "m.db")
    assert {r[0] for r in s.conn.execute("SELECT version FROM schema_migrations")} == every


def test_2027_deadline_tentative_until_the_county_enters_the_2027_table(county):
    from desktop_app.services import queries
    c = county
    p = B.in_construction(c)
    ops.add_record(c.store, c.unit, "contract", p["id"], {
        "contract_no": "HT-2027", "title": "软件", "supplier": "某公司", "procurement_method": "公开招标",
        "amount_fen": "50", "signed_on": "2026-12-30"}, today=D(2026, 12, 30))
    [f] = [x for x in queries.check(c.store, D(2026, 12, 30), [p["id"]]) if x.rule_id == "R04-contract"]
    assert f.due.tentative and "暂定" in f.message
    ops.set_holidays(c.store, c.county, 2027, ["2027-01-01"], [])
    [f] = [x for x in queries.check(c.store, D(2026, 12, 30), [p["id"]]) if x.rule_id == "R04-contract"]
    assert not f.due.tentative and f.due.day == D(2027, 1, 7)


# ---- attachments --------------------------------------------------------------------------------

def _scan(tmp_path, name="项目申请报告.pdf", content=b"%PDF-1.4\n%scan\n"):
    f = tmp_path / "in" / name
    f.parent.mkdir(exist_ok=True)
    f.write_bytes(content)
    return f


def test_unbound_attachment_is_refused_and_changes_nothing(county, tmp_path):
    c = county
    p = B.new_project(c)
    before = snapshot(c.store)
    for kind, rid in [(None, None), ("material", None), (None, p["id"])]:
        with pytest.raises(ValidationError, match="附件必须关联本项目的一条记录") as exc:
            ops.attach_file(c.store, c.unit, p["id"], _scan(tmp_path), kind, rid)
        assert set(exc.value.fields) == {"record_id"}
    assert snapshot(c.store) == before


def test_attachment_to_another_projects_record_is_refused(county, tmp_path):
    c = county
    mine, other = B.new_project(c), B.new_project(c, name="县教育资源公共服务平台")
    B.add_materials(c, other["id"])
    theirs = c.store.for_project("material", other["id"])[0]
    before = snapshot(c.store)
    with pytest.raises(ValidationError, match="不属于本项目"):
        ops.attach_file(c.store, c.unit, mine["id"], _scan(tmp_path), "material", theirs["id"])
    with pytest.raises(ValidationError, match="不一致"):  # the project binding names the project itself
        ops.attach_file(c.store, c.unit, mine["id"], _scan(tmp_path), "project", other["id"])
    with pytest.raises(ValidationError, match="记录不存在"):
        ops.attach_file(c.store, c.unit, mine["id"], _scan(tmp_path), "material", "no-such-id")
    assert snapshot(c.store) == before


def test_honest_attachment_is_stored_cleaned_with_derived_type(county, tmp_path):
    c = county
    p = B.new_project(c)
    B.add_materials(c, p["id"])
    material = c.store.for_project("material", p["id"])[0]
    n = audit_count(c.store)
    att = ops.attach_file(c.store, c.unit, p["id"], _scan(tmp_path, "申请\u200b报告（盖章）.PDF"), "material",
                          material["id"])
    assert (att["record_kind"], att["record_id"]) == ("material", material["id"])
    assert att["filename"] == "申请报告（盖章）.PDF" and att["media_type"] == "application/pdf"
    whole = ops.attach_file(c.store, c.unit, p["id"], _scan(tmp_path, "批复.png", b"\x89PNG\r\n\x1a\n...."),
                            "project", p["id"])
    assert whole["media_type"] == "image/png" and whole["record_kind"] == "project"
    assert audit_count(c.store) == n + 2
    assert "content" not in att


@pytest.mark.parametrize("name,content,needle", [
    ("项目申请报告\u202efdp.exe", b"MZ\x90\x00", r"不允许的附件类型 \.exe"),
    ("报告.pdf", b"MZ\x90\x00", "附件声明为 PDF，但内容不是 PDF 文件"),
    ("空.pdf", b"", "空文件"),
])
def test_bad_file_is_refused_with_chinese_message_and_changes_nothing(county, tmp_path, name, content, needle):
    c = county
    p = B.new_project(c)
    before = snapshot(c.store)
    with pytest.raises(ValidationError, match=needle) as exc:
        ops.attach_file(c.store, c.unit, p["id"], _scan(tmp_path, name, content), "project", p["id"])
    assert set(exc.value.fields) == {"file"}
    assert snapshot(c.store) == before


def test_a_unit_outside_the_project_may_not_attach(county, tmp_path):
    c = county
    p = B.new_project(c)
    with pytest.raises(Refused, match="牵头单位或共建单位"):
        ops.attach_file(c.store, c.unit2, p["id"], _scan(tmp_path), "project", p["id"])
