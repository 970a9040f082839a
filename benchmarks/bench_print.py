"""Printing benchmarks over filled documents, and the sample page images in docs/print-samples.

    .venv/bin/python benchmarks/bench_print.py               # print the benchmark rows
    .venv/bin/python benchmarks/bench_print.py --samples docs/print-samples

`print_benchmarks()` returns rows (name, value, unit, target) for benchmarks/run.py.
Uses the demo county (desktop_app.demo) and the bundled fonts, so figures do not depend on the PC.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.documents import FontRegistry, filled, set_default_registry
from desktop_app.documents.fonts import FANGSONG, HEI
from desktop_app.models.store import Store

TODAY = dt.date(2026, 11, 24)
LEDGER_HEADERS = ["序号", "项目编号", "项目名称", "建设单位", "年度", "状态", "总投资（万元）", "已拨付（万元）", "下一期限", "逾期"]


def demo_store(folder: str | Path, projects: int, seed: int = 2018) -> Store:
    from desktop_app import demo

    store = Store.open(Path(folder) / f"demo-{projects}.db")
    demo.generate(store, projects=projects, seed=seed, today=TODAY)
    return store


def _best(times: list[float]) -> float:
    return min(times)


def _timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return _best(times)


def bare_reportlab_ledger(store: Store, registry: FontRegistry) -> bytes:
    """The same ledger rows through plain ReportLab: SimpleDocTemplate + Table, one registered TTF."""
    import io

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from desktop_app.documents.amounts import wan_str
    from desktop_app.services import queries

    body_font, head_font = registry.primary(FANGSONG).name, registry.primary(HEI).name
    cell = ParagraphStyle("cell", fontName=body_font, fontSize=10.5, leading=14, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontName=head_font)
    rows = queries.ledger(store)
    data = [[Paragraph(h, head) for h in LEDGER_HEADERS]]
    for i, r in enumerate(rows, 1):
        data.append([Paragraph(str(x), cell) for x in (
            i, r["code"], r["name"], r["unit"], r["plan_year"], r["status_label"], wan_str(r["total_investment_fen"]),
            wan_str(r["disbursed_fen"]), r["next_due"] or "", "是" if r["overdue"] else "")])
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=20 * mm, bottomMargin=20 * mm)
    width = landscape(A4)[0] - 40 * mm
    weights = [0.7, 2, 4.2, 3, 0.9, 1.6, 1.6, 1.6, 2.6, 0.8]
    t = Table(data, colWidths=[width * w / sum(weights) for w in weights], repeatRows=1)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, "black"), ("FONTNAME", (0, 0), (-1, -1), body_font)]))
    doc.build([t])
    return buf.getvalue()


def print_benchmarks(folder: str | Path | None = None) -> list[tuple[str, float, str, float | None]]:
    """Rows (name, value, unit, target) for the benchmarks runner; target None = for reference only
    (lower is better; a row passes when value <= target)."""
    registry = FontRegistry.bundled()
    set_default_registry(registry)
    own = folder is None
    tmp = tempfile.TemporaryDirectory() if own else None
    folder = Path(tmp.name if tmp else folder)
    try:
        small = demo_store(folder, 120)
        code = small.one("SELECT code FROM projects WHERE status='post_evaluated' ORDER BY code LIMIT 1")["code"]
        filled.render(small, "application", project=code, today=TODAY)  # warm: fonts loaded, caches filled
        app_s = _timed(lambda: filled.render(small, "application", project=code, today=TODAY), 5)
        small.close()

        big = demo_store(folder, 500)
        filled.render(big, "ledger", today=TODAY)  # deadlines cache computed once, as the CLI would
        ledger_s = _timed(lambda: filled.render(big, "ledger", today=TODAY), 3)
        bare_s = _timed(lambda: bare_reportlab_ledger(big, registry), 3)
        big.close()
    finally:
        set_default_registry(None)
        if tmp:
            tmp.cleanup()
    return [
        ("项目申请表（单份，预热后）", round(app_s * 1000, 1), "ms", 150.0),
        ("项目台账（500个项目）", round(ledger_s, 2), "s", 3.0),
        ("同一台账：裸ReportLab（SimpleDocTemplate+Table）", round(bare_s, 2), "s", None),
        ("台账耗时比（本版面层/裸ReportLab）", round(ledger_s / bare_s, 2), "x", None),
    ]


# ---------------------------------------------------------------- sample images


def _sample_project(store: Store, doc) -> tuple[str | None, str | None]:
    """A demo project that shows the document well (richest record of its kind)."""
    from desktop_app.models.kinds import KINDS

    if doc.needs == "project":
        row = store.one("SELECT code FROM projects WHERE status='post_evaluated' ORDER BY code LIMIT 1")
        return row["code"], None
    if doc.needs == "session":  # a project of the demo's fullest concluded session
        row = store.one("SELECT p.code FROM review_assignments a JOIN projects p ON p.id = a.project_id "
                        "WHERE a.session_id = (SELECT session_id FROM review_assignments WHERE review_id IS NOT NULL "
                        "GROUP BY session_id ORDER BY COUNT(*) DESC, session_id LIMIT 1) ORDER BY p.code LIMIT 1")
        return row and row["code"], None
    if doc.needs != "record":
        return None, None
    table = KINDS[doc.record_kind].table
    extra = {
        "review": "(SELECT COUNT(*) FROM expert_opinions e WHERE e.review_id = r.id)",
        "inspection": "(SELECT COUNT(*) FROM findings f WHERE f.inspection_id = r.id)",
        "change_request": "(SELECT COUNT(*) FROM change_decisions d WHERE d.change_request_id = r.id)",
        "higher_level_filing": "(r.consent_on IS NOT NULL)",
        "evaluation": "(r.eval_kind = 'self') * 10 + LENGTH(COALESCE(r.indicators, '')) / 10",
    }.get(doc.record_kind, "LENGTH(p.name)")
    row = store.one(f"SELECT p.code, r.id FROM {table} r JOIN projects p ON p.id = r.project_id "
                    f"ORDER BY {extra} DESC, p.code LIMIT 1")
    return row and (row["code"], row["id"])


def write_samples(out: Path, store: Store) -> list[Path]:
    """Render every kind at 60 dpi: the first 2 pages per kind, and the last page."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in filled.DOCUMENTS.values():
            for old in glob.glob(str(out / f"{doc.code}-*.png")):
                if Path(old).stem[len(doc.code) + 1:].isdigit():
                    os.remove(old)
            pdf = Path(tmp) / f"{doc.code}.pdf"
            year = 2027 if doc.needs == "year" else None  # the ledger: every project, many pages
            code, record = _sample_project(store, doc)
            filled.render(store, doc.code, project=code, record_id=record, year=year, today=TODAY, target=pdf)
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
            pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
            wanted = [1, 2] if pages > 1 else [1]
            if pages > 2:  # the last page: where the signing blocks are
                wanted.append(pages)
            for n in wanted:
                target = out / f"{doc.code}-{n}"
                subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(n), "-l", str(n), "-singlefile",
                                str(pdf), str(target)], check=True)
                target = target.with_suffix(".png")
                written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=Path, help="write sample page images (PNG, 60 dpi) to this folder")
    args = parser.parse_args()
    if args.samples:
        set_default_registry(FontRegistry.bundled())
        with tempfile.TemporaryDirectory() as tmp:
            store = demo_store(tmp, 200)
            for path in write_samples(args.samples, store):
                print(path)
            store.close()
        return
    for name, value, unit, target in print_benchmarks():
        goal = "参照" if target is None else f"<= {target:g} {unit}"
        print(f"{name:<40} {value:>10} {unit:<3} 目标 {goal}")


if __name__ == "__main__":
    main()
