"""A comparable snapshot of every table, to prove a refused operation changed nothing."""


def snapshot(store) -> dict:
    tables = [r[0] for r in store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: sorted(tuple(r) for r in store.conn.execute(f"SELECT * FROM {t}")) for t in tables}
