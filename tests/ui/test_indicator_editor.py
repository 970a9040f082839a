"""系统设置 → 绩效评价指标体系 (第六条) through its real widgets: the county office edits a weight (the
running total says what is wrong, the core's Chinese refusal is shown), fixes it and saves; restores
the default; every other installation reads the system and cannot edit it."""

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.lifecycle.policy import load_indicators
from desktop_app.ui.fonts import apply_ui_font
from desktop_app.ui.indicator_editor import NAME, NOTE, POINTS, IndicatorEditor


def editor(qtbot, session) -> IndicatorEditor:
    w = IndicatorEditor(session)
    qtbot.addWidget(w)
    w.resize(900, 620)
    w.show()
    return w


def find(w: IndicatorEditor, name: str):
    [item] = w.tree.findItems(name, Qt.MatchFlag.MatchRecursive)
    return item


def test_edit_a_weight_see_the_total_fix_it_and_save(qtbot, town, tmp_path):
    if os.environ.get("GOVIS_SHOTS"):
        apply_ui_font(QApplication.instance())  # as at start-up, for docs/screenshots
    w = editor(qtbot, town.county)
    assert w.total.text() == "合计 100 分 ✓" and w.tree.topLevelItemCount() == 4
    quality = find(w, "系统质量")
    quality.setText(POINTS, "5")  # 产出 now adds up to 45
    assert "「产出」的二级指标合计45分" in w.total.text() and "#c62828" in w.total.styleSheet()
    assert w.save() is False
    assert "一级指标「产出」50分，其二级指标合计45分" in w.error.text()
    assert load_indicators(town.store).groups[1].items[1].full == 10  # nothing stored

    # the five points go to a new indicator under 产出
    w.tree.setCurrentItem(quality)
    w.add_item_button.click()
    new = w.tree.currentItem()
    w.tree.closePersistentEditor(new, NAME)
    new.setText(NAME, "安全保障")
    new.setText(POINTS, "5")
    new.setText(NOTE, "等级保护测评、密码应用安全性评估按期完成得满分")
    assert w.total.text() == "合计 100 分 ✓"
    shot = Path(os.environ.get("GOVIS_SHOTS") or tmp_path) / "settings-indicators.png"
    assert w.grab().save(str(shot))
    assert w.save() is True
    assert "已保存绩效评价指标体系" in w.message.text() and not w.error.text()
    system = load_indicators(town.store)
    assert [i.name for i in system.groups[1].items][-1] == "安全保障" and system.groups[1].items[1].full == 5

    # saving again without a change is refused by the core, said as it is
    assert w.save() is False and "没有需要保存的修改" in w.error.text()
    assert w.restore_default(confirm=False) is True
    assert len(load_indicators(town.store).indicators) == 11 and w.tree.topLevelItemCount() == 4


def test_a_group_added_and_removed_moves_the_total(qtbot, town):
    w = editor(qtbot, town.county)
    w.add_group_button.click()
    top = w.tree.topLevelItem(4)
    w.tree.closePersistentEditor(top, NAME)
    top.setText(POINTS, "10")
    top.child(0).setText(POINTS, "10")
    assert w.total.text().startswith("合计 110 分，应为 100")
    w.tree.setCurrentItem(top)
    w.remove_button.click()
    assert w.total.text() == "合计 100 分 ✓" and w.tree.topLevelItemCount() == 4


def test_a_unit_reads_the_system_but_cannot_edit_it(qtbot, town):
    w = editor(qtbot, town.unit)
    assert w.tree.topLevelItemCount() == 4
    assert not any(b.isEnabled() for b in w.buttons)
    assert "绩效评价指标体系只能由县政府办公室设置" in w.message.text()
    item = find(w, "预算执行率")
    assert not (item.flags() & Qt.ItemFlag.ItemIsEditable)
