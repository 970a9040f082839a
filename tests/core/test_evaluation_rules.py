"""第六条: the self-evaluation window counts from the later of acceptance and go-live; a 差 opens a
rectification with a deadline; a second 差 after it calls for accountability until a measure is recorded.
Both sides of each boundary, as pure rules; then once through the operations."""

import datetime as dt

import pytest

from desktop_app.errors import Refused
from desktop_app.lifecycle import rules as R
from desktop_app.services import operations as ops
from desktop_app.services import queries
from tests.core import builders as B
from tests.core.test_rules import facts, run, states

D = dt.date
ACC = {"acceptance_result": [{"conclusion": "pass", "accepted_on": "2025-01-10"}]}


@pytest.mark.parametrize("went_live_on, opens, closes", [
    (None, D(2026, 1, 10), D(2027, 1, 10)),                 # no go-live recorded: acceptance counts
    ("2025-01-05", D(2026, 1, 10), D(2027, 1, 10)),         # live before acceptance: acceptance is later
    ("2025-04-20", D(2026, 4, 20), D(2027, 4, 20)),         # live after acceptance: go-live counts
])
def test_window_counts_from_the_later_of_acceptance_and_go_live(went_live_on, opens, closes):
    f = facts("in_operation", records=ACC, went_live_on=went_live_on)
    day_before_opens = opens - dt.timedelta(days=1)
    [x] = run("R06-self-eval", f, day_before_opens)
    assert x.state == R.PENDING and x.due.day == closes and opens.isoformat() in x.message
    assert states("R06-self-eval", f, closes) == [R.UPCOMING]
    assert states("R06-self-eval", f, closes + dt.timedelta(days=1)) == [R.OVERDUE]


def _poor(eid, on, **kw):
    return {"id": eid, "grade": "poor", "evaluated_on": on, **kw}


def test_poor_grade_opens_rectification_with_the_county_time_limit():
    f = facts("self_evaluated", records={"evaluation": [_poor("e1", "2026-06-01")]})
    [x] = run("R06-performance", f, D(2026, 12, 1))          # 6 months (profile poor_rectify_months)
    assert x.due.day == D(2026, 12, 1) and x.state == R.UPCOMING and x.clause == "第六条"
    assert states("R06-performance", f, D(2026, 12, 2)) == [R.OVERDUE]
    assert run("R06-accountability", f, D(2026, 12, 2)) == []
    # a deadline set in the evaluation itself wins
    g = facts("self_evaluated", records={"evaluation": [_poor("e1", "2026-06-01", rectify_by="2026-09-30")]})
    assert states("R06-performance", g, D(2026, 10, 1)) == [R.OVERDUE]


def test_better_grade_after_rectification_closes_it_and_no_accountability():
    evals = [_poor("e1", "2026-06-01"), {"id": "e2", "grade": "fair", "evaluated_on": "2026-11-01"}]
    f = facts("post_evaluated", records={"evaluation": evals})
    assert states("R06-performance", f, D(2027, 1, 1)) == [R.DONE]
    assert run("R06-accountability", f, D(2027, 1, 1)) == []


def test_second_poor_after_rectification_calls_for_accountability_until_recorded():
    evals = [_poor("e1", "2026-06-01"), _poor("e2", "2026-11-01")]
    f = facts("post_evaluated", records={"evaluation": evals})
    assert states("R06-performance", f, D(2027, 1, 1)) == [R.DONE]   # re-evaluated: no second rectification
    [x] = run("R06-accountability", f, D(2027, 1, 1))
    assert x.state == R.VIOLATION and x.record_id == "e2" and "追究" in x.message
    # a measure decided before the second 差 does not count; one on or after it does
    f.records["sanction"] = [{"sanction_kind": "reprimand", "imposed_on": "2026-10-31"}]
    assert states("R06-accountability", f, D(2027, 1, 1)) == [R.VIOLATION]
    f.records["sanction"].append({"sanction_kind": "reprimand", "imposed_on": "2026-11-01"})
    [x] = run("R06-accountability", f, D(2027, 1, 1))
    assert x.state == R.DONE and "通报批评" in x.message


def test_go_live_is_recorded_and_moves_the_window(county):
    c = county
    p = B.accepted(c, on="2027-11-30")
    ops.transition(c.store, c.unit, p["id"], "go_live", today=D(2028, 3, 1))
    assert c.store.get("project", p["id"])["went_live_on"] == "2028-03-01"
    # 12 months after acceptance but not after go-live: refused, citing 第六条
    with pytest.raises(Refused) as e:
        ops.transition(c.store, c.unit, p["id"], "self_evaluate", B.evaluation("2029-02-28", 85),
                       today=D(2029, 2, 28))
    assert e.value.clause == "第六条" and "2029-03-01" in e.value.message
    ops.transition(c.store, c.unit, p["id"], "self_evaluate", B.evaluation("2029-03-01", 85), today=D(2029, 3, 1))


def test_poor_post_evaluation_then_poor_again_through_the_operations(county):
    c = county
    p = B.accepted(c, on="2027-11-30")
    ops.transition(c.store, c.unit, p["id"], "go_live", today=D(2027, 12, 1))
    ops.transition(c.store, c.unit, p["id"], "self_evaluate", B.evaluation("2029-01-10", 75), today=D(2029, 1, 10))
    ops.transition(c.store, c.county, p["id"], "post_evaluate", B.evaluation("2029-03-01", 55), today=D(2029, 3, 1))
    found = {f.rule_id: f for f in queries.check(c.store, D(2029, 3, 2), [p["id"]])}
    assert found["R06-performance"].due.day == D(2029, 9, 1) and "R06-accountability" not in found
    ops.add_record(c.store, c.county, "evaluation", p["id"], B.evaluation("2029-09-01", 58), today=D(2029, 9, 1))
    found = {f.rule_id: f for f in queries.check(c.store, D(2029, 9, 2), [p["id"]])}
    assert found["R06-accountability"].state == R.VIOLATION
