"""Every record kind (and attachments) survives export and import unchanged: hypothesis-generated
records, relayed by the county office (the hub) to the finance bureau's separate database."""

import hashlib
import string
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.exchange import importer
from desktop_app.exchange import records as R
from desktop_app.exchange.package import open_package
from desktop_app.models import fields as F
from desktop_app.models.kinds import COUNTY, FINANCE, KINDS, PROHIBITED, UNIT
from desktop_app.services import operations as ops
from desktop_app.services.operations import DATE_ORDER
from tests.exchange.world import make_world

OWNER_CODE = {UNIT: "MYJYJ", COUNTY: "MYXZF", FINANCE: "MYCZ2"}  # MYCZ2: a finance org other than the recipient
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
               min_size=1, max_size=25)
FORMULAISH = st.sampled_from(["=1+1", "+SUM(A1)", "-2", "@x", "＝HYPERLINK(\"x\")", "_x0041_ 字面"])


def text_value(f):
    base = st.one_of(TEXT, FORMULAISH, st.builds(lambda a, b: f"{a}\n{b}", TEXT, TEXT))
    return base.map(lambda s: s.strip()[: f.max_len]).filter(bool)


def value_for(f, refs):
    if f.type == F.REF:
        return st.just(refs[f.ref_kind])
    if f.name == "prohibited_types":
        return st.lists(st.sampled_from([c for c, _ in PROHIBITED]), min_size=1, max_size=3, unique=True).map(",".join)
    strat = {
        F.TEXT: lambda: text_value(f), F.LONGTEXT: lambda: text_value(f),
        F.DATE: lambda: st.dates(min_value=__import__("datetime").date(2001, 1, 1),
                                 max_value=__import__("datetime").date(2099, 12, 31)).map(lambda d: d.isoformat()),
        F.MONEY: lambda: st.integers(0, 10**14),
        F.INT: lambda: st.integers(f.min if f.min is not None else 0, f.max if f.max is not None else 10**6),
        F.BOOL: lambda: st.sampled_from([0, 1]),
        F.ENUM: lambda: st.sampled_from([c for c, _ in f.choices]),
    }[f.type]()
    return strat if f.required else st.one_of(st.none(), strat)


@st.composite
def county_records(draw, org_ids):
    """One record of every kind (parents first), owned by an organisation of an allowed role."""
    # fresh ids per example (hypothesis would reuse shrunk ids across examples in one database)
    ids = {name: str(uuid.uuid4()) for name in [*KINDS, "attachment"]}
    refs = {**{k: ids[k] for k in ids}, "organisation": None}
    out = []
    for kind in KINDS.values():
        values = {}
        for f in kind.fields:
            if f.type == F.REF and f.ref_kind == "organisation":
                values[f.name] = org_ids[draw(st.sampled_from(["MYJYJ", "MYWJJ"]))]
            else:
                values[f.name] = draw(value_for(f, refs))
        for early, late, _ in DATE_ORDER.get(kind.name, []):
            if values.get(early) and values.get(late) and values[late] < values[early]:
                values[early], values[late] = values[late], values[early]
        if kind.name == "project":
            values["code"] = "T-" + draw(st.text(string.ascii_uppercase, min_size=1, max_size=6)) + ids["project"][:8]
        role = draw(st.sampled_from(kind.owner_roles))
        rev = draw(st.integers(1, 5))
        row = {**values, "id": ids[kind.name], "owner_org": org_ids[OWNER_CODE[role]], "rev": rev,
               "created_at": "2026-03-01T09:00:00+08:00", "updated_at": "2026-03-02T10:30:00+08:00"}
        if kind.project_scoped:
            row["project_id"] = ids["project"]
        else:
            row["status"] = draw(st.sampled_from(["submitted", "approved", "in_construction"]))
        out.append((kind, row))
    content = draw(st.binary(min_size=0, max_size=2000))
    name = draw(st.text(min_size=1, max_size=20).filter(lambda s: s.strip() and "\0" not in s)) + ".pdf"
    att = {"id": ids["attachment"], "owner_org": org_ids["MYJYJ"], "rev": 1, "created_at": "2026-03-01T09:00:00+08:00",
           "updated_at": "2026-03-01T09:00:00+08:00", "project_id": ids["project"], "record_kind": "material",
           "record_id": ids["material"], "filename": name, "media_type": "application/pdf", "size": len(content),
           "sha256": hashlib.sha256(content).hexdigest(), "content": content}
    return out, att


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("kinds"))
    ops.add_organisation(w.county.store, w.county.actor, "MYCZ2", "蒙阴县财政局（第二核算中心）", "finance")
    w.finance.import_(w.county.export("MYCZJ", "dir2.zip", kind="directory"))
    w.org_ids = {o["code"]: o["id"] for o in w.county.store.all("SELECT id, code FROM organisations")}
    return w


def _codes(store):
    return {o["id"]: o["code"] for o in store.all("SELECT id, code FROM organisations")}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_kind_survives_the_package_format(world, data):
    """Every kind and field, any value the form accepts, survives workbook, signature and strict parsing
    exactly (the format layer). These records are generated, not lived: whether a receiver may write them
    is the operations' business, tested with real stories in test_roundtrip and test_authority_attacks."""
    rows, att = data.draw(county_records(world.org_ids))
    cs = world.county.store
    with cs.tx():
        cs.insert("attachments", att)
        for kind, row in rows:
            cs.insert(kind.table, row)
    package = world.county.export("MYCZJ")
    opened = open_package(world.finance.store, "MYCZJ", package, importer.SPECS)
    c_codes = _codes(cs)
    for kind, row in rows:
        if kind.project_scoped and row["owner_org"] == world.org_ids["MYCZJ"]:
            continue
        [got] = [r for r in opened.records.get(kind.label, []) if r["id"] == row["id"]]
        sent = R.to_sheet(kind, row, c_codes, {})
        assert {k: got.get(k) for k in sent if k != "project_code"} == \
            {k: v for k, v in sent.items() if k != "project_code"}, kind.name
    [a] = opened.records[R.ATTACHMENT_SHEET]
    assert opened.attachments[a["member"]] == att["content"] and a["filename"] == att["filename"]
    p = next(r for k, r in rows if k.name == "project")
    [st_row] = [r for r in opened.records[R.STATUS_SHEET] if r["project_id"] == p["id"]]
    assert st_row["status"] == p["status"]
