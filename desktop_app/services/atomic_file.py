"""Files the user relies on appear whole or not at all: write a temporary file beside the target, flush and
fsync it, rename it over the target (`os.replace`, atomic on one volume), fsync the folder where the OS
allows. A crash, a full disk or a pulled USB stick leaves the old file (or none) and at most a stray
`.NAME.*.part` beside it, never half a file under the name the user expects.

    atomic_file.write_bytes(path, data)
    with atomic_file.replacing(path) as tmp:   # for libraries that want a file name (openpyxl)
        workbook.save(tmp)
    atomic_file.publish_database(tmp_db, path) # a finished SQLite file, WAL checkpointed away first

Failures raise `FileWriteError` (a GovisError) whose Chinese message says what went wrong and what to do.
No Qt here: documents, exchange and the window use it alike.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from desktop_app.errors import GovisError
from desktop_app.models import sqlite_errors

PART_SUFFIX = ".part"
DEFAULT_MODE = 0o644  # mkstemp makes 0600; a saved PDF or package is an ordinary user file


class FileWriteError(GovisError):
    """A file could not be written completely; nothing was left under its name."""

    def __init__(self, message: str, path: Path, os_error: OSError | None = None):
        super().__init__(message)
        self.path = path
        self.os_error = os_error


def explain(exc: OSError, path: str | os.PathLike) -> str:
    """What went wrong with writing `path`, and what to do, in Chinese."""
    code = exc.errno
    if isinstance(exc, IsADirectoryError) or Path(path).is_dir():
        return f"「{path}」是一个文件夹，不能作为文件名。请另起一个文件名（例如加上 .zip 或 .pdf）后重试。"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"磁盘或U盘空间已满，无法写入「{path}」。请清理空间或换一个U盘后重试。"
    if code in (errno.EROFS,):
        return f"「{path}」所在的磁盘或U盘是只读的（可能打开了写保护）。请关闭写保护或换一个位置后重试。"
    if code in (errno.EACCES, errno.EPERM):
        return f"没有权限写入「{path}」（文件可能正被WPS或其他程序打开，或文件夹不允许写入）。请关闭该文件或换一个位置后重试。"
    if code in (errno.ENOENT, errno.EIO, errno.ENODEV, errno.ENXIO, getattr(errno, "ENOMEDIUM", -1)):
        return f"无法写入「{path}」：U盘或磁盘可能已被拔出或无法访问。请重新插好U盘、确认文件夹存在后重试。"
    return f"无法写入「{path}」：{exc.strerror or exc}。请检查磁盘或U盘后重试。"


def fsync_folder(folder: str | os.PathLike) -> None:
    """Make a rename in `folder` durable. Windows cannot open a folder for fsync: skipped there."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network shares, FAT on some kernels) refuse; the rename itself stands
    finally:
        os.close(fd)


def part_name(path: Path) -> str:
    """Prefix of the temporary files for `path` (hidden on Linux, sorted beside the target)."""
    return f".{path.name}."


def stray_parts(path: str | os.PathLike) -> list[Path]:
    """Temporary files a killed writer left beside `path`."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    return sorted(p for p in path.parent.glob(part_name(path) + "*" + PART_SUFFIX + "*") if p.is_file())


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise FileWriteError(explain(IsADirectoryError(errno.EISDIR, "Is a directory"), path), path)


def _new_part(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=part_name(path), suffix=PART_SUFFIX, dir=str(path.parent))
    os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(tmp, os.stat(path).st_mode & 0o777 if path.exists() else DEFAULT_MODE)
    return Path(tmp)


def _publish(tmp: Path, path: Path) -> None:
    with open(tmp, "rb+") as fh:  # the bytes reach the medium before the name does
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_folder(path.parent)


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block ends normally, it replaces `path` durably.

    Any error (in the block or while publishing) removes the temporary file and leaves `path` as it was;
    an OSError becomes FileWriteError with the Chinese explanation."""
    path = Path(path)
    _check_target(path)
    tmp = None
    try:
        tmp = _new_part(path)
        yield tmp
        _publish(tmp, path)
        tmp = None
    except OSError as exc:
        raise FileWriteError(explain(exc, path), path, exc) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` as the whole new content of `path`, atomically and durably."""
    path = Path(path)
    with replacing(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
    return path


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(path, text.encode(encoding))


# ---- SQLite files -----------------------------------------------------------------------------------

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def remove_database_files(path: str | os.PathLike) -> None:
    """Remove a database file and its side files (a building file the kill left behind)."""
    for suffix in ("", *SQLITE_SIDE_FILES):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(path) + suffix)


def checkpoint_away(path: str | os.PathLike) -> None:
    """Fold the -wal file into the database and close, so the database is one self-contained file.

    A file that is not a readable database has nothing worth folding in; one in use raises."""
    try:
        conn = sqlite3.connect(str(path), isolation_level=None)
        try:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if sqlite_errors.is_busy(exc):
            raise
        return
    if busy:
        raise sqlite_errors.coded(sqlite3.OperationalError("database is locked"), sqlite3.SQLITE_BUSY)
    wal = Path(str(path) + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise sqlite3.OperationalError(f"{wal} was not folded into the database")
    for suffix in ("-wal", "-shm"):  # empty now; SQLite usually removes them itself on the last close
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(path) + suffix)


def publish_database(tmp: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Rename a finished database `tmp` (no connection open on it) to `path`, replacing any database there.

    The old database's own -wal would otherwise be applied to the new file: it is checkpointed into the
    old file first, so a crash at any moment leaves the old database whole or the new one whole."""
    tmp, path = Path(tmp), Path(path)
    checkpoint_away(tmp)
    if path.exists():
        checkpoint_away(path)
    for suffix in SQLITE_SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(path) + suffix)
    _publish(tmp, path)
    return path
