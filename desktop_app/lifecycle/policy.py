"""The county policy profile: every number the rules use, in one place, as data.

Defaults follow 蒙政办字〔2018〕51号. A county whose notice says October instead of August stores a
different profile (settings key `policy_profile`, JSON); no code changes. Where the notice says
只 "及时" (promptly) the profile holds the county office's working interpretation, marked below.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields


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
    # 第九条: MLPS testing after go-live and periodic crypto assessment — county interpretation
    mlps_testing_months: int = 12
    crypto_assessment_months: int = 12
    # 第八条: surplus returned by the original channel — county interpretation: 3 months after acceptance
    surplus_return_months: int = 3
    # reminders: how far ahead an obligation counts as 即将到期
    upcoming_workdays: int = 10

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
