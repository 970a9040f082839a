import pytest

from desktop_app.documents import FontRegistry, set_default_registry

from .samples import form_sample, gongwen_sample


@pytest.fixture(scope="session", autouse=True)
def bundled_fonts():
    """Bundled fonts only, so results do not depend on the fonts of the test machine."""
    registry = FontRegistry.bundled()
    set_default_registry(registry)
    yield registry
    set_default_registry(None)


@pytest.fixture(scope="session")
def registry(bundled_fonts):
    return bundled_fonts


@pytest.fixture(scope="session")
def gongwen_pdf(registry) -> bytes:
    return gongwen_sample(registry).build()


@pytest.fixture(scope="session")
def form_pdf(registry) -> bytes:
    return form_sample(registry).build()
