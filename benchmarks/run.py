"""Benchmarks over a generated demo county. Not tests: they measure, print, and exit 0.

    .venv/bin/python benchmarks/run.py                 # table, 10,000 projects (a few minutes)
    .venv/bin/python benchmarks/run.py --json          # JSON rows
    .venv/bin/python benchmarks/run.py --only ledger --only check --projects 2000
    .venv/bin/python benchmarks/run.py --only ui       # the window (benchmarks/bench_ui.py)
    .venv/bin/python benchmarks/run.py --only check --profile   # cProfile top functions too

Groups: generate, open, ledger, check, refresh, risk, audit (the shared county), ui (window start-up, ledger
search, memory: child processes on the shared county; bench_ui.py), print (documents: their own 120- and
500-project counties; bench_print.py), exchange (a 1,000-project package; bench_exchange.py, skipped with
a note when that module or its exchange_benchmarks() is missing), ledger_import (a 2,000-row old ledger
brought in, beside plain openpyxl reading the same file; bench_ledger_import.py), similar (the duplicate
check: index build over the shared county, then one project against all of them).

Add a row: write `def bench_x(env) -> Measurement` (or a list of them) and decorate it with
`@benchmark("x", "说明")`. `env.store()` opens the shared database (generated once, untimed, if no earlier
row made it). A target of None is for reference only (no PASS/MISS).
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
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app import demo
from desktop_app.models.store import Store
from desktop_app.services import audit, queries

TODAY = dt.date(2026, 11, 24)


@dataclass
class Measurement:
    name: str
    value: float
    unit: str
    target: float | None  # lower is better; PASS when value <= target; None = for reference only
    label: str = ""  # defaults to the benchmark's label

    @property
    def ok(self) -> bool | None:
        return None if self.target is None else self.value <= self.target

    @classmethod
    def row(cls, row: tuple, label: str = "") -> Measurement:
        """From a (name, value, unit, target) tuple of the bench_*.py modules (target None or inf = reference)."""
        name, value, unit, target = row
        if target is not None and target == float("inf"):
            target = None
        return cls(str(name), float(value), unit, None if target is None else float(target), label)


class Skipped(Exception):
    """A benchmark that cannot run here (its module is missing): a note, not a failure."""


@dataclass
class Benchmark:
    name: str
    label: str
    fn: Callable[[Env], Measurement | list[Measurement]]


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

    def db_path(self) -> Path:
        """The shared database, generated if needed and closed here (for child processes)."""
        self.store()
        self.close()
        return self.path

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


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


@benchmark("risk", "全县风险评级（services.risk.ratings，含建议等级和理由）")
def bench_risk(env: Env) -> Measurement:
    from desktop_app.services import risk

    store = env.store()
    if store.get_setting("deadlines_computed_for") != TODAY.isoformat():
        queries.refresh_deadlines(store, TODAY)  # the ledger's 逾期 counts it reads (untimed)
    return Measurement("risk", statistics.median(timed(lambda: risk.ratings(store, TODAY), env.repeat)), "s", 2.0)


@benchmark("audit", "操作日志校验（audit.verify）")
def bench_audit(env: Env) -> Measurement:
    store = env.store()
    return Measurement("audit", statistics.median(timed(lambda: audit.verify(store), env.repeat)), "s", 2.0)


@benchmark("ui", "窗口（子进程，offscreen）")
def bench_ui(env: Env) -> list[Measurement]:
    from benchmarks import bench_ui

    return [Measurement.row(r, bench_ui.LABELS.get(r[0], "")) for r in
            bench_ui.ui_benchmarks(env.db_path(), env.projects, repeat=env.repeat)]


@benchmark("print", "打印（自带 120/500 项目演示县）")
def bench_print(env: Env) -> list[Measurement]:
    from benchmarks import bench_print

    return [Measurement.row(r, "打印") for r in bench_print.print_benchmarks()]


@benchmark("exchange", "数据交换（自带 1,000 项目演示县）")
def bench_exchange(env: Env) -> list[Measurement]:
    try:
        from benchmarks import bench_exchange
        fn = bench_exchange.exchange_benchmarks
    except (ImportError, AttributeError) as exc:
        raise Skipped(f"数据交换基准未运行：benchmarks/bench_exchange.py 不可用（{type(exc).__name__}: {exc}）") from exc
    return [Measurement.row(r, "数据交换") for r in fn()]


@benchmark("ledger_import", "导入原有台账（2,000 行，自带县）")
def bench_ledger_import(env: Env) -> list[Measurement]:
    from benchmarks import bench_ledger_import

    labels = {"ledger_import": "导入原有台账 2,000 行（预览+写入）", "ledger_import_preview": "其中预览（读取、解析、比对）",
              "ledger_import_write": "其中写入（一个事务）", "ledger_openpyxl_read": "对照：openpyxl 只读读取同一文件"}
    return [Measurement.row(r, labels[r[0]]) for r in bench_ledger_import.ledger_import_benchmarks()]


@benchmark("similar", "查重（第一条）：一个申报项目与全部项目比较")
def bench_similar(env: Env) -> list[Measurement]:
    """The index is built once per process (and again when projects change); each check then reads it."""
    from desktop_app.services import similarity

    store = env.store()
    t0 = time.perf_counter()
    index = similarity.build_index(store)
    built = time.perf_counter() - t0
    profile = similarity.load_profile(store)
    probes = store.all("SELECT * FROM projects ORDER BY code")[:: max(1, env.projects // 7)][:7]

    def check_all():
        for p in probes:
            similarity.candidates(store, p, profile=profile, index=index)
    per_check = statistics.median(timed(check_all, max(3, env.repeat))) / len(probes)
    return [Measurement("similar_index", built, "s", 5.0, f"查重索引建立（{len(index.docs):,} 个项目）"),
            Measurement("similar_check", per_check * 1000, "ms", 300.0, "查重：一个项目对全部项目（含相同表述）")]


# ---- running and printing ---------------------------------------------------------------------------

def run(names: list[str] | None, projects: int, seed: int, repeat: int, profile: bool,
        notes: list[str] | None = None) -> list[dict]:
    """The chosen benchmarks' rows; a group that is skipped or fails adds a line to `notes` instead."""
    chosen = [b for b in BENCHMARKS if not names or b.name in names]
    unknown = set(names or ()) - {b.name for b in BENCHMARKS}
    if unknown:
        raise SystemExit(f"未知的基准项：{'、'.join(sorted(unknown))}（可用：{'、'.join(b.name for b in BENCHMARKS)}）")
    notes = notes if notes is not None else []
    rows = []
    with tempfile.TemporaryDirectory(prefix="govis-bench-") as tmp:
        env = Env(Path(tmp), projects, seed, repeat)
        try:
            for b in chosen:
                prof = cProfile.Profile() if profile else None
                if prof:
                    prof.enable()
                try:
                    got = b.fn(env)
                except Skipped as exc:
                    notes.append(str(exc))
                    continue
                except Exception as exc:  # noqa: BLE001 - one broken group must not lose the others' figures
                    sys.stderr.write(f"---- {b.name} failed ----\n{traceback.format_exc()}\n")
                    notes.append(f"{b.name}：运行失败（{type(exc).__name__}: {exc}），详情见 stderr")
                    continue
                finally:
                    if prof:
                        prof.disable()
                        _print_profile(b.name, prof)
                for m in got if isinstance(got, list) else [got]:
                    rows.append({**asdict(m), "label": m.label or b.label, "group": b.name, "ok": m.ok,
                                 "projects": projects})
        finally:
            env.close()
    return rows


def _print_profile(name: str, prof: cProfile.Profile) -> None:
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(18)
    sys.stderr.write(f"---- profile: {name} ----\n{buf.getvalue()}\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def table(rows: list[dict], notes: list[str] = ()) -> str:
    w = max([_width("benchmark")] + [_width(r["name"]) for r in rows])
    lines = [f"{_ljust('benchmark', w)} {'value':>10} {'unit':<4} {'target':>9}  result  说明",
             "-" * (w + 40)]
    for r in rows:
        target = "" if r["target"] is None else "<= " + format(r["target"], "g")
        result = "参照" if r["ok"] is None else ("PASS" if r["ok"] else "MISS")
        lines.append(f"{_ljust(r['name'], w)} {r['value']:>10.3f} {r['unit']:<4} {target:>9}  "
                     f"{_ljust(result, 6)}  {r['label']}")
    if rows:
        missed = [r["name"].strip() for r in rows if r["ok"] is False]
        lines.append(f"（共享演示县 {rows[0]['projects']} 个项目，基准日期 {TODAY.isoformat()}；"
                     f"打印和数据交换使用各自的演示县；参照 = 无目标值）")
        lines.append("全部达标" if not missed else f"未达标：{'、'.join(missed)}")
    lines += [f"注：{n}" for n in notes]
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
    notes: list[str] = []
    rows = run(args.only, args.projects, args.seed, args.repeat, args.profile, notes)
    if args.json:  # the rows as before; notes go to stderr
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        for n in notes:
            sys.stderr.write(f"注：{n}\n")
    else:
        print(table(rows, notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
