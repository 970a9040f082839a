"""A real damaged database: a few hundred projects, then 12 bytes overwritten in the middle of a b-tree
page of one of the projects' indexes (the middle of a data page would only change a value, which no check
can see; an index page holds keys, sizes and child page numbers)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.core.builders import make_county, new_project


def build(path: Path, projects: int = 300) -> None:
    c = make_county(path)
    for i in range(projects):
        new_project(c, name=f"县政务项目{i:03d}")
    c.store.close()


def overwrite_middle_of_index_page(path: Path, n: int = 12) -> int:
    """Overwrite `n` bytes in the middle of an index page of `projects`, the first (in page order) where
    that breaks the b-tree (a page whose middle is free space is put back and the next one tried);
    returns the page number."""
    con = sqlite3.connect(path)
    try:
        size = con.execute("PRAGMA page_size").fetchone()[0]
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='projects'")]
        marks = ",".join("?" for _ in names)
        pages = [r[0] for r in con.execute(f"SELECT pageno FROM dbstat WHERE name IN ({marks}) ORDER BY pageno",
                                           names)]
    finally:
        con.close()
    for page in pages:
        offset = (page - 1) * size + size // 2
        with open(path, "r+b") as fh:
            fh.seek(offset)
            original = fh.read(n)
            fh.seek(offset)
            fh.write(b"\xa5" * n)
        if quick_check(path) != ["ok"]:
            return page
        with open(path, "r+b") as fh:
            fh.seek(offset)
            fh.write(original)
    raise AssertionError("no index page found whose damage quick_check sees")


def quick_check(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        con.close()
