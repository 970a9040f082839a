"""Every official document filled from a county driven through the real operations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.documents import MissingGlyphError, filled
from desktop_app.documents.filled.evaluation import parse_indicators
from desktop_app.documents.gongwen import LETTER_TEXT_BOTTOM
from desktop_app.documents.page import FORM_LANDSCAPE, FORM_PORTRAIT, GONGWEN_PAGE
from desktop_app.services import operations as ops
from tests.core import builders as B

from .filled_county import RARE_UNIT, TODAY, showcase
from .pdfcheck import compact, fonts, page_sizes, page_texts, text_runs

ROOT = Path(__file__).resolve().parents[2]
CODE, NAME, UNIT = "MY-2027-001", "蒙阴县智慧教育云平台建设项目", "蒙阴县教育和体育局"
TOTAL = "386.50万元（人民币叁佰捌拾陆万伍仟元整）"

# kind -> what its PDF must show besides the project code, name and unit
EXPECTED = {
    "application": [TOTAL, "350.25万元（人民币叁佰伍拾万贰仟伍佰元整）", "28.60万元（人民币贰拾捌万陆仟元整）", "第二级",
                    "新购置服务器", "蒙阴县卫生健康局", "2027年3月1日", "2027年12月31日", "投资预算", "2023年",
                    "2026年6月1日", "申报单位（盖章）", "单位负责人（签字）",
                    # 第二条/第四条: each co-builder with its scope, and the joint overall plan among the materials
                    "负责卫生健康数据接口和校医系统对接", "联合建设总体方案"],
    # two projects of 2027: the showcase, and a draft of 120万元 listed apart, outside the 合计
    "plan-summary": ["2027年度政务信息系统项目申报汇总表", "386.50", "350.25", "共1个项目",
                     f"总投资合计：{TOTAL}", "新建", "未列入计划，不计入上表合计", "县卫生健康信息平台", "草稿"],
    # 第八条: the showcase passed review with 360万元 approved; the 120万元 draft is not in the plan
    "annual-plan": ["2027年度政务信息系统项目计划", "386.50", "360.00", "共1个项目", "评审核定投资合计：360.00万元",
                    "原则上不予追加", "县财政局（盖章）", "县政府办公室（盖章）"],
    "review": ["刘建国", "王䶮", "专家论证会", "第1轮", "360.00万元（人民币叁佰陆拾万元整）", "2026年9月15日",
               "同意建设", "专家签字", "（盖章）"],
    # 刘建国 (90,85,88,80,86) -> 86.25, 陈静 85.45, 王䶮 62: median 85.45, 王䶮 23.45 from it (> 15)
    "review-scores": ["2027年度第一次专家论证会", "县政府第三会议室", "临沂大学信息学院 教授", "信息系统",
                      "加权总分", "86.3", "85.5", "62.0", "偏离", "平均分", "77.9", "极差", "24.3",
                      "第1轮：通过", "360.00万元（人民币叁佰陆拾万元整）", "评审专家（签字）", "王䶮"],
    # the whole session: its panel, each expert's total (王䶮 flagged), average, spread, conclusion, signers
    "review-session": ["政务信息系统项目集中评审汇总表", "2027年度第一次专家论证会", "县政府第三会议室", "专家论证会",
                       "市大数据局 高级工程师", "数据共享", "刘建国加权总分", "86.3", "85.5", "62.0※", "77.9", "24.3",
                       "386.50", "360.00", "第1轮通过", "组长（签字）", "县政府办公室（盖章）", "2026年9月15日",
                       "超过15分"],
    "consent": ["蒙政办字〔2026〕1号", "山东省教育厅", "第三条", TOTAL, "2026年6月20日", "蒙阴县人民政府办公室",
                "蒙阴县财政局"],
    "contract": ["MYJY-2027-HT-003", "山东浪潮软件股份有限公司", "公开招标", "298.76万元（人民币贰佰玖拾捌万柒仟陆佰元整）",
                 "2027年4月2日", "2027年4月8日", "2027年4月9日（暂定）前", "按期备案", "（盖章）"],
    "progress": ["2027年度", "已完成85%", "226.30万元（人民币贰佰贰拾陆万叁仟元整）", "2027年12月20日",
                 "日均访问3200人次", "350.00万元（人民币叁佰伍拾万元整）"],
    "change": ["重大调整", "12.50万元（人民币壹拾贰万伍仟元整）", "2027年6月12日", "同意调整", "2027年6月20日",
               "2027年6月28日", "县政府电子政务办公室审核意见", "县政府办公室审核意见", "县财政局审批意见"],
    "problem": ["工程严重逾期", "2027年8月1日", "2027年8月6日", "150.00万元（人民币壹佰伍拾万元整）", "县政府办公室处理意见"],
    "rectification": ["限期整改的通知", "监理日志缺失8月份记录", "整改期限：2027年10月15日前", "2027年10月31日前",
                      "第五条", "2027年9月15日", TOTAL, "暂停项目建设"],
    "acceptance-application": ["2028年5月8日", "2028年4月30日", "浪潮英信NF5280M6服务器",
                               "350.00万元（人民币叁佰伍拾万元整）", "298.76万元（人民币贰佰玖拾捌万柒仟陆佰元整）"],
    "extension": ["2028年1月10日", "2028年5月31日", "同意延期验收", "智慧课堂子系统尚在联调", "2027年12月31日"],
    "acceptance": ["张国强", "孙丽", "通过验收", "软硬件产品安全可控情况（第九条）", "符合", "2028年5月26日", "2028年6月5日",
                   "麒麟高级服务器操作系统V10", "验收组组长（签字）", "350.00万元（人民币叁佰伍拾万元整）"],
    "evaluation": ["预算执行（10分）", "功能完成度", "产出小计", "满意度（10分）", "问卷调查满意率×5",
                   "综合得分88分（由指标得分计算）", "指标得分合计88", "良", "2029年6月10日",
                   "150.00万元（人民币壹佰伍拾万元整）"],
    "ledger": ["政务信息系统项目台账", "386.50", "150.00", "506.50万元（人民币伍佰零陆万伍仟元整）",
               "150.00万元（人民币壹佰伍拾万元整）", "已自评价"],
    # the project's own entries (the --project filter), who made them, the filter in words
    "audit-log": ["操作日志", f"项目：含“{CODE}”", "打印单位：蒙阴县人民政府办公室", "新建项目", "校验值", "核对人（签字）"],
}


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    c = B.make_county(tmp_path_factory.mktemp("filled") / "county.db")
    project = showcase(c)
    draft = B.new_project(c, c.unit2, name="县卫生健康信息平台")
    yield c, project, draft
    c.store.close()


@pytest.fixture(scope="module")
def pdfs(county, registry):
    c, project, _ = county
    return {code: filled.render(c.store, code, project=project["code"], year=2027, today=TODAY, registry=registry)
            for code in filled.DOCUMENTS}


def test_registry_covers_the_issue_list():
    names = {d.name for d in filled.DOCUMENTS.values()}
    assert names == {"项目申请表", "年度项目申报汇总表", "年度政务信息系统项目计划", "专家评审意见表", "同意申报审核意见", "合同备案表",
                     "年度建设进度和预算执行情况报告", "设计变更申请表", "重大问题报告", "整改通知书", "竣工验收申请表",
                     "延期验收申请表", "竣工验收意见书", "绩效自评价报告", "项目台账", "操作日志",
                     "专家评分表及评审汇总", "评审会汇总表"}
    assert [d.code for d in filled.for_record_kind("contract")] == ["contract"]
    assert filled.get("竣工验收意见书").code == "acceptance"


def test_review_scores_before_any_session_is_a_blank_sheet_on_the_profiles_items(county, registry):
    c, _, draft = county
    text = compact("".join(page_texts(filled.render(c.store, "review-scores", project=draft["code"], today=TODAY,
                                                    registry=registry))))
    for s in ("县卫生健康信息平台", "必要性", "整合共享", "投资合理性", "安全保障", "加权总分", "评审专家（签字）"):
        assert compact(s) in text, s
    assert "偏离" not in text and "平均分" not in text


@pytest.mark.parametrize("code", list(EXPECTED))
def test_key_fields_are_printed(pdfs, code):
    text = compact("".join(page_texts(pdfs[code])))
    for s in [CODE, NAME, UNIT, *EXPECTED[code]]:
        assert compact(s) in text, (code, s)


@pytest.mark.parametrize("code", list(EXPECTED))
def test_a4_orientation_and_embedded_fonts(pdfs, code):
    doc = filled.get(code)
    want = (841.89, 595.28) if doc.landscape else (595.28, 841.89)
    for w, h in page_sizes(pdfs[code]):
        assert abs(w - want[0]) < 0.05 and abs(h - want[1]) < 0.05, code
    found = fonts(pdfs[code])
    assert found
    for f in found:  # TrueType subsets only: no base-14, nothing the reader must supply
        assert f["files"] == ["/FontFile2"] and "+" in f["base"], (code, f)


@pytest.mark.parametrize("code", list(EXPECTED))
def test_text_inside_the_margins(pdfs, code):
    doc = filled.get(code)
    g = GONGWEN_PAGE if doc.gongwen else FORM_LANDSCAPE if doc.landscape else FORM_PORTRAIT
    runs = text_runs(pdfs[code])
    assert runs
    for r in runs:
        if r.y < g.bottom and set(compact(r.text)) <= set("第页共—0123456789"):
            continue  # page numbers live below the text block
        # a 信函's first page runs down to just above its lower red double line (GB/T 9704 §10.1)
        bottom = LETTER_TEXT_BOTTOM if code == "consent" and r.page == 1 else g.bottom
        assert g.left - 0.5 <= r.x < g.left + g.block_width, (code, r)
        assert bottom - 0.5 <= r.y <= g.height - g.top, (code, r)


def test_ledger_of_200_projects_repeats_its_header(tmp_path, registry):
    from desktop_app import demo
    from desktop_app.models.store import Store

    store = Store.open(tmp_path / "demo.db")
    demo.generate(store, projects=200, seed=7, today=TODAY)
    data = filled.render(store, "ledger", today=TODAY, registry=registry)
    codes = [r["code"] for r in store.all("SELECT code FROM projects ORDER BY code")]
    store.close()
    texts = [compact(t) for t in page_texts(data)]
    assert len(texts) >= 3
    for i, t in enumerate(texts):
        assert "序号项目编号项目名称建设单位年度状态" in t, i
        assert f"第{i + 1}页共{len(texts)}页" in t
    every = "".join(texts)
    assert all(c in every for c in codes) and "共200个项目" in every
    assert all(abs(w - 841.89) < 0.05 for w, _ in page_sizes(data))


def _rare_county(tmp_path, unit_name):
    c = B.make_county(tmp_path / "rare.db")
    ops.add_organisation(c.store, c.county, "MYYSZ", unit_name, "unit")
    p = B.new_project(c, B.actor_for(c.store, "MYYSZ"), name="䶮山镇便民服务系统")
    return c, p


def test_rare_character_in_unit_name_is_printed_with_a_font_that_has_it(tmp_path, registry):
    c, p = _rare_county(tmp_path, RARE_UNIT)
    data = filled.render(c.store, "application", project=p["code"], today=TODAY, registry=registry)
    assert RARE_UNIT in compact("".join(page_texts(data)))
    runs = registry.font_runs(RARE_UNIT, "hei", "建设单位")  # 黑体 (the labels' face) lacks 䶮
    assert all(font.has(ch) for font, text in runs for ch in text)
    assert all(f["files"] == ["/FontFile2"] for f in fonts(data))


def test_unprintable_character_is_refused_naming_field_and_character(tmp_path, registry):
    bad = "\U00030000"  # CJK Ext-G: in no bundled font
    c, p = _rare_county(tmp_path, f"蒙阴县{bad}镇人民政府")
    with pytest.raises(MissingGlyphError) as info:
        filled.make(c.store, "application", project=p["code"], registry=registry)
    assert info.value.characters == [bad]
    assert info.value.field == "建设单位"
    assert str(info.value).startswith(f"字段「建设单位」中的字符「{bad}」")


def test_missing_records_are_refused_in_chinese(county, registry):
    c, _project, draft = county
    with pytest.raises(filled.MissingRecordError, match="尚未进行竣工验收.*《竣工验收意见书》"):
        filled.make(c.store, "acceptance", project=draft["code"], registry=registry)
    with pytest.raises(filled.MissingRecordError, match="同意申报"):
        filled.make(c.store, "consent", project=draft["code"], registry=registry)
    with pytest.raises(filled.MissingRecordError, match="须指定计划年度"):
        filled.make(c.store, "plan-summary", registry=registry)
    with pytest.raises(filled.MissingRecordError, match="找不到编号为「MY-1999-009」的项目"):
        filled.make(c.store, "application", project="MY-1999-009", registry=registry)
    with pytest.raises(filled.UnknownDocumentError, match="没有名为「invoice」的文书"):
        filled.get("invoice")


def test_record_option_picks_one_record_of_the_project(county, registry):
    c, project, draft = county
    first = c.store.for_project("finding", project["id"])[0]
    inspection = c.store.get("inspection", first["inspection_id"])
    data = filled.render(c.store, "rectification", project=project["code"], record_id=inspection["id"],
                         today=TODAY, registry=registry)
    assert "2027年9月15日" in compact("".join(page_texts(data)))
    # the project is taken from the record when not given
    doc = filled.make(c.store, "rectification", record_id=inspection["id"], registry=registry)
    assert NAME in doc.title
    with pytest.raises(filled.MissingRecordError, match="找不到编号为"):
        filled.make(c.store, "rectification", project=draft["code"], record_id=inspection["id"], registry=registry)


def test_indicator_lines_are_parsed():
    assert parse_indicators("项目决策:18\n项目管理：17.5分\n\n3．资金使用 : 16\n应用效果") == [
        ("项目决策", "18"), ("项目管理", "17.5"), ("资金使用", "16"), ("应用效果", "")]


# ---------------------------------------------------------------- govis print


def govis(*args):
    env = {**os.environ, "GOVIS_FONTS": "bundled", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "desktop_app", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, env=env, timeout=120, check=False)


def test_cli_lists_and_prints(county, tmp_path):
    c, project, _ = county
    listed = govis("print", "--list")
    assert listed.returncode == 0, listed.stderr
    for d in filled.DOCUMENTS.values():
        assert d.code in listed.stdout and d.name in listed.stdout
    out = tmp_path / "验收意见书.pdf"
    done = govis("print", "acceptance", "--db", c.store.path, "--project", project["code"], "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "已生成《竣工验收意见书》" in done.stdout
    assert "张国强" in compact("".join(page_texts(out.read_bytes())))


def test_cli_refuses_bad_input_with_chinese_messages(county, tmp_path):
    c, _, draft = county
    out = tmp_path / "x.pdf"
    unknown = govis("print", "invoice", "--db", c.store.path, "--project", draft["code"], "--out", str(out))
    assert unknown.returncode == 1 and "没有名为「invoice」的文书" in unknown.stderr
    missing = govis("print", "acceptance", "--db", c.store.path, "--project", draft["code"], "--out", str(out))
    assert missing.returncode == 1
    assert "无法打印" in missing.stderr and "竣工验收意见书" in missing.stderr
    assert not out.exists()
