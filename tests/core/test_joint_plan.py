"""第二条: 多部门共建共享的项目，由项目牵头部门会同共建部门，共同形成项目整体方案. A project with
co-builders cannot be submitted without its 联合建设总体方案; a project without co-builders needs none."""

import pytest

from desktop_app.errors import Refused
from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.policy import PolicyProfile
from desktop_app.services import operations as ops
from desktop_app.services.annual_round import annual_round
from tests.core import builders as B

APPLIED = B.APPLIED_ON


def _co_built(c):
    p = B.new_project(c)
    B.add_materials(c, p["id"])
    ops.add_record(c.store, c.county, "co_builder", p["id"],
                   {"org_id": c.unit2.org_id, "scope": "负责卫生健康数据接口对接"}, today=B.TODAY)
    return p


def test_co_built_project_needs_the_overall_plan_to_be_submitted(county):
    c = county
    p = _co_built(c)
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.unit, p["id"], "submit", today=APPLIED)
    assert e.value.clause == "第二条" and "联合建设总体方案" in e.value.message
    assert c.store.get("project", p["id"])["status"] == "draft"  # the refusal changed nothing
    ops.add_record(c.store, c.unit, "material", p["id"],
                   {"material_type": "joint_plan", "title": "联合建设总体方案"}, today=B.TODAY)
    ops.transition(c.store, c.unit, p["id"], "submit", today=APPLIED)
    assert c.store.get("project", p["id"])["status"] == "submitted"


def test_project_without_co_builders_needs_no_overall_plan(county):
    c = county
    p = B.new_project(c)
    B.add_materials(c, p["id"])
    ops.transition(c.store, c.unit, p["id"], "submit", today=APPLIED)
    assert c.store.get("project", p["id"])["status"] == "submitted"


def test_missing_overall_plan_counts_as_incomplete_materials():
    base = {"material": [{"material_type": m} for m in ("application_report", "plan", "budget", "history")],
            "investment_history": [{"year": y} for y in (2023, 2024, 2025)]}
    project = {"id": "p", "code": "MY-2027-001", "status": "draft"}
    profile = PolicyProfile()
    assert R.missing_materials(R.Facts(project, dict(base)), profile) == []
    co = {**base, "co_builder": [{"org_id": "u2"}]}
    [missing] = R.missing_materials(R.Facts(project, co), profile)
    assert missing.startswith("联合建设总体方案")
    co["material"] = base["material"] + [{"material_type": "joint_plan"}]
    assert R.missing_materials(R.Facts(project, co), profile) == []


def test_the_round_lists_the_missing_overall_plan(county):
    c = county
    _co_built(c)
    [draft] = annual_round(c.store, 2027, today=B.TODAY).drafts
    assert any(m.startswith("联合建设总体方案") for m in draft.missing)
