import os
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest

from desktop_app.services.session import Session
from desktop_app.ui.exchange_page import ExchangePage
from tests.exchange.world import (
    LIBRARY,
    LIBRARY_PART,
    PASS,
    RIVER,
    RIVER_AGAIN,
    duplicates_story,
    make_world,
    unit_application,
)


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path, with_finance=False)
    yield w


def page_for(qtbot, site, monkeypatch, tmp_path):
    session = Session(site.store, site.actor)
    monkeypatch.setattr(ExchangePage, "ask_passphrase", classmethod(lambda cls, parent: PASS))
    monkeypatch.setattr(ExchangePage, "confirm", classmethod(lambda cls, parent, text: True))
    monkeypatch.setattr(ExchangePage, "ask_save_pdf", classmethod(lambda cls, parent, name: str(tmp_path / name)))
    page = ExchangePage(session, site.store.path)
    qtbot.addWidget(page)
    page.show()
    return page


def test_export_then_import_with_preview_and_receipt(qtbot, world, monkeypatch, tmp_path):
    unit_application(world)
    unit_page = page_for(qtbot, world.unit, monkeypatch, tmp_path)
    assert "公钥指纹" in unit_page.key_label.text()
    assert unit_page.recipient.currentData() == "MYXZF"
    unit_page.folder.setText(str(tmp_path / "usb"))
    unit_page.start_export()
    qtbot.waitUntil(lambda: unit_page.export_progress.value() == 100 or "未完成" in unit_page.message.text(),
                    timeout=20000)
    assert "已导出" in unit_page.message.text(), unit_page.message.text()
    [package] = list((tmp_path / "usb").glob("*.zip"))
    assert unit_page.packages.rowCount() == 2  # the directory received, this package sent
    assert {unit_page.packages.item(r, 1).text() for r in range(2)} == {"发出", "收到"}

    county_page = page_for(qtbot, world.county, monkeypatch, tmp_path)
    monkeypatch.setattr(ExchangePage, "ask_open_file", classmethod(lambda cls, parent: str(package)))
    county_page.choose_package()
    qtbot.waitUntil(lambda: county_page.btn_confirm.isEnabled(), timeout=20000)
    assert all(county_page.step_state[c] == "ok" for c in county_page.step_state)
    actions = {county_page.preview_table.item(r, 2).text() for r in range(county_page.preview_table.rowCount())}
    assert "新增" in actions
    assert world.county.store.one("SELECT COUNT(*) AS n FROM projects")["n"] == 0  # nothing written yet
    county_page.confirm_import()
    qtbot.waitUntil(lambda: county_page.btn_receipt.isEnabled(), timeout=20000)
    assert world.county.store.one("SELECT status FROM projects")["status"] == "submitted"
    county_page.print_receipt()
    assert list(tmp_path.glob("数据包接收回执-*.pdf"))
    # the same package again: 已导入, nothing to confirm
    county_page.verify(str(package))
    qtbot.waitUntil(lambda: "已导入" in county_page.message.text(), timeout=20000)
    assert not county_page.btn_confirm.isEnabled()


def test_refused_package_shows_failed_step(qtbot, world, monkeypatch, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    page = page_for(qtbot, world.county, monkeypatch, tmp_path)
    page.verify(str(bad))
    qtbot.waitUntil(lambda: page.step_state["structure"] == "failed", timeout=20000)
    assert "ZIP" in page.message.text() or "数据包" in page.message.text()
    assert not page.btn_confirm.isEnabled()
    page.print_key_form()
    assert (tmp_path / "密钥登记表.pdf").exists()


def test_installation_without_key_can_make_one(qtbot, monkeypatch, tmp_path):
    from desktop_app.exchange import keyring
    from desktop_app.models.store import Store
    from desktop_app.services import operations as ops

    store = Store.open(tmp_path / "nokey.db")
    actor = ops.init_installation(store, "unit", "MYJYJ", "蒙阴县教育和体育局")
    monkeypatch.setattr(ExchangePage, "ask_new_passphrase", classmethod(lambda cls, parent: "a-long-secret"))
    page = ExchangePage(Session(store, actor), store.path)
    qtbot.addWidget(page)
    page.show()
    assert not page.btn_key_form.isEnabled() and page.btn_make_key.isVisible()
    page.btn_make_key.click()
    assert keyring.has_key(store) and "公钥指纹" in page.key_label.text()
    assert page.btn_key_form.isEnabled() and not page.btn_make_key.isVisible()
    keyring.load_signer(store, "a-long-secret")


def test_export_onto_a_full_stick_says_so_and_stays_unsent(qtbot, world, monkeypatch, tmp_path):
    import errno

    from desktop_app.services import atomic_file
    from tests.core.dbstate import snapshot

    unit_application(world)
    page = page_for(qtbot, world.unit, monkeypatch, tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    page.folder.setText(str(usb))

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = snapshot(world.unit.store)
    with monkeypatch.context() as m:
        m.setattr(atomic_file.os, "fsync", full)
        page.start_export()
        qtbot.waitUntil(lambda: page.btn_export.isEnabled() and "已满" in page.message.text(), timeout=20000)
    assert "没有记入本机" in page.message.text() and page.export_progress.value() == 0
    assert list(usb.iterdir()) == [] and snapshot(world.unit.store) == before
    assert page.packages.rowCount() == 1  # only the directory received
    page.grab().save(str(tmp_path / "full.png"))
    page.start_export()  # the retry sends it
    qtbot.waitUntil(lambda: "已导出" in page.message.text(), timeout=20000)
    assert len(list(usb.glob("*.zip"))) == 1


def test_preview_of_a_0_1_0_package_says_which_version_wrote_it(qtbot, monkeypatch, tmp_path):
    """The 0.1.0 unit database (migrated on open) previews the county office's 0.1.0 package."""
    import shutil
    from pathlib import Path

    from desktop_app.models.store import Store
    from desktop_app.services import accounts
    from tests.core.builders import TEST_PASSWORD

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "v0.1.0"
    shutil.copyfile(fixtures / "unit.db", tmp_path / "unit.db")
    store = Store.open(tmp_path / "unit.db")
    actor = accounts.set_first_password(store, "admin", TEST_PASSWORD)

    class Site:
        pass

    site = Site()
    site.store, site.actor = store, actor
    page = page_for(qtbot, site, monkeypatch, tmp_path)
    page.resize(1100, 700)
    page.verify(str(fixtures / "county-to-unit.zip"))
    qtbot.waitUntil(lambda: page.btn_confirm.isEnabled(), timeout=20000)
    assert "版本说明：该数据包由 govis 0.1.0（数据包格式第1版）生成" in page.summary.text()
    # docs/screenshots/import-0.1.0-package.png: with GOVIS_SHOTS=docs/screenshots (a test run never writes there)
    out = Path(os.environ.get("GOVIS_SHOTS") or tmp_path) / "import-0.1.0-package.png"
    page.grab().save(str(out))
    store.close()


def test_import_preview_lists_suspected_duplicates(app, qtbot, world, monkeypatch, tmp_path):
    """第一条: the county office sees, before confirming, which arriving applications repeat a held one."""
    p = duplicates_story(world)
    river, library, dup, part = p[RIVER[0]], p[LIBRARY[0]], p[RIVER_AGAIN[0]], p[LIBRARY_PART[0]]

    page = page_for(qtbot, world.county, monkeypatch, tmp_path)
    page.resize(1400, 900)
    page.verify(str(world.unit.folder / "second.zip"))
    qtbot.waitUntil(lambda: page.btn_confirm.isEnabled(), timeout=20000)
    assert page.duplicates.isVisible() and "疑似重复建设" in page.duplicates_title.text()
    assert "2个导入的项目" in page.duplicates_title.text()
    flagged = {c.arrival.code: c.similar for c in page.preview_result.duplicates if c.similar}
    assert set(flagged) == {dup["code"], part["code"]}
    assert [(c.code, c.level) for c in flagged[dup["code"]]] == [(river["code"], "duplicate")]
    assert [(c.code, c.level) for c in flagged[part["code"]]] == [(library["code"], "partial")]
    text = page.duplicates.toPlainText()
    assert river["code"] in text and "蒙阴县教育和体育局" in text and "重复" in text and "%" in text
    assert "河湖名录和一河一档" in text and "智慧旅游" not in text
    assert "background:#ffe08a" in page.duplicates.toHtml().replace(" ", "") or "#ffe08a" in page.duplicates.toHtml()
    assert page.grab().save(str(Path(os.environ.get("GOVIS_SHOTS") or tmp_path) / "import-duplicates.png"))


def test_import_preview_says_so_when_nothing_is_similar(qtbot, world, monkeypatch, tmp_path):
    unit_application(world)
    world.unit.export("MYXZF", "only.zip")
    page = page_for(qtbot, world.county, monkeypatch, tmp_path)
    page.verify(str(world.unit.folder / "only.zip"))
    qtbot.waitUntil(lambda: page.btn_confirm.isEnabled(), timeout=20000)
    assert not page.duplicates.isVisible()
    assert "均无内容相似" in page.duplicates_title.text()
