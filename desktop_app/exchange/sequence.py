"""Which packages from a sender are still welcome: package id, sequence number and creation time.

Each sender numbers its packages to one recipient 1, 2, 3 ... (export.py counts them whether or not
they ever arrive). USB sticks get lost, forgotten in drawers and carried in the wrong order, so the
receiver does not insist on strict order. A package with sequence s from sender S is accepted iff

* its package id was never imported here (else AlreadyImported: nothing to do),
* no package from S already imported here has the same sequence s (a replay re-signed under a new
  package id, or a sender that numbered two packages alike: replayed_sequence),
* s > highest - WINDOW, where highest is the largest sequence imported from S (sequence_too_old),
* s <= highest + MAX_AHEAD, with highest = 0 before the first package (sequence_too_far_ahead).

So a package that arrives after a newer one is imported once, later; the very same sequence never twice.
After an import the remembered highest becomes max(highest, s)
(`services/exchange_writes.record_received_package`).

`check_sequence` runs when a package is opened (package.py, step 4) and again inside the import
transaction (importer.apply), so nothing imported in between can slip past. `check_created_at` refuses
creation times in the future or before the signing key was registered here. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from desktop_app.exchange.errors import AlreadyImported, PackageRejected

# How far behind the newest package from the same sender a late one may be. A unit sends a few packages
# a week, so 100 covers months of ordinary traffic: a stick that lay in a drawer still imports. A package
# older than that is superseded by everything imported since (its records would only be "older version,
# keep local" conflicts) and is far more likely an old stick replayed than a late delivery; refusing it
# also keeps the rule independent of how long this installation keeps its package history.
WINDOW = 100
# How far ahead of the newest one a package may jump. Export numbers consecutively, so a gap means lost
# packages; a thousand lost packages is not a plausible gap. Without the limit one signed package with
# sequence 2**53-1 would push the mark so high that every later honest package is "too old": the channel
# from that sender would be dead for good.
MAX_AHEAD = 1000
# Clocks on office PCs drift and time zones get misconfigured; a day absorbs that, more is not a clock error.
MAX_FUTURE = dt.timedelta(days=1)
# trusted_keys.registered_on is a calendar date where the key was registered, created_at is UTC: a package
# is "before the registration" only if its creation time is before that date in every time zone, i.e.
# still the day before at UTC+14 (the latest calendar date on Earth). An honest package exported on the
# day its key was registered is never refused, whatever the two computers' time zones.
_LATEST_UTC_OFFSET = dt.timedelta(hours=14)

_CREATED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", re.ASCII)  # strptime takes ２０２６ too
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_RESEND = "请向发送单位索取新的数据包。"


def highest_received(store, sender: str, own_code: str) -> int:
    """The largest sequence imported here from `sender` (0 before the first)."""
    row = store.one("SELECT last_sequence FROM package_sequences WHERE sender=? AND recipient=?", (sender, own_code))
    return row["last_sequence"] if row else 0


def check_sequence(store, manifest: Mapping, own_code: str) -> None:
    """Refuse a package imported before, a replayed sequence, or one outside the window (see the module doc)."""
    done = store.one("SELECT processed_at FROM packages WHERE id=? AND direction='received'",
                     (manifest["package_id"],))
    if done:
        raise AlreadyImported(manifest["package_id"], done["processed_at"])
    sender, s = manifest["sender"], manifest["sequence"]
    same = store.one("SELECT processed_at FROM packages WHERE direction='received' AND peer_org=? AND sequence=? "
                     "LIMIT 1", (sender, s))
    if same:
        raise PackageRejected(
            "replayed_sequence",
            f"本机已于 {same['processed_at'][:16].replace('T', ' ')} 导入过单位「{sender}」的第{s}号数据包，"
            "这是同一序号的另一个数据包（重复导入或被改动后重新发送的数据包），已拒绝。"
            "如确需补发内容，请发送单位重新导出（新导出的数据包会有新的序号）。")
    high = highest_received(store, sender, own_code)
    if s <= high - WINDOW:
        raise PackageRejected(
            "sequence_too_old",
            f"该数据包是单位「{sender}」的第{s}号，而本机已导入该单位的第{high}号，"
            f"相差{WINDOW}号及以上，数据包过于陈旧，已拒绝。如其中内容仍然需要，请发送单位重新导出"
            "（可选择“全部内容”）。")
    if s > high + MAX_AHEAD:
        where = (f"比本机已导入的该单位最新序号（第{high}号）超出{MAX_AHEAD}号以上" if high
                 else f"超过{MAX_AHEAD}号，而本机尚未导入过该单位的数据包")
        raise PackageRejected(
            "sequence_too_far_ahead",
            f"单位「{sender}」的该数据包序号为第{s}号，{where}，不是正常导出的数据包，已拒绝。"
            f"请向发送单位核实。{_RESEND}")


def parse_created_at(text) -> dt.datetime:
    """A manifest's created_at ("2026-11-24T08:30:00Z") as an aware UTC datetime; PackageRejected if malformed."""
    try:
        if not isinstance(text, str) or not _CREATED_AT.match(text):
            raise ValueError(text)
        return dt.datetime.strptime(text, _FORMAT).replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError):
        raise PackageRejected("bad_created_at", f"数据包签名清单中的生成时间无效，数据包可能已损坏或来自不兼容的程序版本，已拒绝。{_RESEND}") \
            from None


def check_created_at(store, manifest: Mapping, now: dt.datetime | None = None) -> None:
    """Refuse a creation time more than MAX_FUTURE after `now` (aware; default the real clock), or before the
    signing key was registered here. A key not registered yet (the county key confirmed by fingerprint on the
    first directory import) has no registration date: that part is skipped."""
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    created = parse_created_at(manifest["created_at"])
    if created - now > MAX_FUTURE:
        shown_now = now.astimezone(dt.UTC).strftime(_FORMAT)
        raise PackageRejected(
            "created_in_future",
            f"数据包的生成时间（{manifest['created_at']}，UTC）比本机当前时间（{shown_now}，UTC）晚一天以上，"
            "不可能是正常导出的数据包，已拒绝。请核对本机和发送单位电脑的日期时间是否正确；"
            "如发送单位电脑时间有误，请其改正后重新导出。")
    key = store.one("SELECT registered_on FROM trusted_keys WHERE fingerprint=?", (manifest["signer"],))
    if key is None:
        return
    try:
        registered = dt.date.fromisoformat(str(key["registered_on"])[:10])
    except ValueError:
        return  # our own record, written only by this program; an unreadable date must not block the sender
    if (created + _LATEST_UTC_OFFSET).date() < registered:
        raise PackageRejected(
            "created_before_key",
            f"数据包的生成时间（{manifest['created_at']}，UTC）早于其签名密钥在本机登记的日期（{registered.isoformat()}），"
            "密钥登记之前不可能用它签发数据包，已拒绝。请向发送单位和县政府办公室核实；如发送单位电脑时间有误，"
            "请其改正后重新导出。")
