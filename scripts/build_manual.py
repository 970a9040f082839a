"""Build the user manual: docs/manual/*.md -> desktop_app/resources/manual/ (index.html, contents.json, images/).

    python scripts/build_manual.py            # rebuild the copy shipped inside the package
    python scripts/build_manual.py --check    # exit 1 if the shipped copy differs from a fresh build

Chapters are the numbered Markdown files in docs/manual/ (README.md there is GitHub's table of contents and
is not built). Every chapter starts with a level-1 heading carrying its anchor, `# 标题 {#anchor}`; the
window's F1 jumps to such anchors (ui/manual.py). Images are referenced relative to the chapter
(../screenshots/x.png, so they also show on GitHub) and copied into images/. Needs python-markdown
(the `docs` extra); the program itself only reads the built files, so it runs without it.
"""

from __future__ import annotations

import argparse
import filecmp
import html
import json
import re
import shutil
import struct
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "docs" / "manual"
OUT = ROOT / "desktop_app" / "resources" / "manual"
TITLE = "政务信息系统项目管理 使用手册"
IMAGE_WIDTH = 680  # wider screenshots are shown scaled to this width (QTextBrowser keeps the aspect ratio)

# QTextBrowser understands a subset of CSS: keep to what it renders (colours, margins, font sizes).
STYLE = """
body { font-size: 11pt; line-height: 140%; }
h1 { color: #1f4e79; font-size: 18pt; margin-top: 24px; }
h2 { color: #1f4e79; font-size: 14pt; margin-top: 18px; }
h3 { font-size: 12pt; margin-top: 12px; }
code { font-family: monospace; background-color: #f2f2f2; }
pre { background-color: #f2f2f2; }
th { background-color: #e8eef5; }
p.figure { margin-left: 12px; }
"""


class BuildError(Exception):
    """A chapter is malformed or references a file that does not exist."""


def chapters(source: Path = SOURCE) -> list[Path]:
    return sorted(p for p in source.glob("*.md") if re.match(r"\d\d-", p.name))


def png_width(path: Path) -> int | None:
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">I", head[16:20])[0]


def _convert(text: str):
    import markdown
    from markdown.extensions.toc import slugify_unicode

    md = markdown.Markdown(extensions=["attr_list", "tables", "fenced_code", "sane_lists", "toc"],
                           extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "1-2"}},
                           output_format="html")
    body = md.convert(text)
    return body, md.toc_tokens


def _flatten(tokens) -> list[dict]:
    out = []
    for t in tokens:
        out.append({"level": t["level"], "id": t["id"], "title": html.unescape(t["name"])})
        out.extend(_flatten(t["children"]))
    return out


def render(source: Path = SOURCE) -> tuple[str, list[dict], dict[str, Path]]:
    """(html, contents, images) — images maps the name used in the HTML to the source file."""
    files = chapters(source)
    if not files:
        raise BuildError(f"{source} 下没有章节文件（01-….md）")
    parts = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        if not re.fullmatch(r"# .+ \{#[a-z0-9-]+\}", first):
            raise BuildError(f"{f.name}: 第一行须是带锚点的一级标题，如「# 数据交换 {{#exchange}}」")
        parts.append(text)
    body, tokens = _convert("\n\n".join(parts))
    contents = _flatten(tokens)
    if [c["level"] for c in contents].count(1) != len(files):
        raise BuildError("每个章节文件只能有一个一级标题（#）")

    images: dict[str, Path] = {}

    def image(m: re.Match) -> str:
        src = html.unescape(m.group(2))
        path = (source / src).resolve()
        if not path.is_file():
            raise BuildError(f"图片不存在：{src}")
        name = path.name
        if name in images and images[name] != path:
            raise BuildError(f"两张不同的图片同名：{name}")
        images[name] = path
        width = png_width(path)
        size = f' width="{IMAGE_WIDTH}"' if width and width > IMAGE_WIDTH else ""
        return f'<img{m.group(1)}src="images/{html.escape(name)}"{size}{m.group(3)}>'

    body = re.sub(r'<img([^>]*?)src="([^"]+)"([^>]*)>', image, body)
    body = body.replace("<p><img", '<p class="figure"><img')
    # QTextBrowser draws table borders from the attributes, not from CSS
    body = body.replace("<table>", '<table border="1" cellspacing="0" cellpadding="5" width="100%">')
    page = (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{TITLE}</title>\n'
            f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
    return page, contents, images


def build(out: Path = OUT, source: Path = SOURCE) -> dict:
    page, contents, images = render(source)
    out.mkdir(parents=True, exist_ok=True)
    img_dir = out / "images"
    if img_dir.exists():
        shutil.rmtree(img_dir)  # only the build's own folder: a dropped screenshot must not linger
    img_dir.mkdir()
    for name, path in sorted(images.items()):
        shutil.copyfile(path, img_dir / name)
    (out / "index.html").write_text(page, encoding="utf-8")
    (out / "contents.json").write_text(json.dumps(contents, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"chapters": sum(1 for c in contents if c["level"] == 1), "sections": len(contents),
            "images": len(images), "out": str(out)}


def differences(built: Path, shipped: Path) -> list[str]:
    """Files that differ between two builds (relative names)."""
    def names(d: Path) -> set[str]:
        return {str(p.relative_to(d)) for p in d.rglob("*") if p.is_file()} if d.exists() else set()

    a, b = names(built), names(shipped)
    diff = sorted(a ^ b)
    diff += sorted(n for n in a & b if not filecmp.cmp(built / n, shipped / n, shallow=False))
    return diff


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="把 docs/manual/ 的章节生成程序内置的使用手册")
    ap.add_argument("--out", type=Path, default=OUT, help="输出文件夹（默认 desktop_app/resources/manual）")
    ap.add_argument("--check", action="store_true", help="只检查内置手册是否与章节源文件一致，不写入")
    args = ap.parse_args(argv)
    try:
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                build(Path(tmp) / "manual")
                diff = differences(Path(tmp) / "manual", args.out)
            if diff:
                print("内置手册与 docs/manual 不一致，请运行 python scripts/build_manual.py：\n  "
                      + "\n  ".join(diff), file=sys.stderr)
                return 1
            print("内置手册与 docs/manual 一致")
            return 0
        report = build(args.out)
    except BuildError as exc:
        print(f"使用手册未生成：{exc}", file=sys.stderr)
        return 1
    print(f"已生成使用手册：{report['chapters']} 章，{report['sections']} 节，{report['images']} 张图片 → {report['out']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
