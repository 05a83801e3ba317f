"""Sign-in throttling (django-axes, core/login_throttle.py) on Wagtail's /admin/login/ and
the buyers' /orders/login/: failures counted per account and per address over a window,
a clear 429 page while locked that refuses the right password too, and the lock lifting
when the window has passed. Defaults: 5 per account, 20 per address, 15 minutes."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"  # tests.factories.UserFactory's
ADMIN_LOGIN = "/admin/login/"
LOCKED_TEXT = "登录已暂时锁定"


@pytest.fixture
def staff(role_groups):
    return UserFactory(username="op-login", roles=[Role.SHOP_OPERATOR])


@pytest.fixture
def buyer(role_groups):
    return UserFactory(username="buyer-login", roles=[Role.BUYER])


def sign_in(client, url, username, password, address="198.51.100.7", **headers):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def signed_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


@pytest.mark.parametrize("login", ["admin", "buyer"])
def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, staff, buyer, login):
    user, url = (staff, ADMIN_LOGIN) if login == "admin" else (buyer, reverse("orders:login"))
    statuses = [sign_in(client, url, user.username, f"wrong-{n}").status_code for n in range(30)]
    # Four wrong answers get the form back; the fifth sets the lock and every later one is refused.
    assert statuses == [200] * 4 + [429] * 26

    response = sign_in(client, url, user.username, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client, user)
    page = response.content.decode()
    assert LOCKED_TEXT in page and "15 分钟后再试" in page and "即使密码正确也无法登录" in page
    assert response["Retry-After"] == "900"
    # From another address too: the account itself is locked.
    assert sign_in(client, url, user.username, PASSWORD, address="192.0.2.50").status_code == 429
    assert not signed_in(client, user)
    # Attempts refused while locked are not counted: five failures in all.
    assert sum(AccessAttempt.objects.filter(username=user.username).values_list("failures_since_start", flat=True)) == 5


def test_without_failures_the_right_password_signs_in_on_both_pages(client, staff, buyer):
    assert sign_in(client, ADMIN_LOGIN, staff.username, PASSWORD).status_code == 302 and signed_in(client, staff)
    client.logout()
    assert sign_in(client, reverse("orders:login"), buyer.username, PASSWORD).status_code == 302
    assert signed_in(client, buyer)


def test_an_account_lock_does_not_lock_other_accounts_from_the_same_address(client, staff, role_groups):
    neighbour = UserFactory(username="op-neighbour", roles=[Role.SHOP_OPERATOR])
    for n in range(5):
        sign_in(client, ADMIN_LOGIN, staff.username, f"wrong-{n}")
    assert sign_in(client, ADMIN_LOGIN, staff.username, PASSWORD).status_code == 429

    # Same address (a village's shared connection), another account: 5 failures are far below
    # the address limit of 20, so the neighbour signs in.
    response = sign_in(client, ADMIN_LOGIN, neighbour.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client, neighbour)


def test_twenty_failures_from_one_address_lock_that_address_for_every_account(client, role_groups):
    users = [UserFactory(username=f"op-{n}", roles=[Role.SHOP_OPERATOR]) for n in range(6)]
    # One password tried against many accounts: 4 each on five accounts (none reaches the
    # account limit), 19 from the address so far...
    for user in users[:5]:
        for n in range(4):
            if user is users[4] and n == 3:
                break
            assert sign_in(client, ADMIN_LOGIN, user.username, f"spray-{n}").status_code == 200
    # ...the 20th locks the address.
    assert sign_in(client, ADMIN_LOGIN, users[4].username, "spray-3").status_code == 429
    assert sign_in(client, ADMIN_LOGIN, users[5].username, PASSWORD).status_code == 429
    assert not signed_in(client, users[5])
    # The same account from another address is not locked: its own count is zero.
    assert sign_in(client, ADMIN_LOGIN, users[5].username, PASSWORD, address="192.0.2.50").status_code == 302


def test_the_lock_lifts_when_the_window_has_passed_since_the_last_counted_failure(client, staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(5):
            sign_in(client, ADMIN_LOGIN, staff.username, f"wrong-{n}")
    with time_machine.travel(start + dt.timedelta(minutes=14, seconds=59), tick=False):
        # Still locked; this refused attempt neither counts nor extends the lock.
        assert sign_in(client, ADMIN_LOGIN, staff.username, "wrong-again").status_code == 429
        assert sign_in(client, ADMIN_LOGIN, staff.username, PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        response = sign_in(client, ADMIN_LOGIN, staff.username, PASSWORD)
        assert response.status_code == 302 and signed_in(client, staff)


def test_forwarded_addresses_are_read_only_when_proxies_are_configured(client, role_groups, settings):
    users = [UserFactory(username=f"op-{n}", roles=[Role.SHOP_OPERATOR]) for n in range(6)]

    def spray(address, forwarded_for):
        for n in range(20):
            header = forwarded_for(n) if callable(forwarded_for) else forwarded_for
            sign_in(client, ADMIN_LOGIN, users[n % 5].username, f"spray-{n}", address, HTTP_X_FORWARDED_FOR=header)

    # No proxy configured: X-Forwarded-For is the client's own writing and is ignored, so a
    # new value on every request does not escape the address lock.
    settings.TRUSTED_PROXY_COUNT = 0
    spray("203.0.113.9", lambda n: f"10.9.0.{n}")
    assert sign_in(client, ADMIN_LOGIN, users[5].username, PASSWORD, "203.0.113.9").status_code == 429
    AccessAttempt.objects.all().delete()

    # One proxy (10.0.0.2) in front: the client is the last X-Forwarded-For entry; what the
    # client wrote to its left is ignored.
    settings.TRUSTED_PROXY_COUNT = 1
    spray("10.0.0.2", "1.2.3.4, 203.0.113.5")
    behind_proxy = {"address": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert sign_in(client, ADMIN_LOGIN, users[5].username, PASSWORD, **behind_proxy).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    # Another client behind the same proxy is not locked.
    other = {"address": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.6"}
    assert sign_in(client, ADMIN_LOGIN, users[5].username, PASSWORD, **other).status_code == 302
