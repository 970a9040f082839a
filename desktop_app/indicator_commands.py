"""`govis indicators show / set / reset`: the command-line side of the 第六条 indicator system
(lifecycle/indicators.py, operations.set_indicators; registered by cli.py like the risk commands)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop_app.errors import GovisError
from desktop_app.services.text_encoding import decode_text


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def cmd_show(args, open_store) -> int:
    from desktop_app.lifecycle import indicators as IND
    from desktop_app.lifecycle.policy import load_indicators

    store = open_store(args)
    system = load_indicators(store)
    if args.json:
        _out(json.dumps(IND.to_objects(system), ensure_ascii=False, indent=1))
        return 0
    own = bool(store.get_setting("evaluation_indicators"))
    _out(f"绩效评价指标体系（{'本县设置' if own else '默认'}，第六条）：一级指标合计100分")
    for n, g in enumerate(system.groups, 1):
        _out(f"{n}. {g.name}　{g.full}分")
        for i in g.items:
            _out(f"   - {i.name}　{i.full}分" + (f"　{i.note}" if i.note else ""))
    return 0


def cmd_set(args, open_store) -> int:
    from desktop_app.services import operations as ops

    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GovisError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    text = decode_text(raw)  # saved by Notepad or WPS on a Chinese Windows PC: UTF-8 or GBK
    if text is None:
        raise GovisError(f"无法读取文件 {path.name}：请另存为 UTF-8 或 GBK 编码的文本文件")
    store = open_store(args)
    row = ops.set_indicators(store, args.signed_in, text)
    n1, n2 = len(row["indicators"]), sum(len(g[2]) for g in row["indicators"])
    _out(f"已保存绩效评价指标体系：{n1}个一级指标、{n2}个二级指标" + ("（与默认相同）" if row["default"] else ""))
    _out("已评价的项目保留原有得分；此后填报或修改的指标得分按新的指标体系计算。")
    return 0


def cmd_reset(args, open_store) -> int:
    from desktop_app.lifecycle.policy import DEFAULT_INDICATORS
    from desktop_app.services import operations as ops

    store = open_store(args)
    ops.set_indicators(store, args.signed_in, DEFAULT_INDICATORS)
    _out("已恢复默认绩效评价指标体系；已评价的项目保留原有得分。")
    return 0


def register(sub, common, open_store) -> None:
    def bind(parser, fn):
        parser.set_defaults(func=lambda args: fn(args, open_store))

    v = sub.add_parser("indicators", parents=[common], help="绩效评价指标体系（第六条，县政府办公室设置）")
    cmds = v.add_subparsers(dest="indicators_command", required=True)
    c = cmds.add_parser("show", parents=[common], help="查看现行指标体系")
    c.add_argument("--json", action="store_true", help="以JSON输出（修改后可用 set 保存）")
    bind(c, cmd_show)
    c = cmds.add_parser("set", parents=[common], help="从JSON文件保存本县指标体系（格式同 show --json）")
    c.add_argument("file", help="JSON文件")
    bind(c, cmd_set)
    c = cmds.add_parser("reset", parents=[common], help="恢复默认指标体系")
    bind(c, cmd_reset)
