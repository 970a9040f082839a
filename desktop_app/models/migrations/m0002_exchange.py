"""Migration 0002: signed USB packages -- own keys, trusted keys, packages, sequence marks."""

SQL = """
CREATE TABLE exchange_keys (
    fingerprint TEXT PRIMARY KEY,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL,
    envelope TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'retired')),
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE TABLE trusted_keys (
    fingerprint TEXT PRIMARY KEY,
    org_code TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    revoked_on TEXT,
    source TEXT NOT NULL CHECK (source IN ('form', 'directory', 'confirmed'))
);
CREATE INDEX idx_trusted_keys_org ON trusted_keys(org_code);
CREATE TABLE packages (
    id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
    kind TEXT NOT NULL,
    peer_org TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    state TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_name TEXT,
    counts TEXT NOT NULL,
    receipt TEXT,
    PRIMARY KEY (id, direction)
);
CREATE TABLE package_sequences (
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (sender, recipient)
);
CREATE TABLE exchange_sent (
    peer_org TEXT NOT NULL,
    item TEXT NOT NULL,
    version TEXT NOT NULL,
    PRIMARY KEY (peer_org, item)
)
"""
