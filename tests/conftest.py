import pytest

from marketplace.accounts.roles import sync_role_groups


@pytest.fixture
def role_groups(db):
    return sync_role_groups()
