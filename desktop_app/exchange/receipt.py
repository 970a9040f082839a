"""Printable PDFs of the exchange: the 密钥登记表 (key registration form) and the 数据包接收回执."""

from __future__ import annotations

import datetime as dt
import json

from desktop_app.documents import KV, FormDocument, Signature
from desktop_app.exchange import audit_heads, keyring
from desktop_app.exchange.signing import format_fingerprint
from desktop_app.models.kinds import ROLES

ACTION_COLUMNS = (("new", "新增"), ("changed", "修改"), ("unchanged", "无变化"), ("conflict", "冲突"))


def key_form_pdf(store, actor, target=None, today: dt.date | None = None) -> bytes:
    """密钥登记表: organisation, code, fingerprint in groups of four, date, signature and stamp blocks."""
    info = keyring.key_info(store, actor)
    if not info["has_key"]:
        keyring.own_verifier(store)  # raises the Chinese "no key yet" refusal
    day = today or dt.date.today()
    groups = format_fingerprint(info["fingerprint"]).split(" ")
    rows = [[str(i + 1), " ".join(groups[i * 4:(i + 1) * 4])] for i in range(len(groups) // 4)]
    doc = (FormDocument("数据交换签名密钥登记表", f"（{ROLES.get(actor.role, actor.role)}）")
           .meta_line(f"填报单位（盖章）：{actor.org_name}", f"填报日期：{day.year}年{day.month}月{day.day}日")
           .section("一、单位和密钥")
           .kv_table([("单位名称", actor.org_name), ("单位代码", actor.org_code),
                      ("签名算法", info["algorithm"].upper()), ("密钥生成时间", info["created_at"][:19].replace("T", " ")),
                      KV("核对用指纹（前8组）", info["fingerprint_short"], wide=True)], columns=2)
           .section("二、完整公钥指纹（SHA-256，每组4位）")
           .table(["行", "指纹"], rows, col_widths=[1, 8], align=["center", "left"])
           .signature_block(Signature("填报单位（盖章）", "经办人（签字）"),
                            Signature("县政府办公室（盖章）", "核对人（签字）"))
           .notes(["本表用于登记本单位导出数据包时使用的签名密钥。私钥由本单位保管，不随本表提交。",
                   "县政府办公室登记公钥时，须将本表上的指纹逐组录入程序核对，一致后方可登记。",
                   "密钥更换或口令遗失时，须重新生成密钥并重新填报本表；原密钥由县政府办公室注销。"]))
    return doc.build(target)


def receipt_pdf(receipt: dict, target=None) -> bytes:
    """数据包接收回执: package id, sender, contents with counts, hashes."""
    counts = receipt.get("counts", {})
    rows = [[sheet, *[str(c.get(k, 0)) for k, _ in ACTION_COLUMNS]] for sheet, c in counts.items()]
    totals = receipt.get("totals", {})
    rows.append(["合计", *[str(totals.get(k, 0)) for k, _ in ACTION_COLUMNS]])
    # the digests in small print, one line each, so a receipt fits one page with its stamp
    alg = {"sha256": "SHA-256", "sm3": "SM3"}.get(receipt.get("hash_algorithm", "sha256"), "SHA-256")
    files = [["数据包文件（SHA-256）", receipt.get("file_sha256", "")],
             [f"数据记录（{alg}）", receipt.get("records_digest", "")],
             *[[f"{name}（{alg}）", digest] for name, digest in sorted(receipt.get("files", {}).items())]]
    kind = "单位及密钥目录" if receipt.get("kind") == "directory" else "业务数据"
    head = receipt.get("sender_audit_head")
    head_text = (f"第 {head['count']} 条，校验值 {' '.join(head['hash'][i:i + 4] for i in range(0, 64, 4))}" if head
                 else "未记载（发送单位的程序为旧版本）")
    imported = receipt.get("imported_at", "")[:19].replace("T", " ")
    doc = (FormDocument("数据包接收回执", f"（{kind}）")
           .meta_line(f"接收单位：{receipt.get('recipient', '')}", f"导入时间：{imported}")
           .section("一、数据包")
           .kv_table([KV("数据包编号", receipt["package_id"], wide=True),
                      ("发送单位", f"{receipt.get('sender_name', '')}（{receipt.get('sender', '')}）"),
                      ("序号", f"第{receipt.get('sequence')}号"),
                      ("生成时间（UTC）", receipt.get("created_at", "")), ("文件名", receipt.get("file_name") or "—"),
                      KV("签名密钥指纹", format_fingerprint(receipt.get("signer", "0" * 64)), wide=True),
                      KV("发送单位操作日志链头", head_text, wide=True)], columns=2)
           .section("二、内容和处理结果（条）")
           .table(["内容", *[label for _, label in ACTION_COLUMNS]], rows, col_widths=[4, 1, 1, 1, 1],
                  align=["left", "right", "right", "right", "right"])
           .section("三、摘要")
           .table(["对象", "摘要"], files, col_widths=[3, 6], font_size=9)
           .signature_block(Signature("接收单位（盖章）", "经办人（签字）")))
    notes = []
    if totals.get("conflict"):  # explained only when it happened, so an ordinary receipt stays one page
        notes.append("“冲突”指本机已有的记录以本机为准、未被覆盖（记录只由其填报单位修改）。")
    if head and head.get("warning"):
        notes.append("操作日志链头异常：" + head["warning"])
    if notes:
        doc.notes(notes, title="说明")
    if head:  # the same head, machine-readable, for `audit verify --against`
        doc.keywords = audit_heads.KEYWORD + " " + json.dumps(
            {"package_id": receipt["package_id"], "sender": receipt.get("sender"),
             "sender_name": receipt.get("sender_name"), "sender_audit_head": {"count": head["count"],
                                                                              "hash": head["hash"]}},
            ensure_ascii=True, separators=(",", ":"))
    return doc.build(target)
