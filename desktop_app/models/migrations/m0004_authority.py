"""Migration 0004: the county office's and finance's facts become their own records.

* 县政府办公室同意申报意见, 延期验收审核意见 and 未按期完成说明审核意见 get tables of their own, owned by
  the county office (before, a unit could tick them on its own records);
* a change request may carry a new construction deadline or MLPS level (applied once approved);
* a disbursement names the budget year it is paid against (第八条);
* organisations remember the project-code prefix they use, so no unit numbers under another's.

Old columns (acceptance_extensions.approved, higher_level_filings.consent_*, rectifications.accepted)
stay in place with their values: nothing is lost, but the rules no longer read them. A consent the
county office itself had recorded moves to the new table; a unit's self-ticked approval does not.
"""

_UUID = ("lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
         "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
         "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))")


def _table(name: str, columns: str) -> str:
    return f"""
CREATE TABLE {name} (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    {columns}
);
CREATE INDEX idx_{name}_project ON {name}(project_id);
"""


SQL = (
    _table("upward_consents", "consent_on TEXT NOT NULL,\n    consent_no TEXT,\n    opinion TEXT")
    + _table("extension_decisions",
             "extension_id TEXT NOT NULL REFERENCES acceptance_extensions(id),\n"
             "    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),\n"
             "    decided_on TEXT NOT NULL,\n    opinion TEXT")
    + _table("delay_acceptances",
             "decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),\n"
             "    decided_on TEXT NOT NULL,\n    opinion TEXT")
    + f"""
ALTER TABLE change_requests ADD COLUMN new_planned_completion TEXT;
ALTER TABLE change_requests ADD COLUMN new_mlps_level TEXT CHECK (new_mlps_level IN ('1', '2', '3', '4'));
ALTER TABLE disbursements ADD COLUMN budget_year INTEGER;
UPDATE disbursements SET budget_year = COALESCE(
    (SELECT MIN(f.budget_year) FROM funding_decisions f WHERE f.project_id = disbursements.project_id),
    CAST(substr(paid_on, 1, 4) AS INTEGER));
ALTER TABLE organisations ADD COLUMN code_prefix TEXT;
INSERT INTO upward_consents (id, owner_org, rev, created_at, updated_at, project_id, consent_on, consent_no)
    SELECT {_UUID}, h.owner_org, 1, h.created_at, h.updated_at, h.project_id, h.consent_on, h.consent_no
    FROM higher_level_filings h JOIN organisations o ON o.id = h.owner_org
    WHERE h.consent_on IS NOT NULL AND o.role = 'county_office'
"""
)
