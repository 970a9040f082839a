"""Migration 0011: centralised review sessions (第三条) -- the county office's own records.

A session (date, venue, method) keeps the scoring sheet and outlier threshold it was held with, so a
later change of the policy profile never rewrites past scores. Its experts, the applications assigned
to it (a project may come back in a later session after 修改后重新评审: every round is kept, each
assignment pointing at the `reviews` row its conclusion wrote), and each expert's scores and opinion
per application. The conclusion itself is the project's `review` record (transition record_review)."""

SQL = """
CREATE TABLE review_sessions (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    venue TEXT NOT NULL,
    method TEXT NOT NULL,
    sheet TEXT NOT NULL,
    outlier_points INTEGER NOT NULL
);
CREATE TABLE review_experts (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES review_sessions(id),
    name TEXT NOT NULL,
    field TEXT,
    affiliation TEXT,
    UNIQUE (session_id, name)
);
CREATE TABLE review_assignments (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES review_sessions(id),
    project_id TEXT NOT NULL REFERENCES projects(id),
    review_id TEXT REFERENCES reviews(id)
);
CREATE INDEX review_assignments_project ON review_assignments(project_id);
CREATE TABLE review_scores (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    assignment_id TEXT NOT NULL REFERENCES review_assignments(id),
    expert_id TEXT NOT NULL REFERENCES review_experts(id),
    scores TEXT NOT NULL,
    opinion TEXT NOT NULL,
    UNIQUE (assignment_id, expert_id)
);
"""
