"""What waits to be sent: for a unit (or the finance bureau), the count of records, statuses and files
changed since its last package to the county office, and why nothing can be sent yet when this
installation has no county directory. Reads only; the same selection `export.collect` makes."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.exchange import export
from desktop_app.models.kinds import COUNTY

NO_DIRECTORY = ("本机还没有县政府办公室的单位及密钥目录，暂时不能报送。请向县政府办公室（电子政务中心）索取本县的"
                "“单位及密钥目录”数据包（U盘拷贝），在“数据交换”页点“选择数据包并校验…”导入；导入后即可向县政府办公室报送。")
NO_UNITS = "本机尚未登记其他单位，所以没有接收单位。请在“单位与密钥”页登记各单位并核对其公钥后再导出。"


@dataclass(frozen=True)
class Waiting:
    peer_code: str
    peer_name: str
    count: int  # records, project statuses and files not yet sent to this peer


def why_no_recipients(store, actor) -> str | None:
    """Why the recipient list is empty (None when it is not)."""
    if export.recipients(store, actor):
        return None
    return NO_UNITS if actor.role == COUNTY else NO_DIRECTORY


def waiting(store, actor) -> list[Waiting]:
    """Per recipient, what the next default package would carry. Only the reporting roles: the county
    office sends to many units on demand, so its 工作台 does not count."""
    if actor.role == COUNTY:
        return []
    out = []
    for peer in export.recipients(store, actor):
        _sheets, _files, marks, _counts = export.collect(store, actor, peer)
        if marks:
            out.append(Waiting(peer["code"], peer["name"], len(marks)))
    return out
