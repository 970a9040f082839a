"""Migration 0003: the ledger's disbursed total joins the per-project cache, so the ledger query reads
one cache row per project instead of aggregating every disbursement each time."""

SQL = """
ALTER TABLE project_deadlines ADD COLUMN disbursed_fen INTEGER NOT NULL DEFAULT 0;
UPDATE settings SET value = '' WHERE key = 'deadlines_computed_for';
"""
