"""Exchange benchmarks: export of 1,000 demo projects with their records, and verify + preview + apply
on a separate finance installation, each beside plain openpyxl writing / reading the same rows.

    .venv/bin/python benchmarks/bench_exchange.py          # prints a table
    exchange_benchmarks() -> [(name, value, unit, target)]
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl

from desktop_app import demo
from desktop_app.exchange import export, importer, keyring, trust
from desktop_app.exchange.package import WORKBOOK_NAME
from desktop_app.models.store import Store
from desktop_app.services import operations as ops

PASS = "benchmark-passphrase"
TODAY = dt.date(2026, 11, 24)


def _setup(folder: Path, projects: int):
    county = Store.open(folder / "county.db")
    demo.generate(county, projects=projects, seed=2018, today=TODAY)
    c_actor = ops.installation_actor(county)
    if keyring.has_key(county):  # demo data made by a newer generator come with the county's signing key
        c_pass = demo.DEMO_PASSPHRASE
    else:
        keyring.setup_keys(county, c_actor, PASS)
        c_pass = PASS
    fin_org = county.one("SELECT * FROM organisations WHERE role='finance' LIMIT 1")
    # The receiving finance installation is fresh, so it does not hold the demo's finance-owned records
    # (which never travel back to their owner). Hand them to a second finance body so every record travels.
    ops.add_organisation(county, c_actor, "BENCHCZ2", "财政局（基准测试第二核算中心）", "finance")
    cz2 = county.one("SELECT id FROM organisations WHERE code='BENCHCZ2'")["id"]
    with county.tx():
        for (table,) in county.conn.execute("SELECT DISTINCT m.name FROM sqlite_master m, pragma_table_info(m.name) c "
                                            "WHERE m.type='table' AND c.name='owner_org'").fetchall():
            county.conn.execute(f"UPDATE {table} SET owner_org=? WHERE owner_org=?", (cz2, fin_org["id"]))
    finance = Store.open(folder / "finance.db")
    f_actor = ops.init_installation(finance, "finance", fin_org["code"], fin_org["name"],
                                    admin_password=demo.DEMO_PASSWORD)  # as the demo accounts: crash tests sign in
    keyring.setup_keys(finance, f_actor, PASS)
    trust.register_key(county, c_actor, keyring.export_public(finance, f_actor), keyring.own_verifier(finance).fingerprint)
    d = export.export_package(county, c_actor, c_pass, fin_org["code"], None, kind="directory").data
    importer.import_package(finance, f_actor, d, confirm_fingerprint=keyring.own_verifier(county).fingerprint)
    return county, c_actor, c_pass, finance, f_actor, fin_org["code"]


def _plain_write(sheets) -> tuple[float, bytes]:
    t = time.perf_counter()
    wb = openpyxl.Workbook()
    for spec, rows in sheets:
        if not rows:
            continue
        ws = wb.create_sheet(spec.name)
        keys = [c.key for c in spec.columns]
        ws.append(list(spec.headers))
        for r in rows:
            ws.append([r.get(k) for k in keys])
    out = io.BytesIO()
    wb.save(out)
    return time.perf_counter() - t, out.getvalue()


def _plain_read(data: bytes) -> float:
    t = time.perf_counter()
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    n = 0
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            n += 1
    wb.close()
    return time.perf_counter() - t


def exchange_benchmarks(projects: int = 1000) -> list[tuple[str, float, str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        county, c_actor, c_pass, finance, f_actor, fin_code = _setup(Path(tmp), projects)
        sheets, *_ = export.collect(county, c_actor, county.one("SELECT * FROM organisations WHERE code=?", (fin_code,)),
                                    everything=True)
        n_rows = sum(len(rows) for _, rows in sheets)
        t = time.perf_counter()
        res = export.export_package(county, c_actor, c_pass, fin_code, Path(tmp) / "pkg.zip", everything=True)
        t_export = time.perf_counter() - t
        t_plain_write, _ = _plain_write(sheets)
        t = time.perf_counter()
        pv = importer.preview(finance, f_actor, Path(tmp) / "pkg.zip")
        t_preview = time.perf_counter() - t
        t = time.perf_counter()
        importer.apply(finance, f_actor, pv)
        t_apply = time.perf_counter() - t
        from tests.exchange.helpers import members

        t_plain_read = _plain_read(members(res.data)[WORKBOOK_NAME])
        t_key = time.perf_counter()
        keyring.load_signer(county, c_pass)
        t_key = time.perf_counter() - t_key
        for s in (county, finance):
            s.close()
    total_in = t_preview + t_apply
    return [
        (f"export_{projects}_projects ({n_rows} rows, {len(res.data) // 1024} KiB)", round(t_export, 2), "s", 3.0),
        ("  of which: open private key (scrypt)", round(t_key, 2), "s", 0.5),
        ("  plain openpyxl write, same rows", round(t_plain_write, 2), "s", float("inf")),
        ("  export / plain write", round(t_export / t_plain_write, 2), "x", float("inf")),
        ("verify + preview", round(t_preview, 2), "s", float("inf")),
        ("apply (backup + one transaction + audit)", round(t_apply, 2), "s", float("inf")),
        (f"verify + preview + apply, {projects} projects", round(total_in, 2), "s", 5.0),
        ("  plain openpyxl read-only read, same workbook", round(t_plain_read, 2), "s", float("inf")),
        ("  import / plain read", round(total_in / t_plain_read, 2), "x", float("inf")),
    ]


def main() -> int:
    rows = exchange_benchmarks()
    print(f"{'benchmark':<58}{'value':>10}  unit  target  result")
    for name, value, unit, target in rows:
        verdict = "" if target == float("inf") else ("PASS" if value <= target else "SLOW")
        tgt = "" if target == float("inf") else f"{target:g}"
        print(f"{name:<58}{value:>10}  {unit:<4}  {tgt:<6}  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
