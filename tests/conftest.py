import pytest

from tests.factories import build_county
from tests.stats_data import november  # noqa: F401 (a fixture, shared by the stats tests)


@pytest.fixture
def county(db):
    return build_county()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Tests create many users; PBKDF2's deliberate slowness only slows the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
