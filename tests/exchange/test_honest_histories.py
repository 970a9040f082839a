"""Honest histories are never refused: hypothesis plays a unit, the county office and finance through
random but lawful years of a project, exchanging packages at random moments (some packages lost and
re-sent later), and every import must succeed and leave all three agreeing on the project's status.
The strict replay of statuses must not turn into a wall for people who follow the rules."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.errors import GovisError
from desktop_app.services import operations as ops
from tests.core.builders import BASE
from tests.exchange.world import make_world

D = dt.date

# each step: (who acts, action or record, values); run only when the project's status allows it
STEPS = [
    ("unit", "submit", None),
    ("county", "start_review", None),
    ("county", "record_review", {"method": "central", "conclusion": "revise", "opinion": "补充材料"}),
    ("unit", "resubmit", None),
    ("county", "record_review", {"method": "central", "conclusion": "pass", "opinion": "同意",
                                 "approved_investment_fen": "110"}),
    ("finance", "fund", {"approved_fen": "100", "budget_year": "2027"}),
    ("unit", "start_construction", None),
    ("unit", "contract", {"contract_no": "HT-1", "title": "软件开发", "supplier": "某公司",
                          "procurement_method": "open_tender", "amount_fen": "60"}),
    ("county", "inspection", {"inspectors": "县政府办公室"}),
    ("finance", "disbursement", {"amount_fen": "20", "purpose": "construction", "budget_year": "2027"}),
    ("county", "suspend", {"reason": "进度滞后"}),
    ("county", "resume", None),
    ("unit", "controllable_product", {"product": "国产服务器", "category": "服务器", "controllable": "是"}),
    ("unit", "request_acceptance", {"completed_on": None}),
    ("county", "expert_opinion", {"review_id": "$review", "expert_name": "刘建国", "opinion": "同意"}),
    ("county", "finding", {"inspection_id": "$inspection", "description": "监理日志缺失", "rectify_by": "+30"}),
    ("unit", "rectification", {"finding_id": "$finding", "content": "已补齐"}),
    ("unit", "acceptance_extension", {"reason": "联调未完成", "new_date": "+90"}),
    ("county", "extension_decision", {"extension_id": "$acceptance_extension", "decision": "approved"}),
    ("unit", "change_request", {"change_kind": "technical", "reason": "接口调整", "content": "顺延",
                                "new_planned_completion": "+400"}),
    ("county", "change_decision", {"change_request_id": "$change_request", "decider": "egov_office",
                                   "decision": "approved"}),
    ("county", "record_acceptance", {"group_members": "王五、赵六", "conclusion": "pass", "controllable_ok": "pass"}),
    ("unit", "go_live", None),
    ("unit", "catalog_entry", {"resource_name": "学籍", "source": "教育局", "data_format": "JSON",
                               "update_cycle": "daily", "sharing_type": "conditional", "opening_type": "closed"}),
]
DATE_FIELD = {"record_review": "reviewed_on", "fund": "decided_on", "contract": "signed_on",
              "inspection": "inspected_on", "disbursement": "paid_on", "suspend": "imposed_on",
              "request_acceptance": "applied_on", "rectification": "submitted_on",
              "acceptance_extension": "requested_on", "extension_decision": "decided_on",
              "change_request": "submitted_on", "change_decision": "decided_on", "record_acceptance": "accepted_on"}


def _act(w, who: str, what: str, values, pid: str, day: D) -> bool:
    """Take the step if the project allows it now; False if the rules (rightly) say not yet."""
    site = {"unit": w.unit, "county": w.county, "finance": w.finance}[who]
    values = dict(values or {})
    if what in DATE_FIELD:
        values[DATE_FIELD[what]] = day.isoformat()
    values = {k: v for k, v in values.items() if v is not None}
    for k, v in list(values.items()):
        if isinstance(v, str) and v.startswith("$"):  # the latest record of that kind this site holds
            rows = site.store.for_project(v[1:], pid)
            if not rows:
                return False
            values[k] = rows[-1]["id"]
        elif isinstance(v, str) and v.startswith("+"):  # a date that many days ahead (a plan, not an event)
            values[k] = (day + dt.timedelta(days=int(v[1:]))).isoformat()
    try:
        if what in ops.machine.TRANSITIONS:
            ops.transition(site.store, site.actor, pid, what, values or None, today=day)
        else:
            ops.add_record(site.store, site.actor, what, pid, values, today=day)
    except GovisError:
        return False
    return True


def _application(w, name: str, day: D) -> dict:
    """A unit's draft with complete materials, made on `day` on its own installation."""
    s, a = w.unit.store, w.unit.actor
    p = ops.create_project(s, a, {**BASE, "name": name}, today=day)
    for code in ("application_report", "plan", "budget", "history"):
        ops.add_record(s, a, "material", p["id"], {"material_type": code, "title": code}, today=day)
    for y in (2023, 2024, 2025):
        ops.add_record(s, a, "investment_history", p["id"], {"year": str(y), "investment_fen": "10"}, today=day)
    ops.add_record(s, a, "consultation", p["id"], {"consulted_on": day.isoformat()}, today=day)
    return p


ROUTES = [("unit", "county"), ("county", "unit"), ("county", "finance"), ("finance", "county")]


def deliver(receiver, data: bytes, waiting: dict, src: str, dst: str) -> None:
    """An honest package imports -- unless its sender's earlier package is still lost, and the refusal
    says so: then the clerk imports it after that one (as the message asks)."""
    from desktop_app.exchange.errors import PackageRejected

    if waiting.get((src, dst)):
        waiting[(src, dst)].append(data)  # in order, behind the one already waiting
        return
    try:
        receiver.import_(data)
    except PackageRejected as exc:
        assert "请先导入" in exc.message, exc.message  # never refused for any other reason
        waiting.setdefault((src, dst), []).append(data)


@settings(max_examples=12, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
@given(plan=st.lists(st.tuples(st.integers(-1, len(STEPS) - 1), st.lists(st.integers(0, 3), max_size=2),
                               st.booleans()), min_size=8, max_size=30))
def test_every_honest_history_imports(tmp_path_factory, plan):
    w = make_world(tmp_path_factory.mktemp("honest"))
    day = D(2026, 6, 1)
    w.on(day)
    p = _application(w, "县智慧教育云平台", day)
    held: list[tuple[str, str, bytes]] = []  # packages "lost" for a while, delivered later
    waiting: dict[tuple[str, str], list[bytes]] = {}  # refused until an earlier lost package arrives
    for step, routes, lose in plan:
        day += dt.timedelta(days=3)
        w.on(day)
        if step < 0:  # "get on with it": the first lawful step in the order of the notice
            next((True for who, what, values in STEPS if _act(w, who, what, values, p["id"], day)), None)
        else:
            who, what, values = STEPS[step]
            _act(w, who, what, values, p["id"], day)
        for r in routes:
            src, dst = ROUTES[r]
            sender, receiver = getattr(w, src), getattr(w, dst)
            try:
                data = sender.export(receiver.actor.org_code, f"{src}-{dst}-{day}-{r}.zip")
            except GovisError:
                continue  # nothing new to send
            if lose:
                held.append((src, dst, data))
                continue
            deliver(receiver, data, waiting, src, dst)
    for src, dst, data in held:  # the lost ones turn up at last: each imports once
        getattr(w, dst).import_(data)
        for later in waiting.pop((src, dst), []):  # then what had to wait for them
            getattr(w, dst).import_(later)
    # everyone passes on what they have, in the hub's order: then all three agree
    day += dt.timedelta(days=1)
    w.on(day)
    for src, dst in (("unit", "county"), ("finance", "county"), ("county", "unit"), ("county", "finance")):
        sender, receiver = getattr(w, src), getattr(w, dst)
        try:
            receiver.import_(sender.export(receiver.actor.org_code, f"final-{src}-{dst}.zip"))
        except GovisError as exc:
            assert "无需导出" in exc.message, exc.message
    statuses = {name: getattr(w, name).store.one("SELECT status FROM projects WHERE id=?", (p["id"],))
                for name in ("unit", "county", "finance")}
    known = {k: v["status"] for k, v in statuses.items() if v}
    assert len(set(known.values())) == 1, known


def test_a_lost_and_late_package_is_not_backdating(tmp_path):
    """The fixed story behind the property above."""
    w = make_world(tmp_path)
    day = D(2026, 6, 1)
    w.on(day)
    s, a = w.unit.store, w.unit.actor
    p = _application(w, "县教育督导平台", day)
    ops.transition(s, a, p["id"], "submit", today=D(2026, 7, 1))
    w.on(D(2026, 7, 2))
    lost = w.unit.export("MYXZF", "lost.zip")
    ops.update_project(s, a, p["id"], {"contact": "0539-1111111"}, today=D(2026, 7, 5))
    w.on(D(2026, 7, 6))
    w.county.import_(w.unit.export("MYXZF", "second.zip"))   # arrives first, without the status
    w.county.import_(lost)                                   # the submission dated 07-01 is still taken
    assert w.county.store.get("project", p["id"])["status"] == "submitted"
