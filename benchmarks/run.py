"""Benchmarks over a generated demo county. Not tests: they measure, print, and exit 0.

    .venv/bin/python benchmarks/run.py                 # table, 10,000 projects
    .venv/bin/python benchmarks/run.py --json          # JSON rows
    .venv/bin/python benchmarks/run.py --only ledger --only check --projects 2000
    .venv/bin/python benchmarks/run.py --only check --profile   # cProfile top functions too

Add a row: write `def bench_x(env) -> Measurement` and decorate it with `@benchmark("x", "说明")`.
`env.store()` opens the shared database (generated once, untimed, if no earlier row made it).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from desktop_app import demo
from desktop_app.models.store import Store
from desktop_app.services import audit, queries

TODAY = dt.date(2026, 11, 24)


@dataclass
class Measurement:
    name: str
    value: float
    unit: str
    target: float  # lower is better; PASS when value <= target

    @property
    def ok(self) -> bool:
        return self.value <= self.target


@dataclass
class Benchmark:
    name: str
    label: str
    fn: Callable[[Env], Measurement]


BENCHMARKS: list[Benchmark] = []


def benchmark(name: str, label: str):
    def register(fn):
        BENCHMARKS.append(Benchmark(name, label, fn))
        return fn
    return register


class Env:
    """A temp directory holding one demo county of `projects` projects."""

    def __init__(self, workdir: Path, projects: int, seed: int, repeat: int):
        self.workdir, self.projects, self.seed, self.repeat = workdir, projects, seed, repeat
        self.path = workdir / "bench.db"
        self._store: Store | None = None

    def generate(self, path: Path) -> dict:
        store = Store.open(path)
        try:
            return demo.generate(store, projects=self.projects, seed=self.seed, today=TODAY)
        finally:
            store.close()

    def store(self) -> Store:
        if self._store is None:
            if not self.path.exists():
                self.generate(self.path)
            self._store = Store.open(self.path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


# ---- the rows ------------------------------------------------------------------------------------

@benchmark("generate", "生成演示县数据")
def bench_generate(env: Env) -> Measurement:
    env.close()
    env._store = None
    for suffix in ("", "-wal", "-shm"):
        Path(str(env.path) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    env.generate(env.path)
    return Measurement("generate", time.perf_counter() - t0, "s", 60.0)


@benchmark("open", "打开数据库")
def bench_open(env: Env) -> Measurement:
    env.store()  # make sure the file exists

    def once():
        Store.open(env.path).close()
    return Measurement("open", statistics.median(timed(once, max(5, env.repeat))) * 1000, "ms", 100.0)


@benchmark("ledger", "台账查询（queries.ledger）")
def bench_ledger(env: Env) -> Measurement:
    store = env.store()
    queries.ledger(store)  # warm the page cache
    return Measurement("ledger", statistics.median(timed(lambda: queries.ledger(store), max(5, env.repeat))) * 1000,
                       "ms", 100.0)


@benchmark("check", "全县义务检查（queries.check）")
def bench_check(env: Env) -> Measurement:
    store = env.store()
    return Measurement("check", statistics.median(timed(lambda: queries.check(store, TODAY), env.repeat)), "s", 3.0)


@benchmark("refresh", "刷新台账期限缓存（refresh_deadlines）")
def bench_refresh(env: Env) -> Measurement:
    store = env.store()
    return Measurement("refresh", statistics.median(
        timed(lambda: queries.refresh_deadlines(store, TODAY), env.repeat)), "s", 4.0)


@benchmark("audit", "操作日志校验（audit.verify）")
def bench_audit(env: Env) -> Measurement:
    store = env.store()
    return Measurement("audit", statistics.median(timed(lambda: audit.verify(store), env.repeat)), "s", 2.0)


# ---- running and printing ---------------------------------------------------------------------------

def run(names: list[str] | None, projects: int, seed: int, repeat: int, profile: bool) -> list[dict]:
    chosen = [b for b in BENCHMARKS if not names or b.name in names]
    unknown = set(names or ()) - {b.name for b in BENCHMARKS}
    if unknown:
        raise SystemExit(f"未知的基准项：{'、'.join(sorted(unknown))}（可用：{'、'.join(b.name for b in BENCHMARKS)}）")
    rows = []
    with tempfile.TemporaryDirectory(prefix="govis-bench-") as tmp:
        env = Env(Path(tmp), projects, seed, repeat)
        try:
            for b in chosen:
                prof = cProfile.Profile() if profile else None
                if prof:
                    prof.enable()
                m = b.fn(env)
                if prof:
                    prof.disable()
                    _print_profile(b.name, prof)
                rows.append({**asdict(m), "label": b.label, "ok": m.ok, "projects": projects})
        finally:
            env.close()
    return rows


def _print_profile(name: str, prof: cProfile.Profile) -> None:
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(18)
    sys.stderr.write(f"---- profile: {name} ----\n{buf.getvalue()}\n")


def table(rows: list[dict]) -> str:
    lines = [f"{'benchmark':<10} {'value':>10} {'unit':<4} {'target':>8}  result  说明"]
    for r in rows:
        lines.append(f"{r['name']:<10} {r['value']:>10.3f} {r['unit']:<4} {'<= ' + format(r['target'], 'g'):>8}  "
                     f"{'PASS' if r['ok'] else 'MISS':<6}  {r['label']}")
    if rows:
        lines.append(f"（演示县 {rows[0]['projects']} 个项目，基准日期 {TODAY.isoformat()}）")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="govis 性能基准（不是测试）")
    p.add_argument("--projects", type=int, default=10_000, help="演示县项目数（默认 10000）")
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument("--repeat", type=int, default=3, help="每项重复次数，取中位数")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="只运行指定项，可重复：" + "、".join(b.name for b in BENCHMARKS))
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--profile", action="store_true", help="用 cProfile 剖析每一项（输出到 stderr）")
    args = p.parse_args(argv)
    rows = run(args.only, args.projects, args.seed, args.repeat, args.profile)
    print(json.dumps(rows, ensure_ascii=False, indent=1) if args.json else table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
