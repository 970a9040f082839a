"""The fields of a centralised review session and its experts (第三条), for forms, the CLI and checks.

The tables are in migration 0011; who writes them is `authority.REVIEW_PANEL`. The conclusion a session
reaches for a project is typed into the project's `review` record, so its fields are the review kind's.
"""

from __future__ import annotations

from desktop_app.models.fields import DATE, ENUM, LONGTEXT, Field
from desktop_app.models.kinds import KINDS, REVIEW_METHOD

SESSION_FIELDS = (
    Field("title", "评审会名称", required=True, max_len=100),
    Field("held_on", "评审日期", DATE, required=True),
    Field("venue", "评审地点", required=True, max_len=100),
    Field("method", "评审方式", ENUM, required=True, choices=REVIEW_METHOD),
)
EXPERT_FIELDS = (
    Field("name", "专家姓名", required=True, max_len=50),
    Field("field", "专业领域", max_len=100),
    Field("affiliation", "工作单位及职称", max_len=200),
)
EXPERT_OPINION = Field("opinion", "专家评审意见", LONGTEXT, required=True)
# typed at the conclusion; the round, date and method come from the session and the project's history
CONCLUSION_FIELDS = tuple(KINDS["review"].field(n)
                          for n in ("conclusion", "opinion", "approved_investment_fen", "opinion_no"))
