"""The 单位与密钥 read side (services.units), `operations.update_organisation` and `govis org list/edit`,
over separate installations that exchanged real signed packages."""

import dataclasses
import json

import pytest

from desktop_app import cli
from desktop_app.errors import NotFound, Refused, ValidationError
from desktop_app.exchange import keyring, trust
from desktop_app.exchange.signing import differing_groups, format_fingerprint
from desktop_app.services import audit, units
from desktop_app.services import operations as ops
from tests.core.builders import new_project
from tests.core.dbstate import snapshot
from tests.exchange.world import make_world, unit_application


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path, with_finance=False)


def by_code(store, own):
    return {r.code: r for r in units.organisations(store, own)}


def test_each_organisation_with_key_state_packages_and_audit_head(world):
    county, unit = world.county, world.unit
    unit_application(world)
    county.import_(unit.export("MYXZF"))
    rows = by_code(county.store, "MYXZF")
    assert list(rows) == ["MYXZF", "MYCZJ", "MYJYJ", "MYWJJ"]  # the county office, finance, then units
    jy = rows["MYJYJ"]
    assert (jy.state, jy.state_label, jy.role_label) == ("key_checked", "公钥已核对", "申报单位/建设单位")
    assert jy.fingerprint == keyring.own_verifier(unit.store).fingerprint and jy.key_source == "form"
    assert jy.last_sent.sequence == 1  # the directory
    assert jy.last_received.sequence == 1
    head = county.store.one("SELECT * FROM audit_heads WHERE sender_org='MYJYJ'")
    assert (jy.audit_head.count, jy.audit_head.hash, jy.audit_head.sequence) == (head["count"], head["hash"], 1)
    assert rows["MYXZF"].is_self and rows["MYXZF"].state == "key_checked"
    assert rows["MYWJJ"].state_label == "登记" and rows["MYWJJ"].fingerprint is None
    assert rows["MYWJJ"].last_received is None and rows["MYWJJ"].audit_head is None

    trust.revoke_key(county.store, county.actor, "MYJYJ", reason="口令泄露")
    jy = by_code(county.store, "MYXZF")["MYJYJ"]
    assert (jy.state_label, jy.fingerprint) == ("已注销", keyring.own_verifier(unit.store).fingerprint)
    assert jy.revoked_on
    assert "原因：口令泄露" in county.store.one("SELECT summary FROM audit_log ORDER BY seq DESC LIMIT 1")["summary"]

    # a unit's installation: the directory's organisations, and the county key it confirmed
    on_unit = by_code(unit.store, "MYJYJ")
    assert on_unit["MYXZF"].state == "key_checked" and on_unit["MYXZF"].key_source == "confirmed"
    o = units.key_overview(unit.store)
    assert o.county_fingerprint == keyring.own_verifier(county.store).fingerprint
    assert o.own_fingerprint == keyring.own_verifier(unit.store).fingerprint
    assert o.directory_sequence == 1 and o.directory_date


def test_wrong_fingerprint_names_the_group_that_differs(world, tmp_path):
    county = world.county
    other = make_world(tmp_path / "other", with_finance=False)  # another key claiming the same unit
    pub = keyring.export_public(other.unit.store, other.unit.actor)
    fp = keyring.own_verifier(other.unit.store).fingerprint
    groups = format_fingerprint(fp, short=True).split()
    typed = groups[:]
    typed[4] = "FFFF" if groups[4] != "FFFF" else "EEEE"
    assert differing_groups(" ".join(typed), fp) == [5]
    assert differing_groups(fp[:32], fp) == []
    before = snapshot(county.store)
    with pytest.raises(trust.FingerprintMismatch, match=f"第5组不同：第5组输入的是「{typed[4]}」，公钥文件为「{groups[4]}」"):
        trust.register_key(county.store, county.actor, pub, " ".join(typed), "MYWJJ")
    assert snapshot(county.store) == before
    assert trust.register_key(county.store, county.actor, pub, fp, "MYWJJ")["org_code"] == "MYWJJ"


def test_update_organisation_is_the_county_administrators_and_audited(world):
    county = world.county
    store = county.store
    n = audit.head(store)[0]
    row = ops.update_organisation(store, county.actor, "MYWJJ", {"name": "蒙阴县卫生健康委员会", "short_name": "卫健委",
                                                                  "code_prefix": "wj"})
    assert (row["name"], row["short_name"], row["code_prefix"], row["rev"]) == ("蒙阴县卫生健康委员会", "卫健委", "WJ", 2)
    assert row.changes.settings
    entry = store.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert audit.head(store)[0] == n + 1 and entry["operation"] == "修改单位"
    assert json.loads(entry["before"])["name"] == "蒙阴县卫生健康局"
    assert audit.verify(store) == []

    before = snapshot(store)
    clerk = dataclasses.replace(county.actor, user="jingban", user_role="clerk")
    with pytest.raises(Refused, match="管理员"):
        ops.update_organisation(store, clerk, "MYWJJ", {"name": "别的名字"})
    with pytest.raises(Refused, match="县政府办公室"):
        ops.update_organisation(world.unit.store, world.unit.actor, "MYJYJ", {"name": "别的名字"})
    with pytest.raises(ValidationError) as e:
        ops.update_organisation(store, county.actor, "MYWJJ", {"code": "X1", "role": "finance", "name": " "})
    assert set(e.value.fields) == {"code", "role", "name"} and "登记后不能更改" in e.value.fields["code"]
    with pytest.raises(ValidationError, match="已属于蒙阴县人民政府办公室"):
        ops.update_organisation(store, county.actor, "MYWJJ", {"code_prefix": "MY"})
    with pytest.raises(NotFound):
        ops.update_organisation(store, county.actor, "NOPE", {"name": "无"})
    with pytest.raises(Refused, match="没有需要修改"):
        ops.update_organisation(store, county.actor, "MYWJJ", {"short_name": "卫健委"})
    assert snapshot(store) == before


def test_a_prefix_numbering_projects_stays_and_the_own_prefix_follows(county):
    ops.update_organisation(county.store, county.county, "MYXZF", {"code_prefix": "MX"})
    assert county.store.get_setting("project_code_prefix") == "MX"  # new projects here are numbered MX-…
    assert new_project(county)["code"].startswith("MX-")
    with pytest.raises(ValidationError, match="已有项目以「MX」编号.*前缀不能再更改"):
        ops.update_organisation(county.store, county.county, "MYXZF", {"code_prefix": "MZ"})
    ops.update_organisation(county.store, county.county, "MYXZF", {"short_name": "县政府办"})


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = cli.main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_org_list_and_edit(world, capsys):
    db = str(world.county.store.path)
    world.county.store.close()
    rc, out, _ = run(capsys, "org", "list", "--db", db, "--json")
    assert rc == 0
    listed = {r["code"]: r for r in json.loads(out)}
    assert listed["MYJYJ"]["state_label"] == "公钥已核对" and listed["MYJYJ"]["last_sent"]["sequence"] == 1
    assert listed["MYWJJ"]["state"] == "registered"
    rc, out, _ = run(capsys, "org", "edit", "MYWJJ", "--db", db, "--short-name", "卫健局", "--code-prefix", "WJ")
    assert rc == 0 and "已修改单位" in out
    rc, out, _ = run(capsys, "org", "list", "--db", db)
    line = next(ln for ln in out.splitlines() if ln.startswith("MYWJJ"))
    assert line.split("\t")[:6] == ["MYWJJ", "蒙阴县卫生健康局", "申报单位/建设单位", "WJ", "—", "登记"]
    rc, _, err = run(capsys, "org", "edit", "MYWJJ", "--db", db, "--code-prefix", "MY")
    assert rc == 1 and "已属于蒙阴县人民政府办公室" in err
    rc, _, err = run(capsys, "org", "edit", "MYWJJ", "--db", db)
    assert rc == 1 and "请指定要修改的内容" in err
    rc, _, err = run(capsys, "org", "edit", "MYWJJ", "--db", db, "--user", "nobody", "--name", "x")
    assert rc == 1 and "nobody" in err
