import pytest

from jiefen import clock
from tests.factories import NOW, build_county
from tests.stats_data import november  # noqa: F401 (a fixture, shared by the stats tests)


@pytest.fixture
def county(db):
    return build_county()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Tests create many users; PBKDF2's deliberate slowness only slows the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def pinned_clock():
    """Every page, service and command sees the suite's NOW, whatever the date of the run."""
    with clock.pinned(NOW):
        yield NOW


@pytest.fixture(autouse=True)
def no_remembered_subscribers():
    """Each process remembers for a few seconds which webhook topics anyone subscribes to; a
    test's subscribers vanish with its rolled-back transaction, so no test inherits them."""
    from webhooks.services import forget_subscribers

    forget_subscribers()
    yield
    forget_subscribers()
