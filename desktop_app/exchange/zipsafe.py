"""Defensive ZIP reading for packages and workbooks arriving on USB sticks.

Everything here runs BEFORE any content is parsed: the archive structure, entry names, declared and
actual sizes and compression ratios are checked, and every entry is read once with a hard cap (the
declared size may lie). Work on bytes read once from the stick (`read_package_file`) so the file
cannot change between the check and its use.
"""

from __future__ import annotations

import io
import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.signing import SHA256, new_hash

MB = 1024 * 1024
_CHUNK = 64 * 1024
_LOCAL_HEADER_LEN = 30
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_WINDOWS_BAD_CHARS = set('<>:"|?*\\')
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ZipLimits:
    max_file_size: int = 250 * MB       # the .zip/.xlsx file itself
    max_entries: int = 2000
    max_entry_size: int = 100 * MB      # declared and actual uncompressed size of one entry
    max_total_size: int = 200 * MB      # declared and actual uncompressed size of all entries
    max_ratio: int = 100                # uncompressed : compressed, checked for big entries only
    ratio_min_size: int = 1 * MB        # small entries (XML with repeats) compress very well: allowed
    max_name_len: int = 240


DEFAULT_LIMITS = ZipLimits()


@dataclass(frozen=True)
class ZipEntry:
    name: str
    size: int                 # actual uncompressed bytes read (equals the declared size)
    compressed_size: int
    digests: dict[str, str] = field(default_factory=dict)  # algorithm -> lowercase hex
    is_dir: bool = False

    @property
    def sha256(self) -> str:
        return self.digests[SHA256]


def _reject(code: str, message: str) -> PackageRejected:
    return PackageRejected(code, message)


def read_package_file(path: str | os.PathLike, limits: ZipLimits = DEFAULT_LIMITS, label: str = "数据包") -> bytes:
    """Read a file from the stick once, refusing it if it is larger than the limit."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > limits.max_file_size:
            raise _too_big_file(label, size, limits)
        with p.open("rb") as fh:
            data = fh.read(limits.max_file_size + 1)
    except OSError as exc:
        raise _reject("unreadable", f"无法读取{label}文件「{p.name}」（{exc.strerror or exc}）。请检查U盘是否插好、文件是否完整，然后重试。") from None
    if len(data) > limits.max_file_size:
        raise _too_big_file(label, len(data), limits)
    return data


def _too_big_file(label: str, size: int, limits: ZipLimits) -> PackageRejected:
    return _reject(
        "file_too_large",
        f"{label}文件过大（{size / MB:.1f} MB，上限 {limits.max_file_size / MB:.0f} MB），为防止恶意文件，已拒绝读取。"
        f"请向发送单位核实，或请其分批导出。",
    )


def check_member_name(name: str, label: str = "数据包", max_len: int = 240) -> None:
    """Refuse names that could escape a folder or collide on Windows; the same rule the writer follows."""

    def bad(why: str) -> PackageRejected:
        return _reject("bad_name", f"{label}中的文件名「{_printable(name)}」不安全（{why}），已拒绝。请向发送单位索取重新导出的{label}。")

    if not isinstance(name, str) or not name:
        raise bad("文件名为空")
    if len(name) > max_len:
        raise bad("文件名过长")
    if any(ord(ch) < 32 or ord(ch) == 0x7F for ch in name):
        raise bad("含有控制字符")
    if "\\" in name:
        raise bad("含有反斜杠")
    if name.startswith("/"):
        raise bad("是绝对路径")
    if _DRIVE.match(name):
        raise bad("含有盘符")
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    for part in parts:
        if part == "":
            raise bad("含有空的路径段")
        if part in (".", ".."):
            raise bad("含有“..”等上级目录")
        if _WINDOWS_BAD_CHARS & set(part):
            raise bad("含有Windows文件名不允许的字符")
        if part.endswith((".", " ")):
            raise bad("以点或空格结尾")
        if part.split(".")[0].upper().strip() in _WINDOWS_RESERVED:
            raise bad("是Windows保留设备名")


def _printable(name: object) -> str:
    text = str(name)[:80]
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _name_key(name: str) -> str:
    # Windows folds case and users' tools may normalise Unicode: treat such names as one name.
    return unicodedata.normalize("NFC", name).casefold()


def open_zip(data: bytes, limits: ZipLimits = DEFAULT_LIMITS, label: str = "数据包",
             hash_algorithms: tuple[str, ...] = (SHA256,)) -> tuple[zipfile.ZipFile, list[ZipEntry]]:
    """Check the archive fully and return it open, with its entries (actual sizes and digests)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("open_zip needs bytes; read the file with read_package_file() first")
    data = bytes(data)
    if len(data) > limits.max_file_size:
        raise _too_big_file(label, len(data), limits)
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"PK\x05\x06"):
            raise _reject("empty_zip", f"{label}是空的（不含任何文件）。请向发送单位索取新的{label}。")
        raise _reject("not_a_zip", f"所选文件不是有效的{label}（不是ZIP格式）。请确认选择的是本程序导出的{label}文件。")
    buf = io.BytesIO(data)
    if not zipfile.is_zipfile(buf):
        raise _reject("truncated", f"{label}文件不完整（可能复制时中断或U盘拔出过早）。请重新复制，或向发送单位索取新的{label}。")
    try:
        zf = zipfile.ZipFile(buf)
        infos = zf.infolist()
    except Exception:  # noqa: BLE001 -- hostile central directories fail in many ways (struct.error, ValueError...)
        raise _reject("truncated", f"{label}文件已损坏，无法读取其目录。请重新复制，或向发送单位索取新的{label}。") from None
    try:
        _check_structure(zf, infos, limits, label, len(data))
        entries = [_read_entry(zf, info, limits, label, hash_algorithms) for info in infos]
        total = sum(e.size for e in entries)
        if total > limits.max_total_size:  # cannot happen if declared sizes were honest; belt and braces
            raise _total_too_big(label, total, limits)
    except BaseException:
        zf.close()
        raise
    return zf, entries


def inspect_zip(source: bytes | str | os.PathLike, limits: ZipLimits = DEFAULT_LIMITS, label: str = "数据包",
                hash_algorithms: tuple[str, ...] = (SHA256,)) -> list[ZipEntry]:
    """Check an archive (bytes, or a path read once) and list its entries; nothing is extracted."""
    data = source if isinstance(source, (bytes, bytearray, memoryview)) else read_package_file(source, limits, label)
    zf, entries = open_zip(data, limits, label, hash_algorithms)
    zf.close()
    return entries


def _total_too_big(label: str, total: int, limits: ZipLimits) -> PackageRejected:
    return _reject(
        "total_too_large",
        f"{label}解压后总大小超过上限（{total / MB:.1f} MB，上限 {limits.max_total_size / MB:.0f} MB），"
        f"可能是恶意的“压缩炸弹”，已拒绝。请向发送单位核实。",
    )


def _check_structure(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ZipLimits, label: str,
                     file_size: int) -> None:
    if not infos:
        raise _reject("empty_zip", f"{label}是空的（不含任何文件）。请向发送单位索取新的{label}。")
    if len(infos) > limits.max_entries:
        raise _reject("too_many_entries", f"{label}中的文件数过多（{len(infos)} 个，上限 {limits.max_entries} 个），已拒绝。请向发送单位核实，或请其分批导出。")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        # ZipInfo strips at NUL and (on Windows) rewrites backslashes: check what was stored too.
        if info.orig_filename != name:
            check_member_name(info.orig_filename, label, limits.max_name_len)
        check_member_name(name, label, limits.max_name_len)
        key = _name_key(name)
        if key in seen:
            raise _reject("duplicate_name", f"{label}中有重名文件「{_printable(name)}」，无法确定以哪个为准，已拒绝。请向发送单位索取新的{label}。")
        seen.add(key)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode) or info.external_attr & 0x400:  # unix symlink / Windows reparse point
            raise _reject("symlink", f"{label}中的「{_printable(name)}」是符号链接，可能指向本机其他文件，已拒绝。请向发送单位索取新的{label}。")
        if info.flag_bits & 0x1:
            raise _reject("encrypted_entry", f"{label}中的文件「{_printable(name)}」被加密，本程序无法检查，已拒绝。请向发送单位索取未加密的{label}。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _reject("unsupported_compression", f"{label}中的文件「{_printable(name)}」使用了不支持的压缩方式，已拒绝。请用本程序重新导出。")
        if name.endswith("/") and info.file_size != 0:
            raise _reject("bad_name", f"{label}中的目录项「{_printable(name)}」带有数据，格式异常，已拒绝。请向发送单位索取新的{label}。")
        if info.file_size > limits.max_entry_size:
            raise _reject(
                "entry_too_large",
                f"{label}中的文件「{_printable(name)}」解压后过大（{info.file_size / MB:.1f} MB，上限 {limits.max_entry_size / MB:.0f} MB），已拒绝。请向发送单位核实。",
            )
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise _size_lie(label, name)
        if info.file_size > limits.ratio_min_size and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _reject(
                "ratio_too_high",
                f"{label}中的文件「{_printable(name)}」压缩比异常（超过 {limits.max_ratio}:1），可能是恶意的“压缩炸弹”，已拒绝。请向发送单位核实。",
            )
        total += info.file_size
        if total > limits.max_total_size:
            raise _total_too_big(label, total, limits)
    # Entries must not share or overlap their compressed data (the "overlapping files" zip bomb).
    end_of_data = getattr(zf, "start_dir", file_size)
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for cur, nxt in zip(ordered, ordered[1:] + [None]):
        limit = nxt.header_offset if nxt is not None else end_of_data
        if cur.header_offset < 0 or cur.header_offset + _LOCAL_HEADER_LEN + cur.compress_size > limit:
            raise _reject("overlapping_entries", f"{label}的内部结构异常（文件数据相互重叠），可能是恶意构造的文件，已拒绝。请向发送单位索取新的{label}。")


def _size_lie(label: str, name: str) -> PackageRejected:
    return _reject(
        "size_mismatch",
        f"{label}中的文件「{_printable(name)}」实际大小与登记的大小不符，文件已损坏或被改动，已拒绝。请向发送单位索取新的{label}。",
    )


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits, label: str,
                hash_algorithms: tuple[str, ...]) -> ZipEntry:
    hashers = {alg: new_hash(alg) for alg in hash_algorithms}
    size = 0
    for chunk in _capped_chunks(zf, info, min(info.file_size, limits.max_entry_size), label):
        size += len(chunk)
        for h in hashers.values():
            h.update(chunk)
    return ZipEntry(info.filename, size, info.compress_size,
                    {alg: h.hexdigest() for alg, h in hashers.items()}, info.filename.endswith("/"))


def _capped_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, label: str):
    """Yield the entry's bytes; refuse as soon as more than `cap` or other than the declared size arrive."""
    name = info.filename
    got = 0
    try:
        with zf.open(info) as fh:
            while True:
                # Ask for at most one byte past the cap: enough to notice a lie, never more.
                chunk = fh.read(min(_CHUNK, cap - got + 1))
                if not chunk:
                    break
                got += len(chunk)
                if got > cap:
                    raise _size_lie(label, name)
                yield chunk
    except PackageRejected:
        raise
    except Exception:  # noqa: BLE001
        # Hostile bytes can make zipfile/zlib fail in many ways (BadZipFile, zlib.error, EOFError,
        # ValueError...); each means the same to the user: this entry is unusable.
        raise _reject("corrupt_entry", f"{label}中的文件「{_printable(name)}」已损坏（校验失败），已拒绝。请重新复制，或向发送单位索取新的{label}。") from None
    if got != info.file_size:
        raise _size_lie(label, name)


def safe_extract_bytes(zf: zipfile.ZipFile, name: str, cap: int, label: str = "数据包") -> bytes:
    """One entry's bytes, read with a hard cap; refuses a missing entry or one larger than `cap`."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise _reject("missing_file", f"{label}中缺少文件「{_printable(name)}」。请向发送单位索取完整的{label}。") from None
    if info.file_size > cap:
        raise _reject(
            "entry_too_large",
            f"{label}中的文件「{_printable(name)}」过大（{info.file_size / MB:.1f} MB，上限 {cap / MB:.1f} MB），已拒绝。请向发送单位核实。",
        )
    return b"".join(_capped_chunks(zf, info, cap, label))
