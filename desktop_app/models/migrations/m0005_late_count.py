"""Migration 0005: the per-project cache also keeps how many obligations were met late (已完成（逾期）),
so the ledger shows them without running the rules; the cache is recomputed on the next read."""

SQL = """
ALTER TABLE project_deadlines ADD COLUMN late_done INTEGER NOT NULL DEFAULT 0;
UPDATE settings SET value = '' WHERE key = 'deadlines_computed_for';
"""
