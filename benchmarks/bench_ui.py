"""Window benchmarks on a 10,000-project demo county, each run in a fresh child process
(QT_QPA_PLATFORM=offscreen) so Qt state and memory start clean:

- start-up: from process start to the main window shown with the 项目台账 populated and painted,
  through the real entry point (`govis gui --db FILE` = desktop_app.cli.main -> desktop_app.ui.app.run),
  with the ledger as the page the user left open (QSettings main/page=ledger) and today's
  deadline cache already computed (every start after the first of the day);
- search: the ledger's search box typed one character at a time ("智慧", "MY-2025", "岱崮镇", each then
  erased with Backspace); per keystroke, the time from the key/IME event until the proxy has re-filtered and
  the events (repaint) are processed;
- memory: VmRSS of the child with the ledger open (after the searches), and its peak VmHWM.

    .venv/bin/python benchmarks/bench_ui.py                  # table; generates the county (about a minute)
    .venv/bin/python benchmarks/bench_ui.py --db FILE         # reuse a demo database
    ui_benchmarks(db_path=None) -> [(name, value, unit, target)]   # target None = for reference only

The child only wraps (never edits) two methods to read the clock: Launcher.show_main and
LedgerPage.set_rows (the callback of the ledger's background read).
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # the child's first instant (before Qt or the app are imported)
_W0 = time.time()

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 24)
QUERIES = ("智慧", "MY-2025", "岱崮镇")
DEMO_PASSWORD = "govis-demo-2026"  # the demo county's accounts (desktop_app.demo.DEMO_PASSWORD)
WALL_ENV = "GOVIS_BENCH_SPAWN_WALL"

Row = tuple[str, float, str, "float | None"]


# ---------------------------------------------------------------- child (runs inside the subprocess)

def _status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _child(db: str, out_path: str) -> int:
    sys.path.insert(0, str(ROOT))
    marks: dict[str, float] = {}
    result: dict = {"interp_s": _W0 - float(os.environ.get(WALL_ENV, _W0))}

    from desktop_app.ui import app as ui_app
    from desktop_app.ui.ledger import LedgerPage

    orig_show, orig_set_rows = ui_app.Launcher.show_main, LedgerPage.set_rows

    def show_main(self, session, db_path):
        marks["session_open"] = time.perf_counter()
        orig_show(self, session, db_path)
        marks["window_shown"] = time.perf_counter()
        self.app.setProperty("bench_window", self.window)

    def set_rows(self, rows):
        marks["rows_read"] = time.perf_counter()
        orig_set_rows(self, rows)
        marks["ledger_populated"] = time.perf_counter()
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()  # the first frame with rows
        marks["ledger_painted"] = time.perf_counter()
        result["rows"] = self.model.rowCount()
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: _after_start(self))

    ui_app.Launcher.show_main, LedgerPage.set_rows = show_main, set_rows

    def _after_start(page) -> None:
        from PySide6.QtWidgets import QApplication

        try:
            result["search"] = _type_queries(page)
            QApplication.processEvents()
            result["rss_mb"] = _status_kb("VmRSS") / 1024
            result["hwm_mb"] = _status_kb("VmHWM") / 1024
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            import traceback

            result["error"] = traceback.format_exc() or repr(exc)
        window = QApplication.instance().property("bench_window")
        if window is not None:
            window.close()
        QApplication.instance().quit()

    from desktop_app import cli

    code = cli.main(["gui", "--db", db])
    result["exit_code"] = code
    result["marks"] = {k: v - _T0 for k, v in marks.items()}
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


def _type_queries(page) -> list[dict]:
    """Type each query one character at a time, then erase it with Backspace; time every keystroke."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    box = page.search
    box.setFocus()
    app.processEvents()
    out = []

    def timed(send, what: str) -> None:
        before = page.proxy.rowCount()
        t0 = time.perf_counter()
        send()
        app.processEvents()
        ms = (time.perf_counter() - t0) * 1000
        out.append({"key": what, "text": box.text(), "ms": ms, "filter_ms": page.last_filter_ms,
                    "rows_before": before, "rows": page.proxy.rowCount()})

    for query in QUERIES:
        for ch in query:
            if ch.isascii():  # a key press on the keyboard
                timed(lambda c=ch: QTest.keyClick(box, c), ch)
            else:  # Chinese arrives from the input method as committed text
                def commit(c=ch):
                    ev = QInputMethodEvent()
                    ev.setCommitString(c)
                    QApplication.sendEvent(box, ev)
                timed(commit, ch)
        if box.text() != query:
            raise RuntimeError(f"search box holds {box.text()!r}, expected {query!r}")
        for _ in query:
            timed(lambda: QTest.keyClick(box, Qt.Key.Key_Backspace), "⌫")
        if box.text():
            raise RuntimeError(f"search box not cleared: {box.text()!r}")
    return out


# ---------------------------------------------------------------- parent

def prepare(db_path: str | Path, fresh: bool = True) -> None:
    """Untimed. fresh: compute the ledger's deadline cache for the day the child runs (a start after the
    first of the day); not fresh: mark it stale, so the child's ledger read recomputes it (first start)."""
    sys.path.insert(0, str(ROOT))
    from desktop_app.models.store import Store
    from desktop_app.services import queries

    store = Store.open(db_path)
    try:
        if fresh:
            queries.ensure_deadlines_fresh(store, dt.date.today())
        else:
            with store.tx():
                store.set_setting("deadlines_computed_for", "")
    finally:
        store.close()


def run_child(db_path: str | Path, timeout: float = 300) -> dict:
    """One fresh process: start-up, search, memory. Returns the child's measurements."""
    with tempfile.TemporaryDirectory(prefix="govis-ui-bench-") as tmp:
        tmp = Path(tmp)
        config = tmp / "config"
        (config / "govis").mkdir(parents=True)
        # the page the user left open last time: the ledger
        (config / "govis" / "govis.conf").write_text("[main]\npage=ledger\n", encoding="utf-8")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(config),
               "GOVIS_LOG_DIR": str(tmp / "logs"), "XDG_RUNTIME_DIR": str(tmp),
               "GOVIS_USER": "admin", "GOVIS_PASSWORD": DEMO_PASSWORD}  # signs in without the login dialog
        out = tmp / "result.json"
        env[WALL_ENV] = repr(time.time())
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(db_path), str(out)],
                              check=False, env=env, capture_output=True, text=True, timeout=timeout, cwd=str(ROOT))
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"UI benchmark child failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        res = json.loads(out.read_text(encoding="utf-8"))
    if res.get("error"):
        raise RuntimeError(f"UI benchmark child failed:\n{res['error']}")
    if "ledger_painted" not in res.get("marks", {}):
        raise RuntimeError(f"the ledger was never populated: {res}")
    res["startup_s"] = res["interp_s"] + res["marks"]["ledger_painted"]
    return res


def summarise(runs: list[dict], cold: dict | None = None) -> list[Row]:
    med = statistics.median
    keys = [k for r in runs for k in r["search"]]
    per_run_median = [med(k["ms"] for k in r["search"]) for r in runs]
    m = [r["marks"] for r in runs]
    return [
        ("ui_startup", round(med(r["startup_s"] for r in runs), 3), "s", 2.0),
        ("ui_interp", round(med(r["interp_s"] for r in runs), 3), "s", None),
        ("ui_shown", round(med(r["interp_s"] + x["window_shown"] for r, x in zip(runs, m)), 3), "s", None),
        ("ui_key_med", round(med(per_run_median), 2), "ms", 50.0),
        ("ui_key_max", round(max(k["ms"] for k in keys), 2), "ms", 50.0),
        ("ui_rss", round(med(r["rss_mb"] for r in runs), 1), "MB", 300.0),
        ("ui_rss_peak", round(max(r["hwm_mb"] for r in runs), 1), "MB", None),
    ] + ([("ui_startup_cold", round(cold["startup_s"], 3), "s", None)] if cold else [])


LABELS = {
    "ui_startup": "启动：进程开始到主窗口显示、台账已填充并绘出",
    "ui_interp": "其中：Python 解释器启动（父进程计时）",
    "ui_shown": "其中：到主窗口显示（台账尚在后台读取）",
    "ui_key_med": "台账搜索每次按键（中位数，含重绘）",
    "ui_key_max": "台账搜索每次按键（最大值）",
    "ui_rss": "台账打开时的常驻内存 VmRSS",
    "ui_rss_peak": "常驻内存峰值 VmHWM",
    "ui_startup_cold": "当天首次启动（台账读取时重算期限缓存）",
}


def ui_benchmarks(db_path: str | Path | None = None, projects: int = 10_000, repeat: int = 3,
                  cold: bool = True, details: list | None = None) -> list[Row]:
    """Rows (name, value, unit, target); target None = for reference only. Without `db_path`, a demo
    county of `projects` projects is generated (untimed) in a temporary folder. `cold` adds one start-up
    with the day's deadline cache stale (it is recomputed, so the database ends up fresh for today).
    `details`, if given, receives each child's raw measurements (the warm runs, then the cold one)."""
    tmp = None
    if db_path is None:
        sys.path.insert(0, str(ROOT))
        from desktop_app import demo
        from desktop_app.models.store import Store

        tmp = tempfile.TemporaryDirectory(prefix="govis-ui-db-")
        db_path = Path(tmp.name) / f"demo-{projects}.db"
        store = Store.open(db_path)
        try:
            demo.generate(store, projects=projects, seed=2018, today=TODAY)
        finally:
            store.close()
    try:
        prepare(db_path)
        runs = [run_child(db_path) for _ in range(max(1, repeat))]
        first = None
        if cold:
            prepare(db_path, fresh=False)
            first = run_child(db_path)
    finally:
        if tmp:
            tmp.cleanup()
    if details is not None:
        details.extend(runs + ([first] if first else []))
    return summarise(runs, first)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="govis 窗口性能基准（不是测试）")
    p.add_argument("--db", help="已有的演示数据库（默认生成 10,000 个项目的演示县）")
    p.add_argument("--projects", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=3, help="子进程次数（启动取中位数）")
    p.add_argument("--keys", action="store_true", help="列出每次按键的耗时")
    p.add_argument("--no-cold", action="store_true", help="不测当天首次启动（重算期限缓存）")
    args = p.parse_args(argv)
    runs: list[dict] = []
    rows = ui_benchmarks(args.db, args.projects, args.repeat, not args.no_cold, runs)
    for name, value, unit, target in rows:
        goal = "参照" if target is None else f"<= {target:g} {unit}"
        verdict = "" if target is None else ("PASS" if value <= target else "MISS")
        print(f"{name:<12} {value:>10} {unit:<3} {goal:<12} {verdict:<5} {LABELS.get(name, '')}")
    last = runs[max(0, args.repeat - 1)]
    print("启动分段（秒，自子进程开始）：" + "，".join(f"{k} {v:.3f}" for k, v in last["marks"].items())
          + f"；解释器启动 {last['interp_s']:.3f}；台账 {last['rows']} 行")
    if not args.no_cold:
        print("当天首次启动分段：" + "，".join(f"{k} {v:.3f}" for k, v in runs[-1]["marks"].items()))
    if args.keys:
        for k in last["search"]:
            print(f"  {k['key']:<2} {k['text']!r:<12} {k['ms']:7.2f} ms（筛选 {k['filter_ms']:.2f} ms） "
                  f"{k['rows_before']} -> {k['rows']} 行")
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        raise SystemExit(_child(sys.argv[2], sys.argv[3]))
    raise SystemExit(main())
