"""An export is recorded as sent only once its package is whole on the medium.

Each failure is checked on both sides: the database (nothing recorded: no package, same sequence, nothing
marked sent, no audit entry) and the medium (no package, no temporary file). Then the retry sends it all.
"""

import errno
import os

import pytest

from desktop_app.cli import main
from desktop_app.errors import StoreError
from desktop_app.exchange import export
from desktop_app.exchange.errors import ExportRefused
from desktop_app.exchange.package import WORKBOOK_NAME
from desktop_app.services import atomic_file
from tests.core.dbstate import snapshot
from tests.exchange.helpers import members
from tests.exchange.world import PASS, make_world, unit_application


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path, with_finance=False)
    unit_application(w)
    yield w
    for site in (w.county, w.unit):
        site.store.close()


def _export(w, out):
    return export.export_package(w.unit.store, w.unit.actor, PASS, "MYXZF", out)


def _refused_and_untouched(w, usb, out, words):
    before = snapshot(w.unit.store)
    with pytest.raises(ExportRefused) as e:
        _export(w, out)
    assert words in e.value.message and "没有记入本机" in e.value.message
    assert snapshot(w.unit.store) == before  # database side: nothing recorded as sent
    return e.value


def _retry_sends_everything(w, usb):
    res = _export(w, usb / "重发.zip")
    assert res.manifest["sequence"] == 1 and sum(res.counts.values()) > 0
    assert (usb / "重发.zip").read_bytes() == res.data and WORKBOOK_NAME in members(res.data)
    assert sorted(p.name for p in usb.iterdir() if p.name.endswith(".part")) == []


def test_output_name_is_a_folder(world, tmp_path):
    usb = tmp_path / "usb"
    (usb / "包.zip").mkdir(parents=True)
    (usb / "包.zip" / "别人的文件.txt").write_text("keep")
    _refused_and_untouched(world, usb, usb / "包.zip", "是一个文件夹")
    assert sorted(p.name for p in usb.iterdir()) == ["包.zip"]  # medium side: no package, no temp file
    assert [p.name for p in (usb / "包.zip").iterdir()] == ["别人的文件.txt"]
    _retry_sends_everything(world, usb)  # the defect: the retry said there was nothing new to send


def test_full_disk_while_writing(world, tmp_path, monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    real_open = open

    class Full:
        def __init__(self, path):
            self.fh = real_open(path, "wb")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[:4096])
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            self.fh.flush()

    with monkeypatch.context() as m:
        m.setattr(atomic_file, "open",
                  lambda path, mode="r", *a: Full(path) if "w" in mode else real_open(path, mode, *a), raising=False)
        _refused_and_untouched(world, usb, usb / "包.zip", "空间已满")
    assert list(usb.iterdir()) == []
    _retry_sends_everything(world, usb)


@pytest.mark.parametrize("step", ["fsync", "rename"])
def test_medium_removed(world, tmp_path, monkeypatch, step):
    """The stick is pulled after the bytes were handed over: the flush or the rename fails (EIO)."""
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "包.zip").write_bytes(b"an older package the user keeps")

    def pulled(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as m:
        m.setattr(os, "fsync" if step == "fsync" else "replace", pulled)
        _refused_and_untouched(world, usb, usb / "包.zip", "U盘或磁盘可能已被拔出")
    assert [p.name for p in usb.iterdir()] == ["包.zip"]
    assert (usb / "包.zip").read_bytes() == b"an older package the user keeps"
    _retry_sends_everything(world, usb)


def test_commit_fails_after_the_file_is_written(world, tmp_path, monkeypatch):
    """The database cannot record it (its disk is full): the finished package is taken back off the stick,
    since it carries a sequence number the next export will use again."""
    usb = tmp_path / "usb"
    usb.mkdir()

    def full(*args, **kwargs):
        raise StoreError("磁盘空间已满，本次操作没有保存。请清理磁盘空间后重试，已保存的数据不受影响。")

    before = snapshot(world.unit.store)
    with monkeypatch.context() as m:
        m.setattr(export.audit, "append", full)
        with pytest.raises(StoreError):
            _export(world, usb / "包.zip")
    assert snapshot(world.unit.store) == before
    assert list(usb.iterdir()) == []
    _retry_sends_everything(world, usb)


def test_cli_folder_as_output_is_a_chinese_refusal(world, tmp_path, monkeypatch, capsys):
    usb = tmp_path / "usb"
    (usb / "包.zip").mkdir(parents=True)
    monkeypatch.setenv("GOVIS_PASSPHRASE", PASS)
    db = str(world.unit.store.path)
    before = snapshot(world.unit.store)
    assert main(["export", "--db", db, "--to", "MYXZF", "--out", str(usb / "包.zip")]) == 1
    err = capsys.readouterr().err
    assert "是一个文件夹" in err and "没有记入本机" in err and "Traceback" not in err
    assert snapshot(world.unit.store) == before
    assert main(["export", "--db", db, "--to", "MYXZF", "--out", str(usb / "包2.zip")]) == 0
    assert "第1号" in capsys.readouterr().out
