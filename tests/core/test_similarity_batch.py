"""第一条 集约建设: the duplicate check on applications as they arrive (services/similarity_batch.py)."""

from __future__ import annotations

import time
from unittest import mock

import pytest

from desktop_app.services import similarity as S
from desktop_app.services import similarity_batch as B
from tests.core.builders import make_county, new_project

RIVER = ("县河长制信息化平台", "建设河长制河湖名录和一河一档，河长巡河APP记录巡河轨迹，问题上报与交办督办。")
LIBRARY = ("县图书馆管理系统", "图书采编、流通借还和读者证管理，馆藏古籍扫描，少儿阅览室预约。")
ARCHIVE = ("县档案数字化管理平台", "馆藏纸质档案扫描数字化，档案借阅登记和利用统计。")


@pytest.fixture
def county(tmp_path):
    c = make_county(tmp_path / "county.db")
    c.held = {
        "river": new_project(c, name=RIVER[0], summary=RIVER[1]),
        "library": new_project(c, c.unit2, name=LIBRARY[0], summary=LIBRARY[1]),
        "archive": new_project(c, name=ARCHIVE[0], summary=ARCHIVE[1]),
    }
    yield c
    c.store.close()


def arrival(key, name, summary, code="", resources=()):
    return B.Arrival(key, code or f"IN-{key}", name, "蒙阴县水利局", summary, tuple(resources))


def test_a_package_with_a_duplicate_a_partial_and_an_unrelated_application(county):
    held = county.held
    checks = B.check_arrivals(county.store, [
        arrival("dup", "河湖长制管理系统", "建立河湖名录和一河一档，开发河长巡河APP记录巡河轨迹，实现问题上报和交办督办。"),
        arrival("part", "县图书馆读者服务平台", "图书流通借还和读者证管理，新增电子书借阅和公众号服务。"),
        arrival("other", "智慧旅游服务平台", "建设智慧旅游综合管理系统，提供平台服务。"),
    ])
    by_key = {c.arrival.key: c for c in checks}
    [dup] = by_key["dup"].similar
    assert (dup.code, dup.level, dup.arriving) == (held["river"]["code"], "duplicate", False)
    assert dup.unit and "河湖名录和一河一档" in dup.overlap
    [part] = by_key["part"].similar
    assert (part.code, part.level) == (held["library"]["code"], "partial")
    assert "流通借还和读者证" in "".join(part.overlap)
    # 智慧 / 平台 / 系统 / 服务 say nothing about what is built
    assert by_key["other"].similar == [] and B.flagged(checks) == [by_key["dup"], by_key["part"]]
    lines = B.lines(checks)
    assert len(lines) == 2 and lines[0].startswith("疑似重复：IN-dup 河湖长制管理系统 ↔ " + held["river"]["code"])
    assert "建议认定重复" in lines[0] and "建议认定部分重复" in lines[1]


def test_an_arrival_is_not_compared_with_its_own_earlier_version(county):
    river = county.held["river"]
    same_id = B.check_arrivals(county.store, [arrival(river["id"], RIVER[0], RIVER[1] + "新增水质监测。",
                                                      code=river["code"])])
    assert same_id[0].similar == []
    # a ledger row of the same code (no id yet) is that project, too
    same_code = B.check_arrivals(county.store, [arrival("row-7", RIVER[0], RIVER[1], code=river["code"])])
    assert same_code[0].similar == []
    # ...while a different project saying the same is flagged
    other = B.check_arrivals(county.store, [arrival("row-8", RIVER[0], RIVER[1], code="")])
    assert other[0].similar[0].code == river["code"] and other[0].similar[0].level == "duplicate"


def test_two_arrivals_that_repeat_each_other_are_flagged(county):
    checks = B.check_arrivals(county.store, [
        arrival("a", "县农村饮水安全监测平台", "村级供水站水质在线监测，水泵远程启停，管网漏损报警。"),
        arrival("b", "农村饮水工程监管系统", "供水站水质在线监测和水泵远程启停，管网漏损报警推送。"),
    ])
    for check, other in zip(checks, ("IN-b", "IN-a")):
        best = check.similar[0]
        assert (best.code, best.arriving, best.level) == (other, True, "duplicate")
        assert any("水质在线监测" in o for o in best.overlap)
    assert "本批同时导入" in B.lines(checks)[0]


def test_nothing_arriving_builds_nothing(county):
    assert B.check_arrivals(county.store, []) == []


def test_best_levels_and_recorded_decisions_for_held_projects(county):
    from desktop_app.services import operations as ops
    from tests.core.builders import TODAY

    river = county.held["river"]
    twin = new_project(county, county.unit2, name="河湖长制管理系统", summary=RIVER[1])
    best = B.best_levels(county.store, [river, county.held["archive"]])
    assert best[river["id"]].code == twin["code"] and best[river["id"]].level == "duplicate"
    assert best[county.held["archive"]["id"]] is None or best[county.held["archive"]["id"]].level == "none"
    assert B.decision_recorded(county.store, [river["id"]]) == {}
    ops.add_record(county.store, county.county, "duplicate_decision", river["id"],
                   {"level": "partial", "decided_on": "2026-09-01", "reason": "部分功能相同"}, today=TODAY)
    assert B.decision_recorded(county.store, [river["id"], twin["id"]]) == {river["id"]: "partial"}


def test_a_batch_against_a_large_installation_is_fast():
    """10,000 held projects: one index per batch within 5 s, each check within 300 ms."""
    words = ["采编", "借还", "巡河", "水质", "泵站", "门诊", "医保", "学籍", "排课", "路灯",
             "井盖", "渣土", "林长", "防火", "墒情", "农机", "电梯", "燃气", "供暖", "殡葬"]
    docs = [S.Doc(f"h{i}", f"H{i:05d}", f"{words[i % 20]}{words[i * 7 % 20]}项目{i}",
                  f"{words[i % 20]}{words[(i * 3) % 20]}{words[(i * 11) % 20]}，编号{i}的{words[i * 13 % 20]}台账")
            for i in range(10_000)]
    held = S.Index.build(docs)

    class Fake:
        path = "fake"

    arrivals = [arrival(f"n{i}", f"{words[i]}{words[i + 1]}监管平台", f"{words[i]}{words[i + 2]}在线监测，编号{i}")
                for i in range(10)]
    with mock.patch.object(S, "index_for", return_value=held), \
            mock.patch.object(B, "load_profile", return_value=S.PolicyProfile()):
        t0 = time.perf_counter()
        checks = B.check_arrivals(Fake(), arrivals)
        spent = time.perf_counter() - t0
    assert len(checks) == 10
    assert spent < 5.0 + 10 * 0.3, spent
