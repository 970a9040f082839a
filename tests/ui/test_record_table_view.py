"""Record tables: an empty one says what belongs there and how to add it; columns fit their content up to a
cap; long text is elided with its whole text on hover."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QStyleOptionViewItem, QToolTip

from desktop_app.models.kinds import KINDS
from desktop_app.services import project_view as PV
from desktop_app.ui.record_table import MAX_COLUMN_CHARS, RecordSection, cell_elided
from tests.ui import project_fixtures as F

LONG_ADVICE = ("建议统一身份认证，复用县政务云已有的计算和存储资源，" * 4).strip("，")
LONG_TITLE = "蒙阴县智慧教育云平台建设方案（含网络安全等级保护和商用密码应用安全性评估专篇）修订稿"


def _section(qtbot, session, kind: str, pid: str, **kw) -> RecordSection:
    sec = RecordSection(KINDS[kind], session, **kw)
    qtbot.addWidget(sec)
    sec.resize(900, 260)
    sec.show()
    qtbot.waitExposed(sec)
    sec.refresh(session_view(session, pid))
    return sec


def session_view(session, pid):
    return PV.load(session, pid)


def test_an_empty_table_says_what_belongs_and_how_to_add(app, qtbot, town):
    p = F.draft(town)
    sec = _section(qtbot, town.unit, "consultation", p["id"])
    note = sec.table.empty_note
    assert sec.model.rowCount() == 0 and note.is_shown()
    assert note.text() == "本项目还没有电子政务中心咨询。\n点击上方“添加电子政务中心咨询”录入。"
    town.unit.add_record("consultation", p["id"], {"consulted_on": "2026-06-01", "advisor": "李华"})
    sec.refresh(session_view(town.unit, p["id"]))
    assert sec.model.rowCount() == 1 and not note.is_shown()


def test_an_empty_table_on_a_pc_that_cannot_add_says_why(app, qtbot, town):
    p = F.draft(town)
    sec = _section(qtbot, town.finance, "consultation", p["id"], empty_text="这里登记电子政务中心的咨询意见。")
    text = sec.table.empty_note.text()
    assert text.startswith("这里登记电子政务中心的咨询意见。\n")
    assert text.endswith("「电子政务中心咨询」由申报单位/建设单位填报，本机（县财政局）只能查看。")
    assert "点击上方" not in text


def test_columns_fit_content_and_long_text_is_elided_with_tooltip(app, qtbot, town, monkeypatch):
    p = F.draft(town)
    town.unit.add_record("material", p["id"], {"material_type": "plan", "title": LONG_TITLE,
                                               "prepared_on": "2026-06-01"})
    town.unit.add_record("material", p["id"], {"material_type": "budget", "title": "投资预算"})
    sec = _section(qtbot, town.unit, "material", p["id"])
    table, model = sec.table, sec.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    title_col, date_col = headers.index("材料名称"), headers.index("编制日期")
    cap = table.fontMetrics().horizontalAdvance("县" * MAX_COLUMN_CHARS)
    # a short column is as wide as its content; the long one stops at the cap
    assert table.fontMetrics().horizontalAdvance("2026-06-01") <= table.columnWidth(date_col) < cap // 2
    assert table.columnWidth(title_col) == cap
    assert not table.wordWrap() and table.textElideMode() == Qt.TextElideMode.ElideRight
    long_cell, short_cell, date = model.index(0, title_col), model.index(1, title_col), model.index(0, date_col)
    assert cell_elided(table, long_cell) and not cell_elided(table, short_cell) and not cell_elided(table, date)
    assert long_cell.data(Qt.ItemDataRole.ToolTipRole) == LONG_TITLE
    # hovering: the whole text for the elided cell, nothing for cells that show all of theirs
    shown = []
    monkeypatch.setattr(QToolTip, "showText", staticmethod(lambda pos, text, *a: shown.append(text)))
    for index in (long_cell, short_cell, date):
        centre = table.visualRect(index).center()
        event = QHelpEvent(QHelpEvent.Type.ToolTip, centre, table.viewport().mapToGlobal(centre))
        table.itemDelegate().helpEvent(event, table, QStyleOptionViewItem(), index)
    assert shown == [LONG_TITLE]


def test_a_long_text_field_shows_its_whole_text_on_hover(app, qtbot, town):
    p = F.draft(town)
    town.unit.add_record("consultation", p["id"], {"consulted_on": "2026-06-01", "advisor": "李华",
                                                   "advice": LONG_ADVICE})
    sec = _section(qtbot, town.unit, "consultation", p["id"])
    advice = sec.model.index(0, sec.model.columnCount() - 1)
    assert advice.data().endswith("…") and len(advice.data()) == 31  # the cell shows the first 30 characters
    assert advice.data(Qt.ItemDataRole.ToolTipRole) == LONG_ADVICE
