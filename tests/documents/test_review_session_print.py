"""评审会汇总表 (第三条): one session as a whole, chosen by its title (or a project's last session), from the
registry and `govis print`; an open session prints what is pending, a large panel shares one column."""

from __future__ import annotations

import pytest

from desktop_app.cli import main
from desktop_app.documents import filled
from desktop_app.documents.filled.review_session import EXPERT_COLUMNS
from desktop_app.services import operations as ops
from tests.core.builders import D, make_county, submitted

from .pdfcheck import compact, page_sizes, page_texts

S = "2027年度第二次集中评审"
ALL = {"必要性": 80, "可行性": 80, "整合共享": 80, "投资合理性": 80, "安全保障": 80}


@pytest.fixture
def county(tmp_path):
    c = make_county(tmp_path / "county.db")
    projects = []
    for name in ("县智慧教育云平台", "县卫生健康信息平台"):
        p = submitted(c, name=name)
        ops.transition(c.store, c.county, p["id"], "start_review", today=D(2026, 9, 10))
        projects.append(p)
    s = ops.add_review_session(c.store, c.county, {"title": S, "held_on": "2026-09-20", "venue": "县政府第三会议室",
                                                   "method": "central"}, today=D(2026, 9, 12))
    yield c, s, projects
    c.store.close()


def _text(data: bytes) -> str:
    return compact("".join(page_texts(data)))


def test_an_open_session_prints_what_is_pending(county, registry):
    c, s, (p, q) = county
    a = ops.add_review_expert(c.store, c.county, s["id"], {"name": "王建国", "affiliation": "临沂大学 教授"})
    ops.add_review_expert(c.store, c.county, s["id"], {"name": "李秀英", "field": "财务"})
    for x in (p, q):
        ops.assign_to_review(c.store, c.county, s["id"], x["id"])
    ops.score_review(c.store, c.county, s["id"], p["id"], a["id"], ALL, "同意")
    data = filled.render(c.store, "review-session", session=S, registry=registry)
    text = _text(data)
    for want in (S, "集中评审", "临沂大学教授", "财务", p["code"], q["code"], "王建国加权总分", "80.0", "未评分",
                 "待形成结论", "待形成结论2个", "组长（签字）"):
        assert compact(want) in text, want
    w, h = page_sizes(data)[0]
    assert w > h  # landscape
    # by id too, and through a project's last session
    assert _text(filled.render(c.store, "review-session", session=s["id"], registry=registry)) == text
    assert _text(filled.render(c.store, "review-session", project=q["code"], registry=registry)) == text


def test_more_experts_than_columns_share_one_column(county, registry):
    c, s, (p, _q) = county
    for n in range(EXPERT_COLUMNS + 1):
        ops.add_review_expert(c.store, c.county, s["id"], {"name": f"专家{n + 1}"})
    ops.assign_to_review(c.store, c.county, s["id"], p["id"])
    text = _text(filled.render(c.store, "review-session", session=S, registry=registry))
    assert "各专家加权总分" in text and compact("专家6未评分") in text and "专家1加权总分" not in text


def test_no_session_says_what_to_give(county, registry):
    c, _s, (p, _q) = county
    with pytest.raises(filled.MissingRecordError, match="须指定评审会"):
        filled.make(c.store, "review-session", registry=registry)
    with pytest.raises(filled.MissingRecordError, match="找不到评审会「第九次」"):
        filled.make(c.store, "review-session", session="第九次", registry=registry)
    with pytest.raises(filled.MissingRecordError, match="还没有提交评审会"):
        filled.make(c.store, "review-session", project=p["code"], registry=registry)


def test_govis_print_takes_the_session(county, tmp_path, monkeypatch, capsys):
    c, _s, _ = county
    monkeypatch.setenv("GOVIS_DB", str(c.store.path))
    out = tmp_path / "评审会汇总表.pdf"
    assert main(["print", "review-session", "--session", S, "--out", str(out)]) == 0
    assert "评审会汇总表" in capsys.readouterr().out and out.read_bytes().startswith(b"%PDF")
    assert main(["print", "review-session", "--out", str(out)]) == 1
    assert "--session" in capsys.readouterr().err
    assert main(["print", "--list"]) == 0
    assert "review-session" in capsys.readouterr().out
