"""The Aliyun SMS backend (core.sms.AliyunBackend) against a local stand-in that checks
requests as Alibaba Cloud documents them (tests/accounts/fake_aliyun.py): a buyer
registers with the code the gateway was asked to send; refusals, a wrong secret and an
unreachable gateway leave no code and tell the buyer to try again."""

import json
import socket

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.urls import reverse

from core.models import SmsCode
from core.sms import AliyunBackend, SmsError, SmsMessage, aliyun_signature

from .conftest import MOBILE, ask_code, signed_in
from .fake_aliyun import FakeAliyunSms, serve

pytestmark = pytest.mark.django_db

KEY_ID, SECRET = "LTAI-test-key", "test-secret-value"


@pytest.fixture
def aliyun(settings):
    fake = FakeAliyunSms(key_id=KEY_ID, secret=SECRET)
    with serve(fake):
        settings.SMS_BACKEND = "core.sms.AliyunBackend"
        settings.ALIYUN_SMS_ENDPOINT = fake.url + "/"
        settings.ALIYUN_SMS_ACCESS_KEY_ID = KEY_ID
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET = SECRET
        settings.ALIYUN_SMS_SIGN_NAME = "消费帮扶馆"
        settings.ALIYUN_SMS_TEMPLATES = {"verification_code": "SMS_154950909"}
        yield fake


def test_the_signature_of_alibaba_clouds_documented_example():
    # The worked example of Alibaba Cloud's SMS signature documentation (签名机制).
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun_signature(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_register_with_the_code_the_gateway_was_asked_to_send(client, role_groups, aliyun, outbox):
    answer = ask_code(client, "138 0013 8001", "register")
    assert answer.status_code == 200, answer.content
    [sent] = aliyun.received
    assert (sent["PhoneNumbers"], sent["SignName"], sent["TemplateCode"]) == (MOBILE, "消费帮扶馆", "SMS_154950909")
    code = json.loads(sent["TemplateParam"])["code"]
    assert len(code) == 6 and len(outbox) == 0  # through the gateway, not the console
    response = client.post(
        reverse("accounts:register"),
        {"mobile": MOBILE, "code": code, "password1": "pass-5678-word", "password2": "pass-5678-word"},
    )
    assert response.status_code == 302
    assert signed_in(client, get_user_model().objects.get(mobile=MOBILE))


def test_a_gateway_refusal_leaves_no_code(client, role_groups, aliyun):
    aliyun.refuse_with = ("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
    answer = ask_code(client, MOBILE, "register")
    assert answer.status_code == 400 and "短信发送失败" in answer.json()["error"]
    assert len(aliyun.received) == 1 and not SmsCode.objects.exists()


def test_a_wrong_secret_is_refused_by_the_gateway(aliyun, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(SmsError, match="SignatureDoesNotMatch"):
        AliyunBackend().send(SmsMessage(MOBILE, "您的验证码为 123456", "verification_code", {"code": "123456"}))
    assert aliyun.received == []


def test_an_unreachable_gateway_is_an_sms_error(settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_BACKEND = "core.sms.AliyunBackend"
    settings.ALIYUN_SMS_ENDPOINT = f"http://127.0.0.1:{port}/"
    settings.ALIYUN_SMS_ACCESS_KEY_ID, settings.ALIYUN_SMS_ACCESS_KEY_SECRET = KEY_ID, SECRET
    settings.ALIYUN_SMS_TEMPLATES = {"verification_code": "SMS_1"}
    with pytest.raises(SmsError, match="unreachable"):
        AliyunBackend().send(SmsMessage(MOBILE, "您的验证码为 123456", "verification_code", {"code": "123456"}))


def test_a_missing_template_or_key_is_named(settings):
    settings.SMS_BACKEND = "core.sms.AliyunBackend"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = KEY_ID
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = ""
    settings.ALIYUN_SMS_SIGN_NAME = "消费帮扶馆"
    settings.ALIYUN_SMS_TEMPLATES = {"verification_code": ""}
    errors = [e for e in checks.run_checks() if e.id == "accounts.E002"]
    assert len(errors) == 1
    assert "ALIYUN_SMS_ACCESS_KEY_SECRET" in errors[0].msg and "ALIYUN_SMS_TEMPLATE_CODE" in errors[0].msg
    with pytest.raises(SmsError, match="ALIYUN_SMS_ACCESS_KEY_SECRET"):
        AliyunBackend().send(SmsMessage(MOBILE, "x", "verification_code", {"code": "123456"}))
