"""1,000+ hypothesis-mutated packages through the real import pipeline (dry run): only our own Chinese
refusals, never an uncaught exception, and never a change to the receiving database."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.exchange import export, keyring
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.package import WORKBOOK_NAME
from tests.exchange.helpers import full_state, members, quick_state, resign
from tests.exchange.test_fuzz import mutate
from tests.exchange.world import PASS, make_world, unit_application

FUZZ = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                    HealthCheck.data_too_large]}


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("fuzz"), with_finance=False)
    unit_application(w)
    w.package = export.export_package(w.unit.store, w.unit.actor, PASS, "MYXZF", None).data
    w.signer = keyring.load_signer(w.unit.store, PASS)
    w.members = members(w.package)
    w.quick = quick_state(w.county.store)
    w.full = full_state(w.county.store)
    w.runs = 0
    return w


def _run(fx, data):
    try:
        fx.county.import_(data, dry_run=True)
    except ExchangeError as exc:
        assert exc.message and exc.reason_code
    fx.runs += 1
    assert quick_state(fx.county.store) == fx.quick
    if fx.runs % 100 == 0:
        assert full_state(fx.county.store) == fx.full


@settings(max_examples=600, **FUZZ)
@given(data=st.data())
def test_mutated_package_bytes(fx, data):
    _run(fx, mutate(fx.package, data.draw))


@settings(max_examples=450, **FUZZ)
@given(data=st.data(), target=st.sampled_from(["workbook", "sheet"]))
def test_mutated_workbook_signed_by_trusted_sender(fx, data, target):
    """The mutation is re-signed, so it gets past signature and hashes into the parser and validator."""
    def change(files):
        if target == "workbook":
            files[WORKBOOK_NAME] = mutate(files[WORKBOOK_NAME], data.draw)
        else:
            wb = members(files[WORKBOOK_NAME])
            name = data.draw(st.sampled_from(sorted(n for n in wb if n.startswith("xl/"))))
            wb[name] = mutate(wb[name], data.draw)
            from tests.exchange.helpers import rezip

            files[WORKBOOK_NAME] = rezip(wb)

    _run(fx, resign(fx.package, fx.signer, change))


def test_database_untouched_after_fuzzing(fx):
    assert full_state(fx.county.store) == fx.full
