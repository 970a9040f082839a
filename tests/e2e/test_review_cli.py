"""`govis review …` end to end through the real command-line entry point: a session, two experts, one
application scored, shown (text and JSON) and concluded into the project's review; refusals in Chinese
that change nothing."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from tests.core.builders import D, make_county, submitted
from tests.core.dbstate import snapshot

S = "2027年度第一次集中评审"
ITEMS = ("必要性", "可行性", "整合共享", "投资合理性", "安全保障")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path, monkeypatch):
    c = make_county(tmp_path / "county.db")
    p = submitted(c)
    ops.transition(c.store, c.county, p["id"], "start_review", today=D(2026, 9, 10))
    c.store.close()
    monkeypatch.setenv("GOVIS_DB", str(tmp_path / "county.db"))
    return tmp_path / "county.db", p["code"]


def _state(path) -> dict:
    store = Store.open(path)
    try:
        return snapshot(store)
    finally:
        store.close()


def _score(capsys, code, expert, values, opinion):
    items = [a for n, v in zip(ITEMS, values, strict=True) for a in ("--item", f"{n}={v}")]
    return run(capsys, "review", "score", S, code, "--expert", expert, *items, "--opinion", opinion)


def test_a_session_from_the_command_line(db, capsys):
    path, code = db
    assert run(capsys, "review", "list")[1].startswith("还没有评审会")
    rc, out, err = run(capsys, "review", "session-add", "--title", S, "--date", "2026-09-20",
                       "--venue", "县政府第三会议室")
    assert rc == 0, err
    assert "必要性:25；可行性:25；整合共享:20；投资合理性:15；安全保障:15" in out
    for name, field in (("王建国", "信息化"), ("李秀英", "财务")):
        assert run(capsys, "review", "expert-add", S, "--name", name, "--field", field,
                   "--affiliation", "临沂大学")[0] == 0
    assert run(capsys, "review", "assign", S, code)[0] == 0
    rc, out, err = _score(capsys, code, "王建国", (90, 80, 70, 60, 100), "建设必要，方案可行")
    assert rc == 0 and "加权总分 80.5" in out, err
    assert _score(capsys, code, "李秀英", (80, 80, 80, 80, 80), "压缩硬件投资")[0] == 0

    rc, out, _ = run(capsys, "review", "show", S)
    assert "王建国：80.5" in out and "平均 80.3  极差 0.5" in out and "待形成结论" in out
    shown = json.loads(run(capsys, "review", "show", S, "--json")[1])
    app = shown["applications"][0]
    assert [s["total"] for s in app["scores"]] == ["80.5", "80.0"] and app["average"] == "80.3"
    assert app["scores"][0]["scores"]["必要性"] == 90 and app["conclusion"] is None

    rc, out, err = run(capsys, "review", "conclude", S, code, "--conclusion", "通过", "--opinion", "同意建设",
                       "--approved", "95")
    assert rc == 0, err
    assert out.strip() == f"项目 {code} 第1轮评审结论：通过，核定投资 95.00 万元"
    store = Store.open(path)
    try:
        p = ops.project_by_code(store, code)
        assert p["status"] == "approved"
        [review] = store.for_project("review", p["id"])
        assert (review["reviewed_on"], review["approved_investment_fen"]) == ("2026-09-20", 95_000_000)
        assert len(store.for_project("expert_opinion", p["id"])) == 2
    finally:
        store.close()
    assert json.loads(run(capsys, "review", "show", S, "--json")[1])["applications"][0]["round"] == 1


def test_refusals_say_what_to_do_and_change_nothing(db, capsys):
    path, code = db
    run(capsys, "review", "session-add", "--title", S, "--date", "2026-09-20", "--venue", "会议室")
    run(capsys, "review", "expert-add", S, "--name", "王建国")
    rc, _, err = run(capsys, "review", "score", S, code, "--expert", "王建国", "--item", "必要性=90",
                     "--opinion", "好")
    assert rc == 1 and "不在本评审会待评审的项目中" in err
    run(capsys, "review", "assign", S, code)
    before = _state(path)
    rc, _, err = _score(capsys, code, "王建国", (90, 80, 70, 60, 101), "好")
    assert rc == 1 and "「安全保障」的得分应为0至100的整数" in err and "Traceback" not in err
    rc, _, err = run(capsys, "review", "conclude", S, code, "--conclusion", "通过", "--opinion", "同意",
                     "--approved", "95")
    assert rc == 1 and "王建国尚未对项目" in err
    rc, _, err = run(capsys, "review", "show", "第九次评审")
    assert rc == 1 and "找不到评审会「第九次评审」" in err
    assert _state(path) == before


def test_an_expert_is_removed_and_a_project_withdrawn_from_the_command_line(db, capsys):
    path, code = db
    run(capsys, "review", "session-add", "--title", S, "--date", "2026-09-20", "--venue", "会议室")
    for name in ("王建国", "李秀英"):
        run(capsys, "review", "expert-add", S, "--name", name)
    run(capsys, "review", "assign", S, code)
    assert _score(capsys, code, "李秀英", (80, 80, 80, 80, 80), "误录")[0] == 0
    before = _state(path)
    rc, _, err = run(capsys, "review", "expert-remove", S, "--name", "李秀英")
    assert rc == 1 and "李秀英已对项目" in err and "确认一并删除" in err
    rc, _, err = run(capsys, "review", "unassign", S, code)
    assert rc == 1 and "李秀英已对项目" in err
    assert _state(path) == before
    rc, out, err = run(capsys, "review", "expert-remove", S, "--name", "李秀英", "--discard-scores")
    assert rc == 0 and "已移除专家 李秀英" in out, err
    rc, out, err = run(capsys, "review", "unassign", S, code)
    assert rc == 0 and "已撤出评审会" in out, err
    shown = json.loads(run(capsys, "review", "show", S, "--json")[1])
    assert [e["name"] for e in shown["experts"]] == ["王建国"] and shown["applications"] == []
    rc, _, err = run(capsys, "review", "unassign", S, code)
    assert rc == 1 and "没有提交评审会" in err
