"""Brute force: wrong SMS codes are failed sign-ins for django-axes, counted with wrong
passwords per account and per address; the lock refuses the right code too and lifts after
LOGIN_LOCKOUT_MINUTES. Each code also dies after SMS_CODE_MAX_FAILURES wrong tries."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from core.models import SmsCode

from .conftest import MOBILE, PASSWORD, ask_code, last_code, signed_in

pytestmark = pytest.mark.django_db

LOCKED_TEXT = "登录已暂时锁定"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def by_code(client, code, mobile=MOBILE, address="198.51.100.7"):
    return client.post(reverse("accounts:login_sms"), {"mobile": mobile, "code": code}, REMOTE_ADDR=address)


def test_the_fifth_wrong_code_locks_the_account_and_the_lock_lifts_after_the_window(client, member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask_code(client, MOBILE, "login")
        code = last_code()
        statuses = [by_code(client, wrong(code)).status_code for _ in range(5)]
        assert statuses == [200] * 4 + [429]
        refused = by_code(client, code)  # the right code, unchecked
        assert refused.status_code == 429 and LOCKED_TEXT in refused.content.decode()
        assert refused["Retry-After"] == "900"
        assert not signed_in(client, member)
        # From another address too: the account is locked. Counted under its username, once each.
        assert by_code(client, code, address="192.0.2.50").status_code == 429
        assert AccessAttempt.objects.get(username=member.username).failures_since_start == 5
        # The code itself had its five wrong tries: it is dead.
        assert SmsCode.objects.get().failures == 5
    with time_machine.travel(start + dt.timedelta(minutes=14, seconds=59), tick=False):
        assert ask_code(client, MOBILE, "login").status_code == 200
        assert by_code(client, last_code()).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        assert by_code(client, last_code()).status_code == 302
        assert signed_in(client, member)


def test_wrong_passwords_and_wrong_codes_share_one_count(client, member):
    for n in range(3):
        response = client.post(reverse("orders:login"), {"username": f"138 0013 800{1}", "password": f"wrong-{n}"})
        assert response.status_code == 200
    ask_code(client, MOBILE, "login")
    code = last_code()
    assert by_code(client, wrong(code)).status_code == 200
    assert by_code(client, wrong(code)).status_code == 429  # the fifth failure
    assert client.post(reverse("orders:login"), {"username": MOBILE, "password": PASSWORD}).status_code == 429
    assert client.post(reverse("orders:login"), {"username": member.username, "password": PASSWORD}).status_code == 429
    assert not signed_in(client, member)


def test_the_sixth_wrong_password_typed_as_a_number_is_refused(client, member):
    statuses = [
        client.post(reverse("orders:login"), {"username": "+8613800138001", "password": f"wrong-{n}"}).status_code
        for n in range(6)
    ]
    assert statuses == [200] * 4 + [429, 429]
    assert client.post(reverse("accounts:login"), {"username": MOBILE, "password": PASSWORD}).status_code == 429
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [MOBILE]


def test_a_code_dies_after_five_wrong_tries_whatever_the_sign_in_limit(client, member, settings):
    settings.AXES_FAILURE_LIMIT = 100
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 100
    ask_code(client, MOBILE, "login")
    code = last_code()
    for _ in range(5):
        assert "验证码不正确或已失效" in by_code(client, wrong(code)).content.decode()
    dead = by_code(client, code)
    assert dead.status_code == 200 and "验证码不正确或已失效" in dead.content.decode()
    assert not signed_in(client, member)


def test_wrong_codes_from_one_address_lock_that_address(client, role_groups):
    # Registering: no account yet, so each number is counted under its 11 digits, and the
    # address under its own (higher) limit: 20 wrong codes over five numbers.
    numbers = [f"1390013900{n}" for n in range(6)]
    statuses = []
    for number in numbers[:5]:
        for n in range(4):
            statuses.append(
                client.post(
                    reverse("accounts:register"),
                    {"mobile": number, "code": f"00000{n}", "password1": "x-pass-1234", "password2": "x-pass-1234"},
                ).status_code
            )
    assert statuses == [200] * 19 + [429]
    assert ask_code(client, numbers[5], "register").status_code == 200
    locked = client.post(
        reverse("accounts:register"),
        {"mobile": numbers[5], "code": last_code(numbers[5]), "password1": "x-pass-1234", "password2": "x-pass-1234"},
    )
    assert locked.status_code == 429
    assert not SmsCode.objects.filter(used_at__isnull=False).exists()
