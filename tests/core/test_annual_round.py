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


RIVER = "建设河长制河湖名录和一河一档，河长巡河APP记录巡河轨迹，问题上报与交办督办。"


def test_each_application_carries_its_best_candidate_and_the_recorded_finding(county, capsys, monkeypatch):
    """第一条: 疑似重复 / 部分重复 / — beside each received application, and whether the county decided."""
    c = county
    held = B.new_project(c, c.unit2, name="县河长制信息化平台", summary=RIVER, plan_year="2028")  # held, not in 2027
    twin = B.submitted(c, name="河湖长制管理系统", summary="建立河湖名录和一河一档，开发河长巡河APP记录巡河轨迹。")
    alone = B.submitted(c, name="县图书馆管理系统", summary="图书采编、流通借还和读者证管理。")
    rnd = AR.annual_round(c.store, 2027, D(2026, 9, 1))
    by_code = {a.code: a for a in rnd.applications}
    a = by_code[twin["code"]]
    assert (a.duplicate_level, a.duplicate_of, a.duplicate_text, a.duplicate_decision) == (
        "duplicate", held["code"], "疑似重复", "")
    b = by_code[alone["code"]]
    assert (b.duplicate_level, b.duplicate_of, b.duplicate_text) == ("none", "", "—")
    ops.add_record(c.store, c.county, "duplicate_decision", twin["id"],
                   {"level": "none", "decided_on": "2026-09-01", "reason": "建设范围不同"}, today=B.TODAY)
    a = {x.code: x for x in AR.annual_round(c.store, 2027, D(2026, 9, 1)).applications}[twin["code"]]
    assert a.duplicate_decision == "无重复" and a.duplicate_text == "疑似重复"
    monkeypatch.setenv("GOVIS_DB", c.store.path)
    assert main(["round", "2027", "--json", "--today", "2026-09-01"]) == 0
    apps = {x["code"]: x for x in json.loads(capsys.readouterr().out)["applications"]}
    assert apps[twin["code"]]["duplicate_text"] == "疑似重复" and apps[twin["code"]]["duplicate_of"] == held["code"]
    assert apps[twin["code"]]["duplicate_decision"] == "无重复" and apps[alone["code"]]["duplicate_text"] == "—"
