"""第六条 a configurable indicator system: `ops.set_indicators` checks a county's own system (every
problem named), is the county office's, writes one setting with one audit entry, refuses saving what is
in force, and leaves evaluations already scored as they were."""

import datetime as dt
import json

import pytest

from desktop_app.errors import Refused, ValidationError
from desktop_app.lifecycle import indicators as IND
from desktop_app.lifecycle.policy import DEFAULT_INDICATORS, load_indicators
from desktop_app.services import audit
from desktop_app.services import operations as ops
from tests.core import builders as B
from tests.core.dbstate import snapshot

D = dt.date
DEFAULT = IND.checked(DEFAULT_INDICATORS)


def own() -> list:
    """A county's own system: 产出 gives five points to a new 安全保障, taken from 系统质量."""
    data = IND.to_data(DEFAULT)
    data[1][2][1][1] = 5
    data[1][2].append(["安全保障", 5, "等级保护测评、密码评估按期完成得满分"])
    return data


def refusal(data) -> dict:
    with pytest.raises(ValidationError) as e:
        IND.checked(data)
    return e.value.fields


# ---- the check (pure) --------------------------------------------------------------------------

def test_both_forms_read_alike_and_notes_are_optional():
    assert IND.checked(IND.to_objects(DEFAULT)) == DEFAULT == IND.checked(IND.to_data(DEFAULT))
    data = own()
    data[1][2][-1] = ["安全保障", 5]  # no scoring note
    assert IND.checked(data).groups[1].items[-1].note == ""


def test_first_levels_must_add_up_to_100_on_both_sides():
    data = IND.to_data(DEFAULT)
    data[3][1], data[3][2][0][1] = 9, 4   # 满意度 9 (its items 4 + 5): total 99
    assert refusal(data) == {"合计": "一级指标合计应为100分，现为99分"}
    data[3][1], data[3][2][0][1] = 11, 6  # 101
    assert refusal(data) == {"合计": "一级指标合计应为100分，现为101分"}
    data[3][1], data[3][2][0][1] = 10, 5  # 100
    assert IND.checked(data) == DEFAULT


def test_second_levels_must_add_up_to_their_first_level_named():
    data = IND.to_data(DEFAULT)
    data[1][2][0][1] = 15  # 功能完成度 20 → 15: 产出's items 45
    f = refusal(data)
    assert f["一级指标「产出」合计"] == "一级指标「产出」50分，其二级指标合计45分，应与一级指标分值相等"
    data[1][2][0][1] = 21
    assert "合计51分" in refusal(data)["一级指标「产出」合计"]


def test_names_present_unique_and_without_separators():
    data = own()
    data[0][2][0][0] = " "
    data[2][2][0][0] = "系统质量"          # also under 产出
    data[3][0] = "满意/度"
    f = refusal(data)
    assert f["一级指标「预算执行」的第1个二级指标"] == "一级指标「预算执行」的第1个二级指标的名称不能为空"
    assert "二级指标「系统质量」重复（在「产出」和「效益」下）" in f["二级指标「系统质量」"]
    assert "不能含“/”或冒号" in f["第4个一级指标"]
    data = own()
    data[2][0] = "产出"
    assert refusal(data)["一级指标「产出」"] == "一级指标「产出」重复"


@pytest.mark.parametrize("points", [0, -5, "六", 2.5, True, None])
def test_marks_are_whole_positive_numbers(points):
    data = own()
    data[0][2][0][1] = points
    [message] = [m for k, m in refusal(data).items() if k.endswith("分值")]
    assert message.startswith("二级指标「预算执行率」的分值应为正整数")


def test_a_group_without_items_and_a_wrong_shape_are_named():
    assert "至少要有一个二级指标" in refusal([["预算执行", 100, []]])["一级指标「预算执行」二级"]
    assert "格式不对" in refusal([["预算执行", 100]])["第1个一级指标"]
    assert "为空" in refusal([])["指标体系"]
    assert "为空" in refusal({"name": "x"})["指标体系"]


# ---- the operation ------------------------------------------------------------------------------

def test_the_county_office_sets_its_own_system_with_one_audit_entry(county):
    c = county
    row = ops.set_indicators(c.store, c.county, json.dumps(own(), ensure_ascii=False), today=B.TODAY)
    assert row.changes.settings and not row["default"]
    system = load_indicators(c.store)
    assert system.groups[1].items[-1].name == "安全保障" and len(system.indicators) == 12
    entries = c.store.all("SELECT * FROM audit_log WHERE operation='修改绩效评价指标'")
    assert len(entries) == 1
    before, after = json.loads(entries[0]["before"]), json.loads(entries[0]["after"])
    assert before["预算执行"] == after["预算执行"] and before["产出"] != after["产出"]
    assert "安全保障5分（等级保护测评" in after["产出"]
    assert not audit.verify(c.store)


def test_saving_the_system_in_force_is_refused_and_writes_nothing(county):
    c = county
    before = snapshot(c.store)
    with pytest.raises(Refused, match="没有需要保存的修改"):
        ops.set_indicators(c.store, c.county, DEFAULT)
    ops.set_indicators(c.store, c.county, own())
    after_first = snapshot(c.store)
    with pytest.raises(Refused, match="没有需要保存的修改"):
        ops.set_indicators(c.store, c.county, IND.to_objects(IND.checked(own())))
    assert snapshot(c.store) == after_first != before


def test_only_the_county_office_and_an_invalid_system_changes_nothing(county):
    c = county
    before = snapshot(c.store)
    for actor in (c.unit, c.finance):
        with pytest.raises(Refused, match="绩效评价指标体系只能由县政府办公室设置") as e:
            ops.set_indicators(c.store, actor, own())
        assert e.value.clause == "第六条"
    bad = own()
    bad[0][1] = 11
    with pytest.raises(ValidationError):
        ops.set_indicators(c.store, c.county, bad)
    with pytest.raises(ValidationError, match="不是有效的JSON：第1行"):
        ops.set_indicators(c.store, c.county, "[[\"预算执行\", 10,")
    assert snapshot(c.store) == before


def test_reset_to_the_default_stores_no_setting(county):
    c = county
    ops.set_indicators(c.store, c.county, own())
    row = ops.set_indicators(c.store, c.county, DEFAULT_INDICATORS)
    assert row["default"] and c.store.get_setting("evaluation_indicators") == ""
    assert load_indicators(c.store) == DEFAULT
    [*_, last] = c.store.all("SELECT summary FROM audit_log ORDER BY seq")
    assert last["summary"] == "恢复默认绩效评价指标体系"


def test_evaluations_scored_under_the_old_system_keep_their_lines_and_total(county):
    c = county
    p = B.accepted(c, on="2027-11-30")
    ops.transition(c.store, c.unit, p["id"], "go_live", today=D(2027, 12, 5))
    ops.transition(c.store, c.unit, p["id"], "self_evaluate", B.evaluation("2029-01-10", 89), today=D(2029, 1, 10))
    [old] = c.store.for_project("evaluation", p["id"])
    ops.set_indicators(c.store, c.county, own())
    kept = c.store.get("evaluation", old["id"])
    assert (kept["indicators"], kept["score"], kept["grade"]) == (old["indicators"], 89, "good")
    # a change to another field is not a rescoring: the stored lines and total stay
    ops.update_record(c.store, c.unit, "evaluation", old["id"], {"findings": "运维人员不足"}, today=D(2029, 1, 11))
    kept = c.store.get("evaluation", old["id"])
    assert (kept["indicators"], kept["score"], kept["grade"]) == (old["indicators"], 89, "good")
    # changed scores are scored under the system now in force: the old lines lack its 安全保障
    with pytest.raises(ValidationError, match="缺少指标：安全保障"):
        ops.update_record(c.store, c.unit, "evaluation", old["id"],
                          {"indicators": old["indicators"].replace("可持续运行:4", "可持续运行:5")}, today=D(2029, 1, 11))
    new = IND.checked(own())
    ops.update_record(c.store, c.unit, "evaluation", old["id"], {"indicators": new.lines(new.spread(91))},
                      today=D(2029, 1, 11))
    rescored = c.store.get("evaluation", old["id"])
    assert (rescored["score"], rescored["grade"]) == (91, "excellent")
