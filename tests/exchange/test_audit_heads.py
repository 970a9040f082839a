"""The audit chain held outside the file: the sender's head rides in the signed manifest, the receiver
keeps it, the receipt prints it, and `audit verify --against` catches a unit that rewrote its history."""

import io
import json
import zipfile

import pytest

from desktop_app import cli
from desktop_app.exchange import audit_heads, export, receipt
from desktop_app.exchange.errors import PackageRejected
from desktop_app.exchange.keyring import own_verifier
from desktop_app.exchange.manifest import build_manifest, canonical_json
from desktop_app.services import audit
from desktop_app.services import operations as ops
from tests.core.builders import BASE
from tests.documents.pdfcheck import compact, page_texts
from tests.exchange.world import make_world, unit_application


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path, with_finance=False)
    yield w
    for s in (w.county, w.unit):
        s.store.close()


def unit_db(w) -> str:
    return str(w.unit.folder / "govis.db")


def rewrite_history(store, seq: int, summary: str = "（改写）") -> None:
    """What a unit bent on hiding something does: edit an old entry, recompute every later hash and the head,
    so that `audit verify` alone finds nothing."""
    prev = store.one("SELECT hash FROM audit_log WHERE seq=?", (seq - 1,))["hash"]
    rows = store.all("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq", (seq,))
    rows[0]["summary"] = summary + rows[0]["summary"]
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = audit.entry_hash(row)
        store.conn.execute("UPDATE audit_log SET summary=?, prev_hash=?, hash=? WHERE seq=?",
                           (row["summary"], row["prev_hash"], row["hash"], row["seq"]))
    store.set_setting("audit_head", f"{rows[-1]['seq']}:{prev}")
    assert audit.verify(store) == []


def test_package_carries_the_senders_head_and_the_county_keeps_it(world, tmp_path):
    w = world
    unit_application(w)
    count, last = audit.head(w.unit.store)
    result = export.export_package(w.unit.store, w.unit.actor, "县政府口令2026", "MYXZF", tmp_path / "p.zip")
    assert result.manifest["audit_head"] == {"count": count, "hash": last}
    _, rc = w.county.import_(result.data)
    assert rc["sender_audit_head"] == {"count": count, "hash": last, "warning": None}
    row = w.county.store.one("SELECT * FROM audit_heads")
    assert (row["sender_org"], row["package_id"], row["count"], row["hash"]) == (
        "MYJYJ", result.manifest["package_id"], count, last)
    assert row["received_at"] == json.loads(w.county.store.one(
        "SELECT receipt FROM packages WHERE direction='received' AND id=?", (row["package_id"],))["receipt"]
    )["imported_at"]
    heads = audit_heads.last_heads(w.county.store)
    assert [(h["sender_org"], h["count"], h["warnings"]) for h in heads] == [("MYJYJ", count, 0)]
    text = compact("".join(page_texts(receipt.receipt_pdf(rc))))
    assert "发送单位操作日志链头" in text and f"第{count}条" in text and last[:4] in text


def test_head_is_covered_by_the_signature(world):
    w = world
    unit_application(w)
    data = w.unit.export("MYXZF")
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "manifest.json":
                m = json.loads(raw)
                m["audit_head"]["count"] += 100  # a unit claiming a longer history than it had
                raw = canonical_json(m)
            out.writestr(info, raw)
    with pytest.raises(PackageRejected, match="签名验证失败"):
        w.county.import_(buf.getvalue())
    with pytest.raises(ValueError, match="链头"):
        build_manifest(kind="records", sender="A", recipient="B", sequence=1, schema_version=1,
                       files={"a.txt": "0" * 64}, records_digest="0" * 64, signer=own_verifier(w.unit.store),
                       audit_head={"count": -1, "hash": "x"})


def test_package_without_a_head_still_imports(world, monkeypatch):
    w = world
    unit_application(w)
    monkeypatch.setattr(export, "_audit_head", lambda store: None)  # an earlier version's package
    data = w.unit.export("MYXZF")
    _, rc = w.county.import_(data)
    assert rc["totals"]["new"] > 0 and "sender_audit_head" not in rc
    assert w.county.store.one("SELECT COUNT(*) AS n FROM audit_heads")["n"] == 0
    assert "未记载" in compact("".join(page_texts(receipt.receipt_pdf(rc))))


def test_rewritten_history_is_caught_against_the_county_receipt(world, tmp_path, capsys):
    w = world
    unit_application(w)
    package = w.unit.folder / "to-county.zip"
    _, rc = w.county.import_(w.unit.export("MYXZF", package.name))
    receipt_pdf = tmp_path / "回执.pdf"
    receipt.receipt_pdf(rc, receipt_pdf)
    receipt_json = tmp_path / "回执.json"
    receipt_json.write_text(json.dumps(rc, ensure_ascii=False), encoding="utf-8")
    # honest: later work only extends the chain; the receipt and the sent package both check out
    ops.create_project(w.unit.store, w.unit.actor, {**BASE, "name": "县教育数据中心"})
    for against in (receipt_pdf, receipt_json, package):
        assert cli.main(["audit", "verify", "--db", unit_db(w), "--against", str(against)]) == 0
        assert "核对通过" in capsys.readouterr().out

    rewrite_history(w.unit.store, 4)
    assert cli.main(["audit", "verify", "--db", unit_db(w)]) == 0  # the chain alone looks fine
    capsys.readouterr()
    for against in (receipt_pdf, package):
        assert cli.main(["audit", "verify", "--db", unit_db(w), "--against", str(against)]) == 1
        out = capsys.readouterr()
        assert "与回执不符" in out.err and "被改写" in out.err and "Traceback" not in out.err


def test_against_someone_elses_receipt_or_a_stray_file_is_refused(world, tmp_path, capsys):
    w = world
    unit_application(w)
    _, rc = w.county.import_(w.unit.export("MYXZF"))
    pdf = tmp_path / "回执.pdf"
    receipt.receipt_pdf(rc, pdf)
    county_db = str(w.county.folder / "govis.db")
    assert cli.main(["audit", "verify", "--db", county_db, "--against", str(pdf)]) == 1
    assert "不是本单位" in capsys.readouterr().err
    stray = tmp_path / "x.txt"
    stray.write_text("hello", encoding="utf-8")
    assert cli.main(["audit", "verify", "--db", unit_db(w), "--against", str(stray)]) == 1
    err = capsys.readouterr().err
    assert "既不是" in err and "Traceback" not in err


def test_county_notices_a_head_that_does_not_extend_the_last(world, capsys):
    w = world
    unit_application(w)
    _, first = w.county.import_(w.unit.export("MYXZF", "1.zip"))
    # the unit cuts off its recent history (and fixes the head), then carries on and sends again
    s = w.unit.store
    keep = first["sender_audit_head"]["count"] - 8
    s.conn.execute("DELETE FROM audit_log WHERE seq > ?", (keep,))
    last = s.one("SELECT hash FROM audit_log WHERE seq=?", (keep,))["hash"]
    s.set_setting("audit_head", f"{keep}:{last}")
    assert audit.verify(s) == []
    ops.create_project(s, w.unit.actor, {**BASE, "name": "县教育数据中心"})
    _, second = w.county.import_(w.unit.export("MYXZF", "2.zip"))
    head = second["sender_audit_head"]
    assert head["count"] < first["sender_audit_head"]["count"]
    assert head["warning"] and "第1号数据包" in head["warning"]
    assert "操作日志链头异常" in compact("".join(page_texts(receipt.receipt_pdf(second))))
    [row] = audit_heads.last_heads(w.county.store)
    assert row["warnings"] == 1 and row["count"] == head["count"]
    assert cli.main(["audit", "heads", "--db", str(w.county.folder / "govis.db")]) == 0
    assert "异常 1 次" in capsys.readouterr().out
