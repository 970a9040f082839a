"""Errors raised while preparing a printed document."""

from __future__ import annotations


class DocumentError(Exception):
    """Base class: the message is Chinese and meant for the user."""


class MissingGlyphError(DocumentError):
    """A text holds characters that no available font can draw.

    Printing them would give blank boxes on a stamped paper, so we refuse.
    """

    def __init__(self, field: str, characters: list[str]):
        self.field = field
        self.characters = list(characters)
        shown = "、".join(f"「{c}」" for c in self.characters)
        where = f"字段「{field}」中的" if field else ""
        super().__init__(
            f"{where}字符{shown}在所有可用字体中都没有字形，无法打印。"
            "请改用常用字或安装含该字的字体。"
        )


class NoFontError(DocumentError):
    """Not even the bundled fonts could be loaded (a broken installation)."""

    def __init__(self, face_label: str):
        self.face_label = face_label
        super().__init__(
            f"找不到可用的「{face_label}」字体，程序自带的字体文件可能已损坏或缺失。请重新安装本程序。"
        )
