"""Which column holds what: the header row found under title rows, the columns matched to the program's
fields by their usual names, amounts' units; saved as JSON and reused for the next file of the same form."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from desktop_app.errors import GovisError
from desktop_app.services.ledger_import.values import WAN, YUAN, unit_in_text


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    aliases: tuple[str, ...]
    money: bool = False


# The program's fields a ledger column can fill, with the header names offices use for them. The program's
# own export (项目台账.xlsx) uses 编号/项目名称/建设单位/年度/状态/总投资(万元)/责任人.
TARGETS: tuple[Target, ...] = (
    Target("seq", "序号（不导入）", ("序号", "编号序号", "no", "no.")),
    Target("code", "项目编号", ("项目编号", "编号", "项目代码")),
    Target("name", "项目名称", ("项目名称", "名称", "系统名称")),
    Target("unit", "建设单位", ("建设单位", "项目单位", "牵头单位", "申报单位", "实施单位", "责任单位", "主管单位", "单位")),
    Target("plan_year", "计划年度", ("计划年度", "年度", "立项年度", "年份", "申报年度")),
    Target("category", "建设类型", ("建设类型", "项目类型", "建设性质", "类型")),
    Target("status", "项目状态", ("项目状态", "状态", "进展情况", "当前状态")),
    Target("total", "总投资", ("总投资", "投资额", "项目总投资", "概算投资", "投资估算", "计划投资"), money=True),
    Target("fiscal", "其中财政资金", ("财政资金", "其中财政资金", "财政投资", "财政资金投入"), money=True),
    Target("person", "项目责任人", ("项目责任人", "责任人", "项目负责人", "负责人", "联系人")),
    Target("contact", "联系电话", ("联系电话", "电话", "联系方式")),
    Target("summary", "建设内容", ("建设内容", "主要建设内容", "建设内容摘要", "项目概况")),
    Target("contract_no", "合同编号", ("合同编号", "合同号")),
    Target("contract_signed", "合同签订日期", ("合同签订日期", "签订日期", "合同日期", "签约日期")),
    Target("contract_amount", "合同金额", ("合同金额", "中标金额", "合同价"), money=True),
    Target("supplier", "中标单位（供应商）", ("中标单位", "供应商", "承建单位", "中标供应商", "承建商")),
    Target("procurement", "采购方式", ("采购方式", "招标方式")),
    Target("started_on", "开工日期", ("开工日期", "开工时间", "实际开工日期")),
    Target("completion", "计划完成日期", ("计划完成日期", "建设周期截止日期", "设计建设周期截止日期", "计划完工日期")),
    Target("accepted_on", "验收日期", ("验收日期", "竣工验收日期", "验收时间", "验收通过日期")),
    Target("remark", "备注", ("备注", "说明")),
    # computed by the program from its records; its own export carries them, an import leaves them
    Target("derived", "程序计算（不导入）", ("已拨付", "下一期限", "风险", "逾期完成")),
)
BY_KEY = {t.key: t for t in TARGETS}
IGNORED = ("seq", "derived")
REQUIRED = ("name", "unit", "plan_year", "total")
MIN_HEADER_MATCHES = 2
HEADER_SCAN_ROWS = 30


def normalise(header) -> str:
    """A header without spaces, line breaks, full-width forms and its unit in brackets: 总投资（万元） → 总投资."""
    text = "" if header is None else str(header)
    text = text.translate(str.maketrans("（）【】［］", "()[][]"))
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"[(\[][^)\]]*[)\]]", "", text)
    return text.strip("：:*").lower()


def match_target(header) -> str | None:
    """The target a header names: an exact alias, else the longest alias it contains."""
    norm = normalise(header)
    if not norm:
        return None
    for t in TARGETS:
        if norm in t.aliases:
            return t.key
    best, length = None, 1  # a one-character alias ("项目") never matches inside a longer header
    for t in TARGETS:
        for alias in t.aliases:
            if len(alias) > length and alias in norm:
                best, length = t.key, len(alias)
    return best


def find_header_row(rows: list[tuple[int, list]]) -> int | None:
    """The sheet row number of the header: among the first rows, the one naming most known fields (merged
    title rows above it hold one cell, blank rows are not in `rows`). None if no row names two fields."""
    best, score = None, MIN_HEADER_MATCHES - 1
    for number, values in rows[:HEADER_SCAN_ROWS]:
        keys = {match_target(v) for v in values if isinstance(v, str)} - {None}
        if len(keys) > score:
            best, score = number, len(keys)
    return best


@dataclass
class Mapping:
    """header_row: sheet row number of the header; columns: target key → column index (0-based);
    units: money target → 'yuan' / 'wan'; units_of_orgs: ledger unit text → organisation code;
    procurement_default: 采购方式 for a contract whose row names none (recorded as assumed)."""

    header_row: int
    columns: dict[str, int] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    units_of_orgs: dict[str, str] = field(default_factory=dict)
    procurement_default: str = "open_tender"
    sheet: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        try:
            data = json.loads(text)
            m = cls(int(data["header_row"]), {k: int(v) for k, v in data.get("columns", {}).items()},
                    dict(data.get("units", {})), dict(data.get("units_of_orgs", {})),
                    data.get("procurement_default", "open_tender"), data.get("sheet"))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise GovisError("列对应关系文件格式不对（应为本程序保存的 .json 文件），请重新保存一份。") from None
        unknown = [k for k in m.columns if k not in BY_KEY]
        if unknown or any(u not in (YUAN, WAN) for u in m.units.values()):
            raise GovisError(f"列对应关系文件中有本程序不认识的内容：{'、'.join(unknown) or '金额单位'}，请重新保存一份。")
        return m

    def save(self, path: str | Path) -> None:
        from desktop_app.services import atomic_file

        atomic_file.write_bytes(path, self.to_json().encode("utf-8"))

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        try:
            return cls.from_json(Path(path).read_text(encoding="utf-8"))
        except OSError:
            raise GovisError(f"无法读取列对应关系文件「{path}」，请核对文件位置。") from None

    def missing(self) -> list[str]:
        return [BY_KEY[k].label for k in REQUIRED if k not in self.columns]


def auto_mapping(rows: list[tuple[int, list]], default_unit: str = WAN) -> Mapping | None:
    """The header row and the columns matched by name; amounts' unit from the header (总投资（万元）,
    合同金额(元)), else `default_unit`. None when no header row is found."""
    number = find_header_row(rows)
    if number is None:
        return None
    headers = dict(rows)[number]
    m = Mapping(number)
    for col, header in enumerate(headers):
        key = match_target(header)
        if key is None or (key in m.columns and key not in IGNORED):
            continue  # the first column of a name wins; a second 备注 is left for the user
        m.columns[key] = col
        if BY_KEY[key].money:
            m.units[key] = unit_in_text(str(header)) or default_unit
    for key in IGNORED:
        m.columns.pop(key, None)
    return m


def headers_of(rows: list[tuple[int, list]], header_row: int) -> list[str]:
    from desktop_app.services.ledger_import.values import text

    values = dict(rows).get(header_row, [])
    return ["" if v is None else text(v) for v in values]
