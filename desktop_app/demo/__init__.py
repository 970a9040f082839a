"""The demo county: 蒙阴县 with its departments, towns and a lively portfolio of projects.

    from desktop_app import demo
    stats = demo.generate(store, projects=120, seed=2018, today=date(2026, 11, 24))

Deterministic for a seed and `today`. Rows are written in bulk inside one transaction; every
project gets one audit entry (a received one also its 导入提交申报 step, the day 申报情况 shows; plus one
per organisation and one for the run), so the audit chain verifies afterwards. A sample of rows (all of them for small counties) is re-validated through
`services.operations.validate` before it is written.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable

from desktop_app.demo import vocab as V
from desktop_app.demo.sink import Sink, validate_row
from desktop_app.demo.story import Story, World
from desktop_app.demo.timeline import DAY, Clock
from desktop_app.errors import Refused
from desktop_app.lifecycle.machine import TRANSITIONS
from desktop_app.lifecycle.states import STATUSES, status_label
from desktop_app.lifecycle.workdays import WorkCalendar, add_months
from desktop_app.models.kinds import COUNTY
from desktop_app.services import audit, queries
from desktop_app.services import operations as ops

__all__ = ["STATUS_WEIGHTS", "generate"]

# Share of each status among the randomly drawn projects (a county some years into the policy).
STATUS_WEIGHTS = {
    "draft": 6, "submitted": 5, "under_review": 4, "revise": 3, "approved": 3, "rejected": 3, "planned": 5,
    "in_construction": 18, "suspended": 2, "acceptance_requested": 5, "accepted": 4, "failed": 2,
    "in_operation": 16, "self_evaluated": 10, "post_evaluated": 8, "terminated": 2,
}
FLUSH_EVERY = 500      # projects per bulk insert
# The demo county's signing key opens with this passphrase (shown in the README and the demo window).
DEMO_PASSPHRASE = "govis-demo-2026"
DEMO_PASSWORD = "govis-demo-2026"  # every demo account's login password (named in the README)
# one account per role inside the county office: (username, display name, role)
DEMO_USERS = (("jingban", "王经办", "clerk"), ("shenhe", "李审核", "reviewer"), ("shenji", "赵审计", "auditor"))
VALIDATE_ALL_UP_TO = 500  # counties this small get every row re-validated; larger ones a sample


def generate(store, projects: int = 120, seed: int = 2018, today: dt.date | None = None,
             progress: Callable[[int, int], None] | None = None) -> dict:
    """Fill `store` with a demo county; return statistics (units, projects, records, ...)."""
    started = time.perf_counter()
    today = today or dt.date.today()
    rng = random.Random(seed)
    with store.tx():  # one transaction: a cancelled run (progress raising) leaves the file untouched
        actor = _installation(store)
        orgs = _organisations(store, actor, rng)
        world = World(rng, Clock(rng, today), WorkCalendar.from_store(store), orgs["county"], orgs["finance"],
                      orgs["units"], lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)))
        counts = _projects(store, actor, world, projects, progress)
        counts["sessions"] = _review_sessions(store, actor, today, seed)
        counts["rounds"] = _application_rounds(store, actor, today, seed)
        # a demo county runs on a chosen date: --today stays allowed on it (never on a real database)
        store.set_setting("demo_today", today.isoformat())
        audit.append(store, actor, "演示数据生成", "demo", None, None,
                     f"演示数据生成：{len(orgs['units'])} 个建设单位，{projects} 个项目，{counts['records']} 条记录"
                     f"（随机种子 {seed}，基准日期 {today.isoformat()}）",
                     after={"seed": seed, "today": today.isoformat(), "projects": projects,
                            "by_status": dict(counts["by_status"])})
    queries.refresh_deadlines(store, today)
    _demo_key(store, actor)
    n_orgs = store.conn.execute("SELECT COUNT(*) FROM organisations").fetchone()[0]
    return {"units": n_orgs, "lead_units": len(orgs["units"]), "projects": projects,
            "records": counts["records"], "validated_rows": counts["validated"],
            "by_status": dict(counts["by_status"]), "review_sessions": counts["sessions"], "seconds": round(time.perf_counter() - started, 2)}


# ---- installation and organisations ----------------------------------------------------------

def _demo_key(store, actor) -> None:
    """A signing key, so the 数据交换 screen works in the demo as it does after a real set-up."""
    from desktop_app.exchange import keyring

    if not keyring.has_key(store):
        keyring.setup_keys(store, actor, DEMO_PASSPHRASE)


def _installation(store) -> ops.Actor:
    if not ops.is_initialised(store):
        code, name = V.COUNTY_OFFICE
        actor = ops.init_installation(store, COUNTY, code, name, admin_name="张管理",
                                      admin_password=DEMO_PASSWORD)
        for username, display, role in DEMO_USERS:
            ops.add_user(store, actor, username, role, display, DEMO_PASSWORD)
        return actor
    actor = ops.installation_actor(store)
    if actor.role != COUNTY:
        raise Refused("演示县数据只能生成到县政府办公室的数据库中，请指定一个新的数据库文件（--db）。")
    return actor


def _organisations(store, actor: ops.Actor, rng: random.Random) -> dict:
    """Register the finance bureau, audit, secrecy and every unit (reusing codes already present)."""
    existing = {r["code"]: r["id"] for r in store.all("SELECT code, id FROM organisations")}
    day = store.get_setting("demo_org_day") or "2018-08-20"
    ids = {}
    for code, name, role in [*V.OTHER_ORGS, *((c, n, "unit") for c, n, _, _ in V.UNITS)]:
        oid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if code in existing:
            ids[code] = existing[code]
            continue
        row = {"id": oid, "code": code, "name": name, "role": role,
               "short_name": name.removeprefix("蒙阴县"), "created_at": day + "T09:00:00+08:00",
               "updated_at": day + "T09:00:00+08:00"}
        store.insert("organisations", row)
        audit.append(store, actor, "演示数据生成", "organisation", oid, None, f"演示数据生成：登记单位 {name}", after=row)
        ids[code] = oid
    units = [{"id": ids[c], "code": c, "name": n, "prefix": p, "topics": t} for c, n, p, t in V.UNITS]
    return {"county": actor.org_id, "finance": ids["MYCZJ"], "units": units}


# ---- projects -----------------------------------------------------------------------------------

def _projects(store, actor, world: World, n: int, progress) -> dict:
    specs = _specs(world, n)
    prefix = store.get_setting("project_code_prefix", "MY")
    serial = _serials(store, prefix)
    stride = 1 if n <= VALIDATE_ALL_UP_TO else max(1, n // 300)
    sink, counts = Sink(), {"records": 0, "validated": 0, "by_status": Counter()}
    by_code = {u["code"]: u for u in world.units}
    for i, (status, spec) in enumerate(specs):
        unit = by_code[spec["unit"]] if "unit" in spec else world.rng.choice(world.units)
        story = Story(world, world.new_id(), unit, status, spec)
        created = story.run()
        year = story.tl.plan_year
        serial[year] += 1
        row = story.project_row(f"{prefix}-{year}-{serial[year]:03d}", created)
        rows = [("project", row), *story.rows]
        if i % stride == 0:
            for kind, r in rows:
                validate_row(kind, r)
            counts["validated"] += len(rows)
        for kind, r in rows:
            sink.add(kind, r)
        kinds = Counter(k for k, _ in story.rows)
        audit.append(store, actor, "演示数据生成", "project", row["id"], row["id"],
                     f"演示数据生成：项目 {row['code']} {row['name']} 及其 {len(story.rows)} 条记录",
                     after={"code": row["code"], "status": status, "records": dict(kinds)})
        if status != "draft":  # received from the unit in a package, as the county office's log keeps it
            _received(store, actor, row, unit, story.submitted)
        counts["records"] += len(rows)
        counts["by_status"][status] += 1
        if (i + 1) % FLUSH_EVERY == 0:
            sink.flush(store)
        if progress:
            progress(i + 1, n)
    sink.flush(store)
    return counts


def _received(store, actor, project: dict, unit: dict, day: dt.date) -> None:
    """The 提交申报 step as it reaches the county office in a unit's package (operations._audit with an
    Incoming): the day it was received is what 申报情况 and the 年度项目申报汇总表 show (第二条)."""
    label = TRANSITIONS["submit"].label
    audit.append(store, actor, f"导入{label}", "project", project["id"], project["id"],
                 f"{project['code']} {label}：{status_label('draft')} → {status_label('submitted')}"
                 f"（{unit['name']}填报，演示数据包）", before={"status": "draft"},
                 after={"status": "submitted", "on": day.isoformat()})


def _serials(store, prefix: str) -> Counter:
    serial: Counter = Counter()
    for (code,) in store.conn.execute("SELECT code FROM projects WHERE code LIKE ?", (f"{prefix}-%",)):
        parts = code.split("-")
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            serial[int(parts[1])] = max(serial[int(parts[1])], int(parts[2]))
    return serial


def _specs(world: World, n: int) -> list[tuple[str, dict]]:
    """The showcase first (every status and every notable situation), then random projects."""
    fixed = showcase(world.clock.today, world.cal)[:n]
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    drawn = world.rng.choices(statuses, weights, k=n - len(fixed))
    specs = fixed + [(s, _random_spec(world, s)) for s in drawn]
    assert set(STATUS_WEIGHTS) == set(STATUSES)
    return specs


def _random_spec(world: World, status: str) -> dict:
    today = world.clock.today
    if status in ("suspended", "terminated"):
        return {"plan_year": world.rng.choice((today.year - 2, today.year - 1))}
    return {}


def _workdays_before(cal: WorkCalendar, day: dt.date, n: int) -> dt.date:
    while n > 0:
        day -= DAY
        n -= cal.is_workday(day)[0]
    return day


def showcase(today: dt.date, cal: WorkCalendar) -> list[tuple[str, dict]]:
    """Projects every demo county has: one per status and one per situation the notice names."""
    y = today.year
    return [
        ("draft", {"complete": True}),
        ("draft", {"unit": "MYGAJ", "prohibited": V.PROHIBITED_PROJECTS[2], "unjustified": True, "complete": False}),
        ("draft", {"unit": "MYWJJ", "total_wan": 860, "no_om_estimate": True, "mlps_level": None, "complete": False}),
        ("submitted", {"unit": "MYGAJ", "classified": True, "secrecy_pending": True}),
        ("submitted", {"higher": False}),
        ("under_review", {}),
        ("revise", {}),
        ("approved", {}),
        ("rejected", {}),
        ("planned", {"unit": "MYYJJ", "higher": True, "filing_upcoming": True}),
        ("in_construction", {"unit": "MYJTJ", "recent_contract": True, "products": True, "total_wan": 420,
                             "plan_year": y if today.month >= 6 else y - 1, "cycle_months": 20}),
        ("in_construction", {"late_filing": True, "change": "major_unapproved", "total_wan": 260}),
        ("in_construction", {"ladder": True, "plan_year": y - 2, "cycle_months": 8, "explained": False,
                             "extension": False, "total_wan": 180}),
        ("in_construction", {"unit": "MYGAJ", "classified": True}),
        ("in_construction", {"unit": "MYDSJ", "prohibited": V.PROHIBITED_PROJECTS[0]}),
        ("in_construction", {"inspection": "upcoming"}),
        ("in_construction", {"unit": "MYSPJ", "higher": True, "co_build": True, "change": "major_approved",
                             "total_wan": 680}),
        ("in_construction", {"plan_year": y - 1, "cycle_months": 8, "explained": True, "extension": True,
                             "extension_to": today + DAY * 7, "extension_approved": 1}),
        ("in_construction", {"overspend": True, "change": "technical", "total_wan": 150}),
        ("in_construction", {"problem": True, "late_problem": True, "change": "major_pending", "total_wan": 320}),
        ("suspended", {"plan_year": y - 1}),
        ("acceptance_requested", {}),
        ("accepted", {"accepted_on": _workdays_before(cal, today, 3), "report_pending": True}),
        ("failed", {"rectify_by": today + DAY * 6}),
        ("in_operation", {"accepted_on": add_months(today, -24) + DAY * 5}),
        ("in_operation", {"accepted_on": add_months(today, -12) + DAY * 4, "mlps_level": "3", "tested": False,
                          "crypto": False}),
        ("in_operation", {"accepted_on": add_months(today, -3) + DAY * 6, "category": "new", "surplus": True,
                          "returned": False, "connected": True, "catalogued": True, "total_wan": 90}),
        ("self_evaluated", {}),
        ("post_evaluated", {"poor": True}),
        ("terminated", {"plan_year": y - 2}),
    ]


# ---- 第三条 centralised review sessions -------------------------------------------------------------

SESSION_FIELDS_OF_EXPERTS = ("信息系统", "数据共享", "网络安全", "财务预算", "电子政务")
PANEL = 3
SCORE_RANGE = {"pass": (78, 95), "revise": (60, 80), "reject": (40, 65)}


def _application_rounds(store, actor, today: dt.date, seed: int) -> int:
    """第二条: the county office opened each plan year's round in the spring before its deadline (notice
    numbered like a real one) and closed 受理 a working day or so after it; the year still receiving stays
    open. Rows as operations.open_round / close_round write them, with ids drawn from the seed."""
    from desktop_app.lifecycle.policy import load_profile
    from desktop_app.lifecycle.rules import application_deadline

    rng = random.Random(f"{seed}-application-rounds")
    profile = load_profile(store)
    recorded = {r["plan_year"] for r in store.all("SELECT plan_year FROM application_rounds")}
    years = [r["plan_year"] for r in store.all("SELECT DISTINCT plan_year FROM projects ORDER BY plan_year")
             if r["plan_year"] not in recorded]  # a demo added to a county keeps the rounds it recorded
    made = 0
    for year in years:
        deadline = application_deadline(year, profile)
        opened = deadline - dt.timedelta(days=rng.randint(90, 120))
        if opened > today:
            continue
        closed = deadline + dt.timedelta(days=rng.randint(1, 3)) if deadline < today else None
        if closed and closed > today:
            closed = None
        at = f"{opened.isoformat()}T09:00:00+08:00"
        store.insert("application_rounds", {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "owner_org": actor.org_id,
            "rev": 2 if closed else 1, "created_at": at,
            "updated_at": f"{closed.isoformat()}T17:00:00+08:00" if closed else at, "plan_year": year,
            "opened_on": opened.isoformat(), "deadline": deadline.isoformat(),
            "notice": f"蒙政办字〔{year - 1}〕{rng.randint(8, 40)}号", "opened_by": actor.user,
            "closed_on": closed.isoformat() if closed else None, "note": None})
        made += 1
    return made


def _session_rows(store, actor, rng, sheet, outlier_points: int, held: dt.date, method: str, title: str,
                  experts: list[tuple[str, str]], made: dt.date) -> tuple[str, list[str]]:
    sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    at = f"{made.isoformat()}T09:00:00+08:00"
    common = {"owner_org": actor.org_id, "rev": 1, "created_at": at, "updated_at": at}
    row = {"id": sid, **common, "title": title, "held_on": held.isoformat(), "venue": rng.choice(V.REVIEW_VENUES),
           "method": method, "sheet": sheet, "outlier_points": outlier_points}
    store.insert("review_sessions", row)
    ids = []
    for name, affiliation in experts:
        eid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        store.insert("review_experts", {"id": eid, **common, "session_id": sid, "name": name,
                                        "field": rng.choice(SESSION_FIELDS_OF_EXPERTS), "affiliation": affiliation})
        ids.append(eid)
    return sid, ids


def _score_rows(store, actor, rng, items, assignment: str, expert: str, outcome: str, opinion: str,
                day: dt.date, odd: bool = False) -> None:
    lo, hi = SCORE_RANGE[outcome]
    if odd:  # one expert far from the others, so the outlier flag shows in the demo
        lo, hi = max(0, lo - 30), max(10, lo - 18)
    at = f"{day.isoformat()}T15:00:00+08:00"
    scores = {i.name: rng.randint(lo, hi) for i in items}
    store.insert("review_scores", {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "owner_org": actor.org_id,
                                   "rev": 1, "created_at": at, "updated_at": at, "assignment_id": assignment,
                                   "expert_id": expert, "scores": json.dumps(scores, ensure_ascii=False),
                                   "opinion": opinion})


def _review_sessions(store, actor, today: dt.date, seed: int) -> int:
    """Two concluded sessions made of the demo's own reviews (those with a panel of three experts, on the
    day and in the way they were held: the experts' opinions become the panel's scores' opinions), and
    an open session today on applications under review, one fully scored and the others pending.
    Rows written directly like the rest of the demo, one audit entry per session."""
    from desktop_app.lifecycle import review_scoring as S
    from desktop_app.lifecycle.policy import load_profile

    rng = random.Random(f"{seed}-review-sessions")
    profile = load_profile(store)
    items = S.parse_sheet(profile.review_sheet)
    made = 0
    numbers: Counter = Counter((int(r["held_on"][:4]), r["method"])
                               for r in store.all("SELECT held_on, method FROM review_sessions"))

    def title(day: dt.date, method: str) -> str:
        numbers[day.year, method] += 1
        return f"{day.year}年第{numbers[day.year, method]}次{'专家论证会' if method == 'expert_panel' else '集中评审'}"

    # reviews with a panel of three, grouped by the day and way they were held (one pass, no index needed)
    taken = {r["review_id"] for r in store.all("SELECT review_id FROM review_assignments WHERE review_id IS NOT NULL")}
    held_as: dict[tuple[str, str], list[dict]] = {}
    for r in store.all("SELECT r.* FROM reviews r JOIN projects p ON p.id = r.project_id JOIN (SELECT review_id FROM "
                       "expert_opinions GROUP BY review_id HAVING COUNT(*) = ?) e ON e.review_id = r.id "
                       "ORDER BY p.code", (PANEL,)):
        if r["id"] not in taken:
            held_as.setdefault((r["reviewed_on"], r["method"]), []).append(r)
    groups = sorted(held_as.items(), key=lambda kv: (len(kv[1]), kv[0][0]), reverse=True)[:2]  # fullest, latest
    for (day, method), found in sorted(groups):
        held = dt.date.fromisoformat(day)
        reviews = found[:6]
        first = store.all("SELECT * FROM expert_opinions WHERE review_id = ? ORDER BY id", (reviews[0]["id"],))
        panel = [(o["expert_name"], o["affiliation"] or "") for o in first]
        if len({n for n, _ in panel}) < PANEL:
            continue
        sid, experts = _session_rows(store, actor, rng, profile.review_sheet, profile.review_outlier_points, held,
                                     method, title(held, method), panel, held - DAY * 7)
        for k, review in enumerate(reviews):
            aid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            at = f"{(held - DAY * 5).isoformat()}T10:00:00+08:00"
            store.insert("review_assignments", {"id": aid, "owner_org": actor.org_id, "rev": 2, "created_at": at,
                                                "updated_at": f"{held.isoformat()}T16:00:00+08:00",
                                                "session_id": sid, "project_id": review["project_id"],
                                                "review_id": review["id"]})
            opinions = store.all("SELECT * FROM expert_opinions WHERE review_id = ? ORDER BY id", (review["id"],))
            for n, (o, eid) in enumerate(zip(opinions, experts, strict=True)):
                # the review's opinions are the panel's: one name per expert across the session
                store.write("UPDATE expert_opinions SET expert_name = ?, affiliation = ? WHERE id = ?",
                            (panel[n][0], panel[n][1] or None, o["id"]))
                _score_rows(store, actor, rng, items, aid, eid, review["conclusion"], o["opinion"], held,
                            odd=(k == 0 and n == PANEL - 1))
        audit.append(store, actor, "演示数据生成", "review_session", sid, None,
                     f"演示数据生成：评审会（{held.isoformat()}，{len(reviews)}个项目，已形成结论）")
        made += 1

    waiting = store.all("SELECT id FROM projects WHERE status = 'under_review' ORDER BY code LIMIT 3")
    if waiting:
        panel = [(rng.choice(V.SURNAMES) + rng.choice(V.GIVEN), a)
                 for a in rng.sample(V.EXPERT_AFFILIATIONS, PANEL)]
        if len({n for n, _ in panel}) == PANEL:
            sid, experts = _session_rows(store, actor, rng, profile.review_sheet, profile.review_outlier_points,
                                         today, "central", title(today, "central"), panel, today - DAY * 7)
            for k, p in enumerate(waiting):
                aid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                at = f"{(today - DAY * 5).isoformat()}T10:00:00+08:00"
                store.insert("review_assignments", {"id": aid, "owner_org": actor.org_id, "rev": 1, "created_at": at,
                                                    "updated_at": at, "session_id": sid, "project_id": p["id"],
                                                    "review_id": None})
                # the first application scored by all (ready to conclude), the next by some, the last by none
                for eid in experts[:max(0, PANEL - 2 * k)]:
                    _score_rows(store, actor, rng, items, aid, eid, "pass", rng.choice(V.EXPERT_PASS), today)
            audit.append(store, actor, "演示数据生成", "review_session", sid, None,
                         f"演示数据生成：评审会（{today.isoformat()}，{len(waiting)}个项目，评分中）")
            made += 1
    return made
