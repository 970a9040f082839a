"""Dates for one demo project: the plan year and the key events, coherent relative to `today`.

Built projects are planned backwards from their acceptance date; projects in construction forwards
from their plan year; pre-approval projects sit in the current application season.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from desktop_app.lifecycle.workdays import add_months

D = dt.date
DAY = dt.timedelta(days=1)

PRE = ("draft", "submitted", "under_review", "revise", "approved", "rejected", "planned")
ONGOING = ("in_construction", "suspended", "terminated")
FINISHED = ("acceptance_requested", "failed", "accepted", "in_operation", "self_evaluated", "post_evaluated")


@dataclass
class Timeline:
    plan_year: int
    planned_start: D
    planned_completion: D
    start: D | None = None        # construction actually started
    completed: D | None = None    # construction finished
    applied: D | None = None      # acceptance applied for
    accepted: D | None = None     # acceptance meeting (pass or fail)


class Clock:
    """Random dates that never pass `today`."""

    def __init__(self, rng: random.Random, today: D):
        self.rng, self.today = rng, today

    def cap(self, day: D) -> D:
        return min(day, self.today)

    def between(self, a: D, b: D) -> D:
        """A random day in [a, b], capped at today."""
        b = max(b, a)
        return self.cap(a + DAY * self.rng.randint(0, (b - a).days))

    def after(self, day: D, lo: int, hi: int) -> D:
        return self.cap(day + DAY * self.rng.randint(lo, hi))

    def months_back(self, lo: int, hi: int) -> D:
        """A day between `hi` and `lo` months before today."""
        return self.between(add_months(self.today, -hi), add_months(self.today, -lo))


def month_end(day: D) -> D:
    return add_months(D(day.year, day.month, 1), 1) - DAY


def season_year(today: D) -> int:
    """The plan year whose application season is current (applications due 31 August before it)."""
    return today.year + 1 if today.month >= 7 else today.year


def plan(clock: Clock, status: str, spec: dict) -> Timeline:
    if status in PRE:
        return _pre(clock, status)
    if status in ONGOING:
        return _ongoing(clock, status, spec)
    return _finished(clock, status, spec)


def _pre(clock: Clock, status: str) -> Timeline:
    y = clock.today.year + 1 if status == "draft" else season_year(clock.today)
    start = D(y, clock.rng.randint(2, 5), 1)
    return Timeline(y, start, month_end(add_months(start, clock.rng.randint(8, 16))))


def _ongoing(clock: Clock, status: str, spec: dict) -> Timeline:
    t, rng = clock.today, clock.rng
    years = [t.year - 2, t.year - 1, t.year]
    y = spec.get("plan_year") or rng.choices(years, weights=(15, 40, 45))[0]
    latest = t - DAY * 60
    while D(y, 2, 1) > latest:
        y -= 1
    ps = D(y, rng.randint(2, 5), 1)
    if ps > latest:
        ps = D(y, 2, 1)
    start = clock.between(ps, min(ps + DAY * 25, latest))
    months = spec.get("cycle_months") or rng.randint(8, 20)
    if status == "in_construction" and "cycle_months" not in spec and rng.random() < 0.8:  # mostly on time
        while month_end(add_months(ps, months)) < t:
            months += 6
    return Timeline(y, ps, month_end(add_months(ps, months)), start=start)


def _finished(clock: Clock, status: str, spec: dict) -> Timeline:
    rng = clock.rng
    accepted = spec.get("accepted_on")
    if accepted is None:
        lo, hi = {"failed": (0, 3), "accepted": (0, 1), "in_operation": (2, 25),
                  "self_evaluated": (13, 40), "post_evaluated": (26, 52)}.get(status, (0, 0))
        accepted = clock.months_back(lo, hi) if status != "acceptance_requested" else None
        if accepted is not None and accepted >= clock.today:
            accepted = clock.today - DAY * rng.randint(1, 5)
    applied = (accepted - DAY * rng.randint(10, 35)) if accepted else clock.between(
        clock.today - DAY * 60, clock.today - DAY)
    completed = applied - DAY * rng.randint(3, 30)
    late = rng.random() < 0.15
    pc = month_end(completed - DAY * rng.randint(60, 150)) if late else month_end(completed + DAY * rng.randint(0, 25))
    months = rng.randint(8, 18)
    ps = D(add_months(pc, -months).year, add_months(pc, -months).month, 1)
    floor = D(clock.today.year - 5, 2, 1)
    ps = max(ps, floor)
    start = ps + DAY * rng.randint(0, 20)
    if start > completed - DAY * 120:  # keep a believable construction period
        start = completed - DAY * 120
        ps = D(start.year, start.month, 1)
    return Timeline(ps.year, ps, max(pc, month_end(ps + DAY * 180)), start=start, completed=completed,
                    applied=applied, accepted=accepted)
