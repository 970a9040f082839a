"""The duplicate-project check (第一条): labelled pairs, levels, overlap, the index, the decision's funding gate."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.errors import Refused
from desktop_app.lifecycle.policy import PolicyProfile
from desktop_app.services import operations as ops
from desktop_app.services import similarity as S
from tests.core.builders import TODAY, D, approved, make_county, new_project
from tests.core.similarity_pairs import DUP, NONE, PAIRS, PARTIAL

PROFILE = PolicyProfile()


def pair_scores() -> list[tuple[str, float, tuple[str, ...]]]:
    """Every pair scored in one index over all the descriptions (their IDF, as in an installation)."""
    texts: dict[str, int] = {}
    for _label, a, b in PAIRS:
        for name, summary in (a, b):
            texts.setdefault(S.project_text(name, summary), len(texts))
    index = S.Index.build([S.Doc(str(i), f"P{i}", t.split("\n")[0], t) for t, i in texts.items()])
    out = []
    for label, a, b in PAIRS:
        ta, tb = S.project_text(*a), S.project_text(*b)
        out.append((label, index.cosine(texts[ta], texts[tb]), S.overlap_phrases(ta, tb, index)))
    return out


def test_labelled_pairs_precision_and_recall_at_the_profile_threshold():
    assert len(PAIRS) >= 40
    assert {label for label, _a, _b in PAIRS} == {DUP, PARTIAL, NONE}
    scored = pair_scores()
    related = [S.level_of(score, PROFILE) != "none" for _label, score, _o in scored]
    truth = [label != NONE for label, _s, _o in scored]
    tp = sum(r and t for r, t in zip(related, truth))
    fp = sum(r and not t for r, t in zip(related, truth))
    fn = sum(t and not r for r, t in zip(related, truth))
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    dup_hits = sum(S.level_of(s, PROFILE) == "duplicate" for label, s, _o in scored if label == DUP)
    print(f"\n{len(PAIRS)} pairs at 部分重复 ≥ {PROFILE.partial_threshold_pct}%: related vs unrelated "
          f"precision {precision:.2f}, recall {recall:.2f}; 重复 found for {dup_hits} of "
          f"{sum(label == DUP for label, _a, _b in PAIRS)} duplicates")
    assert precision >= 0.8
    assert recall >= 0.8
    # the duplicates are told apart from the partial overlaps, too
    assert dup_hits >= 0.8 * sum(label == DUP for label, _a, _b in PAIRS)


def test_generic_words_alone_make_no_similarity_and_no_overlap():
    a = S.project_text("智慧养老服务平台", "建设智慧养老服务平台，提供综合管理系统。")
    b = S.project_text("智慧旅游服务平台", "建设智慧旅游服务平台，提供综合管理系统。")
    index = S.Index.build([S.Doc("a", "A", "养老", a), S.Doc("b", "B", "旅游", b)])
    assert index.cosine(0, 1) == 0.0
    assert S.overlap_phrases(a, b, index) == ()


def test_overlap_lists_the_shared_phrases_in_the_application_s_order():
    a = "建设河长制河湖名录和一河一档，河长巡河APP记录巡河轨迹"
    b = "开发河长巡河app记录巡河轨迹，建立河湖名录和一河一档"
    assert S.overlap_phrases(a, b) == ("河湖名录和一河一档", "河长巡河app记录巡河轨迹")


@pytest.mark.parametrize(("pct", "level"), [
    (100, "duplicate"), (50, "duplicate"), (49.9, "partial"), (15, "partial"), (14.9, "none"), (0, "none")])
def test_level_thresholds_on_both_sides(pct, level):
    assert (PROFILE.duplicate_threshold_pct, PROFILE.partial_threshold_pct) == (50, 15)
    assert S.level_of(pct / 100, PROFILE) == level


def test_levels_follow_the_county_s_profile_not_the_code():
    strict = PolicyProfile(duplicate_threshold_pct=80, partial_threshold_pct=40)
    assert S.level_of(0.79, strict) == "partial"
    assert S.level_of(0.80, strict) == "duplicate"
    assert S.level_of(0.39, strict) == "none"


# ---- over an installation ---------------------------------------------------------------------------

GRAZING = ("县河长制信息化平台", "建设河长制河湖名录和一河一档，河长巡河APP记录巡河轨迹，问题上报与交办督办。")


@pytest.fixture
def county(tmp_path):
    c = make_county(tmp_path / "county.db")
    yield c
    c.store.close()


def test_candidates_rank_the_duplicate_first_and_leave_out_the_project_itself(county):
    a = new_project(county, name=GRAZING[0], summary=GRAZING[1])
    b = new_project(county, county.unit2, name="河湖长制管理系统",
                    summary="建立河湖名录和一河一档，开发河长巡河APP记录巡河轨迹，实现问题上报和交办督办。")
    new_project(county, name="县图书馆管理系统", summary="图书采编、流通借还和读者证管理，建设数字图书馆。")
    found = S.candidates(county.store, a)
    assert [c.code for c in found] == [b["code"]]
    assert found[0].level == "duplicate" and "河湖名录和一河一档" in found[0].overlap


def test_the_index_is_rebuilt_when_a_project_or_its_catalogue_changes(county):
    a = new_project(county, name=GRAZING[0], summary=GRAZING[1])
    b = new_project(county, county.unit2, name="县档案数字化管理平台", summary="馆藏纸质档案扫描数字化。")
    first = S.index_for(county.store)
    assert S.index_for(county.store) is first  # unchanged: kept in memory
    assert S.candidates(county.store, a) == []
    ops.update_project(county.store, county.unit2, b["id"], {"summary": "河长巡河APP记录巡河轨迹，河湖名录和一河一档。"},
                       today=TODAY)
    assert S.index_for(county.store) is not first
    assert [c.code for c in S.candidates(county.store, a)] == [b["code"]]
    ops.add_record(county.store, county.unit, "catalog_entry", a["id"], {
        "resource_name": "馆藏纸质档案目录", "source": "县档案馆", "data_format": "xlsx", "update_cycle": "yearly",
        "sharing_type": "unconditional", "opening_type": "closed"}, today=TODAY)
    assert "馆藏纸质档案" in S.index_for(county.store).docs[S.index_for(county.store).position[a["id"]]].text


def test_govis_similar_json_prints_exactly_the_agreed_shape(county, monkeypatch, capsys):
    a = new_project(county, name=GRAZING[0], summary=GRAZING[1])
    b = new_project(county, county.unit2, name="河湖长制管理系统", summary="建立河湖名录和一河一档，河长巡河APP记录巡河轨迹。")
    monkeypatch.setenv("GOVIS_DB", county.store.path)
    assert main(["similar", a["code"], "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"project", "candidates"} and result["project"] == a["code"]
    (cand,) = result["candidates"]
    assert set(cand) == {"code", "name", "score", "level", "overlap"}
    assert cand["code"] == b["code"] and cand["name"] == "河湖长制管理系统"
    assert 0.5 <= cand["score"] <= 1 and cand["level"] == "重复"
    assert "河湖名录和一河一档" in cand["overlap"]
    assert main(["similar", "MY-NONE", "--json"]) == 1
    assert "找不到编号为「MY-NONE」的项目" in capsys.readouterr().err


def test_only_the_county_office_records_the_finding(county):
    p = new_project(county)
    finding = {"level": "duplicate", "decided_on": "2026-09-01", "reason": "与已建系统功能相同"}
    with pytest.raises(Refused):
        ops.add_record(county.store, county.unit, "duplicate_decision", p["id"], finding, today=TODAY)
    row = ops.add_record(county.store, county.county, "duplicate_decision", p["id"], finding, today=TODAY)
    assert row["level"] == "duplicate"


FUND = {"decided_on": "2026-10-20", "approved_fen": "100", "budget_year": "2027"}


def _find(c, pid, level, justification=None, on="2026-09-20"):
    values = {"level": level, "decided_on": on, "similar_codes": "MYJYJ-2026-001", "reason": "与教育云平台建设内容相同"}
    if justification:
        values["justification"] = justification
    ops.add_record(c.store, c.county, "duplicate_decision", pid, values, today=D.fromisoformat(on))


def test_a_project_found_duplicate_is_not_funded_without_a_recorded_justification(county):
    p = approved(county)
    _find(county, p["id"], "duplicate")
    with pytest.raises(Refused) as refused:
        ops.transition(county.store, county.finance, p["id"], "fund", FUND, today=D(2026, 10, 20))
    assert refused.value.clause == "第一条"
    assert "重复建设" in refused.value.message and "MYJYJ-2026-001" in refused.value.message
    assert county.store.one("SELECT status FROM projects WHERE id=?", (p["id"],))["status"] == "approved"
    # the county office records why it must be built all the same: now finance may fund it
    _find(county, p["id"], "duplicate", justification="原系统已停止维护，经县政府同意重建", on="2026-10-01")
    ops.transition(county.store, county.finance, p["id"], "fund", FUND, today=D(2026, 10, 20))


@pytest.mark.parametrize("level", ["partial", "none"])
def test_a_partial_or_no_duplicate_finding_does_not_stop_funding(county, level):
    p = approved(county)
    _find(county, p["id"], level)
    ops.transition(county.store, county.finance, p["id"], "fund", FUND, today=D(2026, 10, 20))
