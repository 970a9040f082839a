"""Run the self-test steps in order, one result line each; stop at the first that fails."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.errors import GovisError
from desktop_app.selftest import steps as S


@dataclass(frozen=True)
class Step:
    code: str  # stable name (tests, logs)
    label: str  # 中文, what the user sees
    fn: Callable[[S.Context], str]  # returns what it checked, raises on failure


# The order matters: printing and the backup use the demo county the first step makes.
STEPS: tuple[Step, ...] = (
    Step("resources", "程序资源（字体、图标）", S.resources),
    Step("demo", "生成小型演示县", S.demo),
    Step("rules", "检查规则和期限", S.rules),
    Step("print", "打印每种文书并检查字体已嵌入", S.print_all),
    Step("exchange", "两个临时安装之间导出、导入数据包", S.exchange),
    Step("backup", "备份与恢复", S.backup_restore),
    Step("audit", "校验操作日志链", S.audit_chains),
)


@dataclass
class StepResult:
    step: Step
    ok: bool
    detail: str  # what was checked, or why it failed
    seconds: float

    def text(self) -> str:
        return f"{self.step.label}：{self.detail}（{self.seconds:.1f} 秒）"

    def line(self, number: int, total: int) -> str:
        mark = "通过" if self.ok else "失败"
        return f"[{mark}] {number}/{total} {self.text()}"


@dataclass
class Report:
    results: list[StepResult] = field(default_factory=list)

    @property
    def failed(self) -> StepResult | None:
        return next((r for r in self.results if not r.ok), None)

    @property
    def ok(self) -> bool:
        return bool(self.results) and self.failed is None

    def summary(self) -> str:
        bad = self.failed
        if bad is None:
            return f"自检通过：{len(self.results)} 项全部正常。"
        return f"自检未通过：“{bad.step.label}”（{bad.step.code}）失败：{bad.detail}"


def _message(exc: BaseException) -> str:
    if isinstance(exc, GovisError):
        return exc.message
    if isinstance(exc, S.CheckFailed):
        return str(exc)
    if isinstance(exc, OSError):
        return f"文件操作失败：{exc.strerror or exc}（{exc.filename or ''}）。请检查磁盘空间和临时文件夹的权限。"
    return f"程序内部错误：{type(exc).__name__}: {exc}。请把这一行发给技术支持。"


def run(folder: str | Path, *, today: dt.date | None = None,
        on_step: Callable[[int, int, StepResult | None, Step], None] | None = None,
        steps: tuple[Step, ...] | None = None) -> Report:
    """Run every step in `folder` (which should be empty and is left with the step's files in it).
    `on_step(number, total, result, step)` is called before a step (result None) and after it."""
    steps = STEPS if steps is None else steps
    ctx = S.Context(Path(folder), today or dt.date.today())
    report = Report()
    total = len(steps)
    try:
        for number, step in enumerate(steps, start=1):
            if on_step:
                on_step(number, total, None, step)
            started = time.perf_counter()
            try:
                detail, ok = step.fn(ctx), True
            except Exception as exc:  # noqa: BLE001  (every failure becomes the step's line)
                detail, ok = _message(exc), False
            result = StepResult(step, ok, detail, time.perf_counter() - started)
            report.results.append(result)
            if on_step:
                on_step(number, total, result, step)
            if not ok:
                break
    finally:
        ctx.close()
    return report
