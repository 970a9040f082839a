"""Core tests never read the wall clock: a write checks event dates and deadlines against its day, so
every call into the operations names that day (`today=`), and no test asks for the date itself."""

from __future__ import annotations

import ast
from pathlib import Path

DATED_WRITES = {"transition", "add_record", "update_record", "create_project", "update_project"}
HERE = Path(__file__).parent


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node


def test_every_dated_write_in_the_core_tests_names_its_day():
    missing = []
    for path in sorted(HERE.rglob("*.py")):
        for call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            owner = call.func.value
            if (call.func.attr in DATED_WRITES and isinstance(owner, ast.Name) and owner.id in ("ops", "operations")
                    and not any(k.arg == "today" for k in call.keywords)):
                missing.append(f"{path.name}:{call.lineno} ops.{call.func.attr}")
    assert missing == []


def test_no_core_test_asks_for_the_date():
    asked = []
    for path in sorted(HERE.rglob("*.py")):
        for call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            if call.func.attr in ("today", "now", "utcnow") and not call.args and not call.keywords:
                asked.append(f"{path.name}:{call.lineno} {ast.unparse(call)}")
    assert asked == []
