"""统计分析 on a county of many units and on an empty database: every bar labelled, empty charts say so."""

import datetime as dt

import pytest

from desktop_app.services.session import Session
from desktop_app.ui.statistics import StatisticsPage, load_tables, visible_category_labels
from tests.core.builders import actor_for, make_county, new_project
from tests.ui.conftest import TODAY

UNITS = ["人力资源和社会保障局", "自然资源和规划局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局",
         "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局", "应急管理局", "市场监督管理局",
         "行政审批服务局", "医疗保障局", "综合行政执法局", "信访局", "统计局"]


def _session(path) -> Session:
    session = Session.open(path)
    session.today_override = TODAY
    return session


@pytest.fixture
def many_units(tmp_path):
    """Seventeen units with one draft each: the chart shows the fifteen largest."""
    path = str(tmp_path / "many.db")
    c = make_county(path)
    from desktop_app.services import operations as ops

    for i, name in enumerate(UNITS):
        code = f"MYU{i:02d}"
        if name != "卫生健康局":
            ops.add_organisation(c.store, c.county, code, "蒙阴县" + name, "unit")
        actor = actor_for(c.store, "MYWJJ" if name == "卫生健康局" else code)
        new_project(c, actor, name=f"{name}信息系统", total_investment_fen=str(100 + 10 * i))
    c.store.close()
    session = _session(path)
    yield session, path
    session.store.close()


@pytest.fixture
def empty_county(tmp_path):
    path = str(tmp_path / "empty.db")
    make_county(path).store.close()
    session = _session(path)
    yield session, path
    session.store.close()


def _page(qtbot, session, path, width=900, height=600) -> StatisticsPage:
    page = StatisticsPage(session, path)
    qtbot.addWidget(page)
    page.resize(width, height)
    page.show()
    qtbot.waitExposed(page)
    page.set_tables(load_tables(session))
    return page


def test_every_unit_bar_is_labelled_in_a_small_window(app, qtbot, many_units):
    session, path = many_units
    page = _page(qtbot, session, path)
    chart = page.views["by_unit"].chart()
    [axis] = [a for a in chart.axes() if a.type() == a.AxisType.AxisTypeBarCategory]
    expected = [name for name in axis.categories()]
    assert len(expected) == 15  # the fifteen largest of seventeen units
    assert "统计局" in expected and "人力资源和社会保障局" not in expected  # the two smallest are left out
    qtbot.waitUntil(lambda: sorted(visible_category_labels(chart)) == sorted(expected), timeout=5000)
    # the page scrolls rather than squeeze the chart until labels drop out
    assert page.views["by_unit"].height() >= page.views["by_unit"].minimumHeight()
    status = page.views["by_status"].chart()
    qtbot.waitUntil(lambda: len(visible_category_labels(status)) == 1, timeout=5000)  # all drafts


def test_empty_database_shows_a_sentence_not_axes(app, qtbot, empty_county):
    session, path = empty_county
    page = _page(qtbot, session, path)
    assert page.is_empty()
    assert page.body.currentWidget() is page.no_projects and page.no_projects.isVisible()
    text = page.no_projects.text()
    assert "还没有项目" in text and "新建项目" in text and "导入原有台账" in text
    assert page.summary.text() == "还没有项目"
    assert not page.export_btn.isEnabled()
    for key, cell in page.cells.items():  # behind the sentence, no chart with 0..1 axes either
        assert cell.currentWidget() is page.empty_notes[key]


def test_no_overdue_obligation_is_said_in_words(app, qtbot, many_units):
    session, path = many_units
    session.today_override = dt.date(2026, 6, 1)  # before the 31 August application deadline
    page = _page(qtbot, session, path)
    assert not page.is_empty()
    by_key = {t.key: t for t in page.tables}
    assert by_key["overdue_by_rule"].rows == []  # drafts owe nothing yet
    cell = page.cells["overdue_by_rule"]
    assert cell.currentWidget() is page.empty_notes["overdue_by_rule"]
    assert "今日没有逾期的义务" in page.empty_notes["overdue_by_rule"].text()
    assert page.cells["by_unit"].currentWidget() is page.views["by_unit"]
