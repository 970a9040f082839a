"""scripts/build_manual.py: the manual builds from the repository, offline, and the shipped copy is current."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("markdown")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_manual.py"
SOURCE = ROOT / "docs" / "manual"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(SCRIPT), *args], check=False, capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_build_produces_every_chapter_and_every_image_it_references(tmp_path):
    out = tmp_path / "manual"
    done = run("--out", str(out))
    assert done.returncode == 0, done.stderr
    page = (out / "index.html").read_text("utf-8")
    contents = json.loads((out / "contents.json").read_text("utf-8"))
    chapter_files = sorted(SOURCE.glob("[0-9][0-9]-*.md"))
    assert len(chapter_files) >= 9
    chapter_ids = [c["id"] for c in contents if c["level"] == 1]
    for f, anchor in zip(chapter_files, chapter_ids, strict=True):
        first = f.read_text("utf-8").splitlines()[0]
        assert first.endswith("{#" + anchor + "}"), f.name
        assert f'<h1 id="{anchor}">' in page
    for entry in contents:  # every entry of the chapter list is an anchor in the page
        assert f'id="{entry["id"]}"' in page, entry
    sources = set()
    for f in chapter_files:
        for src in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", f.read_text("utf-8")):
            assert (SOURCE / src).is_file(), f"{f.name}: {src}"
            sources.add(Path(src).name)
    shown = set(re.findall(r'<img[^>]*src="images/([^"]+)"', page))
    assert shown == sources and len(shown) >= 10
    assert {p.name for p in (out / "images").iterdir()} == shown
    for name in shown:
        assert (out / "images" / name).read_bytes() == next(SOURCE.parent.glob(f"screenshots/{name}")).read_bytes()
    assert "第三条" in page and "第六条" in page  # rules cite their clause


def test_shipped_manual_matches_the_sources():
    done = run("--check")
    assert done.returncode == 0, done.stderr + done.stdout


def test_check_names_a_stale_file(tmp_path):
    out = tmp_path / "manual"
    assert run("--out", str(out)).returncode == 0
    (out / "index.html").write_text("<p>旧版</p>", encoding="utf-8")
    done = run("--check", "--out", str(out))
    assert done.returncode == 1 and "index.html" in done.stderr


def test_a_missing_image_or_anchor_is_refused_in_chinese(tmp_path):
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import build_manual
    finally:
        sys.path.remove(str(SCRIPT.parent))
    src = tmp_path / "src"
    src.mkdir()
    (src / "01-a.md").write_text("# 第一章 {#one}\n\n![图](../screenshots/none.png)\n", encoding="utf-8")
    with pytest.raises(build_manual.BuildError, match="图片不存在"):
        build_manual.build(tmp_path / "out", src)
    (src / "01-a.md").write_text("# 没有锚点的标题\n", encoding="utf-8")
    with pytest.raises(build_manual.BuildError, match="带锚点的一级标题"):
        build_manual.build(tmp_path / "out", src)
    assert not (tmp_path / "out").exists()  # nothing written when a chapter is wrong
