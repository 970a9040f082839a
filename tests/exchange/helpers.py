"""Package surgery for the attack tests, and cheap 'database unchanged' fingerprints."""

from __future__ import annotations

import io
import json
import zipfile

from desktop_app.exchange.manifest import MANIFEST_NAME, SIGNATURE_NAME, sign_manifest
from desktop_app.exchange.signing import digest_hex
from tests.core.dbstate import snapshot


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def rezip(files: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def resign(data: bytes, signer, change=None, method=zipfile.ZIP_DEFLATED, **manifest_changes) -> bytes:
    """Re-sign a package after changing members (`change(files)`) -- a dishonest but trusted sender."""
    files = members(data)
    if change:
        change(files)
    manifest = json.loads(files[MANIFEST_NAME])
    manifest.update(manifest_changes)
    manifest["files"] = {n: digest_hex(b) for n, b in files.items() if n not in (MANIFEST_NAME, SIGNATURE_NAME)}
    manifest["signer"], manifest["algorithm"] = signer.fingerprint, signer.algorithm
    files[MANIFEST_NAME], files[SIGNATURE_NAME] = sign_manifest(manifest, signer)
    return rezip(files, method)


def quick_state(store) -> tuple:
    """Audit head + row counts of every table: cheap, and any write changes it."""
    tables = [r[0] for r in store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    counts = tuple(store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables)
    # a preview replays the package in a transaction it rolls back, so total_changes moves: compare the
    # content that edits would touch (every row's rev and updated_at, project statuses) instead
    revs = tuple(store.conn.execute(f"SELECT COALESCE(SUM(rev), 0), MAX(updated_at) FROM {t}").fetchone()
                 for t in tables if {"rev", "updated_at"} <= {c[1] for c in store.conn.execute(f"PRAGMA table_info({t})")})
    statuses = tuple(store.conn.execute("SELECT status, status_since FROM projects ORDER BY id").fetchall())
    return store.get_setting("audit_head"), counts, revs, statuses


full_state = snapshot
