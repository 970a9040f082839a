"""第二条 the annual round: applications received for a plan year, late ones, materials, consultation, units
that have not applied — on both sides of the deadline, with fixed dates."""

import datetime as dt
import json

import pytest

from desktop_app.cli import main
from desktop_app.errors import GovisError
from desktop_app.services import annual_round as AR
from desktop_app.services import operations as ops
from tests.core import builders as B
from tests.core.dbstate import snapshot

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


# ---- the round as a recorded act of the county office (第二条, migration 14) -----------------------------

def _refused_unchanged(store, fn, *args, **kw):
    """A refused write raises in Chinese and changes nothing."""
    before = snapshot(store)
    with pytest.raises(GovisError) as exc:
        fn(store, *args, **kw)
    assert snapshot(store) == before
    return exc.value


def test_the_county_office_opens_a_round_with_the_profiles_deadline_kept(county):
    c = county
    row = ops.open_round(c.store, c.county, 2028, {"notice": "蒙政办字〔2027〕5号", "note": "附申报表"},
                         today=D(2027, 3, 1))
    assert (row["plan_year"], row["opened_on"], row["deadline"], row["notice"], row["closed_on"]) == (
        2028, "2027-03-01", "2027-08-31", "蒙政办字〔2027〕5号", None)
    assert row.changes.kinds == {"application_round"}
    entries = c.store.all("SELECT operation, summary FROM audit_log WHERE record_kind='application_round'")
    assert [e["operation"] for e in entries] == ["开启年度申报"] and "蒙政办字〔2027〕5号" in entries[0]["summary"]
    # a later change of the profile never moves a round already announced
    ops.set_policy(c.store, c.county, {"application_day": 30})
    rnd = AR.annual_round(c.store, 2028, D(2027, 8, 31))
    assert rnd.recorded and rnd.deadline == D(2027, 8, 31) and rnd.opened_on == D(2027, 3, 1) and rnd.is_open
    assert rnd.state_text == "已开启（2027-03-01开启，截止2027-08-31）"
    data = rnd.as_dict()
    assert (data["recorded"], data["opened_on"], data["closed_on"], data["notice"]) == (
        True, "2027-03-01", None, "蒙政办字〔2027〕5号")


def test_no_round_recorded_reads_not_yet_opened_with_the_profile_deadline(county):
    rnd = AR.annual_round(county.store, 2028, D(2027, 3, 1))
    assert not rnd.recorded and rnd.opened_on is None and rnd.deadline == D(2027, 8, 31)
    assert rnd.state_text == "尚未开启（按政策参数，截止日期2027-08-31）"
    assert rnd.as_dict()["recorded"] is False


def test_a_year_is_opened_once(county):
    c = county
    ops.open_round(c.store, c.county, 2028, {}, today=D(2027, 3, 1))
    e = _refused_unchanged(c.store, ops.open_round, c.county, 2028, {}, today=D(2027, 3, 2))
    assert "已于2027-03-01开启" in e.message and "不能重复开启" in e.message


def test_a_year_whose_deadline_has_passed_cannot_be_opened(county):
    c = county
    e = _refused_unchanged(c.store, ops.open_round, c.county, 2027, {}, today=D(2026, 9, 1))
    assert "截止日期2026-08-31已过" in e.message and "现在受理的是2028年度" in e.message
    assert ops.open_round(c.store, c.county, 2027, {}, today=D(2026, 8, 31))["deadline"] == "2026-08-31"


def test_a_year_at_most_one_ahead_of_the_year_being_received(county):
    c = county
    # on 2026-11-26 the year being received is 2028 (deadline 2027-08-31): 2029 may be opened early, 2030 not
    e = _refused_unchanged(c.store, ops.open_round, c.county, 2030, {}, today=B.TODAY)
    assert "开启过早" in e.message and "最多可提前开启2029年度" in e.message
    assert ops.open_round(c.store, c.county, 2029, {}, today=B.TODAY)["deadline"] == "2028-08-31"
    assert ops.open_round(c.store, c.county, 2028, {}, today=B.TODAY)["plan_year"] == 2028


def test_only_the_county_office_opens_or_closes_a_round(county):
    c = county
    for who in (c.unit, c.finance):
        e = _refused_unchanged(c.store, ops.open_round, who, 2028, {}, today=B.TODAY)
        assert "只能由县政府办公室办理" in e.message and e.clause == "第二条"
    ops.open_round(c.store, c.county, 2028, {}, today=B.TODAY)
    e = _refused_unchanged(c.store, ops.close_round, c.unit, 2028, "", today=D(2027, 9, 1))
    assert "只能由县政府办公室办理" in e.message
    # inside the office: the notice speaks for it, a clerk drafts but does not sign off
    clerk = B.actor_for(c.store, "MYXZF", user_role="clerk")
    e = _refused_unchanged(c.store, ops.close_round, clerk, 2028, "", today=D(2027, 9, 1))
    assert "截止受理年度申报" in e.message and "经办人" in e.message


def test_bad_year_and_too_long_texts_are_refused(county):
    c = county
    e = _refused_unchanged(c.store, ops.open_round, c.county, "二〇二八", {}, today=B.TODAY)
    assert e.fields["year"].startswith("计划年度应为四位年份")
    e = _refused_unchanged(c.store, ops.open_round, c.county, 2028, {"notice": "文" * 201}, today=B.TODAY)
    assert e.fields["notice"] == "通知文号或标题不超过200个字，现为201个字"
    assert ops.open_round(c.store, c.county, 2028, {"notice": "文" * 200}, today=B.TODAY)["notice"] == "文" * 200


def test_close_after_the_deadline_or_earlier_with_a_note_once(county):
    c = county
    ops.open_round(c.store, c.county, 2027, {"note": "附表见通知"}, today=D(2026, 6, 1))
    e = _refused_unchanged(c.store, ops.close_round, c.county, 2027, "", today=D(2026, 8, 31))
    assert "尚未过截止日期" in e.fields["note"]  # on the deadline day applications are still received
    row = ops.close_round(c.store, c.county, 2027, "", today=D(2026, 9, 1))
    assert row["closed_on"] == "2026-09-01" and row["rev"] == 2 and row["note"] == "附表见通知"
    e = _refused_unchanged(c.store, ops.close_round, c.county, 2027, "", today=D(2026, 9, 2))
    assert "已于2026-09-01截止受理" in e.message
    rnd = AR.annual_round(c.store, 2027, D(2026, 9, 2))
    assert rnd.closed_on == D(2026, 9, 1) and not rnd.is_open
    assert rnd.state_text == "已截止受理（2026-06-01开启，2026-09-01截止受理）"
    assert [r["operation"] for r in c.store.all(
        "SELECT operation FROM audit_log WHERE record_kind='application_round' ORDER BY seq")] == [
        "开启年度申报", "截止受理年度申报"]


def test_closing_early_needs_a_note_and_stops_receiving(county):
    c = county
    e = _refused_unchanged(c.store, ops.close_round, c.county, 2028, "", today=D(2027, 9, 1))
    assert "尚未开启" in e.message
    ops.open_round(c.store, c.county, 2028, {}, today=D(2027, 3, 1))
    row = ops.close_round(c.store, c.county, 2028, "各单位均已报送", today=D(2027, 8, 20))
    assert row["closed_on"] == "2027-08-20" and row["note"] == "截止受理：各单位均已报送"
    assert AR.annual_round(c.store, 2028, D(2027, 8, 19)).is_open  # the view of a day before it closed
    assert not AR.annual_round(c.store, 2028, D(2027, 8, 20)).is_open


def test_late_flags_use_the_recorded_rounds_deadline(county):
    c = county
    ops.set_policy(c.store, c.county, {"application_day": 30})
    ops.open_round(c.store, c.county, 2027, {}, today=D(2026, 6, 1))  # announced: by 2026-08-30
    ops.set_policy(c.store, c.county, {"application_day": 31})  # the profile moves on; the round keeps its day
    B.submitted(c, today=D(2026, 8, 30))
    B.submitted(c, name="县教育资源公共服务平台", today=D(2026, 8, 31))
    rnd = AR.annual_round(c.store, 2027, D(2026, 9, 1))
    assert rnd.deadline == D(2026, 8, 30)
    assert [(a.submitted_on, a.late_days) for a in rnd.applications] == [("2026-08-30", 0), ("2026-08-31", 1)]


def test_an_application_received_after_an_early_close_is_marked_on_both_sides_of_the_close_day(county, capsys,
                                                                                                 monkeypatch):
    """第二条: the office closed 受理 early (with its reason); one received that day is in the round, one the
    next day is on time by the deadline yet marked 截止受理后收到 in the view, the command and the 汇总表."""
    c = county
    ops.open_round(c.store, c.county, 2027, {}, today=D(2026, 6, 1))
    ops.close_round(c.store, c.county, 2027, "评审会提前召开", today=D(2026, 8, 20))
    on_day = B.submitted(c, today=D(2026, 8, 20))
    after = B.submitted(c, name="县教育资源公共服务平台", today=D(2026, 8, 21))
    rnd = AR.annual_round(c.store, 2027, D(2026, 9, 1))
    by = {a.code: a for a in rnd.applications}
    assert (by[on_day["code"]].after_close, by[on_day["code"]].timing_text) == (False, "按期")
    assert (by[after["code"]].after_close, by[after["code"]].late, by[after["code"]].timing_text) == (
        True, False, "截止受理后收到")
    assert [a.code for a in rnd.after_close] == [after["code"]] and rnd.late == []
    assert {a["code"]: a["timing"] for a in rnd.as_dict()["applications"]} == {
        on_day["code"]: "按期", after["code"]: "截止受理后收到"}
    monkeypatch.setenv("GOVIS_DB", c.store.path)
    assert main(["round", "2027", "--today", "2026-09-01"]) == 0
    out = capsys.readouterr().out
    assert "截止受理后收到\t" in out and "截止受理后收到 1，" in out
