"""Package formats across program versions: which ones this program reads, and how an older one's
sheets become today's.

A package's manifest carries `schema_version` (the format of its sheets, `FORMAT` here) and, from 0.2.0
on, `program_version` (the govis that wrote it). Every sheet keeps the format in which its layout last
changed (`sheet_version`), every column the format that brought it (`Change.since`); the cover page of
the workbook lists both, so a person reading the package in WPS sees them too.

* A package of an OLDER format is read with that format's own sheets (so its signed records digest is
  checked over exactly what the sender wrote), then upgraded: a column added since takes its default,
  a retired column is dropped and the preview says so (`Upgrade.notes`); nothing is dropped silently.
* A package of a NEWER format is refused, naming the program version to install (`newer_refusal`).

To change a sheet: bump `FORMAT` (and `records.RECORDS_SCHEMA`), add the column to the kind as usual
and describe the change here (`ADDED` / `RETIRED` / `RENAMED_SHEETS`); tests/exchange/test_formats.py
checks that the description and the registry agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from desktop_app import __version__
from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.workbook import DATE, TEXT, Column, SheetSpec

FORMAT = 2
OLDEST_READABLE = 1
# The first program version that wrote each format (what to install for a package of that format).
WRITTEN_BY = {1: "0.1.0", 2: "0.2.0"}
PROGRAM_VERSION = __version__

_YES_NO = (("1", "是"), ("0", "否"))


@dataclass(frozen=True)
class Change:
    kind: str                 # record kind (models.kinds) whose sheet changed
    column: Column            # the column as it is (added) or was (retired) on the sheet
    since: int                # format that added it (ADDED) or no longer has it (RETIRED)
    why: str                  # one Chinese sentence for the preview
    default: Callable[[dict], object] = field(default=lambda rec: None)


def _year_of(key: str) -> Callable[[dict], object]:
    return lambda rec: int(rec[key][:4]) if rec.get(key) else None


ADDED: tuple[Change, ...] = (
    Change("change_request", Column("new_planned_completion", "调整后的设计建设周期截止日期", DATE), 2,
           "0.1.0 的设计变更申请没有“调整后的设计建设周期截止日期”，导入后为空"),
    Change("change_request", Column("new_mlps_level", "调整后的等级保护级别", TEXT, choices=(
        ("1", "第一级"), ("2", "第二级"), ("3", "第三级"), ("4", "第四级"))), 2,
           "0.1.0 的设计变更申请没有“调整后的等级保护级别”，导入后为空"),
    Change("disbursement", Column("budget_year", "预算年度", "int"), 2,
           "0.1.0 的资金拨付没有“预算年度”，按拨付日期所在年度填入（与数据库升级时的做法相同）",
           default=_year_of("paid_on")),
    Change("budget", Column("priority", "轻重缓急排序", "int"), 2,
           "0.2.0 的预算安排没有“轻重缓急排序”，导入后为空"),
)
RETIRED: tuple[Change, ...] = (
    Change("higher_level_filing", Column("consent_on", "县政府办公室同意申报日期", DATE), 2,
           "县政府办公室同意申报意见自 0.2.0 起由县政府办公室作为自己的记录录入，单位表中的该列不再导入"),
    Change("higher_level_filing", Column("consent_no", "同意申报意见文号", TEXT), 2,
           "同意申报意见文号随县政府办公室同意申报意见录入，单位表中的该列不再导入"),
    Change("acceptance_extension", Column("approved", "县政府办公室同意", TEXT, choices=_YES_NO), 2,
           "延期验收是否同意自 0.2.0 起由县政府办公室录入“延期验收审核意见”，申请表中的该列不再导入"),
    Change("rectification", Column("accepted", "整改合格", TEXT, choices=_YES_NO), 2,
           "整改是否合格由县政府办公室认定，整改报告中的该列不再导入"),
)
# kind -> {format: the sheet's name in that format} where the Chinese label changed
RENAMED_SHEETS: dict[str, dict[int, str]] = {"higher_level_filing": {1: "上级项目同意申报与备案"}}
# kinds whose sheet did not exist before the given format (county office facts of their own and the
# duplicate-check decision, 0.2.0; issue 12 kinds land here while 0.2.0 is unreleased)
NEW_KINDS: dict[str, int] = {"upward_consent": 2, "extension_decision": 2, "delay_acceptance": 2,
                             "duplicate_decision": 2}


def sheet_version(kind: str) -> int:
    """The format in which this kind's sheet last changed (1 for sheets unchanged since 0.1.0)."""
    versions = [c.since for c in (*ADDED, *RETIRED) if c.kind == kind]
    versions += [max(v) + 1 for k, v in RENAMED_SHEETS.items() if k == kind]
    versions += [v for k, v in NEW_KINDS.items() if k == kind]
    return max(versions, default=1)


def column_version(kind: str, key: str) -> int:
    return next((c.since for c in ADDED if c.kind == kind and c.column.key == key), NEW_KINDS.get(kind, 1))


def cover_versions(kind_specs: dict[str, SheetSpec]) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Sheet name -> (its format version, headers of the columns that version added): the cover's list."""
    out = {}
    for kind, spec in kind_specs.items():
        v = sheet_version(kind)
        added = tuple(a.column.header for a in ADDED if a.kind == kind and a.since == v)
        out[spec.name] = (v, added)
    return out


def version_text(fmt: int, program: str | None = None) -> str:
    return f"govis {program or WRITTEN_BY.get(fmt, f'格式第{fmt}版以上')}（数据包格式第{fmt}版）"


def newer_refusal(fmt: int, program: str | None) -> PackageRejected:
    """A package this program cannot read because a newer version wrote it (a newer format, or a newer
    manifest of the same format). `program`: the version the manifest names, if it names one."""
    need = program or (WRITTEN_BY.get(fmt) if fmt > FORMAT else None)
    made = f"govis {program}（数据包格式第{fmt}版）" if program else f"数据包格式第{fmt}版"
    install = f"请安装 govis {need} 或更新的版本后再导入" if need else "请安装更新版本的 govis 后再导入"
    return PackageRejected(
        "newer_format",
        f"该数据包由较新的程序生成（{made}），本程序是 govis {PROGRAM_VERSION}（只能读取到格式第{FORMAT}版），"
        f"已拒绝，未导入任何内容。{install}（可向县政府办公室索取安装程序）。")


def older_refusal(fmt: int) -> PackageRejected:
    return PackageRejected(
        "old_format", f"该数据包的格式（第{fmt}版）过旧，本程序 govis {PROGRAM_VERSION} 无法读取，已拒绝。"
        "请发送单位升级程序后重新导出。")


@dataclass
class Upgrade:
    """An older package's records in today's sheets, and what the preview must say about the change."""

    records: dict[str, list[dict]]
    notes: list[str]


def record_specs(kind_specs: dict[str, SheetSpec], extra: list[SheetSpec], fmt: int) -> list[SheetSpec]:
    """The sheets a records package of format `fmt` holds: today's, with the columns of that time."""
    if fmt == FORMAT:
        return [*kind_specs.values(), *extra]
    out = []
    for kind, spec in kind_specs.items():
        if NEW_KINDS.get(kind, 0) > fmt:
            continue
        cols = [c for c in spec.columns
                if not any(a.kind == kind and a.column.key == c.key and a.since > fmt for a in ADDED)]
        cols += [r.column for r in RETIRED if r.kind == kind and r.since > fmt]
        out.append(SheetSpec(RENAMED_SHEETS.get(kind, {}).get(fmt, spec.name), tuple(cols)))
    return [*out, *extra]


def upgrade(kind_specs: dict[str, SheetSpec], records: dict[str, list[dict]], fmt: int) -> Upgrade:
    """Records read with `record_specs(..., fmt)` as today's sheets would hold them."""
    if fmt == FORMAT:
        return Upgrade(records, [])
    notes = [(f"该数据包由 {version_text(fmt)}生成，已按本程序 govis {PROGRAM_VERSION}"
              f"（格式第{FORMAT}版）的格式读取。")]
    old_name = {RENAMED_SHEETS.get(k, {}).get(fmt, s.name): k for k, s in kind_specs.items()}
    out: dict[str, list[dict]] = {}
    for sheet, rows in records.items():
        kind = old_name.get(sheet)
        if kind is None:  # 项目状态, 附件: unchanged
            out[sheet] = rows
            continue
        added = [a for a in ADDED if a.kind == kind and a.since > fmt]
        retired = [r for r in RETIRED if r.kind == kind and r.since > fmt]
        new_rows = []
        for rec in rows:
            rec = dict(rec)
            for a in added:
                rec[a.column.key] = a.default(rec)
            for r in retired:
                rec.pop(r.column.key, None)
            new_rows.append(rec)
        name = kind_specs[kind].name
        out[name] = new_rows
        if sheet != name:
            notes.append(f"工作表「{sheet}」在本版本中名为「{name}」。")
        for a in added:
            notes.append(f"「{name}」缺少列「{a.column.header}」（{len(rows)} 条）：{a.why}。")
        for r in retired:
            filled = sum(1 for rec in rows if rec.get(r.column.key) not in (None, ""))
            if filled:
                notes.append(f"「{name}」的列「{r.column.header}」有 {filled} 条填写了内容，未导入：{r.why}。")
            else:
                notes.append(f"「{name}」的列「{r.column.header}」本版本已不再使用（该包中均为空）。")
    return Upgrade(out, notes)
