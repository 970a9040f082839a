import pytest

from tests.core.builders import make_county


@pytest.fixture
def county(tmp_path):
    c = make_county(tmp_path / "county.db")
    yield c
    c.store.close()
