"""第二条 the annual round: applications received for a plan year, late ones, materials, consultation, units
that have not applied — on both sides of the deadline, with fixed dates."""

import datetime as dt
import json

from desktop_app.cli import main
from desktop_app.services import annual_round as AR
from desktop_app.services import operations as ops
from tests.core import builders as B

D = dt.date


def test_open_year_follows_the_deadline_of_the_profile(county):
    c = county
    assert AR.open_year(c.store, D(2026, 8, 31)) == 2027
    assert AR.open_year(c.store, D(2026, 9, 1)) == 2028
    ops.set_policy(c.store, c.county, {"application_month": 10, "application_day": 31})
    assert AR.open_year(c.store, D(2026, 9, 1)) == 2027


def test_received_on_the_deadline_is_on_time_a_day_earlier_deadline_makes_it_late(county):
    c = county
    p = B.submitted(c, today=D(2026, 8, 31))
    rnd = AR.annual_round(c.store, 2027, D(2026, 9, 1))
    [a] = rnd.applications
    assert (a.code, a.submitted_on, a.late_days, a.late) == (p["code"], "2026-08-31", 0, False)
    assert rnd.deadline == D(2026, 8, 31) and not rnd.is_open
    assert AR.annual_round(c.store, 2027, D(2026, 8, 31)).is_open
    ops.set_policy(c.store, c.county, {"application_day": 30})  # the county moves its deadline a day earlier
    [a] = AR.annual_round(c.store, 2027, D(2026, 9, 1)).applications
    assert (a.late_days, a.late) == (1, True)


def test_the_received_day_survives_later_steps(county):
    c = county
    p = B.approved(c)  # submitted 2026-07-01, then reviewed in September
    [a] = AR.annual_round(c.store, 2027, D(2026, 10, 1)).applications
    assert a.code == p["code"] and a.submitted_on == "2026-07-01" and a.status == "approved"


def test_materials_and_consultation_are_reported(county):
    c = county
    B.submitted(c)
    [a] = AR.annual_round(c.store, 2027, D(2026, 9, 1)).applications
    assert a.complete and a.missing == [] and a.consulted_on == "2026-06-01"
    ops.set_policy(c.store, c.county, {"history_years_min": 4})  # three years given: one short now
    [a] = AR.annual_round(c.store, 2027, D(2026, 9, 1)).applications
    assert not a.complete and a.missing == ["近4年投资运行情况（已填3年）"]


def test_units_without_an_application_and_drafts(county):
    c = county
    B.submitted(c)  # 教育和体育局 applies
    draft = B.new_project(c, c.unit2, name="县全民健康信息平台")  # 卫生健康局 only drafted
    rnd = AR.annual_round(c.store, 2027, D(2026, 9, 1))
    assert rnd.units_without == ["蒙阴县卫生健康局"]
    assert [d.code for d in rnd.drafts] == [draft["code"]] and draft["code"] not in {a.code for a in rnd.applications}
    B.add_materials(c, draft["id"], c.unit2)
    ops.transition(c.store, c.unit2, draft["id"], "submit", today=D(2026, 8, 1))
    rnd = AR.annual_round(c.store, 2027, D(2026, 9, 1))
    assert rnd.units_without == [] and len(rnd.applications) == 2
    assert AR.annual_round(c.store, 2028, D(2026, 9, 1)).units_without == ["蒙阴县卫生健康局", "蒙阴县教育和体育局"]


def test_govis_round_json(county, tmp_path, capsys):
    c = county
    p = B.submitted(c)
    db = c.store.path
    c.store.close()
    code = main(["round", "2027", "--json", "--db", str(db), "--today", "2026-09-01"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["year"] == 2027 and data["deadline"] == "2026-08-31" and data["open"] is False
    [a] = data["applications"]
    assert a["code"] == p["code"] and a["late"] is False and a["complete"] is True
    assert data["units_without_application"] == ["蒙阴县卫生健康局"]
    code = main(["round", "--db", str(db), "--today", "2026-08-01"])  # the open year by default
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "2027年度项目申报情况" in out and "受理中" in out and "未申报的单位：蒙阴县卫生健康局" in out
