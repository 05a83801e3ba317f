"""Sending codes: one a minute and five an hour per number, twenty an hour per client
address; bad numbers, bad codes and bad purposes answer with a message, never a 500; a
gateway that fails leaves no code and takes nothing from the limits."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from core.models import SmsCode
from core.sms import SmsError

from .conftest import MOBILE, ask_code, last_code

pytestmark = pytest.mark.django_db


def test_one_code_a_minute_and_five_an_hour_per_number(client, role_groups, outbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert ask_code(client, MOBILE, "register").status_code == 200
        again = ask_code(client, MOBILE, "register")
        assert again.status_code == 429
        message = "验证码已发送，请 60 秒后再获取。"
        assert again.json() == {"error": message, "wait": 60}
    with time_machine.travel(start + dt.timedelta(seconds=45), tick=False):
        assert ask_code(client, MOBILE, "register").json()["wait"] == 15
    for n in range(1, 5):
        with time_machine.travel(start + dt.timedelta(seconds=61 * n), tick=False):
            assert ask_code(client, MOBILE, "register").status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=61 * 5), tick=False):
        sixth = ask_code(client, MOBILE, "register")
        assert sixth.status_code == 429 and "该手机号获取验证码过于频繁，请 55 分钟后再试" in sixth.json()["error"]
        assert sixth.json()["wait"] == 3600 - 305
    with time_machine.travel(start + dt.timedelta(hours=1, seconds=1), tick=False):
        assert ask_code(client, MOBILE, "register").status_code == 200
    assert len(outbox) == 6
    assert SmsCode.objects.count() == 1  # each new code replaced the one before


def test_twenty_codes_an_hour_per_address(client, role_groups, outbox):
    numbers = [f"139{n:08d}" for n in range(21)]
    for number in numbers[:20]:
        assert ask_code(client, number, "register").status_code == 200
    refused = ask_code(client, numbers[20], "register")
    assert refused.status_code == 429 and "您所在的网络获取验证码过于频繁" in refused.json()["error"]
    assert ask_code(client, numbers[20], "register", address="192.0.2.50").status_code == 200
    assert len(outbox) == 21


def test_without_script_a_refused_send_says_why_on_the_page(client, role_groups):
    client.post(reverse("accounts:register"), {"mobile": MOBILE, "action": "send"})
    page = client.post(reverse("accounts:register"), {"mobile": MOBILE, "action": "send"}).content.decode()
    assert "验证码已发送，请 60 秒后再获取" in page and "sms-status error" in page


class FailingBackend:
    def send(self, message):
        raise SmsError("gateway down")


def test_a_failing_gateway_leaves_no_code_and_takes_nothing_from_the_limits(client, role_groups, settings, outbox):
    settings.SMS_BACKEND = "tests.accounts.test_send_limits.FailingBackend"
    failed = ask_code(client, MOBILE, "register")
    assert failed.status_code == 400
    assert failed.json()["error"] == "短信发送失败，请稍后再试。"
    assert not SmsCode.objects.exists()
    settings.SMS_BACKEND = "core.sms.ConsoleBackend"
    assert ask_code(client, MOBILE, "register").status_code == 200  # not "wait 60 s"
    assert len(outbox) == 1


@pytest.mark.parametrize(
    "mobile",
    [
        "",
        "12345",
        "23800138001",
        "1380013800",
        "138001380011",
        "12800138001",
        "abcdefghijk",
        "138 0013 800x",
        "１" * 12,
    ],
)
def test_bad_numbers_get_a_message_never_a_500(client, role_groups, outbox, mobile):
    answer = ask_code(client, mobile, "register")
    assert answer.status_code == 400 and answer.json()["error"]
    page = client.post(reverse("accounts:register"), {"mobile": mobile, "action": "send"})
    assert page.status_code == 200
    assert mobile == "" or "请输入 11 位中国大陆手机号" in page.content.decode()
    form = client.post(reverse("accounts:login_sms"), {"mobile": mobile, "code": "123456"})
    assert form.status_code == 200 and "form-errors" not in form.content.decode()
    assert 'class="error"' in form.content.decode()
    assert len(outbox) == 0


def test_full_width_digits_are_read_as_digits(client, role_groups, outbox):
    assert ask_code(client, "１３８００１３８００１", "register").status_code == 200
    assert outbox[-1].mobile == MOBILE


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5", "١٢٣٤٥٦", "1e5000", "+12345"])
def test_bad_codes_are_form_errors_and_not_counted(client, member, code):
    ask_code(client, MOBILE, "login")
    response = client.post(reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code})
    assert response.status_code == 200
    assert "请输入短信中的 6 位数字验证码" in response.content.decode() or code == ""
    assert SmsCode.objects.get().failures == 0
    assert client.post(reverse("accounts:login_sms"), {"mobile": MOBILE, "code": last_code()}).status_code == 302


def test_bad_purposes_and_gets_are_refused(client, member):
    assert ask_code(client, MOBILE, "admin").status_code == 400
    assert client.get(reverse("accounts:send_code")).status_code == 405
    assert not get_user_model().objects.exclude(pk=member.pk).exists()
