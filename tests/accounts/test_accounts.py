"""Register, sign in (password or SMS code), reset the password and sign out, through the
pages a buyer uses; codes read from the console SMS backend, as from the demo terminal."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from core.models import SmsCode
from core.roles import Role, roles_of

from .conftest import MOBILE, PASSWORD, ask_code, last_code, signed_in

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "new-pass-5678-word"


def register(client, mobile, code, **extra):
    data = {"mobile": mobile, "code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "action": "submit"}
    return client.post(reverse("accounts:register"), {**data, **extra})


def test_register_by_sms_code_then_sign_in_by_password_with_the_number_however_written(client, role_groups, outbox):
    answer = ask_code(client, "+86 138-0013-8001", "register")
    assert answer.status_code == 200
    assert answer.json() == {"message": "验证码已发送至 138****8001，5 分钟内有效。", "wait": 60}
    assert len(outbox) == 1 and outbox[0].mobile == MOBILE and outbox[0].template == "verification_code"
    code = last_code()
    assert len(code) == 6 and code.isdigit()
    assert "用于注册账户" in outbox[0].text

    response = register(client, "138 0013 8001", code, name="欧阳娜娜", email="nana@example.cn", next="/orders/")
    assert response.status_code == 302 and response["Location"] == "/orders/"
    user = User.objects.get(mobile=MOBILE)
    assert (user.username, user.phone, user.name, user.email) == (MOBILE, MOBILE, "欧阳娜娜", "nana@example.cn")
    assert roles_of(user) == {Role.BUYER}
    assert signed_in(client, user)

    client.post(reverse("accounts:logout"))
    assert not signed_in(client, user)
    response = client.post(reverse("orders:login"), {"username": "+86 13800138001", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("orders:list")
    assert signed_in(client, user)


def test_register_needs_no_email_and_refuses_a_number_already_registered(client, member, outbox):
    refused = ask_code(client, MOBILE, "register")
    assert refused.status_code == 400
    assert refused.json()["error"] == "该手机号已注册，请直接登录。"
    assert len(outbox) == 0  # nothing sent

    ask_code(client, "13900139000", "register")
    response = register(client, "13900139000", last_code("13900139000"))
    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.get(mobile="13900139000").email == ""


def test_register_without_script_the_send_button_submits_the_page(client, role_groups, capsys):
    page = client.get(reverse("accounts:register")).content.decode()
    assert "data-sms-send" in page and 'name="action" value="send"' in page and "<script>" not in page
    assert 'src="/static/accounts/sms-code.js"' in page

    response = client.post(reverse("accounts:register"), {"mobile": "138 0013 8001", "action": "send"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "验证码已发送至 138****8001" in page and 'value="13800138001"' in page and 'data-wait="60"' in page
    printed = capsys.readouterr().out
    code = last_code()
    assert f"→ 13800138001：您的验证码为 {code}" in printed  # what the demo terminal shows

    assert register(client, MOBILE, code).status_code == 302
    assert User.objects.filter(mobile=MOBILE).exists()


def test_a_weak_or_mismatched_password_keeps_the_code_for_another_try(client, role_groups):
    ask_code(client, MOBILE, "register")
    code = last_code()
    weak = register(client, MOBILE, code, password1="123", password2="123")
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    differ = register(client, MOBILE, code, password2="other-pass-9999")
    assert "两次输入的密码不一致" in differ.content.decode()
    assert not User.objects.filter(mobile=MOBILE).exists()
    assert register(client, MOBILE, code).status_code == 302  # the code was not used up


def test_sign_in_by_code_once(client, member):
    assert ask_code(client, MOBILE, "login").status_code == 200
    code = last_code()
    response = client.post(reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code, "next": "/cart/"})
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert signed_in(client, member)

    client.post(reverse("accounts:logout"))
    again = client.post(reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code})
    assert again.status_code == 200 and "验证码不正确或已失效" in again.content.decode()
    assert not signed_in(client, member)


def test_a_code_is_good_for_five_minutes_and_for_its_purpose_only(client, member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask_code(client, MOBILE, "reset")
        reset_code = last_code()
        # A reset code does not sign in.
        wrong_purpose = client.post(reverse("accounts:login_sms"), {"mobile": MOBILE, "code": reset_code})
        assert "验证码不正确或已失效" in wrong_purpose.content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        ask_code(client, MOBILE, "login")
        code = last_code()
    with time_machine.travel(start + dt.timedelta(minutes=7, seconds=1), tick=False):
        late = client.post(reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code})
        assert late.status_code == 200 and "验证码不正确或已失效" in late.content.decode()
        assert not signed_in(client, member)
    with time_machine.travel(start + dt.timedelta(minutes=6, seconds=59), tick=False):
        assert client.post(reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code}).status_code == 302
        assert signed_in(client, member)


def test_codes_are_kept_hashed(client, member):
    ask_code(client, MOBILE, "login")
    code = last_code()
    row = SmsCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert code not in str(list(SmsCode.objects.values_list()))


def test_reset_password_by_code(client, member):
    page = client.get(reverse("accounts:password_reset")).content.decode()
    assert "重设密码" in page
    assert ask_code(client, MOBILE, "reset").status_code == 200
    response = client.post(
        reverse("accounts:password_reset"),
        {"mobile": MOBILE, "code": last_code(), "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and signed_in(client, member)
    client.post(reverse("accounts:logout"))
    old = client.post(reverse("orders:login"), {"username": MOBILE, "password": PASSWORD})
    assert old.status_code == 200 and "密码不正确" in old.content.decode()
    assert client.post(reverse("orders:login"), {"username": MOBILE, "password": NEW_PASSWORD}).status_code == 302
    assert signed_in(client, member)


def test_codes_go_only_to_numbers_they_fit(client, member, outbox):
    nobody = ask_code(client, "13900139000", "login")
    assert nobody.status_code == 400 and "该手机号尚未注册" in nobody.json()["error"]
    assert ask_code(client, "13900139000", "reset").status_code == 400
    assert len(outbox) == 0


def test_sign_out_is_a_post_and_the_header_says_who_may_sign_in(client, member):
    page = client.get("/accounts/login/").content.decode()
    assert "登录/注册" in page and "退出" not in page
    client.force_login(member)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in(client, member)
    page = client.get(reverse("orders:cart")).content.decode()
    assert 'action="/accounts/logout/"' in page and "登录/注册" not in page
    response = client.post(reverse("accounts:logout"), {"next": "/cart/"})
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert not signed_in(client, member)


def test_signed_in_people_are_sent_on_from_the_sign_in_pages(client, member):
    client.force_login(member)
    assert client.get(reverse("accounts:login_sms"))["Location"] == "/"
    assert client.get(reverse("accounts:register") + "?next=/orders/")["Location"] == "/orders/"
    assert client.get(reverse("accounts:login"))["Location"] == "/"
    assert client.get(reverse("accounts:register") + "?next=//evil.example/")["Location"] == "/"


@pytest.mark.parametrize("url", ["/accounts/login/", "/orders/login/", "/accounts/login/sms/", "/accounts/register/"])
def test_a_next_pointing_at_the_page_itself_goes_home(client, member, url):
    client.force_login(member)
    response = client.get(f"{url}?next={url}")
    assert response.status_code == 302 and response["Location"] in ("/", "/orders/")


def test_account_pages_and_messages_in_english_from_the_catalog(client, role_groups, outbox):
    """English chosen: the register page, the code's answer and a refusal come from
    core/locale, one language per label."""
    client.cookies["django_language"] = "en"

    html = client.get(reverse("accounts:register")).content.decode()
    for english in ("Create an account", "Get a code", "Mobile number", "Password again", "Forgot your password?"):
        assert english in html, english
    for chinese in ("注册新账户", "获取验证码", "再输一次密码", "忘记密码"):
        assert chinese not in html, chinese

    answer = ask_code(client, MOBILE, "register")
    assert answer.json() == {"message": "Code sent to 138****8001; it is valid for 5 minutes.", "wait": 60}
    refused = ask_code(client, "12345", "register")
    assert refused.status_code == 400
    assert refused.json()["error"] == "Enter a mainland mobile number of 11 digits, e.g. 13812345678."
