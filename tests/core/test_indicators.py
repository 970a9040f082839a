"""第六条 performance evaluation: the indicator system, the computed total and the grade on both sides
of every boundary, and the operations that store scores per indicator and never a typed total."""

import datetime as dt

import pytest

from desktop_app.errors import Refused, ValidationError
from desktop_app.lifecycle import indicators as IND
from desktop_app.lifecycle.policy import DEFAULT_INDICATORS
from desktop_app.services import operations as ops
from tests.core import builders as B
from tests.core.dbstate import snapshot

D = dt.date
SYSTEM = IND.IndicatorSystem.from_data(DEFAULT_INDICATORS)


def test_default_first_levels_and_marks():
    assert [(g.name, g.full) for g in SYSTEM.groups] == [("预算执行", 10), ("产出", 50), ("效益", 30), ("满意度", 10)]
    assert all(g.items and all(i.note for i in g.items) for g in SYSTEM.groups)


@pytest.mark.parametrize("score, grade", [
    (100, "excellent"), (90, "excellent"), (89, "good"), (80, "good"), (79, "fair"), (60, "fair"),
    (59, "poor"), (0, "poor"),
])
def test_grade_boundaries(score, grade):
    assert IND.grade(score) == grade


@pytest.mark.parametrize("total", [0, 59, 60, 79, 80, 89, 90, 100])
def test_total_is_the_sum_of_the_indicator_scores(total):
    lines, computed, grade = IND.scored(SYSTEM, B.scores(total))
    assert computed == total and grade == IND.grade(total)
    assert lines.count("\n") == len(SYSTEM.indicators) - 1


def test_short_names_and_full_width_colons_are_read():
    text = "\n".join(f"{i.name}：{i.full}分" for i in SYSTEM.indicators)
    lines, total, grade = IND.scored(SYSTEM, text)
    assert total == 100 and grade == "excellent" and lines.startswith("预算执行/预算执行率:6")


def test_every_problem_is_named():
    lines = B.scores(80).splitlines()
    lines[0] = "预算执行/预算执行率:7"          # over its full marks (6)
    lines[1] = "预算执行/资金使用合规性:x"       # not a number
    del lines[2]                                # 功能完成度 missing
    lines.append("日活用户:3")                   # unknown
    with pytest.raises(ValueError) as e:
        SYSTEM.parse("\n".join(lines))
    msg = str(e.value)
    for part in ("满分6分，填了7分", "资金使用合规性”的得分应为0至4的整数", "缺少指标：功能完成度", "没有名为“日活用户”"):
        assert part in msg


def test_a_system_whose_marks_do_not_add_up_is_refused():
    bad = (("预算执行", 10, (("预算执行率", 6, "x"),)), ("产出", 90, (("功能", 90, "y"),)))
    with pytest.raises(ValueError, match="二级指标合计6分"):
        IND.IndicatorSystem.from_data(bad)


def _live(c):
    p = B.accepted(c, on="2027-11-30")
    ops.transition(c.store, c.unit, p["id"], "go_live", today=D(2027, 12, 5))
    return p


def test_self_evaluation_stores_scores_and_computes_total_and_grade(county):
    c = county
    p = _live(c)
    ops.transition(c.store, c.unit, p["id"], "self_evaluate", B.evaluation("2029-01-10", 89), today=D(2029, 1, 10))
    [e] = c.store.for_project("evaluation", p["id"])
    assert (e["score"], e["grade"]) == (89, "good")
    assert SYSTEM.parse(e["indicators"]) == SYSTEM.spread(89)
    # editing one indicator recomputes the total and grade: 89 + 1 = 90 → 优
    lines = e["indicators"].replace("可持续运行:4", "可持续运行:5")
    assert lines != e["indicators"]
    ops.update_record(c.store, c.unit, "evaluation", e["id"], {"indicators": lines}, today=D(2029, 1, 11))
    e = c.store.get("evaluation", e["id"])
    assert (e["score"], e["grade"]) == (90, "excellent")


def test_a_typed_total_or_grade_is_refused_and_nothing_written(county):
    c = county
    p = _live(c)
    before = snapshot(c.store)
    with pytest.raises(ValidationError) as e:
        ops.transition(c.store, c.unit, p["id"], "self_evaluate",
                       B.evaluation("2029-01-10", 70, score="95"), today=D(2029, 1, 10))
    assert "由系统根据办理结果填写" in e.value.fields["score"]
    with pytest.raises(ValidationError) as e:
        ops.transition(c.store, c.unit, p["id"], "self_evaluate",
                       {"evaluated_on": "2029-01-10", "indicators": "预算执行率:6"}, today=D(2029, 1, 10))
    assert "缺少指标" in e.value.fields["indicators"]
    assert snapshot(c.store) == before


def test_post_evaluation_by_the_county_office(county):
    c = county
    p = _live(c)
    ops.transition(c.store, c.unit, p["id"], "self_evaluate", B.evaluation("2029-01-10", 60), today=D(2029, 1, 10))
    with pytest.raises(Refused):
        ops.transition(c.store, c.unit, p["id"], "post_evaluate", B.evaluation("2029-06-10", 59),
                       today=D(2029, 6, 10))
    ops.transition(c.store, c.county, p["id"], "post_evaluate", B.evaluation("2029-06-10", 59), today=D(2029, 6, 10))
    grades = [(e["eval_kind"], e["score"], e["grade"]) for e in c.store.for_project("evaluation", p["id"])]
    assert grades == [("self", 60, "fair"), ("post", 59, "poor")]
