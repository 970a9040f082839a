"""单位与密钥 driven through its real widgets: add a unit, register its key (a wrong fingerprint refused,
naming the group that differs), revoke with a reason, rotate the own key, export the directory; a
clerk sees the buttons disabled with the reason; a unit's installation sees the county office's key."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import dataclasses
from pathlib import Path

import pytest

from desktop_app.exchange import keyring
from desktop_app.exchange.signing import format_fingerprint
from desktop_app.models.store import Store
from desktop_app.services import audit
from desktop_app.services import operations as ops
from desktop_app.services.session import Session
from desktop_app.ui.units_page import OrgDialog, UnitsPage
from tests.core.builders import TEST_PASSWORD
from tests.exchange.world import PASS, make_world


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path, with_finance=False)


def make_page(qtbot, site, actor=None) -> UnitsPage:
    page = UnitsPage(Session(site.store, actor or site.actor), site.store.path)
    qtbot.addWidget(page)
    page.resize(1280, 560)
    page.show()
    return page


def answers(monkeypatch, name: str, values: list):
    """Patch a dialog classmethod to give these answers in turn (and record what it was asked)."""
    asked = []

    def fake(cls, parent, *args):
        asked.append(args)
        return values.pop(0)

    monkeypatch.setattr(UnitsPage, name, classmethod(fake))
    return asked


def row_of(page: UnitsPage, code: str) -> int:
    return next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == code)


def cell(page: UnitsPage, code: str, column: str) -> str:
    from desktop_app.ui.units_page import COLUMNS

    return page.table.item(row_of(page, code), COLUMNS.index(column)).text()


def a_units_key_file(tmp_path) -> tuple[Path, str]:
    """The new unit's own installation makes its key and exports the public key file it brings along."""
    store = Store.open(tmp_path / "yly" / "govis.db")
    actor = ops.init_installation(store, "unit", "MYYLY", "蒙阴县园林局", admin_password=TEST_PASSWORD)
    keyring.setup_keys(store, actor, PASS)
    path = tmp_path / "MYYLY.pub"
    path.write_text(keyring.export_public(store, actor), encoding="utf-8")
    fp = keyring.own_verifier(store).fingerprint
    store.close()
    return path, fp


def test_add_unit_register_key_wrong_then_right_fingerprint_and_revoke(qtbot, world, monkeypatch, tmp_path):
    county = world.county
    page = make_page(qtbot, county)
    assert cell(page, "MYJYJ", "状态") == "公钥已核对"
    assert cell(page, "MYWJJ", "状态") == "登记"  # registered, no key yet

    # 添加单位: the dialog's own fields, filled and accepted
    def fill(cls, parent, row=None):
        dlg = OrgDialog(parent, row)
        dlg.code.setText("MYYLY")
        dlg.name.setText("蒙阴县园林局")
        dlg.short_name.setText("园林局")
        return dlg.values()

    monkeypatch.setattr(UnitsPage, "ask_org", classmethod(fill))
    page.add_unit()
    assert "已登记单位：蒙阴县园林局（MYYLY）" in page.message.text()
    assert cell(page, "MYYLY", "状态") == "登记"
    assert page.selected().code == "MYYLY"

    # 登记公钥: the file the unit brought, then a fingerprint typed from its stamped form, wrong in group 3
    key_file, fp = a_units_key_file(tmp_path)
    groups = format_fingerprint(fp, short=True).split()
    wrong = list(groups)
    wrong[2] = "0000" if groups[2] != "0000" else "1111"
    monkeypatch.setattr(UnitsPage, "ask_key_file", classmethod(lambda cls, parent: str(key_file)))
    asked = answers(monkeypatch, "ask_fingerprint", [" ".join(wrong), " ".join(groups).lower()])
    head_before = audit.head(county.store)[0]
    page.register_key()
    assert len(asked) == 2  # refused once, asked again
    assert "第3组" in asked[1][0] and f"「{wrong[2]}」" in asked[1][0] and f"「{groups[2]}」" in asked[1][0]
    assert "已登记蒙阴县园林局（MYYLY）的公钥" in page.message.text()
    assert cell(page, "MYYLY", "状态") == "公钥已核对"
    assert cell(page, "MYYLY", "公钥指纹（前8组）") == " ".join(groups)
    assert audit.head(county.store)[0] == head_before + 1  # the refusal wrote nothing

    # 注销: an empty reason is refused; with a reason the key is revoked and the reason audited
    page.select("MYYLY")
    answers(monkeypatch, "ask_reason", ["  "])
    page.revoke_key()
    assert "请填写注销原因" in page.message.text()
    assert cell(page, "MYYLY", "状态") == "公钥已核对"
    answers(monkeypatch, "ask_reason", ["电脑更换"])
    page.revoke_key()
    assert cell(page, "MYYLY", "状态").startswith("已注销")
    assert county.store.one("SELECT revoked_on FROM trusted_keys WHERE fingerprint=?", (fp,))["revoked_on"]
    entry = county.store.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert entry["operation"] == "注销公钥" and "原因：电脑更换" in entry["summary"]
    assert not page.btn_revoke.isEnabled() and page.btn_revoke.toolTip() == "该单位没有有效的公钥"
    page.table.clearSelection()
    page.select("MYJYJ")
    page._say("已注销蒙阴县园林局（MYYLY）的公钥。请导出单位目录发给各单位，并请该单位生成新密钥后重新登记。")
    # docs/screenshots/units.png was taken here with GOVIS_SHOTS=docs/screenshots
    assert page.grab().save(str(Path(os.environ.get("GOVIS_SHOTS") or tmp_path) / "units.png"))


def test_edit_unit_and_a_refused_edit_changes_nothing(qtbot, world, monkeypatch):
    page = make_page(qtbot, world.county)
    page.select("MYWJJ")
    values = {"code": "MYWJJ", "name": "蒙阴县卫生健康局", "short_name": "卫健局", "role": "unit", "code_prefix": "MY"}
    answers(monkeypatch, "ask_org", [dict(values)])
    page.edit_unit()
    assert "前缀「MY」已属于蒙阴县人民政府办公室" in page.message.text()
    assert cell(page, "MYWJJ", "简称") == ""
    answers(monkeypatch, "ask_org", [dict(values, code_prefix="WJ")])
    page.edit_unit()
    assert "已修改单位 MYWJJ" in page.message.text()
    assert (cell(page, "MYWJJ", "简称"), cell(page, "MYWJJ", "编号前缀")) == ("卫健局", "WJ")


def test_rotate_own_key_and_export_directory_in_the_worker(qtbot, world, monkeypatch, tmp_path):
    county = world.county
    page = make_page(qtbot, county)
    old = keyring.own_verifier(county.store).fingerprint
    answers(monkeypatch, "ask_passphrases", [(PASS, "新的县政府口令2027")])
    page.rotate_key()
    qtbot.waitUntil(lambda: "已更换本机签名密钥" in page.message.text() or "未完成" in page.message.text(),
                    timeout=20000)
    new = keyring.own_verifier(county.store).fingerprint
    assert new != old and format_fingerprint(new) in page.message.text()
    assert format_fingerprint(new) in page.overview.text()
    assert cell(page, "MYXZF", "公钥指纹（前8组）") == format_fingerprint(new, short=True)

    usb = tmp_path / "usb"
    usb.mkdir()
    answers(monkeypatch, "ask_folder", [str(usb)])
    answers(monkeypatch, "ask_passphrase", ["新的县政府口令2027"])
    page.export_directory()
    qtbot.waitUntil(lambda: "已导出单位目录" in page.message.text() or "未完成" in page.message.text()
                    or "口令" in page.message.text(), timeout=30000)
    assert "已导出单位目录 3 份" in page.message.text(), page.message.text()
    assert sorted(p.name.split("-至-")[1][:5] for p in usb.glob("*.zip")) == ["MYCZJ", "MYJYJ", "MYWJJ"]
    assert cell(page, "MYJYJ", "最近发出").endswith("第2号")  # the first directory was number 1


def test_clerk_sees_the_buttons_disabled_with_the_reason(qtbot, world):
    clerk = dataclasses.replace(world.county.actor, user="jingban", user_role="clerk")
    page = make_page(qtbot, world.county, clerk)
    page.select("MYJYJ")
    for b in (page.btn_add, page.btn_edit, page.btn_register, page.btn_revoke, page.btn_rotate, page.btn_directory):
        assert not b.isEnabled()
        assert "管理员" in b.toolTip(), (b.text(), b.toolTip())


def test_units_installation_shows_the_county_key_directory_date_and_own_key(qtbot, world):
    unit = world.unit
    page = make_page(qtbot, unit)
    text = page.overview.text()
    assert format_fingerprint(keyring.own_verifier(world.county.store).fingerprint) in text
    assert format_fingerprint(keyring.own_verifier(unit.store).fingerprint) in text
    assert "单位及密钥目录日期：" in text and "第1号" in text
    assert not page.btn_add.isVisible() and not page.btn_register.isVisible()
    assert page.btn_rotate.isVisible() and page.btn_rotate.isEnabled()
    assert cell(page, "MYXZF", "状态") == "公钥已核对"
    assert cell(page, "MYXZF", "最近收到").endswith("第1号")
