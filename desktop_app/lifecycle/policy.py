"""The county policy profile: every number the rules use, in one place, as data.

Defaults follow 蒙政办字〔2018〕51号. A county whose notice says October instead of August stores a
different profile (settings key `policy_profile`, JSON); no code changes. Where the notice says
只 "及时" (promptly) the profile holds the county office's working interpretation, marked below.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from desktop_app.lifecycle.review_scoring import DEFAULT_SHEET, SheetError, parse_sheet, sheet_text


@dataclass(frozen=True)
class PolicyProfile:
    county_name: str = "蒙阴县"
    notice_no: str = "蒙政办字〔2018〕51号"
    # 第二条: applications for next year's plan by the end of August
    application_month: int = 8
    application_day: int = 31
    history_years_min: int = 3
    # 第四条: contract and procurement documents filed within 5 working days of signing
    contract_filing_workdays: int = 5
    # 第四条: progress and budget-execution report before the end of each year
    progress_report_month: int = 12
    progress_report_day: int = 31
    # 第四条: serious delay / major loss reported 及时 — county interpretation: 10 working days
    problem_report_workdays: int = 10
    # 第三条: filing after the upper level approves — county interpretation: 20 working days
    higher_filing_workdays: int = 20
    # 第六条: acceptance applied for on time — county interpretation: within 6 months of the
    # end of the design construction cycle, else an extension request is due
    acceptance_grace_months: int = 6
    # 第六条: acceptance report filed after acceptance — county interpretation: 10 working days
    acceptance_report_workdays: int = 10
    # 第六条: self-evaluation 12 to 24 months after acceptance and use
    self_eval_min_months: int = 12
    self_eval_max_months: int = 24
    # 第九条: MLPS testing, crypto and risk assessment after go-live, each recurring (one period after the
    # last) — county interpretation. MLPS by level (等保2.0 practice): level 3 yearly (the field kept its
    # old name, so stored profiles keep their value), level 2 every two years, level 4 every six months
    mlps_testing_months: int = 12
    mlps2_testing_months: int = 24
    mlps4_testing_months: int = 6
    crypto_assessment_months: int = 12
    risk_assessment_months: int = 12
    # 第八条: surplus returned by the original channel — county interpretation: 3 months after acceptance
    surplus_return_months: int = 3
    # 第一条 集约建设: the duplicate-project check's levels, as a percentage of text similarity —
    # county interpretation (the notice forbids building the same thing twice, it gives no measure)
    duplicate_threshold_pct: int = 50
    partial_threshold_pct: int = 15
    # 第八条: 大型项目且日常运行维护费用较高的 O&M goes into the department budget — county interpretation
    # of 较高: a declared yearly O&M estimate of at least this many 万元
    om_budget_threshold_wan: int = 20
    # reminders: how far ahead an obligation counts as 即将到期
    upcoming_workdays: int = 10
    # 第三条: centralised review -- the experts' scoring sheet (名称:权重, weights adding up to 100) and
    # how far from the panel's median an expert's total is flagged (county interpretation)
    review_sheet: str = DEFAULT_SHEET
    review_outlier_points: int = 15
    # 第六条: a 差 evaluation is rectified within a time limit — county interpretation: 6 months
    poor_rectify_months: int = 6
    # risk ratings: a confirmed rating older than this is 已过期 (the program's own setting)
    risk_rating_valid_days: int = 90

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> PolicyProfile:
        if not text:
            return cls()
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def load_profile(store) -> PolicyProfile:
    return PolicyProfile.from_json(store.get_setting("policy_profile"))


# ---- what each number means, where it comes from, what it may be --------------------------------
# The window and `govis policy show` read this table; `checked_profile` (used by operations.set_policy,
# hence by the window and the CLI alike) enforces it.

NOTICE_RULE = "notice"      # the notice gives the number itself
COUNTY_RULE = "county"      # the notice says only 及时 / gives no number: 本县执行口径
REMINDER = "reminder"  # the program's own reminder setting, not a rule of the notice

BASIS_LABELS = {NOTICE_RULE: "通知规定", COUNTY_RULE: "本县执行口径", REMINDER: "提醒设置"}


@dataclass(frozen=True)
class PolicyField:
    name: str
    label: str
    clause: str           # 第二条 …; empty for the program's own settings
    unit: str             # shown after the value: 月, 日, 个工作日, 个月, 年; empty for text
    low: int | None = None
    high: int | None = None
    basis: str = NOTICE_RULE
    says: str = ""        # what the notice says, shown as the value's tooltip
    max_len: int | None = None  # a text longer than TEXT_MAX (the scoring sheet)

    @property
    def is_text(self) -> bool:
        return self.low is None


POLICY_FIELDS: dict[str, PolicyField] = {f.name: f for f in (
    PolicyField("county_name", "县（区）名称", "", "", says="本机所在县（区），印在打印的表单上"),
    PolicyField("notice_no", "依据文件文号", "", "", says="程序执行的县级通知"),
    PolicyField("application_month", "年度申报截止月份", "第二条", "月", 1, 12,
                says="每年8月底前，向县政府办公室提交下一年度政务信息系统项目建设申请"),
    PolicyField("application_day", "年度申报截止日", "第二条", "日", 1, 31,
                says="每年8月底前提交下一年度项目建设申请"),
    PolicyField("history_years_min", "须报近年投资运行情况的最少年数", "第二条", "年", 1, 10,
                says="申请材料包括近3—5年信息化投资、运行及使用情况"),
    PolicyField("contract_filing_workdays", "合同及采购文件备案期限", "第四条", "个工作日", 1, 60,
                says="合同签订后5个工作日内报县政府办公室备案"),
    PolicyField("progress_report_month", "年度进度报告截止月份", "第四条", "月", 1, 12,
                says="每年年底前报告项目建设进度和预算执行情况"),
    PolicyField("progress_report_day", "年度进度报告截止日", "第四条", "日", 1, 31,
                says="每年年底前报告项目建设进度和预算执行情况"),
    PolicyField("problem_report_workdays", "重大问题报告期限", "第四条", "个工作日", 1, 60, COUNTY_RULE,
                "出现严重延误、重大损失等情况要及时报告（通知未规定天数）"),
    PolicyField("higher_filing_workdays", "上级项目批复后备案期限", "第三条", "个工作日", 1, 120, COUNTY_RULE,
                "上级批复后报县政府办公室备案（通知未规定天数）"),
    PolicyField("acceptance_grace_months", "建设周期结束后申请验收期限", "第六条", "个月", 0, 36, COUNTY_RULE,
                "按期申请竣工验收，不能按期的申请延期（通知未规定月数）"),
    PolicyField("acceptance_report_workdays", "验收报告备案期限", "第六条", "个工作日", 1, 60, COUNTY_RULE,
                "验收报告报县政府办公室备案（通知未规定天数）"),
    PolicyField("self_eval_min_months", "绩效自评价最早（验收后）", "第六条", "个月", 0, 59,
                says="项目验收并投入使用12—24个月内开展绩效自评价"),
    PolicyField("self_eval_max_months", "绩效自评价最晚（验收后）", "第六条", "个月", 1, 60,
                says="项目验收并投入使用12—24个月内开展绩效自评价"),
    PolicyField("mlps2_testing_months", "等级保护测评周期（第二级）", "第九条", "个月", 1, 60, COUNTY_RULE,
                "系统运行后跟进落实测评、整改（通知未规定周期）；第二级系统通常每两年测评一次"),
    PolicyField("mlps_testing_months", "等级保护测评周期（第三级）", "第九条", "个月", 1, 60, COUNTY_RULE,
                "系统运行后跟进落实测评、整改（通知未规定周期）；第三级系统每年至少测评一次"),
    PolicyField("mlps4_testing_months", "等级保护测评周期（第四级）", "第九条", "个月", 1, 60, COUNTY_RULE,
                "系统运行后跟进落实测评、整改（通知未规定周期）；第四级系统每半年至少测评一次"),
    PolicyField("crypto_assessment_months", "密码应用安全性评估周期", "第九条", "个月", 1, 60, COUNTY_RULE,
                "密码应用同步规划、建设、运行和定期评估（通知未规定周期）；上线后一个周期内首次评估，"
                "此后每次评估后一个周期内再评估（GM/T 0054：第三级及以上每年至少一次）"),
    PolicyField("risk_assessment_months", "网络与信息安全风险评估周期", "第九条", "个月", 1, 60, COUNTY_RULE,
                "按规定开展网络与信息安全风险评估（通知未规定周期）；上线后一个周期内首次评估，"
                "此后每次评估后一个周期内再评估（GB/T 20984）"),
    PolicyField("surplus_return_months", "结余资金退回期限（验收后）", "第八条", "个月", 1, 24, COUNTY_RULE,
                "结余资金按原渠道退回（通知未规定期限）"),
    PolicyField("duplicate_threshold_pct", "查重：认定“重复”的相似度", "第一条", "%", 2, 100, COUNTY_RULE,
                "统筹集约建设，避免重复建设（通知未规定相似度标准）；相似度达到此值提示“重复”"),
    PolicyField("partial_threshold_pct", "查重：认定“部分重复”的相似度", "第一条", "%", 1, 99, COUNTY_RULE,
                "相似度达到此值（低于“重复”）提示“部分重复”，由县政府办公室审查认定"),
    PolicyField("om_budget_threshold_wan", "大型项目运维经费列入部门预算的年度概算下限", "第八条", "万元", 0, 100000,
                COUNTY_RULE, "大型项目且日常运行维护费用较高的，运维费用概算与建设资金一并报审，"
                "投入运行后列入部门年度预算；其余项目运维费用从单位公用经费中解决（通知未规定金额）"),
    PolicyField("poor_rectify_months", "绩效评价为“差”的整改期限", "第六条", "个月", 1, 24, COUNTY_RULE,
                "应用绩效低下的责令限期整改（通知未规定期限）"),
    PolicyField("risk_rating_valid_days", "风险评级有效期", "", "日", 7, 366, REMINDER,
                "县政府办公室确认的风险评级超过多少日标为“已过期”，须重新确认"),
    PolicyField("upcoming_workdays", "到期前提醒（即将到期）", "", "个工作日", 1, 60, REMINDER,
                "期限前多少个工作日在工作台列为“即将到期”"),
    PolicyField("review_sheet", "专家评审评分表（评分项:权重）", "第三条", "", basis=COUNTY_RULE,
                says="组织集中评审、专家论证（通知未规定评分项）；各项权重之和为100", max_len=200),
    PolicyField("review_outlier_points", "专家评分偏离中位数提示", "第三条", "分", 1, 100, COUNTY_RULE,
                "专家总分与评审组中位数相差超过此分数时标为“偏离”（三位及以上专家时）"),
)}

# (month field, day field): a yearly deadline, the day must exist in the month in every year
MONTH_DAYS = (("application_month", "application_day"), ("progress_report_month", "progress_report_day"))
# (lower, upper): a window whose lower bound must lie below its upper bound
WINDOWS = (("self_eval_min_months", "self_eval_max_months"),
           ("partial_threshold_pct", "duplicate_threshold_pct"))
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February 29 is not in every year
TEXT_MAX = 40
# text values with a grammar of their own: checked and written back in their normal form
TEXT_CHECKS = {"review_sheet": lambda text: sheet_text(parse_sheet(text))}


def _named(name: str) -> str:
    return f"「{POLICY_FIELDS[name].label}」"


def checked_profile(before: PolicyProfile, changes: dict) -> tuple[PolicyProfile, dict]:
    """The profile after `changes` ({name: value, text or number}) and the cleaned changes that differ
    from `before`; raises ValidationError naming each refused field in Chinese. Nothing is written."""
    from desktop_app.errors import ValidationError

    errors, clean = {}, {}
    for key, raw in changes.items():
        meta = POLICY_FIELDS.get(key)
        if meta is None:
            errors[key] = f"没有名为「{key}」的政策参数"
            continue
        text = str(raw).strip()
        if meta.is_text:
            limit = meta.max_len or TEXT_MAX
            if not text:
                errors[key] = f"{_named(key)}不能为空"
            elif len(text) > limit:
                errors[key] = f"{_named(key)}不超过{limit}个字，现为{len(text)}个字"
            elif key in TEXT_CHECKS:
                try:
                    clean[key] = TEXT_CHECKS[key](text)
                except SheetError as exc:
                    errors[key] = f"{_named(key)}：{exc}"
            else:
                clean[key] = text
            continue
        if isinstance(raw, bool) or not text.lstrip("-").isdigit():
            errors[key] = f"{_named(key)}必须是整数（{meta.unit}），现为「{raw}」"
            continue
        value = int(text)
        if not meta.low <= value <= meta.high:
            errors[key] = f"{_named(key)}应在{meta.low}至{meta.high}{meta.unit}之间，现为{value}"
            continue
        clean[key] = value
    after = {**asdict(before), **clean}
    for month, day in MONTH_DAYS:
        if month in errors or day in errors:
            continue
        m, d = after[month], after[day]
        if d > _DAYS_IN_MONTH[m - 1]:
            where = day if day in clean or month not in clean else month
            hint = "2月29日并非每年都有" if (m, d) == (2, 29) else f"{m}月没有{d}日"
            errors[where] = f"{_named(day)}：{hint}，请填写1至{_DAYS_IN_MONTH[m - 1]}日"
    for low, high in WINDOWS:
        if low in errors or high in errors:
            continue
        if after[low] >= after[high]:
            unit = POLICY_FIELDS[low].unit
            errors[low if low in clean else high] = (
                f"{_named(low)}（{after[low]}{unit}）必须小于{_named(high)}（{after[high]}{unit}）")
    if errors:
        raise ValidationError(errors)
    differ = {k: v for k, v in clean.items() if getattr(before, k) != v}
    return PolicyProfile(**after), differ


def check_registry() -> None:
    """Every number of the profile is described (tested): a new field without a label fails here."""
    names = {f.name for f in fields(PolicyProfile)}
    if names != set(POLICY_FIELDS):
        raise AssertionError(f"POLICY_FIELDS 与 PolicyProfile 不一致：{sorted(names ^ set(POLICY_FIELDS))}")


# ---- 第六条 performance evaluation: the indicator system ------------------------------------------
# (first level, full marks, ((second level, full marks, scoring note), ...)). The notice names no
# indicators; these follow the usual county practice (预算执行、产出、效益、满意度). A county that scores
# differently stores its own system (settings key `evaluation_indicators`, JSON of the same shape).
DEFAULT_INDICATORS: tuple = (
    ("预算执行", 10, (
        ("预算执行率", 6, "实际支出÷批复预算×100%；100%得满分，每低5个百分点扣1分"),
        ("资金使用合规性", 4, "无截留、挤占、挪用，拨付手续完整得满分；发现一项问题扣2分"),
    )),
    ("产出", 50, (
        ("功能完成度", 20, "按批复建设方案逐项核对，每缺一项功能扣2分"),
        ("系统质量", 10, "验收及运行期间严重缺陷数；无严重缺陷得满分，每项扣2分"),
        ("完成及时性", 10, "按期验收得满分；每延期1个月扣2分"),
        ("信息共享", 10, "编制信息资源目录并接入共享开放平台得满分，缺一项扣5分"),
    )),
    ("效益", 30, (
        ("业务应用成效", 15, "对照申报时的预期目标逐项核对，全部实现得满分"),
        ("系统使用率", 10, "实际用户数÷预期用户数×100%；80%以上得满分，每低10个百分点扣2分"),
        ("可持续运行", 5, "运维经费、运维人员和安全保障落实得满分"),
    )),
    ("满意度", 10, (
        ("使用人员满意度", 5, "问卷调查满意率×5"),
        ("服务对象满意度", 5, "问卷调查满意率×5"),
    )),
)


def load_indicators(store):
    """The indicator system this county scores with (lifecycle.indicators.IndicatorSystem)."""
    from desktop_app.lifecycle.indicators import IndicatorSystem

    text = store.get_setting("evaluation_indicators")
    return IndicatorSystem.from_data(json.loads(text)) if text else IndicatorSystem.from_data(DEFAULT_INDICATORS)
