"""Migration 0014: the annual application round as a recorded act of the county office (第二条, 第十条).

One row per plan year: the day the office opened the round, the deadline copied from the policy profile
that day (as a review session keeps its sheet: a later change of the profile never moves a round already
announced), the 文号 / title of the notice it sent out, who opened it, and the day it closed 受理 (截止受理,
NULL while open). Written only by `operations.open_round` / `close_round` (models/authority.SETTINGS says
who). County-local: not exported in packages -- the units learn of the round from the notice itself, and
what travels is their applications.
"""

SQL = """
CREATE TABLE application_rounds (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    plan_year INTEGER NOT NULL UNIQUE,
    opened_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    notice TEXT,
    opened_by TEXT,
    closed_on TEXT,
    note TEXT
);
"""
