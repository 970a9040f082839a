"""Print timings of the printing layer (not a test).

    .venv/bin/python benchmarks/print_bench.py [--out DIR] [--bundled]

--out writes the sample PDFs there (to look at them: pdftoppm -png -r 60 F.pdf prefix).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.documents import FACES, FontRegistry, set_default_registry
from tests.documents.samples import form_sample, gongwen_sample


def timed(label: str, fn, repeat: int = 1):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<46} {best * 1000:8.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="write the sample PDFs to this folder")
    parser.add_argument("--bundled", action="store_true", help="ignore the PC's fonts")
    args = parser.parse_args()

    registry = timed("resolve fonts (first use, all faces)",
                     lambda: _resolve(FontRegistry.bundled() if args.bundled else FontRegistry.default()))
    set_default_registry(registry)
    for face in FACES:
        print(f"  {face:<9} -> {registry.primary(face).family} ({registry.primary(face).source.path})")

    docs = {
        "gongwen-3-pages": gongwen_sample(registry, extra_paragraphs=20),
        "form-200-rows": form_sample(registry, rows=200),
        "form-1000-rows": form_sample(registry, rows=1000),
        "form-landscape-200-rows": form_sample(registry, rows=200, landscape=True),
    }
    timed("prepare + glyph-check gongwen (3 pages)", lambda: gongwen_sample(registry, extra_paragraphs=20), 3)
    timed("prepare + glyph-check form (1000 rows)", lambda: form_sample(registry, rows=1000))
    for name, doc in docs.items():
        data = timed(f"build {name}", doc.build, 3)
        print(f"  {len(data) / 1024:.0f} KiB")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.pdf").write_bytes(data)

    def two_at_once():
        threads = [threading.Thread(target=docs[k].build) for k in ("gongwen-3-pages", "form-200-rows")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    timed("two builds from two threads (serialised)", two_at_once, 3)


def _resolve(registry: FontRegistry) -> FontRegistry:
    for face in FACES:
        registry.fonts(face)
    registry.fallback_fonts()
    return registry


if __name__ == "__main__":
    main()
