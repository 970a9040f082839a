import os
import tempfile

import pytest

from tests.core.builders import TEST_PASSWORD, make_county

# Also for session-scoped fixtures, which are built before any function-scoped one: every hash in the
# suite uses the same (cheap) parameters, so no sign-in in a subprocess finds a hash to renew.
os.environ.setdefault("GOVIS_TEST_FAST_HASH", "1")
# caches the program keeps between starts (jieba's parsed dictionary) go to a folder of the run's own
os.environ.setdefault("GOVIS_CACHE_DIR", tempfile.mkdtemp(prefix="govis-test-cache-"))


@pytest.fixture(autouse=True)
def _test_accounts(monkeypatch):
    """Every test: cheap argon2 parameters (services/passwords.py), and the test installations'
    administrator password where the CLI looks for it, so commands sign in without a prompt."""
    monkeypatch.setenv("GOVIS_TEST_FAST_HASH", "1")
    monkeypatch.setenv("GOVIS_PASSWORD", TEST_PASSWORD)
    monkeypatch.setenv("GOVIS_NEW_PASSWORD", TEST_PASSWORD)
    monkeypatch.delenv("GOVIS_USER", raising=False)


@pytest.fixture
def county(tmp_path):
    c = make_county(tmp_path / "county.db")
    yield c
    c.store.close()
