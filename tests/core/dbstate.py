"""A comparable snapshot of every table, to prove a refused operation changed nothing."""


# kept by the file's upkeep, not by any operation: when the weekly full integrity check last passed
UPKEEP_SETTINGS = ("integrity_full_checked_on",)


def snapshot(store) -> dict:
    tables = [r[0] for r in store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    out = {t: sorted(tuple(r) for r in store.conn.execute(f"SELECT * FROM {t}")) for t in tables}
    out["settings"] = [r for r in out.get("settings", []) if r[0] not in UPKEEP_SETTINGS]
    return out
