"""A write names every wrong field at once (parse, date order, event dates, money relation), in the
form's field order, and writes nothing (issue 11, item 2)."""

import datetime as dt

import pytest

from desktop_app.errors import ValidationError
from desktop_app.models.kinds import KINDS
from desktop_app.services import operations as ops
from tests.core.builders import BASE, in_construction, make_county, new_project
from tests.core.dbstate import snapshot

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def c(tmp_path):
    county = make_county(tmp_path / "county.db")
    yield county
    county.store.close()


def test_create_project_names_every_stage_at_once(c):
    before = snapshot(c.store)
    with pytest.raises(ValidationError) as exc:
        ops.create_project(c.store, c.unit, {**BASE, "name": "", "category": "建设",  # not a 建设类型
                                             "total_investment_fen": "100", "fiscal_share_fen": "150",
                                             "planned_start": "2027-03-01", "planned_completion": "2027-01-31"},
                           today=TODAY)
    fields = exc.value.fields
    assert set(fields) == {"name", "category", "fiscal_share_fen", "planned_completion"}
    assert "必填" in fields["name"] and "不能早于" in fields["planned_completion"]
    assert fields["fiscal_share_fen"] == "财政资金不能大于总投资"
    assert snapshot(c.store) == before


def test_errors_follow_the_field_order_of_the_form(c):
    order = [f.name for f in KINDS["project"].fields]
    with pytest.raises(ValidationError) as exc:
        ops.create_project(c.store, c.unit, {**BASE, "planned_completion": "2027-01-31", "name": "",
                                             "fiscal_share_fen": "500"}, today=TODAY)
    assert list(exc.value.fields) == sorted(exc.value.fields, key=order.index)
    assert set(exc.value.fields) == {"name", "fiscal_share_fen", "planned_completion"}


def test_a_relation_is_not_judged_on_a_field_that_is_already_wrong(c):
    with pytest.raises(ValidationError) as exc:
        ops.create_project(c.store, c.unit, {**BASE, "total_investment_fen": "abc", "fiscal_share_fen": "100"},
                           today=TODAY)
    assert set(exc.value.fields) == {"total_investment_fen"}  # not also 财政资金 > 总投资


def test_update_project_names_every_stage_at_once(c):
    p = new_project(c)
    before = snapshot(c.store)
    with pytest.raises(ValidationError) as exc:
        ops.update_project(c.store, c.unit, p["id"], {"name": "", "fiscal_share_fen": "500",
                                                       "planned_completion": "2027-01-01"}, today=TODAY)
    assert set(exc.value.fields) == {"name", "fiscal_share_fen", "planned_completion"}
    assert snapshot(c.store) == before


def test_add_record_names_parse_date_order_and_future_event_dates_at_once(c):
    p = in_construction(c)
    with pytest.raises(ValidationError) as exc:
        ops.add_record(c.store, c.unit, "contract", p["id"], {
            "contract_no": "", "title": "运维服务", "supplier": "某公司", "procurement_method": "open_tender",
            "amount_fen": "5", "signed_on": "2026-11-30", "filed_on": "2026-11-20"}, today=TODAY)
    fields = exc.value.fields
    assert "必填" in fields["contract_no"]
    assert "晚于今天" in fields["signed_on"]  # an event date after today
    assert "不能早于" in fields["filed_on"]  # filed before signed
