"""The demo county: deterministic, every status, coherent records, a valid audit chain, lively checks."""

import datetime as dt

import pytest

from desktop_app import demo
from desktop_app.errors import Refused
from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.facts import load_facts
from desktop_app.lifecycle.states import BUILT, FUNDED, PRE_APPROVAL, STATUSES
from desktop_app.models.fields import DATE
from desktop_app.models.kinds import KINDS
from desktop_app.models.store import Store
from desktop_app.services import audit, queries
from desktop_app.services import operations as ops

TODAY = dt.date(2026, 11, 24)
N = 60
FUTURE_OK = {"planned_start", "planned_completion", "new_date", "rectify_by"}  # plans and deadlines


def event_dates(kind):
    return [f.name for f in kind.fields if f.type == DATE and f.name not in FUTURE_OK]


def make(path, seed=7, today=TODAY, n=N):
    store = Store.open(path)
    stats = demo.generate(store, projects=n, seed=seed, today=today)
    return store, stats


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    store, stats = make(tmp_path_factory.mktemp("demo") / "demo.db")
    yield store, stats
    store.close()


def test_same_seed_same_county(tmp_path):
    a, _ = make(tmp_path / "a.db")
    b, _ = make(tmp_path / "b.db")
    assert queries.ledger(a) == queries.ledger(b)
    fa = [f.as_dict() for f in queries.check(a, TODAY)]
    assert fa == [f.as_dict() for f in queries.check(b, TODAY)]
    c, _ = make(tmp_path / "c.db", seed=8)
    assert queries.ledger(c) != queries.ledger(a)


def test_stats_and_every_status_present(county):
    store, stats = county
    assert stats["projects"] == N and stats["units"] >= 32 and stats["lead_units"] >= 30
    present = {r["status"] for r in store.all("SELECT DISTINCT status FROM projects")}
    assert present == set(STATUSES)
    assert stats["validated_rows"] == stats["records"]  # small counties: every row re-validated


def test_audit_chain_verifies(county):
    store, _ = county
    assert audit.verify(store) == []
    n = store.conn.execute("SELECT COUNT(*) FROM audit_log WHERE record_kind='project' "
                           "AND operation='演示数据生成'").fetchone()[0]
    assert n == N
    # every application the county office has received carries the day it arrived (第二条, 申报情况)
    received = store.conn.execute("SELECT COUNT(*) FROM projects WHERE status != 'draft'").fetchone()[0]
    days = store.conn.execute("SELECT COUNT(*) FROM audit_log WHERE operation='导入提交申报' "
                              "AND json_extract(after, '$.on') IS NOT NULL").fetchone()[0]
    assert days == received > 0


def test_check_is_lively(county):
    store, _ = county
    findings = queries.check(store, TODAY)
    open_clauses = {f.clause for f in findings if f.open}
    assert len(open_clauses) >= 8, open_clauses
    states = {f.state for f in findings}
    assert {R.OVERDUE, R.UPCOMING, R.DONE} <= states
    upcoming_contract = [f for f in findings if f.rule_id == "R04-contract" and f.state == R.UPCOMING]
    assert upcoming_contract, "a contract signed days ago should be due for filing soon"


def test_project_rows_validate(county):
    store, _ = county
    kind = KINDS["project"]
    for p in store.all("SELECT * FROM projects"):
        raw = {f.name: p[f.name] for f in kind.fields}
        assert ops.validate(kind, raw) == raw, p["code"]


def test_every_row_validates_and_no_date_after_today(county):
    store, _ = county
    for kind in KINDS.values():
        dates = event_dates(kind)
        for row in store.all(f"SELECT * FROM {kind.table}"):
            raw = {f.name: row[f.name] for f in kind.fields}
            assert ops.validate(kind, raw) == raw
            for name in dates:
                assert row[name] is None or row[name] <= TODAY.isoformat(), (kind.name, name, row[name])


def test_status_matches_records(county):
    store, _ = county
    for f in load_facts(store):
        s = f.status
        passed = R.latest_review(f)
        accepted = R.passed_acceptance(f)
        if s in PRE_APPROVAL or s in ("approved", "rejected"):
            assert not f.of("funding") and not f.of("contract"), f.project["code"]
        if s in FUNDED:
            assert f.of("funding") and passed["conclusion"] == "pass", f.project["code"]
        if s in BUILT:
            assert accepted, f.project["code"]
        else:
            assert not accepted, f.project["code"]
        if s == "failed":
            assert f.of("acceptance_result")[-1]["conclusion"] == "fail"
        if s == "rejected":
            assert passed["conclusion"] == "reject"
        if s == "revise":
            assert passed["conclusion"] == "revise"
        if s in ("self_evaluated", "post_evaluated"):
            assert any(e["eval_kind"] == "self" for e in f.of("evaluation"))
        if s == "post_evaluated":
            assert any(e["eval_kind"] == "post" for e in f.of("evaluation"))
        if s == "terminated":
            assert any(x["sanction_kind"] == "terminate" for x in f.of("sanction"))
        if s != "draft":
            assert not R.missing_materials(f, R.PolicyProfile()) and f.of("consultation"), f.project["code"]
        if f.of("disbursement"):
            construction = sum(d["amount_fen"] for d in f.of("disbursement") if d["purpose"] == "construction")
            assert construction <= R.approved_funding_fen(f) + R.approved_increase_fen(f), f.project["code"]


@pytest.mark.parametrize("today", [dt.date(2025, 3, 10), dt.date(2026, 7, 15)])
def test_other_todays_stay_in_the_past(tmp_path, today):
    store, _ = make(tmp_path / "t.db", today=today, n=40)
    for kind in KINDS.values():
        for name in event_dates(kind):
            latest = store.conn.execute(f"SELECT MAX({name}) FROM {kind.table}").fetchone()[0]
            assert latest is None or latest <= today.isoformat(), (kind.name, name, latest)
    assert audit.verify(store) == []


def test_adds_to_an_existing_county_office_but_not_a_unit(tmp_path):
    store, _ = make(tmp_path / "twice.db", n=35)
    stats = demo.generate(store, projects=10, seed=9, today=TODAY)
    assert store.conn.execute("SELECT COUNT(*) FROM projects").fetchone()[0] == 45
    assert stats["units"] == store.conn.execute("SELECT COUNT(*) FROM organisations").fetchone()[0]
    assert audit.verify(store) == []
    unit = Store.open(tmp_path / "unit.db")
    ops.init_installation(unit, "unit", "MYJTJ", "蒙阴县教育和体育局")
    with pytest.raises(Refused):
        demo.generate(unit, projects=5, seed=1, today=TODAY)


def test_events_follow_each_other(county):
    store, _ = county
    for f in load_facts(store):
        code = f.project["code"]
        assert f.project["status_since"] <= TODAY.isoformat(), code
        reviews = [r["reviewed_on"] for r in f.of("review")]
        for funding in f.of("funding"):
            assert max(reviews) <= funding["decided_on"], code
            for c in f.of("contract"):
                assert funding["decided_on"] < c["signed_on"], code
            for d in f.of("disbursement"):
                assert funding["decided_on"] < d["paid_on"], code
        for res in f.of("acceptance_result"):
            assert min(a["applied_on"] for a in f.of("acceptance_application")) <= res["accepted_on"], code
        acc = R.passed_acceptance(f)
        for e in f.of("evaluation"):
            assert acc and e["evaluated_on"] >= (dt.date.fromisoformat(acc["accepted_on"])
                                                  + dt.timedelta(days=365)).isoformat(), code
        for finding in f.of("finding"):
            insp = next(i for i in f.of("inspection") if i["id"] == finding["inspection_id"])
            assert insp["inspected_on"] <= finding["rectify_by"], code
            assert finding["closed_on"] is None or finding["closed_on"] >= insp["inspected_on"], code
        for s in f.of("sanction"):
            if s["finding_id"]:
                finding = next(x for x in f.of("finding") if x["id"] == s["finding_id"])
                assert s["imposed_on"] > finding["rectify_by"], code


def test_progress_reports_and_cancel_writes_nothing(tmp_path):
    seen = []
    store = Store.open(tmp_path / "p.db")
    demo.generate(store, projects=5, seed=1, today=TODAY, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(i, 5) for i in range(1, 6)]

    class Cancelled(Exception):
        pass

    def cancel(done, total):
        if done == 3:
            raise Cancelled

    fresh = Store.open(tmp_path / "cancel.db")
    with pytest.raises(Cancelled):
        demo.generate(fresh, projects=10, seed=1, today=TODAY, progress=cancel)
    assert not ops.is_initialised(fresh)
    assert fresh.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 0


def test_the_demo_holds_review_sessions_concluded_and_open(county):
    from desktop_app.services import review_sessions as RS

    store, stats = county
    sessions = [RS.load(store, r["id"]) for r in RS.sessions(store)]
    assert stats["review_sessions"] == len(sessions) >= 2
    concluded = [s for s in sessions if s.applications and all(a.review for a in s.applications)]
    open_ = [s for s in sessions if any(a.review is None for a in s.applications)]
    assert concluded and len(open_) == 1
    for s in concluded:
        assert len(s.experts) == 3
        for a in s.applications:
            assert a.all_scored and a.review["reviewed_on"] == s.row["held_on"] and a.review["method"] == s.row["method"]
            # the review's expert opinions are the panel's, by name
            names = {o["expert_name"] for o in store.for_project("expert_opinion", a.project_id)
                     if o["review_id"] == a.review["id"]}
            assert names == {e["name"] for e in s.experts}
    assert any(a.panel.outliers for s in concluded for a in s.applications)
    pending = open_[0].applications
    assert pending[0].all_scored and not pending[-1].all_scored
    assert all(store.get("project", a.project_id)["status"] == "under_review" for a in pending)
