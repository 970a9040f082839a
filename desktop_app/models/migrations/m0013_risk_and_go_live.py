"""Migration 0013: risk ratings confirmed by the county office, and the day a project went live.

* `risk_ratings`: one row per confirmation or override (the suggestion, its reasons as the program gave
  them that day, the level the county office set, the date and the note); the newest counts. Written
  only by `operations.rate_risk` (models/authority.RISK_RATING says who).
* `projects.went_live_on`: the self-evaluation window counts from the later of acceptance and go-live
  (第六条 竣工验收并投入使用或运营后). A project now 投入运行 took that step on its status date; one
  already evaluated keeps no go-live date, and its acceptance counts as before.
"""

SQL = """
ALTER TABLE projects ADD COLUMN went_live_on TEXT;
UPDATE projects SET went_live_on = status_since WHERE status = 'in_operation';
CREATE TABLE risk_ratings (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rated_on TEXT NOT NULL,
    suggested_level INTEGER NOT NULL CHECK (suggested_level BETWEEN 1 AND 5),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    reasons TEXT NOT NULL,
    note TEXT,
    rated_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX idx_risk_ratings_project ON risk_ratings(project_id, rated_on);
"""
