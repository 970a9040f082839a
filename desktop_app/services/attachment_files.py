"""Attachment files: names, allowed types and content checks (no Qt, no I/O besides store reads).

An attachment is always bound to an existing record of its project: a record of a project-scoped
kind whose `project_id` is that project, or -- for files about the project as a whole (申请报告,
批复扫描件) -- the project itself, as record_kind='project', record_id=<project id>.

Untrusted names (a file picked by the user, a name in a received package) are cleaned of control,
bidirectional and zero-width characters and of path parts; the extension must be on the allow-list;
the content's leading bytes must fit the extension; the stored media type is derived from the
extension, never taken from the input. A file is opened only as a copy named after its record's
title plus the checked extension (`open_copy_name`), never under its stored name.

The signatures are a small hand-written table on purpose: the check is "does the content start like
the declared type", for seven signatures plus plain Chinese text, WPS/ET/OFD included. `filetype` has
no WPS, ET, OFD or text, and its doc/xls matchers refuse OLE2 files they cannot identify further
(WPS and ET files are OLE2); `puremagic` ranks guesses from an extension-keyed database (a PDF also
reads as .fdf, any zip as .docx/.pptx/...), so either would still need this table on top of it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping

from desktop_app.models.fields import DATE
from desktop_app.models.kinds import KINDS
from desktop_app.services.text_encoding import decode_text

# extension -> (short Chinese name, what such a file is called, stored media type); the allow-list,
# in the order shown to users
ALLOWED: dict[str, tuple[str, str, str]] = {
    "pdf": ("PDF", "PDF 文件", "application/pdf"),
    "ofd": ("OFD", "OFD 版式文件", "application/ofd"),
    "jpg": ("JPEG 图片", "JPEG 图片", "image/jpeg"),
    "jpeg": ("JPEG 图片", "JPEG 图片", "image/jpeg"),
    "png": ("PNG 图片", "PNG 图片", "image/png"),
    "tif": ("TIFF 图片", "TIFF 图片", "image/tiff"),
    "doc": ("Word 97-2003 文档", "Word 97-2003 文档", "application/msword"),
    "docx": ("Word 文档", "Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xls": ("Excel 97-2003 工作簿", "Excel 97-2003 工作簿", "application/vnd.ms-excel"),
    "xlsx": ("Excel 工作簿", "Excel 工作簿", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "wps": ("WPS 文字文档", "WPS 文字文档", "application/wps-office.wps"),
    "et": ("WPS 表格", "WPS 表格文件", "application/wps-office.et"),
    "txt": ("文本文件", "UTF-8 或 GB18030 编码的文本（不含空字符）", "text/plain"),
    "zip": ("ZIP 压缩包", "ZIP 压缩包", "application/zip"),
}
ALLOWED_TEXT = "、".join(f".{e}" for e in ALLOWED)
# for a file dialog: "*.pdf *.ofd ..."
DIALOG_PATTERNS = " ".join(f"*.{e}" for e in ALLOWED)

# declared media types we recognise -> the extensions they may name (other declared types are ignored:
# the stored type is derived from the extension anyway)
_DECLARED: dict[str, set[str]] = {}
for _ext, (_short, _noun, _mt) in ALLOWED.items():
    _DECLARED.setdefault(_mt, set()).add(_ext)
for _mt, _exts in {
    "image/jpg": {"jpg", "jpeg"}, "image/pjpeg": {"jpg", "jpeg"}, "image/x-png": {"png"},
    "application/x-zip-compressed": {"zip"}, "application/x-pdf": {"pdf"},
    "application/vnd.ofd": {"ofd"}, "application/wps-office.wps": {"wps"}, "application/wps-office.et": {"et"},
    "application/kswps": {"wps"}, "application/kset": {"et"},
    "application/vnd.ms-works": {"wps", "doc"}, "application/msword": {"doc", "wps"},
    "application/vnd.ms-excel": {"xls", "et"},
    "image/tiff": {"tif"}, "image/tif": {"tif"},
}.items():
    _DECLARED.setdefault(_mt, set()).update(_exts)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# leading bytes -> the extensions such content can be
SIGNATURES: tuple[tuple[bytes, frozenset[str]], ...] = (
    (b"%PDF-", frozenset({"pdf"})),
    (ZIP, frozenset({"ofd", "docx", "xlsx", "zip"})),
    (b"\xff\xd8\xff", frozenset({"jpg", "jpeg"})),
    (b"\x89PNG\r\n\x1a\n", frozenset({"png"})),
    (b"II*\x00", frozenset({"tif"})),
    (b"MM\x00*", frozenset({"tif"})),
    (OLE2, frozenset({"doc", "xls", "wps", "et"})),
)

# invisible characters that reorder or hide text; every Cc/Cf/Cs/Zl/Zp character is removed too
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff\u180e\u034f\u115f\u1160\u3164\uffa0")
_REMOVED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$", re.IGNORECASE)
MAX_NAME = 120   # characters of a cleaned file name, extension included
MAX_EXT = 16     # longer "extensions" are part of the name (and so no allowed extension)
MAX_TITLE = 60   # characters of a record title used as the name of an opened copy

# fields that name a record, in order of preference
TITLE_FIELDS = ("title", "name", "resource_name", "product", "contract_no", "expert_name", "opinion_no",
                "decision_no", "document_no", "consent_no", "notice_no", "voucher_no")


def is_invisible(ch: str) -> bool:
    """A control, format (bidi, zero-width), surrogate or line/paragraph separator character."""
    return ch in _BIDI or ch in _ZERO_WIDTH or unicodedata.category(ch) in _REMOVED_CATEGORIES


def _clean_text(text: str) -> str:
    """Invisible characters removed, Windows-forbidden characters and separators replaced, whitespace
    and dot runs collapsed, no leading or trailing dot or space."""
    text = "".join(ch for ch in unicodedata.normalize("NFC", text) if not is_invisible(ch))
    text = unicodedata.normalize("NFC", text)  # removing a character may leave a composable pair
    text = _WINDOWS_FORBIDDEN.sub("_", text.replace("/", "_").replace("\\", "_"))
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\.{2,}", ".", text)
    return text.strip(" .")


def _windows_safe(stem: str, ext: str, limit: int) -> str:
    stem = stem[:max(limit - len(ext) - 1, 1)].rstrip(" .") if ext else stem[:limit].rstrip(" .")
    if not stem or _RESERVED.match(stem.split(".")[0].rstrip(" ")):
        stem = "_" + stem
    return f"{stem}.{ext}" if ext else stem


def clean_filename(name: str) -> str:
    """The last path part of `name`, without invisible characters, Windows-safe, at most MAX_NAME long.

    Raises ValueError (Chinese) if nothing usable is left.
    """
    if not isinstance(name, str):
        raise ValueError("附件文件名无效，请选择一个正常命名的文件")  # noqa: TRY004 (package data)
    last = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    # a drive prefix such as "C:a.pdf" is a path part too
    last = re.sub(r"^[A-Za-z]:", "", last)
    text = _clean_text(last)
    if not text:
        raise ValueError("附件文件名为空或只含不可见字符，请将文件改用正常的名称后重新添加")
    stem, dot, ext = text.rpartition(".")
    if not dot or len(ext) > MAX_EXT:  # no extension, or a "dot" deep inside a long name
        stem, ext = text, ""
    return _windows_safe(stem, ext, MAX_NAME)


def checked_extension(name: str) -> str:
    """The lower-case extension of the (cleaned) name if it is on the allow-list, else ValueError."""
    clean = clean_filename(name)
    stem, dot, ext = clean.rpartition(".")
    if not dot or not stem:
        raise ValueError(f"附件「{clean}」没有扩展名，无法判断文件类型。允许的类型：{ALLOWED_TEXT}")
    ext = ext.lower()
    if ext not in ALLOWED:
        shown = ext if len(ext) <= 12 else ext[:12] + "…"
        raise ValueError(f"不允许的附件类型 .{shown}，允许：{ALLOWED_TEXT}。请转换为上述格式（如 PDF）后再添加")
    return ext


def _is_text(content: bytes) -> bool:
    return b"\x00" not in content and decode_text(content) is not None


def sniff(content: bytes) -> set[str]:
    """Every allowed extension the content's leading bytes fit (empty if none)."""
    out: set[str] = set()
    for magic, exts in SIGNATURES:
        if content.startswith(magic):
            out |= exts
    if content and _is_text(content):
        out.add("txt")
    return out


def media_type_for(ext: str) -> str:
    return ALLOWED[ext][2]


def _spaced(word: str) -> str:
    """A space before a word that starts with a Latin letter (「声明为 PDF」, 「声明为文本文件」)."""
    return f" {word}" if word[:1].isascii() else word


def check_attachment(filename: str, media_type: str | None, content: bytes) -> tuple[str, str, str]:
    """(clean name, checked extension, derived media type) of an attachment, or ValueError naming the
    problem in Chinese: a bad name, a type not on the allow-list, a declared media type that names
    another type, or content that does not start like the declared type."""
    clean = clean_filename(filename)
    try:
        ext = checked_extension(clean)
    except ValueError as exc:
        if any(is_invisible(ch) for ch in filename):
            raise ValueError(f"文件名含有隐藏的控制字符（显示的名称与实际不同），实际文件名为「{clean}」。{exc}") from None
        raise
    short, noun, _ = ALLOWED[ext]
    declared = media_type.split(";")[0].strip().lower() if isinstance(media_type, str) else ""
    if declared in _DECLARED and ext not in _DECLARED[declared]:
        raise ValueError(f"附件「{clean}」的扩展名为 .{ext}，但声明的类型为 {declared}，二者不一致，已拒绝")
    if not isinstance(content, bytes | bytearray | memoryview):
        raise ValueError(f"附件「{clean}」的内容无效")  # noqa: TRY004 (package data)
    content = bytes(content)
    if not content:
        raise ValueError(f"附件「{clean}」是空文件，请检查文件是否完整后重新添加")
    if ext not in sniff(content):
        raise ValueError(f"附件声明为{_spaced(short)}，但内容不是{_spaced(noun)}。「{clean}」可能已损坏或被改过"
                         "扩展名，请用原始文件重新添加")
    return clean, ext, media_type_for(ext)


def open_copy_name(title: str, ext: str) -> str:
    """The name of the copy a file is opened as: the record's title (cleaned like a file name, at most
    MAX_TITLE characters, Windows-safe) plus the checked extension."""
    ext = (ext or "").lower().lstrip(".")
    if ext not in ALLOWED:
        raise ValueError(f"不允许的附件类型 .{ext[:12]}，允许：{ALLOWED_TEXT}")
    stem = _clean_text(title if isinstance(title, str) else "") or "附件"
    return _windows_safe(stem, ext, MAX_TITLE + len(ext) + 1)


def record_title(kind_name: str | None, record: Mapping | None) -> str:
    """A short human name of a record: its title/name/number field, else its kind label and first date."""
    kind = KINDS.get(kind_name or "")
    if kind is None:
        return "附件"
    record = record or {}
    for name in TITLE_FIELDS:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    date = next((record.get(f.name) for f in kind.fields if f.type == DATE and record.get(f.name)), None)
    return f"{kind.label}（{date}）" if isinstance(date, str) else kind.label


# ---- binding -------------------------------------------------------------------------------------

def bound_record(store, project_id: str, record_kind: str | None, record_id: str | None,
                 incoming_records: Mapping[str, Mapping[str, Mapping]] | None = None) -> Mapping:
    """The record an attachment of `project_id` is bound to, or ValueError (Chinese).

    record_kind='project' with record_id=project_id binds to the project itself; otherwise the record
    must be of a project-scoped kind and belong to that project. `incoming_records` (kind -> {id: row})
    holds records arriving in the same package; they are looked up before the local store.
    """
    incoming = incoming_records or {}

    def lookup(kind_name: str, rid: str):
        if rid in incoming.get(kind_name, {}):
            return incoming[kind_name][rid]
        return store.find(kind_name, rid)

    if not record_kind or not record_id:
        raise ValueError("附件必须关联本项目的一条记录（或项目本身），请先选择要附加文件的记录")
    if not isinstance(record_kind, str) or not isinstance(record_id, str) or not isinstance(project_id, str):
        raise ValueError("附件所属记录无效")  # noqa: TRY004 (package data)
    kind = KINDS.get(record_kind)
    if kind is None:
        raise ValueError(f"附件所属记录类型「{record_kind[:40]}」无效")
    project = lookup("project", project_id)
    if project is None:
        raise ValueError("附件所属项目不存在")
    if record_kind == "project":
        if record_id != project_id:
            raise ValueError("附件关联的项目与附件所属项目不一致")
        return project
    if not kind.project_scoped:
        raise ValueError(f"附件不能关联到「{kind.label}」")
    record = lookup(record_kind, record_id)
    if record is None:
        raise ValueError(f"附件关联的{kind.label}记录不存在")
    if record.get("project_id") != project_id:
        raise ValueError(f"附件关联的{kind.label}不属于本项目")
    return record


def check_incoming_attachment(store, project_id: str, record_kind: str | None, record_id: str | None,
                              filename: str, media_type: str | None, content: bytes,
                              incoming_records: Mapping[str, Mapping[str, Mapping]] | None = None) -> dict:
    """For the importer: an attachment from a package, checked like a local one.

    Returns {"filename", "media_type", "ext", "record_kind", "record_id", "size", "sha256"} with the
    cleaned name and the media type derived from the extension (store these, not the declared ones);
    raises ValueError with a Chinese message if the name, type or content is refused or the bound
    record does not exist in that project (locally or among `incoming_records`).
    """
    clean, ext, derived = check_attachment(filename, media_type, content)
    bound_record(store, project_id, record_kind, record_id, incoming_records)
    data = bytes(content)
    return {"filename": clean, "media_type": derived, "ext": ext, "record_kind": record_kind,
            "record_id": record_id, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


__all__ = ["ALLOWED", "ALLOWED_TEXT", "DIALOG_PATTERNS", "bound_record", "check_attachment",
           "check_incoming_attachment", "checked_extension", "clean_filename", "is_invisible",
           "media_type_for", "open_copy_name", "record_title", "sniff"]
