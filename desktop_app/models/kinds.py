"""The registry of record kinds: one source for validation, forms, exchange sheets and printing.

The SQL schema lives in migrations (frozen history); tests/core/test_schema.py checks that the
registry and the migrated schema agree, so neither drifts.
"""

from __future__ import annotations

from desktop_app.models.fields import (
    BOOL,
    DATE,
    ENUM,
    INT,
    LONGTEXT,
    MONEY,
    REF,
    Field,
    Kind,
)

UNIT, COUNTY, FINANCE = "unit", "county_office", "finance"
ROLES = {UNIT: "申报单位/建设单位", COUNTY: "县政府办公室", FINANCE: "县财政局"}

YES_NO = (("1", "是"), ("0", "否"))
CATEGORY = (("new", "新建"), ("upgrade", "升级改造"), ("om", "运行维护"))
TIER = (("national", "国家级"), ("provincial", "省级"), ("city", "市级"))
MLPS = (("1", "第一级"), ("2", "第二级"), ("3", "第三级"), ("4", "第四级"))
# 第一条: kinds of standalone build that are prohibited in principle.
PROHIBITED = (
    ("lan", "单独新建局域网"), ("cloud", "单独新建虚拟云平台"), ("video_conf", "网络会议系统"),
    ("surveillance", "视频监控系统"), ("server", "新购置服务器"), ("website", "建设或改版网站"),
    ("app", "独立开发应用软件系统"),
)
# 第二条: the four every application needs; a project with co-builders needs one overall plan as well
# (多部门共建共享的项目，由项目牵头部门会同共建部门，共同形成项目整体方案)
REQUIRED_MATERIAL = (
    ("application_report", "项目申请报告"), ("plan", "项目建设方案或项目建议书"),
    ("budget", "投资预算"), ("history", "最近3-5年投资、运行和应用情况"),
)
JOINT_PLAN = "joint_plan"
MATERIAL = REQUIRED_MATERIAL + ((JOINT_PLAN, "联合建设总体方案"),)
REVIEW_CONCLUSION = (("pass", "通过"), ("revise", "修改后重新评审"), ("reject", "不予通过"))
REVIEW_METHOD = (("central", "集中评审"), ("expert_panel", "专家论证会"))
PROCUREMENT = (
    ("open_tender", "公开招标"), ("invited_tender", "邀请招标"), ("competitive", "竞争性谈判"),
    ("consultation", "竞争性磋商"), ("single_source", "单一来源"), ("inquiry", "询价"),
    ("framework", "框架协议"),
)
CHANGE_KIND = (("technical", "技术性调整"), ("major", "重大调整")) 
DECIDER = (("egov_office", "县政府电子政务办公室"), ("county_office", "县政府办公室"), ("finance", "县财政局"))
DECISION = (("approved", "同意"), ("rejected", "不同意"))
PROBLEM_KIND = (("delay", "工程严重逾期"), ("loss", "投资重大损失"), ("other", "其他重大问题"))
SANCTION = (
    ("reprimand", "通报批评"), ("withhold_funds", "暂缓拨付建设资金"),
    ("suspend", "暂停项目建设"), ("terminate", "终止项目"),
)
ACCEPT_CONCLUSION = (("pass", "通过验收"), ("fail", "未通过验收"))
EVAL_KIND = (("self", "绩效自评价"), ("post", "后评价"))
GRADE = (("excellent", "优"), ("good", "良"), ("fair", "中"), ("poor", "差"))
SHARING = (("unconditional", "无条件共享"), ("conditional", "有条件共享"), ("none", "不予共享"))
OPENING = (("open", "无条件开放"), ("conditional", "有条件开放"), ("closed", "不予开放"))
UPDATE_CYCLE = (
    ("realtime", "实时"), ("daily", "每日"), ("weekly", "每周"), ("monthly", "每月"),
    ("quarterly", "每季度"), ("yearly", "每年"), ("irregular", "不定期"),
)
PLATFORM = (("sharing", "政务信息资源共享交换平台"), ("open_data", "公共数据资源开放平台"))
BUDGET_KIND = (("construction", "建设资金"), ("om", "运行维护经费"))
SECURITY_KIND = (
    ("mlps_filing", "等级保护备案"), ("mlps_testing", "等级保护测评"),
    ("risk_assessment", "网络与信息安全风险评估"), ("crypto_assessment", "密码应用安全性评估"),
    ("rectification", "安全整改"),
)
PASS_FAIL = (("pass", "符合"), ("fail", "不符合"))
DUPLICATE_LEVEL = (("duplicate", "重复"), ("partial", "部分重复"), ("none", "无重复"))


def _k(name, table, label, *fields, project_scoped=True, parent=None):
    """Who writes each kind, and when, is declared in `models.authority`, not here."""
    return Kind(name, table, label, tuple(fields), project_scoped, parent)


F = Field

PROJECT = _k(
    "project", "projects", "项目",
    F("code", "项目编号", required=True, max_len=40),
    F("name", "项目名称", required=True, max_len=200),
    F("lead_org_id", "牵头（建设）单位", REF, required=True, ref_kind="organisation"),
    F("plan_year", "计划年度", INT, required=True, min=2000, max=2100),
    F("category", "建设类型", ENUM, required=True, choices=CATEGORY),
    F("total_investment_fen", "总投资", MONEY, required=True, unit="万元"),
    F("fiscal_share_fen", "其中财政资金", MONEY, unit="万元"),
    F("om_estimate_fen", "运维经费概算（每年）", MONEY, unit="万元"),
    F("large_project", "大型项目（运维费用较高）", BOOL, choices=YES_NO),
    F("responsible_person", "项目责任人", max_len=50),
    F("contact", "联系电话", max_len=50),
    F("mlps_level", "等级保护级别", ENUM, choices=MLPS),
    F("classified", "涉密项目", BOOL, choices=YES_NO),
    F("higher_level", "上级部门组织申报", BOOL, choices=YES_NO),
    F("higher_level_tier", "上级层级", ENUM, choices=TIER),
    F("prohibited_types", "属原则上不得单独建设的类型", max_len=200),
    F("prohibited_justification", "单独建设的必要性说明", LONGTEXT),
    F("planned_start", "计划开工日期", DATE),
    F("planned_completion", "设计建设周期截止日期", DATE),
    F("delay_explanation", "未按期完成的说明", LONGTEXT),
    F("summary", "建设内容摘要", LONGTEXT),
    project_scoped=False,
)

CO_BUILDER = _k(
    "co_builder", "project_co_builders", "共建单位",
    F("org_id", "共建单位", REF, required=True, ref_kind="organisation"),
    F("scope", "建设范围和责任义务", LONGTEXT),
)
MATERIAL_K = _k(
    "material", "application_materials", "申报材料",
    F("material_type", "材料类型", ENUM, required=True, choices=MATERIAL),
    F("title", "材料名称", required=True, max_len=200),
    F("prepared_on", "编制日期", DATE),
    F("attachment_id", "附件", REF, ref_kind="attachment"),
)
INVESTMENT_HISTORY = _k(
    "investment_history", "investment_history", "近年信息化投资运行情况",
    F("year", "年度", INT, required=True, min=2000, max=2100),
    F("investment_fen", "当年投资", MONEY, required=True, unit="万元"),
    F("om_cost_fen", "当年运维费用", MONEY, unit="万元"),
    F("usage", "运行和应用情况", LONGTEXT),
)
CONSULTATION = _k(
    "consultation", "egov_consultations", "电子政务中心咨询",
    F("consulted_on", "咨询日期", DATE, required=True),
    F("advisor", "电子政务中心经办人", max_len=50),
    F("advice", "优化建议", LONGTEXT),
)
REVIEW = _k(
    "review", "reviews", "评审意见",
    F("round", "评审轮次", INT, required=True, min=1, max=20),
    F("reviewed_on", "评审日期", DATE, required=True),
    F("method", "评审方式", ENUM, required=True, choices=REVIEW_METHOD),
    F("conclusion", "评审结论", ENUM, required=True, choices=REVIEW_CONCLUSION),
    F("opinion", "审核意见", LONGTEXT, required=True),
    F("opinion_no", "意见文号", max_len=60),
    F("approved_investment_fen", "核定投资", MONEY, unit="万元"),
)
EXPERT_OPINION = _k(
    "expert_opinion", "expert_opinions", "专家意见",
    F("review_id", "所属评审", REF, required=True, ref_kind="review"),
    F("expert_name", "专家姓名", required=True, max_len=50),
    F("affiliation", "工作单位及职称", max_len=200),
    F("opinion", "专家意见", LONGTEXT, required=True),
    F("conclusion", "建议结论", ENUM, choices=REVIEW_CONCLUSION),
    parent="review_id",
)
FUNDING = _k(
    "funding", "funding_decisions", "资金审核",
    F("decided_on", "审核日期", DATE, required=True),
    F("approved_fen", "核定资金", MONEY, required=True, unit="万元"),
    F("budget_year", "列入预算年度", INT, required=True, min=2000, max=2100),
    F("decision_no", "文号", max_len=60),
    F("opinion", "资金审核意见", LONGTEXT),
)
HIGHER_LEVEL = _k(
    "higher_level_filing", "higher_level_filings", "上级项目申报与备案",
    F("applied_upward_on", "向上级申报日期", DATE),
    F("upper_approved_on", "上级审批日期", DATE),
    F("upper_authority", "审批部门", max_len=100),
    F("filed_on", "报县政府办公室备案日期", DATE),
)
# 第三条: the county office's consent to apply upward is its own record, never a field the unit types
UPWARD_CONSENT = _k(
    "upward_consent", "upward_consents", "县政府办公室同意申报意见",
    F("consent_on", "同意申报日期", DATE, required=True),
    F("consent_no", "同意申报意见文号", max_len=60),
    F("opinion", "审核意见", LONGTEXT),
)
SECRECY = _k(
    "secrecy_confirmation", "secrecy_confirmations", "涉密项目审查确认",
    F("confirmed_on", "县保密局确认日期", DATE, required=True),
    F("document_no", "确认文号", max_len=60),
    F("opinion", "审查意见", LONGTEXT),
)
CONTRACT = _k(
    "contract", "contracts", "采购合同",
    F("contract_no", "合同编号", required=True, max_len=60),
    F("title", "合同名称", required=True, max_len=200),
    F("supplier", "供应商", required=True, max_len=200),
    F("procurement_method", "采购方式", ENUM, required=True, choices=PROCUREMENT),
    F("amount_fen", "合同金额", MONEY, required=True, unit="万元"),
    F("signed_on", "签订日期", DATE, required=True),
    F("filed_on", "报县政府办公室备案日期", DATE),
    F("supervisor", "工程监理单位", max_len=200),
)
PROGRESS = _k(
    "progress_report", "progress_reports", "建设进度和预算执行情况报告",
    F("year", "报告年度", INT, required=True, min=2000, max=2100),
    F("reported_on", "报送日期", DATE, required=True),
    F("progress_pct", "建设进度", INT, required=True, min=0, max=100, unit="%"),
    F("budget_executed_fen", "预算执行金额", MONEY, required=True, unit="万元"),
    F("trial_run", "已投入试运行", BOOL, choices=YES_NO),
    F("effects", "试运行效果", LONGTEXT),
    F("problems", "存在问题", LONGTEXT),
)
CHANGE = _k(
    "change_request", "change_requests", "设计变更申请",
    F("change_kind", "调整类型", ENUM, required=True, choices=CHANGE_KIND),
    F("submitted_on", "申请日期", DATE, required=True),
    F("reason", "调整原因", LONGTEXT, required=True),
    F("content", "调整内容", LONGTEXT, required=True),
    F("investment_delta_fen", "投资增加额", MONEY, unit="万元"),
    F("implemented_before_approval", "已先行实施", BOOL, choices=YES_NO),
    # 第四条/第九条: after approval these project facts change only by an approved change request
    F("new_planned_completion", "调整后的设计建设周期截止日期", DATE),
    F("new_mlps_level", "调整后的等级保护级别", ENUM, choices=MLPS),
)
CHANGE_DECISION = _k(
    "change_decision", "change_decisions", "设计变更审核意见",
    F("change_request_id", "所属变更申请", REF, required=True, ref_kind="change_request"),
    F("decider", "审核单位", ENUM, required=True, choices=DECIDER),
    F("decision", "审核结论", ENUM, required=True, choices=DECISION),
    F("decided_on", "审核日期", DATE, required=True),
    F("opinion", "审核意见", LONGTEXT),
    parent="change_request_id",
)
PROBLEM = _k(
    "problem_report", "problem_reports", "重大问题报告",
    F("problem_kind", "问题类型", ENUM, required=True, choices=PROBLEM_KIND),
    F("occurred_on", "发生日期", DATE, required=True),
    F("reported_on", "报告日期", DATE, required=True),
    F("description", "情况说明", LONGTEXT, required=True),
    F("measures", "拟采取措施", LONGTEXT),
)
INSPECTION = _k(
    "inspection", "inspections", "监督检查",
    F("inspected_on", "检查日期", DATE, required=True),
    F("inspectors", "检查人员", max_len=200),
    F("scope", "检查内容", LONGTEXT),
)
FINDING = _k(
    "finding", "findings", "检查发现问题",
    F("inspection_id", "所属检查", REF, required=True, ref_kind="inspection"),
    F("description", "问题描述", LONGTEXT, required=True),
    F("rectify_by", "整改期限", DATE, required=True),
    F("notice_no", "整改通知文号", max_len=60),
    F("closed_on", "整改验收合格日期", DATE),
    parent="inspection_id",
)
RECTIFICATION = _k(
    "rectification", "rectifications", "整改报告",
    F("finding_id", "所属问题", REF, required=True, ref_kind="finding"),
    F("submitted_on", "报送日期", DATE, required=True),
    F("content", "整改情况", LONGTEXT, required=True),
    parent="finding_id",
)
SANCTION_K = _k(
    "sanction", "sanctions", "处理措施",
    F("sanction_kind", "处理方式", ENUM, required=True, choices=SANCTION),
    F("imposed_on", "决定日期", DATE, required=True),
    F("reason", "处理原因", LONGTEXT, required=True),
    F("finding_id", "相关问题", REF, ref_kind="finding"),
    F("document_no", "文号", max_len=60),
    F("lifted_on", "解除日期", DATE),
)
ACCEPT_APP = _k(
    "acceptance_application", "acceptance_applications", "竣工验收申请",
    F("applied_on", "申请日期", DATE, required=True),
    F("completed_on", "建设完成日期", DATE),
    F("summary", "建设完成情况", LONGTEXT),
)
EXTENSION = _k(
    "acceptance_extension", "acceptance_extensions", "延期验收申请",
    F("requested_on", "申请日期", DATE, required=True),
    F("reason", "延期原因", LONGTEXT, required=True),
    F("new_date", "拟验收日期", DATE, required=True),
)
# 第六条: whether the delay is allowed is the county office's decision, on its own record
EXTENSION_DECISION = _k(
    "extension_decision", "extension_decisions", "延期验收审核意见",
    F("extension_id", "所属延期验收申请", REF, required=True, ref_kind="acceptance_extension"),
    F("decision", "审核结论", ENUM, required=True, choices=DECISION),
    F("decided_on", "审核日期", DATE, required=True),
    F("opinion", "审核意见", LONGTEXT),
    parent="extension_id",
)
# 第四条: whether a unit's 未按期完成的说明 is 有效说明 is for the county office to say
DELAY_ACCEPTANCE = _k(
    "delay_acceptance", "delay_acceptances", "未按期完成说明审核意见",
    F("decision", "审核结论", ENUM, required=True, choices=DECISION),
    F("decided_on", "审核日期", DATE, required=True),
    F("opinion", "审核意见", LONGTEXT),
)
ACCEPT_RESULT = _k(
    "acceptance_result", "acceptance_results", "竣工验收意见",
    F("accepted_on", "验收日期", DATE, required=True),
    F("group_members", "验收组成员", LONGTEXT, required=True),
    F("conclusion", "验收结论", ENUM, required=True, choices=ACCEPT_CONCLUSION),
    F("controllable_ok", "软硬件产品安全可控情况", ENUM, required=True, choices=PASS_FAIL),
    F("opinion", "验收意见", LONGTEXT),
    F("report_filed_on", "验收报告备案日期", DATE),
    F("rectify_by", "整改期限", DATE),
)
EVALUATION = _k(
    "evaluation", "evaluations", "绩效评价",
    F("eval_kind", "评价类型", ENUM, required=True, choices=EVAL_KIND),
    F("evaluated_on", "评价日期", DATE, required=True),
    F("score", "综合得分", INT, required=True, min=0, max=100),
    F("grade", "评价等级", ENUM, required=True, choices=GRADE),
    F("indicators", "指标得分（指标:得分，每行一项）", LONGTEXT),
    F("findings", "主要问题与建议", LONGTEXT),
    F("rectify_by", "整改期限", DATE),
)
# 第一条 集约建设: the county office's finding on the duplicate-project check (services/similarity.py)
DUPLICATE_DECISION = _k(
    "duplicate_decision", "duplicate_decisions", "重复建设审查意见",
    F("level", "审查认定", ENUM, required=True, choices=DUPLICATE_LEVEL),
    F("decided_on", "审查日期", DATE, required=True),
    F("similar_codes", "相似项目编号", max_len=400),
    F("reason", "认定理由", LONGTEXT, required=True),
    F("justification", "确需建设的理由（认定重复后安排资金的依据）", LONGTEXT),
)
CATALOG = _k(
    "catalog_entry", "resource_catalog", "信息资源目录",
    F("resource_name", "信息资源名称", required=True, max_len=200),
    F("source", "数据来源", required=True, max_len=200),
    F("data_format", "数据格式", required=True, max_len=50),
    F("update_cycle", "更新周期", ENUM, required=True, choices=UPDATE_CYCLE),
    F("sharing_type", "共享属性", ENUM, required=True, choices=SHARING),
    F("sharing_condition", "共享条件或不予共享依据", LONGTEXT),
    F("opening_type", "开放属性", ENUM, required=True, choices=OPENING),
    F("registered_on", "纳入目录日期", DATE),
)
PLATFORM_K = _k(
    "platform_connection", "platform_connections", "共享开放平台接入",
    F("platform", "平台", ENUM, required=True, choices=PLATFORM),
    F("connected_on", "接入日期", DATE, required=True),
    F("interfaces", "接口数量", INT, min=0, max=100000),
    F("note", "说明", LONGTEXT),
)
BUDGET = _k(
    "budget", "budgets", "预算安排",
    F("year", "预算年度", INT, required=True, min=2000, max=2100),
    F("budget_kind", "经费类型", ENUM, required=True, choices=BUDGET_KIND),
    F("amount_fen", "预算金额", MONEY, required=True, unit="万元"),
    F("approved_on", "批复日期", DATE),
    # 第八条: 区分轻重缓急，统筹安排资金 — finance's order of the year's plan (1 first)
    F("priority", "轻重缓急排序", INT, min=1, max=9999),
)
DISBURSEMENT = _k(
    "disbursement", "disbursements", "资金拨付",
    F("paid_on", "拨付日期", DATE, required=True),
    F("amount_fen", "拨付金额", MONEY, required=True, unit="万元"),
    F("purpose", "资金类型", ENUM, required=True, choices=BUDGET_KIND),
    F("budget_year", "预算年度", INT, required=True, min=2000, max=2100),
    F("voucher_no", "凭证号", max_len=60),
)
SURPLUS = _k(
    "surplus_return", "surplus_returns", "结余资金退回",
    F("returned_on", "退回日期", DATE, required=True),
    F("amount_fen", "退回金额", MONEY, required=True, unit="万元"),
    F("channel", "退回渠道", max_len=100),
)
SECURITY = _k(
    "security_record", "security_records", "网络安全记录",
    F("security_kind", "事项", ENUM, required=True, choices=SECURITY_KIND),
    F("done_on", "完成日期", DATE, required=True),
    F("agency", "实施机构", max_len=200),
    F("result", "结论", ENUM, choices=PASS_FAIL),
    F("document_no", "证明文号", max_len=60),
    F("note", "说明", LONGTEXT),
)
PRODUCT = _k(
    "controllable_product", "controllable_products", "安全可控产品清单",
    F("product", "产品名称及型号", required=True, max_len=200),
    F("category", "产品类别", required=True, max_len=50),
    F("vendor", "生产厂商", max_len=200),
    F("controllable", "自主可控", BOOL, required=True, choices=YES_NO),
    F("note", "说明", max_len=500),
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        PROJECT, CO_BUILDER, MATERIAL_K, INVESTMENT_HISTORY, CONSULTATION, REVIEW, EXPERT_OPINION,
        FUNDING, UPWARD_CONSENT, HIGHER_LEVEL, SECRECY, CONTRACT, PROGRESS, CHANGE, CHANGE_DECISION, PROBLEM,
        INSPECTION, FINDING, RECTIFICATION, SANCTION_K, ACCEPT_APP, EXTENSION, EXTENSION_DECISION,
        DELAY_ACCEPTANCE, ACCEPT_RESULT,
        EVALUATION, DUPLICATE_DECISION, CATALOG, PLATFORM_K, BUDGET, DISBURSEMENT, SURPLUS, SECURITY, PRODUCT,
    )
}
CHILD_KINDS = [k for k in KINDS.values() if k.project_scoped]


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        allowed = "、".join(KINDS)
        raise KeyError(f"未知的记录类型「{name}」（可用：{allowed}）") from None
