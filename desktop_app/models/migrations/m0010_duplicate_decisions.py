"""Migration 0010: the county office's finding on the duplicate-project check (第一条, 集约建设).

One table, `duplicate_decisions`: 重复 / 部分重复 / 无重复, the date, the similar projects' codes, the
reason and, for a project found 重复, the justification without which it may not be funded. Choices
are validated from models/kinds.py (no CHECK, as since m0009).
"""

SQL = """
CREATE TABLE duplicate_decisions (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    level TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    similar_codes TEXT,
    reason TEXT NOT NULL,
    justification TEXT
);
CREATE INDEX idx_duplicate_decisions_project ON duplicate_decisions(project_id);
"""
