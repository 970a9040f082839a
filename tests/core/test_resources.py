"""desktop_app.resources: the program's files inside the package, found by importlib.resources."""

from pathlib import Path

import pytest

import desktop_app
from desktop_app import resources

PACKAGE = Path(desktop_app.__file__).parent


def test_files_are_inside_the_package():
    assert resources.root() == PACKAGE / "resources"
    assert resources.path("fonts/uming.ttc").is_file()
    assert resources.path("icons/ledger.svg").is_file()
    assert [p.name for p in resources.listing("fonts", (".ttc",))] == ["uming.ttc", "wqy-microhei.ttc"]
    assert resources.listing("no-such-folder") == []


def test_paths_cannot_leave_the_resources_folder():
    for bad in ("../cli.py", "/etc/passwd", "fonts/../../cli.py"):
        with pytest.raises(ValueError):
            resources.path(bad)


def test_override_points_at_another_copy(monkeypatch, tmp_path):
    monkeypatch.setenv(resources.RESOURCES_ENV, str(tmp_path))
    assert resources.path("manual/index.html") == tmp_path / "manual" / "index.html"


def test_found_the_same_way_frozen_or_not():
    """No module looks at sys._MEIPASS or a folder beside the program: one way, importlib.resources."""
    offenders = [p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py")
                 if "_MEIPASS" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_wheel_carries_the_resources():
    text = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'desktop_app = ["py.typed", "resources/**/*"]' in text
