"""Project statuses and their Chinese names, grouped the way the rules need them."""

from __future__ import annotations

STATUS_LABELS: dict[str, str] = {
    "draft": "草稿",
    "submitted": "已申报",
    "under_review": "评审中",
    "revise": "退回修改",
    "approved": "评审通过",
    "rejected": "不予通过",
    "planned": "已列入计划",
    "in_construction": "建设中",
    "suspended": "暂停建设",
    "acceptance_requested": "已申请验收",
    "accepted": "通过验收",
    "failed": "验收未通过",
    "in_operation": "运行中",
    "self_evaluated": "已自评价",
    "post_evaluated": "已后评价",
    "terminated": "已终止",
}
STATUSES = tuple(STATUS_LABELS)

PRE_APPROVAL = frozenset({"draft", "submitted", "under_review", "revise"})
CONSTRUCTION = frozenset({"planned", "in_construction", "suspended", "acceptance_requested", "failed"})
BUILT = frozenset({"accepted", "in_operation", "self_evaluated", "post_evaluated"})
CLOSED = frozenset({"rejected", "terminated"})
# Funded projects: they have a funding decision and may receive money under the gates.
FUNDED = CONSTRUCTION | BUILT
TERMINABLE = PRE_APPROVAL | {"approved"} | CONSTRUCTION


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)


def parse_status(text: str) -> str:
    text = text.strip()
    for code, label in STATUS_LABELS.items():
        if text in (code, label):
            return code
    allowed = "、".join(f"{c}（{label}）" for c, label in STATUS_LABELS.items())
    raise ValueError(f"未知的项目状态「{text}」。可用状态：{allowed}")
