"""Sample documents shared by the tests, the benchmark and docs/print-samples."""

from __future__ import annotations

import datetime as dt

from desktop_app.documents import (
    KV,
    FormDocument,
    GongwenDocument,
    Heading1,
    Heading2,
    Signature,
    format_amount_wan,
    format_doc_no,
)

LONG_SENTENCE = (
    "各单位要严格执行项目建设程序，按照批复的建设内容、建设规模和投资概算组织实施，"
    "不得擅自变更建设内容或者扩大建设规模；确需变更的，应当按照“先审批、后变更”的原则办理，"
    "引用标准时写明编号如GB/T 9704-2012，金额写作123.45万元。"
)


def gongwen_sample(registry=None, extra_paragraphs: int = 8) -> GongwenDocument:
    paragraphs = [
        ("为加强全县政务信息系统项目管理，根据《蒙阴县人民政府办公室关于加强政务信息系统项目管理工作的通知》"
         "（蒙政办字〔2018〕51号）要求，现就做好2027年度政务信息系统项目申报工作通知如下。"),
        Heading1("一、申报范围"),
        "县直各部门、各乡镇（街道）使用财政资金建设的政务信息系统项目，包括新建、改建、扩建和运行维护项目。",
        Heading2("（一）申报时间。", "各单位须于2026年8月31日前报送下一年度项目申请报告、建设方案或者项目建议书、"
                 "投资预算以及近3—5年信息化投资、运行和使用情况。"),
        Heading2("（二）工作要求。"),
        *([LONG_SENTENCE] * extra_paragraphs),
    ]
    return GongwenDocument(
        "蒙阴县人民政府办公室", format_doc_no("蒙政办字", 2026, 7),
        "蒙阴县人民政府办公室关于做好2027年度政务信息系统项目申报工作的通知",
        "各乡镇人民政府（街道办事处），县政府各部门、各直属机构", paragraphs,
        "蒙阴县人民政府办公室", dt.date(2026, 11, 24),
        attachments=["2027年度政务信息系统项目申请表", "政务信息系统项目建设方案编制提纲"],
        cc=["县委办公室", "县人大常委会办公室", "县政协办公室"], printer="蒙阴县人民政府办公室",
        registry=registry,
    )


def table_rows(count: int) -> list[list[str]]:
    return [[str(i), f"服务器及存储设备（第{i}批）", "台", str(i % 5 + 1), f"{i * 1.5:.2f}"]
            for i in range(1, count + 1)]


TABLE_HEADERS = ["序号", "设备名称", "单位", "数量", "金额（万元）"]


def form_sample(registry=None, rows: int = 200, landscape: bool = False) -> FormDocument:
    return (
        FormDocument("政务信息系统项目申请表", "（2027年度）", attachment_label="附件1",
                     landscape=landscape, registry=registry)
        .meta_line("申报单位（盖章）：蒙阴县大数据中心", "填报日期：2026年11月24日")
        .section("一、项目基本情况")
        .kv_table([("项目名称", "蒙阴县一体化政务服务平台升级改造项目"), ("建设单位", "蒙阴县行政审批服务局"),
                   ("项目负责人", "王䶮"), ("联系电话", "0539-4271234"),
                   KV("投资估算", format_amount_wan(123_450_000), wide=True),
                   KV("建设内容", "对现有政务服务平台进行升级改造，实现与省一体化政务服务平台对接。" * 4, wide=True),
                   KV("备注", "", wide=True, min_lines=2)], columns=2)
        .section("二、设备清单")
        .table(TABLE_HEADERS, table_rows(rows), col_widths=[1, 6, 1, 1, 2],
               align=["center", "left", "center", "right", "right"])
        .opinion_box("县政府办公室审核意见", lines=4)
        .signature_block(Signature("申报单位（盖章）", "单位负责人（签字）"),
                         Signature("主管部门（盖章）", "负责人（签字）"))
        .notes(["金额单位为万元。", "本表一式三份，申报单位、县政府办公室、县财政局各存一份。"])
    )
