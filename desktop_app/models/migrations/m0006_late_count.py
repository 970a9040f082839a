"""Migration 0006: the per-project cache also keeps how many obligations were met late (已完成（逾期）),
so the ledger shows them without running the rules; the cache is recomputed on the next read.

Version 6, not 4: versions 4 and 5 belong to a concurrent branch; `Store.migrate` applies any
version a file lacks, in order, so the numbers may land in either order."""

SQL = """
ALTER TABLE project_deadlines ADD COLUMN late_done INTEGER NOT NULL DEFAULT 0;
UPDATE settings SET value = '' WHERE key = 'deadlines_computed_for';
"""
