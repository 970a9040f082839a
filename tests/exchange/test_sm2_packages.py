"""The national-crypto option end to end: SM2-signed packages with SM3 digests travel and import."""

import io
import json
import zipfile

import pytest

pytest.importorskip("gmssl_pyx")

from desktop_app.exchange import keyring, trust
from desktop_app.exchange.errors import PackageRejected
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from tests.core.dbstate import snapshot
from tests.exchange.world import PASS, Site, World, unit_application


def _sm2_site(folder, role, code, name, prefix) -> Site:
    folder.mkdir(parents=True, exist_ok=True)
    store = Store.open(folder / "govis.db")
    actor = ops.init_installation(store, role, code, name, code_prefix=prefix)
    keyring.setup_keys(store, actor, PASS, algorithm="sm2")
    return Site(store, actor, folder)


@pytest.fixture
def sm2_world(tmp_path):
    county = _sm2_site(tmp_path / "county", "county_office", "MYXZF", "蒙阴县人民政府办公室", "MY")
    unit = _sm2_site(tmp_path / "unit", "unit", "MYJYJ", "蒙阴县教育和体育局", "JY")
    ops.add_organisation(county.store, county.actor, "MYJYJ", "蒙阴县教育和体育局", "unit")
    fp = keyring.own_verifier(unit.store).fingerprint
    trust.register_key(county.store, county.actor, keyring.export_public(unit.store, unit.actor), fp)
    directory = county.export("MYJYJ", "dir.zip", kind="directory")
    unit.import_(directory, confirm_fingerprint=keyring.own_verifier(county.store).fingerprint)
    return World(county, unit, None)


def test_sm2_package_carries_sm3_digests_and_imports(sm2_world):
    p = unit_application(sm2_world)
    data = sm2_world.unit.export("MYXZF")
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    assert manifest["algorithm"] == "sm2" and manifest["hash_algorithm"] == "sm3"
    sm2_world.county.import_(data)
    assert sm2_world.county.store.get("project", p["id"])["status"] == "submitted"


def test_sm2_package_with_a_flipped_byte_is_refused(sm2_world):
    unit_application(sm2_world)
    data = bytearray(sm2_world.unit.export("MYXZF"))
    zf = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = zf.getinfo("records.xlsx")
    data[info.header_offset + 30 + len(info.filename) + 20] ^= 0x01  # inside the workbook's data
    before = snapshot(sm2_world.county.store)
    with pytest.raises(PackageRejected):
        sm2_world.county.import_(bytes(data))
    assert snapshot(sm2_world.county.store) == before
