"""The county office's annual round (第二条): what has been received for one plan year, read only.

Every unit applies by the deadline of the policy profile (8月31日 of the year before the plan year) for
next year's projects; the county office wants to see, for that year, every application received with its
materials, whether the e-gov centre was consulted, which came in late, and which units have not applied.
The round itself is a recorded act of the county office (table application_rounds, operations.open_round /
close_round): when one is recorded for the year, its deadline (copied from the profile when it was opened)
is the one late applications are measured against; otherwise the profile's deadline is shown and the round
reads 尚未开启.
The date an application was received is the day of its 提交申报 (or 修改后重新提交) step, which the
operations write into that step's audit entry (`after.on`); the audit chain is the only place that
keeps it once the project has moved on.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field

from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.facts import load_facts
from desktop_app.lifecycle.machine import TRANSITIONS
from desktop_app.lifecycle.policy import load_profile
from desktop_app.lifecycle.states import status_label

# the steps by which an application reaches the county office (locally or replayed from a package)
SUBMIT_LABELS = (TRANSITIONS["submit"].label,)
RESUBMIT_LABELS = (TRANSITIONS["resubmit"].label,)
DUPLICATE_TEXT = {"duplicate": "疑似重复", "partial": "部分重复", "none": "—"}


@dataclass
class Application:
    code: str
    name: str
    unit: str
    status: str
    status_text: str
    total_investment_fen: int
    submitted_on: str | None          # first received (提交申报), ISO date; None: not yet submitted (草稿)
    resubmitted_on: str | None        # last 修改后重新提交, if any
    late_days: int                    # calendar days after the deadline (0: on time)
    missing: list[str] = field(default_factory=list)  # 申请材料 still missing
    consulted_on: str | None = None   # 电子政务中心咨询: the earliest consultation
    # 第一条 集约建设: the most similar project held here (its suggested level and code) and the county
    # office's latest recorded finding (重复 / 部分重复 / 无重复; "" while none is recorded)
    duplicate_level: str = "none"
    duplicate_of: str = ""
    duplicate_decision: str = ""
    # 第二条: received after the county office recorded 截止受理 (closed early, with its reason, or a package
    # that arrived after closing) -- on time by the deadline, yet outside the round the office announced
    after_close: bool = False

    @property
    def duplicate_text(self) -> str:
        return DUPLICATE_TEXT[self.duplicate_level]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def late(self) -> bool:
        return self.late_days > 0

    @property
    def timing_text(self) -> str:
        """是否逾期 as the 申报情况 view, the command and the 汇总表 say it."""
        if self.late:
            return f"逾期{self.late_days}天"
        return "截止受理后收到" if self.after_close else "按期"


@dataclass
class Round:
    year: int
    deadline: dt.date                 # the recorded round's, else the policy profile's
    is_open: bool                     # still receiving on `today`: deadline not passed and not closed early
    applications: list[Application]   # received (submitted), by code
    drafts: list[Application]         # held here but not submitted (a unit's own PC)
    units_without: list[str]          # units with no application received for the year
    recorded: bool = False            # the county office opened this round (application_rounds)
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None  # 截止受理 recorded
    notice: str | None = None         # 文号 / title of the office's notice
    note: str | None = None
    past_deadline: bool = False       # `today` is after the deadline

    @property
    def state_text(self) -> str:
        """The round as the county office's clerk says it."""
        if not self.recorded:
            return f"尚未开启（按政策参数，截止日期{self.deadline.isoformat()}）"
        if self.closed_on:
            return f"已截止受理（{self.opened_on.isoformat()}开启，{self.closed_on.isoformat()}截止受理）"
        text = f"已开启（{self.opened_on.isoformat()}开启，截止{self.deadline.isoformat()}）"
        return text + ("，已过截止日期，尚未截止受理" if self.past_deadline else "")

    @property
    def late(self) -> list[Application]:
        return [a for a in self.applications if a.late]

    @property
    def after_close(self) -> list[Application]:
        return [a for a in self.applications if a.after_close and not a.late]

    @property
    def incomplete(self) -> list[Application]:
        return [a for a in self.applications if not a.complete]

    @property
    def unconsulted(self) -> list[Application]:
        return [a for a in self.applications if not a.consulted_on]

    def as_dict(self) -> dict:
        def app(a: Application) -> dict:
            return {**asdict(a), "complete": a.complete, "late": a.late, "duplicate_text": a.duplicate_text,
                    "timing": a.timing_text}
        def day(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None
        return {"year": self.year, "deadline": self.deadline.isoformat(), "open": self.is_open,
                "recorded": self.recorded, "opened_on": day(self.opened_on), "closed_on": day(self.closed_on),
                "notice": self.notice, "note": self.note, "state": self.state_text,
                "applications": [app(a) for a in self.applications], "drafts": [app(a) for a in self.drafts],
                "units_without_application": self.units_without}


def open_year(store, today: dt.date) -> int:
    """The plan year whose applications are being received on `today` (rules.open_plan_year)."""
    return R.open_plan_year(today, load_profile(store))


def submission_days(store, project_ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """project id -> (first 提交申报 day, last 修改后重新提交 day), from the steps' audit entries."""
    if not project_ids:
        return {}
    labels = SUBMIT_LABELS + RESUBMIT_LABELS
    ops = [*labels, *(f"导入{x}" for x in labels)]
    marks = ",".join("?" for _ in project_ids)
    rows = store.all(f"SELECT project_id, operation, at, after FROM audit_log WHERE record_kind='project' "
                     f"AND project_id IN ({marks}) AND operation IN ({','.join('?' for _ in ops)}) ORDER BY seq",
                     (*project_ids, *ops))
    out: dict[str, tuple[str | None, str | None]] = {}
    for r in rows:
        try:
            after = json.loads(r["after"] or "{}")
        except ValueError:
            after = {}
        if after.get("status") != "submitted":
            continue
        day = after.get("on") or (r["at"] or "")[:10]  # entries before 0.3 carry no day: the write's date
        first, last = out.get(r["project_id"], (None, None))
        if r["operation"].removeprefix("导入") in SUBMIT_LABELS:
            first = first or day
        else:
            last = day
        out[r["project_id"]] = (first, last)
    return out


def annual_round(store, year: int, today: dt.date) -> Round:
    profile = load_profile(store)
    recorded = store.one("SELECT * FROM application_rounds WHERE plan_year=?", (year,))
    deadline = dt.date.fromisoformat(recorded["deadline"]) if recorded else R.application_deadline(year, profile)
    projects = store.all("SELECT id FROM projects WHERE plan_year=? ORDER BY code", (year,))
    ids = [p["id"] for p in projects]
    facts = load_facts(store, ids, kinds=("material", "investment_history", "consultation", "co_builder")) if ids else []
    units = {o["id"]: o for o in store.all("SELECT id, name, role FROM organisations")}
    days = submission_days(store, ids)
    received, drafts = [], []
    rows_of: dict[str, dict] = {}  # code -> project row, for the duplicate check
    for f in facts:
        p = f.project
        rows_of[p["code"]] = p
        first, last = days.get(p["id"], (None, None))
        if first is None and p["status"] != "draft":
            first = p.get("status_since") if p["status"] == "submitted" else None
        late = (dt.date.fromisoformat(first) - deadline).days if first else 0
        consulted = min((c["consulted_on"] for c in f.of("consultation") if c.get("consulted_on")), default=None)
        app = Application(p["code"], p["name"], units.get(p["lead_org_id"], {}).get("name", ""), p["status"],
                          status_label(p["status"]), p["total_investment_fen"], first, last, max(late, 0),
                          R.missing_materials(f, profile), consulted)
        (drafts if p["status"] == "draft" else received).append(app)
    _duplicates(store, rows_of, received, profile)
    applied = _leads_received(store, year)
    without = sorted(o["name"] for o in units.values() if o["role"] == "unit" and o["id"] not in applied)
    if not recorded:
        return Round(year, deadline, today <= deadline, received, drafts, without, past_deadline=today > deadline)
    closed = dt.date.fromisoformat(recorded["closed_on"]) if recorded["closed_on"] else None
    for a in received:
        a.after_close = bool(closed and a.submitted_on and a.submitted_on > closed.isoformat())
    return Round(year, deadline, today <= deadline and not (closed and closed <= today), received, drafts, without,
                 True, dt.date.fromisoformat(recorded["opened_on"]), closed, recorded["notice"], recorded["note"],
                 today > deadline)


def _duplicates(store, rows_of: dict[str, dict], received: list[Application], profile) -> None:
    """第一条: each received application's most similar project held here, and the recorded finding."""
    from desktop_app.services import similarity_batch

    if not received:
        return
    rows = [rows_of[a.code] for a in received]
    best = similarity_batch.best_levels(store, rows, profile)
    decided = similarity_batch.decision_recorded(store, [p["id"] for p in rows])
    for a, p in zip(received, rows):
        c = best.get(p["id"])
        if c is not None:
            a.duplicate_level, a.duplicate_of = c.level, (c.code if c.level != "none" else "")
        a.duplicate_decision = similarity_batch.S.LEVELS.get(decided.get(p["id"]), "")


def _leads_received(store, year: int) -> set[str]:
    return {r["lead_org_id"] for r in store.all(
        "SELECT DISTINCT lead_org_id FROM projects WHERE plan_year=? AND status != 'draft'", (year,))}
