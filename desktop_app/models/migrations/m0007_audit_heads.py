"""Migration 0007: the audit chain held outside the file.

`audit_heads`: the audit head (entry count and last hash) each received package carried, one row per
package, written in the import's transaction; `warning` says when it does not extend the sender's
earlier heads. Two indexes let the 操作日志 screen filter 100,000 entries by user and operation."""

SQL = """
CREATE TABLE audit_heads (
    package_id TEXT PRIMARY KEY,
    sender_org TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 0),
    hash TEXT NOT NULL,
    received_at TEXT NOT NULL,
    warning TEXT
);
CREATE INDEX idx_audit_heads_sender ON audit_heads(sender_org, sequence);
CREATE INDEX idx_audit_actor ON audit_log(actor, seq);
CREATE INDEX idx_audit_operation ON audit_log(operation, seq);
"""
