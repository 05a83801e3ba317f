"""Accounts by mobile number: the console SMS backend's outbox, emptied for each test, and
helpers that ask for a code and read it back as the person would from their phone."""

import pytest
from django.urls import reverse

from core import sms
from core.roles import Role
from tests.factories import UserFactory

PASSWORD = "pass-1234-word"  # tests.factories.UserFactory's
MOBILE = "13800138001"


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def member(role_groups):
    """A buyer who registered with MOBILE (username = the number, as registration makes it)."""
    return UserFactory(username=MOBILE, mobile=MOBILE, phone=MOBILE, name="陈静", roles=[Role.BUYER])


def ask_code(client, mobile, purpose, address="198.51.100.7"):
    return client.post(reverse("accounts:send_code"), {"mobile": mobile, "purpose": purpose}, REMOTE_ADDR=address)


def last_code(mobile=MOBILE) -> str:
    message = [m for m in sms.outbox if m.mobile == mobile][-1]
    assert message.params["code"] in message.text
    return message.params["code"]


def signed_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)
