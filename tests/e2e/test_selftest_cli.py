"""`govis selftest` end to end: every step passes on a temporary folder, a failing step is named (exit 1)
and stops the run, the user's database is never touched, and the PDF font check catches a bare font."""

from __future__ import annotations

import dataclasses
import io
import tempfile

import pytest
from reportlab.pdfgen import canvas

from desktop_app import cli
from desktop_app.documents.filled import DOCUMENTS  # every printed kind (the count grows with new kinds)
from desktop_app.selftest import runner
from desktop_app.selftest.pdf_fonts import unembedded_fonts

TODAY = "2026-11-24"
CODES = ["resources", "demo", "rules", "print", "exchange", "backup", "audit"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def user_db(tmp_path, monkeypatch):
    """Where the user's own database would be: the self-test must leave it alone."""
    path = tmp_path / "user" / "govis.db"
    monkeypatch.setenv("GOVIS_DB", str(path))
    return path


def test_selftest_passes_one_line_per_step(tmp_path, user_db, capsys):
    folder = tmp_path / "st"
    code, out, err = run(capsys, "selftest", "--today", TODAY, "--folder", folder)
    assert code == 0, out + err
    lines = out.splitlines()
    assert [s.code for s in runner.STEPS] == CODES
    assert len(lines) == len(CODES) + 1
    for n, (line, step) in enumerate(zip(lines, runner.STEPS, strict=False), start=1):
        assert line.startswith(f"[通过] {n}/{len(CODES)} {step.label}：")
    assert lines[-1] == f"自检通过：{len(CODES)} 项全部正常。"
    assert f"{len(DOCUMENTS)} 种文书" in out and "字体均已嵌入" in out
    # what the steps made is where they say, and kept with --folder
    assert len(list((folder / "文书").glob("*.pdf"))) == len(DOCUMENTS)
    assert {p.name for p in (folder / "U盘").iterdir()} == {"单位目录.zip", "申报.zip"}
    assert not user_db.parent.exists()  # no database, no lock, no backup of the user's


def test_a_failing_step_is_named_and_stops_the_run(tmp_path, user_db, capsys, monkeypatch):
    def broken(ctx):
        raise OSError(28, "No space left on device", str(ctx.folder / "文书"))

    steps = tuple(dataclasses.replace(s, fn=broken) if s.code == "print" else s for s in runner.STEPS)
    monkeypatch.setattr(runner, "STEPS", steps)
    code, out, _ = run(capsys, "selftest", "--today", TODAY, "--folder", tmp_path / "st")
    assert code == 1
    lines = out.splitlines()
    assert [ln[:4] for ln in lines[:4]] == ["[通过]"] * 3 + ["[失败]"]
    assert lines[3].startswith("[失败] 4/7 打印每种文书并检查字体已嵌入：文件操作失败：No space left on device")
    assert len(lines) == 5  # exchange, backup and audit did not run
    assert lines[-1].startswith("自检未通过：“打印每种文书并检查字体已嵌入”（print）失败：")
    assert not user_db.parent.exists()


def test_a_step_finding_damage_fails_in_chinese(tmp_path, capsys, monkeypatch):
    from desktop_app.services import audit

    def tampered(store):  # the chain check of the last step finds an edited entry
        return [audit.Problem(3, "第 3 条操作记录被改动")]

    monkeypatch.setattr(audit, "verify", tampered)
    code, out, _ = run(capsys, "selftest", "--today", TODAY, "--folder", tmp_path / "st")
    assert code == 1
    assert out.splitlines()[-2].startswith("[失败] 7/7 校验操作日志链：演示县的操作日志链校验未通过：第 3 条操作记录被改动")


def test_default_folder_is_temporary_and_removed(tmp_path, user_db, capsys, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    code, out, _ = run(capsys, "selftest", "--today", TODAY)
    assert code == 0, out
    assert list(scratch.iterdir()) == []


def test_refuses_a_folder_with_files_and_a_bad_date(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("x")
    code, out, err = run(capsys, "selftest", "--folder", tmp_path)
    assert code == 1 and "不是空的" in err and out == ""
    code, _, err = run(capsys, "selftest", "--today", "2026-13-01", "--folder", tmp_path / "new")
    assert code == 1 and "YYYY-MM-DD" in err


def test_font_check_finds_a_font_that_is_not_embedded():
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("Helvetica", 12)  # one of the 14 standard fonts: named, never embedded
    c.drawString(72, 720, "not embedded")
    c.showPage()
    c.save()
    assert unembedded_fonts(buf.getvalue()) == (["Helvetica"], 1)
