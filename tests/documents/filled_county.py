"""A small county whose showcase project carries every record a printed document needs.

Driven through the real operations (tests/core/builders), so the documents read what a clerk
would have entered. Shared by tests/documents/test_filled.py, tests/ui/test_print_preview.py and
benchmarks/bench_print.py.
"""

from __future__ import annotations

import datetime as dt

from desktop_app.services import operations as ops
from tests.core import builders as B

D = dt.date
TODAY = D(2029, 6, 30)
RARE_UNIT = "蒙阴县䶮山镇人民政府"  # 䶮 (U+4DAE, CJK Ext-A): not in every font


def _add(c, actor, kind, pid, values, today=None):
    return ops.add_record(c.store, actor, kind, pid, values, today)


def showcase(c: B.County) -> dict:
    """One project through every stage, with every record kind the documents print."""
    p = B.new_project(
        c, name="蒙阴县智慧教育云平台建设项目", total_investment_fen="386.5", fiscal_share_fen="350.25",
        om_estimate_fen="28.6", large_project="1", higher_level="1", higher_level_tier="provincial",
        prohibited_types="server", prohibited_justification="现有政务云资源不能满足视频教学存储需要，经县电子政务中心确认，需新购置存储服务器两台。",
        summary="建设全县统一的教育云平台，包括教学资源库、智慧课堂、教育管理三个子系统，覆盖全县68所中小学。",
    )
    pid = p["id"]
    s, u = c.store, c.unit
    _add(c, c.county, "co_builder", pid, {"org_id": c.unit2.org_id, "scope": "负责卫生健康数据接口和校医系统对接"})
    B.add_materials(c, pid)
    _add(c, u, "material", pid, {"material_type": "joint_plan", "title": "教育云平台联合建设总体方案"}, B.TODAY)
    _add(c, c.county, "upward_consent", pid, {"consent_on": "2026-06-20", "consent_no": None})
    _add(c, u, "higher_level_filing", pid, {"applied_upward_on": "2026-06-25", "upper_authority": "山东省教育厅"})
    ops.transition(s, u, pid, "submit", today=D(2026, 7, 1))
    ops.transition(s, c.county, pid, "start_review", today=D(2026, 9, 10))
    # 第三条: the review is a session's conclusion -- three experts score, one lies far from the others
    session = ops.add_review_session(s, c.county, {"title": "2027年度第一次专家论证会", "held_on": "2026-09-15",
                                                   "venue": "县政府第三会议室", "method": "expert_panel"},
                                     D(2026, 9, 12))
    for name, field, aff, marks, text in (
            ("刘建国", "信息系统", "临沂大学信息学院 教授", (90, 85, 88, 80, 86), "需求分析充分，建议采用政务云部署。"),
            ("陈静", "数据共享", "市大数据局 高级工程师", (88, 84, 90, 78, 85), "同意建设，注意与省教育平台的数据对接。"),
            ("王䶮", "网络安全", "县电子政务中心 工程师", (70, 60, 65, 50, 60), "存储服务器须说明不能利用政务云的理由。")):
        e = ops.add_review_expert(s, c.county, session["id"], {"name": name, "field": field, "affiliation": aff},
                                  D(2026, 9, 12))
        if name == "刘建国":
            ops.assign_to_review(s, c.county, session["id"], pid, D(2026, 9, 12))
        items = dict(zip(("必要性", "可行性", "整合共享", "投资合理性", "安全保障"), marks, strict=True))
        ops.score_review(s, c.county, session["id"], pid, e["id"], items, text, D(2026, 9, 15))
    ops.conclude_review(s, c.county, session["id"], pid,
                        {"conclusion": "pass", "opinion": "项目建设必要，方案基本可行，同意建设。建议进一步压缩硬件投资。",
                         "opinion_no": "蒙政办评〔2026〕12号", "approved_investment_fen": "360"}, D(2026, 9, 15))
    ops.transition(s, c.finance, pid, "fund", {"decided_on": "2026-10-20", "approved_fen": "350",
                                               "budget_year": "2027"}, today=D(2026, 10, 20))
    ops.transition(s, u, pid, "start_construction", today=D(2026, 10, 21))
    _add(c, u, "contract", pid, {"contract_no": "MYJY-2027-HT-003", "title": "教育云平台软件开发及集成合同",
                                 "supplier": "山东浪潮软件股份有限公司", "procurement_method": "open_tender",
                                 "amount_fen": "298.76", "signed_on": "2027-04-02", "filed_on": "2027-04-08",
                                 "supervisor": "临沂正信工程监理有限公司"}, D(2027, 4, 8))
    _add(c, c.finance, "disbursement", pid, {"paid_on": "2027-05-10", "amount_fen": "150", "purpose": "construction",
                                             "budget_year": "2027", "voucher_no": "CZ-2027-0510"}, D(2027, 5, 10))
    ch = _add(c, u, "change_request", pid, {"change_kind": "major", "submitted_on": "2027-06-12",
                                            "reason": "省教育厅新增数据上报要求，需增加数据交换模块。",
                                            "content": "新增数据交换子系统一套，调整存储容量。",
                                            "investment_delta_fen": "12.5"}, D(2027, 6, 12))
    _add(c, c.county, "change_decision", pid, {"change_request_id": ch["id"], "decider": "county_office",
                                                "decision": "approved", "decided_on": "2027-06-20",
                                                "opinion": "同意调整，增加投资从项目预备费中解决。"}, D(2027, 6, 20))
    _add(c, c.finance, "change_decision", pid, {"change_request_id": ch["id"], "decider": "finance",
                                                 "decision": "approved", "decided_on": "2027-06-28",
                                                 "opinion": "同意。"}, D(2027, 6, 28))
    _add(c, u, "problem_report", pid, {"problem_kind": "delay", "occurred_on": "2027-08-01",
                                       "reported_on": "2027-08-06", "description": "供应商核心开发人员流失，智慧课堂子系统进度滞后约两个月。",
                                       "measures": "约谈供应商，要求增派人员并提交赶工计划。"}, D(2027, 8, 6))
    ins = _add(c, c.county, "inspection", pid, {"inspected_on": "2027-09-15", "inspectors": "县政府办公室、县财政局",
                                                "scope": "招标采购、建设进度和资金使用情况"}, D(2027, 9, 15))
    for desc, by in (("合同约定的监理日志缺失8月份记录", "2027-10-15"), ("部分设备到货验收单未经监理签字", "2027-10-31")):
        _add(c, c.county, "finding", pid, {"inspection_id": ins["id"], "description": desc, "rectify_by": by},
             D(2027, 9, 15))
    _add(c, u, "progress_report", pid, {"year": "2027", "reported_on": "2027-12-20", "progress_pct": "85",
                                        "budget_executed_fen": "226.3", "trial_run": "1",
                                        "effects": "教学资源库已在12所学校试运行，日均访问3200人次。",
                                        "problems": "智慧课堂子系统进度滞后。"}, D(2027, 12, 20))
    ext = _add(c, u, "acceptance_extension", pid, {"requested_on": "2028-01-10", "reason": "智慧课堂子系统尚在联调。",
                                                   "new_date": "2028-05-31"}, D(2028, 1, 10))
    _add(c, c.county, "extension_decision", pid, {"extension_id": ext["id"], "decision": "approved",
                                                  "decided_on": "2028-01-15", "opinion": "同意延期验收。"}, D(2028, 1, 15))
    _add(c, u, "controllable_product", pid, {"product": "浪潮英信NF5280M6服务器", "category": "服务器",
                                             "vendor": "浪潮电子信息产业股份有限公司", "controllable": "是"})
    _add(c, u, "controllable_product", pid, {"product": "麒麟高级服务器操作系统V10", "category": "操作系统",
                                             "vendor": "麒麟软件有限公司", "controllable": "是"})
    ops.transition(s, u, pid, "request_acceptance", {"applied_on": "2028-05-08", "completed_on": "2028-04-30",
                                                     "summary": "三个子系统全部建成并试运行三个月。"}, today=D(2028, 5, 8))
    ops.transition(s, c.county, pid, "record_acceptance",
                   {"accepted_on": "2028-05-26", "group_members": "张国强、李敏、赵伟、孙丽",
                    "conclusion": "pass", "controllable_ok": "pass", "opinion": "项目按批复完成建设内容，同意通过验收。",
                    }, today=D(2028, 5, 26))
    [res] = s.for_project("acceptance_result", pid)
    ops.update_record(s, c.county, "acceptance_result", res["id"], {"report_filed_on": "2028-06-05"},
                      today=D(2028, 6, 5))
    _add(c, u, "catalog_entry", pid, {"resource_name": "学籍信息", "source": "教育管理子系统", "data_format": "JSON",
                                      "update_cycle": "daily", "sharing_type": "conditional", "opening_type": "closed"})
    _add(c, u, "platform_connection", pid, {"platform": "sharing", "connected_on": "2028-06-01"}, D(2028, 6, 1))
    ops.transition(s, u, pid, "go_live", today=D(2028, 6, 1))
    ops.transition(s, u, pid, "self_evaluate",
                   B.evaluation("2029-06-10", 88, findings="部分学校使用率偏低，建议加强培训。"),
                   today=D(2029, 6, 10))
    return s.get("project", pid)


def make_showcase_county(path) -> tuple[B.County, dict]:
    c = B.make_county(path)
    return c, showcase(c)
