"""`govis selftest` and 帮助 → 自检: does this program, on this PC, do its whole job? (no Qt)

    from desktop_app import selftest
    report = selftest.run(folder, today=date(2026, 11, 24), on_step=print_line)
    report.ok, report.failed  # the first failed StepResult, or None

Everything happens in `folder` (a fresh temporary folder when the CLI is not given one): a small demo
county, its rules, one PDF of every printed kind with its fonts checked as embedded, a signed package
between two new installations, a backup and a restore, the audit chains. The user's own database is never
opened. The run stops at the first failed step; a step's exception becomes its Chinese message.
"""

from __future__ import annotations

from desktop_app.selftest.runner import STEPS, Report, Step, StepResult, run

__all__ = ["STEPS", "Report", "Step", "StepResult", "run"]
