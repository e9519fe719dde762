import pytest

from tests.factories import build_county


@pytest.fixture
def county(db):
    return build_county()
