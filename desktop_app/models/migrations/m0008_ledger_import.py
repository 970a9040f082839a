"""Migration 0008: projects brought in from the county office's old Excel ledger (台账).

One row per imported project: where it came from (file, sheet, row), who brought it in and when, the
ledger's 备注 as it stood, the values the import assumed because the ledger did not give them, and --
once someone has checked it against the paper file -- who reviewed it. While `reviewed_at` is empty the
project is shown as 由台账导入, and a later import of the ledger may still update it."""

SQL = """
CREATE TABLE ledger_imports (
    project_id TEXT PRIMARY KEY REFERENCES projects(id),
    source TEXT NOT NULL,
    sheet_row INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    remark TEXT,
    assumed TEXT,
    reviewed_at TEXT,
    reviewed_by TEXT
);
"""
