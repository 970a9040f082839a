"""第六条: 绩效自评价报告 (and the county's 后评价报告) with its indicator table."""

from __future__ import annotations

import re

from desktop_app.documents.forms import KV, FormDocument
from desktop_app.lifecycle import indicators as IND
from desktop_app.lifecycle.policy import load_indicators

from .common import (
    Request,
    as_date,
    county_office,
    date_text,
    label,
    money,
    project_items,
    section,
    sum_fen,
    text_or,
    unit_box,
    unit_name,
)

_LINE = re.compile(r"^\s*(?:\d+[.、．]\s*)?(.+?)\s*[:：]\s*([-+]?\d+(?:\.\d+)?)\s*分?\s*$")


def parse_indicators(text: str | None) -> list[tuple[str, str]]:
    """"指标:得分" per line -> [(指标, 得分)]; a line without a score keeps an empty score."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        m = _LINE.match(line)
        out.append((m.group(1), m.group(2)) if m else (line.strip(), ""))
    return out


def _number(score: str) -> float | None:
    try:
        return float(score)
    except ValueError:
        return None


def _indicator_table(doc: FormDocument, system, scores: dict[str, int]) -> None:
    """一级指标 / 二级指标 / 分值 / 评分说明 / 得分, a subtotal per first level and the total."""
    body = []
    for group, subtotal in system.group_totals(scores):
        for n, ind in enumerate(group.items):
            body.append([f"{group.name}（{group.full}分）" if n == 0 else "", ind.name, str(ind.full), ind.note,
                         str(scores[ind.key])])
        body.append(["", f"{group.name}小计", str(group.full), "", str(subtotal)])
    body.append(["", "指标得分合计", "", "", str(IND.total(scores))])
    doc.table(["一级指标", "二级指标", "分值", "评分说明", "得分"], body,
              col_widths=[2.0, 2.6, 0.9, 7.3, 1.0], align=["left", "left", "center", "left", "center"], name="评价指标")


def evaluation_report(req: Request) -> FormDocument:
    e = req.r
    unit = unit_name(req)
    self_eval = e["eval_kind"] == "self"
    title = "政务信息系统项目绩效自评价报告" if self_eval else "政务信息系统项目后评价报告"
    by = unit if self_eval else county_office(req.store)
    acc = [a for a in req.records("acceptance_result") if a["conclusion"] == "pass"]
    doc = FormDocument(title, registry=req.registry)
    doc.meta_line(f"评价单位（盖章）：{by}", f"评价日期：{date_text(e['evaluated_on'])}")
    section(doc, "一、项目情况").kv_table(project_items(req) + [
        KV("竣工验收日期", date_text(acc[-1]["accepted_on"], "") if acc else "（未验收）"),
        KV("累计拨付资金", money(sum_fen(req.records("disbursement"), "amount_fen"))),
    ], columns=2)
    # the indicator table runs over onto the next page with its header row repeated; kept whole with its
    # heading it would leave most of the first page empty (the heading follows a short table: never last)
    doc.section("二、评价指标和得分")
    system = load_indicators(req.store)
    try:
        scores = system.parse(e.get("indicators"))
    except ValueError:
        scores = None  # scored before the indicator system, or under another county's: printed as written
    if scores is not None:
        _indicator_table(doc, system, scores)
    else:
        rows = parse_indicators(e.get("indicators"))
        body = [[str(i), name, score] for i, (name, score) in enumerate(rows, 1)]
        numbers = [_number(s) for _, s in rows]
        if rows and all(n is not None for n in numbers):
            total = sum(numbers)
            body.append(["", "指标得分合计", f"{total:g}"])
        doc.table(["序号", "评价指标", "得分"], body or [["", "（未填报分项指标）", ""]],
                  col_widths=[0.8, 7, 1.6], align=["center", "left", "right"], name="评价指标")
    section(doc, "三、评价结论").kv_table([
        KV("评价类型", label("evaluation", "eval_kind", e["eval_kind"])),
        KV("综合得分", f"{e['score']}分（由指标得分计算）" if scores is not None else f"{e['score']}分"),
        KV("评价等级", label("evaluation", "grade", e["grade"])),
        KV("主要问题与建议", text_or(e.get("findings")), min_lines=3),
        *([KV("整改期限", date_text(e.get("rectify_by")))] if e.get("rectify_by") else []),
    ])
    unit_box(doc, "评价单位签章", by, as_date(e["evaluated_on"]), "负责人（签字）")
    if self_eval:
        doc.opinion_box("县政府办公室意见", signer=f"{county_office(req.store)}（盖章）", lines=2)
    doc.notes(["项目竣工验收并投入使用或运营后12至24个月内开展自评价，自评价报告报送县政府办公室（通知第六条）。",
               "评价等级：90分及以上为优，80分至89分为良，60分至79分为中，60分以下为差。",
               "应用绩效低下的责令限期整改；整改后仍达不到应有绩效的，追究主管人员责任并通报批评。"])
    return doc
