"""Issue 11 items 15-16: what the printed papers say, figure by figure."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.documents import MissingGlyphError, filled
from desktop_app.documents.filled.evaluation import parse_indicators
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from tests.core import builders as B

from .filled_county import TODAY, showcase
from .pdfcheck import compact, page_texts, text_runs

D = dt.date
NO_FONT = "\U0002A6A5"  # CJK Ext-B: in none of the bundled fonts


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    c = B.make_county(tmp_path_factory.mktemp("figures") / "county.db")
    project = showcase(c)
    yield c, project
    c.store.close()


def _text(data: bytes) -> str:
    return compact("".join(page_texts(data)))


def _runs_starting(data: bytes, head: str):
    return [r for r in text_runs(data) if compact(r.text).startswith(head)]


# ---------------------------------------------------------------- 15: a character no font has


def test_ledger_prints_an_unprintable_character_as_its_code_and_names_the_project(tmp_path, registry):
    c = B.make_county(tmp_path / "nofont.db")
    B.new_project(c, name="县智慧教育云平台")
    bad = B.new_project(c, c.unit2, name=f"{NO_FONT}山村便民服务系统")
    # the project's own paper is refused, naming the field and the character, as before
    with pytest.raises(MissingGlyphError) as info:
        filled.make(c.store, "application", project=bad["code"], registry=registry)
    assert info.value.field == "项目名称" and info.value.characters == [NO_FONT]
    # the county's ledger prints anyway
    data = filled.render(c.store, "ledger", today=TODAY, registry=registry)
    pages = [compact(t) for t in page_texts(data)]
    assert "［U+2A6A5］山村便民服务系统" in "".join(pages)
    assert "共2个项目" in "".join(pages)
    last = pages[-1]
    assert f"项目{bad['code']}（［U+2A6A5］山村便民服务系统）：项目名称中的［U+2A6A5］。" in last
    assert "以其Unicode编码代替" in last
    # and so does the year's summary
    summary = _text(filled.render(c.store, "plan-summary", year=2027, today=TODAY, registry=registry))
    assert "［U+2A6A5］山村便民服务系统" in summary and f"项目{bad['code']}" in summary
    c.store.close()


def test_a_ledger_without_such_characters_has_no_note(county, registry):
    c, _ = county
    text = _text(filled.render(c.store, "ledger", today=TODAY, registry=registry))
    assert "Unicode编码" not in text and "［U+" not in text


# ---------------------------------------------------------------- 16: figures


def test_evaluation_score_is_the_indicators_total(county, registry):
    c, p = county
    text = _text(filled.render(c.store, "evaluation", project=p["code"], today=TODAY, registry=registry))
    assert "指标得分合计88" in text and "综合得分88分" in text


def test_demo_evaluations_score_the_total_of_their_indicators(tmp_path, registry):
    from desktop_app import demo

    store = Store.open(tmp_path / "demo.db")
    demo.generate(store, projects=60, seed=11, today=TODAY)
    rows = store.all("SELECT score, indicators FROM evaluations")
    assert len(rows) >= 5
    for r in rows:
        assert sum(float(s) for _, s in parse_indicators(r["indicators"])) == r["score"], r
    e = store.one("SELECT p.code, e.id, e.score FROM evaluations e JOIN projects p ON p.id = e.project_id LIMIT 1")
    text = _text(filled.render(store, "evaluation", project=e["code"], record_id=e["id"], today=TODAY,
                               registry=registry))
    store.close()
    assert f"指标得分合计{e['score']}" in text and f"综合得分{e['score']}分" in text


def test_plan_summary_totals_only_projects_in_the_plan(tmp_path, registry):
    c = B.make_county(tmp_path / "plan.db")
    B.submitted(c, name="县智慧教育云平台", total_investment_fen="120", fiscal_share_fen="100")
    B.new_project(c, c.unit2, name="县卫生健康信息平台", total_investment_fen="80", fiscal_share_fen="80")
    rejected = B.submitted(c, name="县教育视频会议系统", total_investment_fen="45", fiscal_share_fen="40")
    ops.transition(c.store, c.county, rejected["id"], "start_review", today=D(2026, 9, 10))
    ops.transition(c.store, c.county, rejected["id"], "record_review",
                   {"reviewed_on": "2026-09-15", "method": "central", "conclusion": "reject",
                    "opinion": "与现有系统重复，不予通过。"}, today=D(2026, 9, 15))
    data = filled.render(c.store, "plan-summary", year=2027, today=TODAY, registry=registry)
    c.store.close()
    text = _text(data)
    total, apart = text.split("总投资合计：", 1)
    assert "合计共1个项目120.00100.00" in total
    assert apart.startswith("120.00万元（人民币壹佰贰拾万元整）；其中财政资金：100.00万元（人民币壹佰万元整）")
    assert "以下2个项目为草稿（尚未申报）或评审不予通过，未列入计划，不计入上表合计" in apart
    for name, status in (("县卫生健康信息平台", "草稿"), ("县教育视频会议系统", "不予通过")):
        assert name not in total and name in apart and status in apart
    assert "汇总单位（盖章）：蒙阴县人民政府办公室" in text


def test_plan_summary_states_the_round_and_marks_late_applications(tmp_path, registry):
    c = B.make_county(tmp_path / "round.db")
    B.submitted(c, name="县智慧教育云平台", today=D(2026, 8, 30))
    data = filled.render(c.store, "plan-summary", year=2027, today=TODAY, registry=registry)
    assert "申报截止日期：2026年8月31日（县政府办公室尚未记录开启本年度申报）。" in _text(data)
    c.store.close()

    c = B.make_county(tmp_path / "round2.db")
    ops.set_policy(c.store, c.county, {"application_day": 30})
    ops.open_round(c.store, c.county, 2027, {"notice": "蒙政办字〔2026〕12号"}, today=D(2026, 6, 1))  # by 8月30日
    ops.set_policy(c.store, c.county, {"application_day": 31})
    B.submitted(c, name="县智慧教育云平台", today=D(2026, 8, 30))
    B.submitted(c, name="县教育资源公共服务平台", today=D(2026, 8, 31))
    text = _text(filled.render(c.store, "plan-summary", year=2027, today=TODAY, registry=registry))
    assert ("本年度申报于2026年6月1日开启（通知：蒙政办字〔2026〕12号），申报截止日期2026年8月30日，尚未截止受理。"
            in text)
    assert "已申报2026-08-30" in text and "2026-08-30逾期" not in text  # on time: the day only
    assert "已申报2026-08-31逾期1天" in text
    assert "截止日期后收到的申请1个，已在“收到日期”栏注明逾期天数（第二条）。" in text
    ops.close_round(c.store, c.county, 2027, "", today=D(2026, 9, 1))
    text = _text(filled.render(c.store, "plan-summary", year=2027, today=TODAY, registry=registry))
    c.store.close()
    assert "申报截止日期2026年8月30日，2026年9月1日截止受理。" in text

    # closed early (with its reason): one received the next day is on time, yet outside the round
    c = B.make_county(tmp_path / "round3.db")
    ops.open_round(c.store, c.county, 2027, {}, today=D(2026, 6, 1))
    ops.close_round(c.store, c.county, 2027, "评审会提前召开", today=D(2026, 8, 20))
    B.submitted(c, name="县智慧教育云平台", today=D(2026, 8, 21))
    text = _text(filled.render(c.store, "plan-summary", year=2027, today=TODAY, registry=registry))
    c.store.close()
    assert "已申报2026-08-21截止受理后收到" in text
    assert "截止受理后收到的申请1个，已在“收到日期”栏注明（第二条）。" in text


def _unit_installation(path) -> tuple[Store, list[dict]]:
    store = Store.open(path)
    unit = ops.init_installation(store, "unit", "MYJYJ", "蒙阴县教育和体育局", admin_password=B.TEST_PASSWORD)
    made = [ops.create_project(store, unit, {**B.BASE, "name": f"县教育信息化项目{i}", "plan_year": "2028",
                                             "planned_start": "2028-03-01", "planned_completion": "2028-12-31"})
            for i in range(1, 4)]
    return store, made


def test_a_units_own_ledger_and_summary_name_the_unit(tmp_path, registry):
    store, _ = _unit_installation(tmp_path / "unit.db")
    ledger = _text(filled.render(store, "ledger", today=TODAY, registry=registry))
    summary = _text(filled.render(store, "plan-summary", year=2028, today=TODAY, registry=registry))
    store.close()
    assert "编制单位：蒙阴县教育和体育局" in ledger
    assert "编制单位（盖章）：蒙阴县教育和体育局" in summary
    assert "人民政府办公室" not in ledger and "人民政府办公室" not in summary


def test_the_county_ledger_is_compiled_by_the_county_office(county, registry):
    c, _ = county
    assert "编制单位：蒙阴县人民政府办公室" in _text(filled.render(c.store, "ledger", today=TODAY, registry=registry))


@pytest.mark.parametrize("code", ["ledger", "plan-summary"])
def test_a_project_code_never_wraps(tmp_path, registry, code):
    store, made = _unit_installation(tmp_path / "codes.db")
    data = filled.render(store, code, year=2028, today=TODAY, registry=registry)
    store.close()
    codes = [p["code"] for p in made]
    assert all(len(c) >= len("MYJYJ-2028-001") for c in codes), codes
    shown = {compact(r.text) for r in text_runs(data)}
    for c in codes:
        assert c in shown, (c, sorted(s for s in shown if s[:3] == c[:3]))


def test_a_contract_not_yet_filed_has_an_empty_filing_number(tmp_path, registry):
    c = B.make_county(tmp_path / "contract.db")
    p = B.in_construction(c)
    values = {"contract_no": "MYJY-2027-HT-009", "title": "机房改造合同", "supplier": "临沂某科技有限公司",
              "procurement_method": "open_tender", "amount_fen": "50", "signed_on": "2027-04-02"}
    ops.add_record(c.store, c.unit, "contract", p["id"], values, D(2027, 4, 2))
    unfiled = filled.render(c.store, "contract", project=p["code"], today=TODAY, registry=registry)
    [row] = c.store.for_project("contract", p["id"])
    ops.update_record(c.store, c.unit, "contract", row["id"], {"filed_on": "2027-04-08"}, D(2027, 4, 8))
    filed = filled.render(c.store, "contract", project=p["code"], today=TODAY, registry=registry)
    c.store.close()
    assert [compact(r.text) for r in _runs_starting(unfiled, "备案编号")] == ["备案编号："]
    assert "尚未备案" in _text(unfiled)
    assert [compact(r.text) for r in _runs_starting(filed, "备案编号")] == ["备案编号：MYJY-2027-HT-009"]


def test_extension_opinion_carries_the_decision_date(county, registry):
    c, p = county
    data = filled.render(c.store, "extension", project=p["code"], today=TODAY, registry=registry)
    runs = text_runs(data)
    [opinion] = [r for r in runs if compact(r.text) == "同意延期验收。"]
    [signer] = [r for r in runs if compact(r.text) == "蒙阴县人民政府办公室（盖章）"]
    [date] = [r for r in runs if compact(r.text) == "2028年1月15日"]  # the decision's, not the request's
    assert opinion.page == signer.page == date.page
    assert opinion.y > signer.y > date.y and signer.y - date.y < 30


def test_acceptance_signature_lines_share_a_baseline(county, registry):
    c, p = county
    data = filled.render(c.store, "acceptance", project=p["code"], today=TODAY, registry=registry)
    [left_unit] = _runs_starting(data, "验收组组长（签字）")
    [right_unit] = _runs_starting(data, "组织单位（盖章）")
    [left] = _runs_starting(data, "验收组成员（签字）")
    [right] = _runs_starting(data, "经办人（签字）")
    # the organising unit's name wraps onto a second line, the group leader's label does not
    assert any(compact(r.text) == "府办公室" or compact(r.text).endswith("办公室") for r in text_runs(data)
               if r.page == right_unit.page and r.y < right_unit.y and r.x >= right_unit.x - 1)
    assert left_unit.y == pytest.approx(right_unit.y, abs=0.01)
    assert left.y == pytest.approx(right.y, abs=0.01)
