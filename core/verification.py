"""One-time SMS codes (验证码): sending them within limits, and checking them.

* **A code** is ``CODE_LENGTH`` random digits, stored only as a hash keyed with
  SECRET_KEY, the number and the purpose (``SmsCode.code_hash``): a copy of the table does
  not give the codes, and a code sent to register does not sign in. It is good for
  ``SMS_CODE_VALID_MINUTES``, for one use, and dies after ``SMS_CODE_MAX_FAILURES`` wrong
  tries — each try taken from the code by a conditional UPDATE before it is compared, so
  no more are compared however many arrive at once. A new code replaces the number's
  earlier ones for that purpose. (Sign-in throttling counts the same wrong codes per
  account and per address with django-axes: ``core/accounts.py``.)
* **Sending** is limited three ways, each a counter row taken by a conditional UPDATE
  (``SmsSendCounter``, as the household lookup's): one code per number per
  ``SMS_SEND_INTERVAL_SECONDS``, ``SMS_SENDS_PER_NUMBER_HOURLY`` per number per hour and
  ``SMS_SENDS_PER_ADDRESS_HOURLY`` per client address per hour (``core.client_address``).
  The counters, the new code and the hand-over to the gateway are one transaction: a
  gateway that refuses leaves no code and takes nothing from the limits."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, pgettext_lazy

from .client_address import client_address
from .errors import DomainError
from .models import SmsCode, SmsSendCounter
from .sms import SmsError, SmsMessage, send_sms

CODE_LENGTH = 6
Purpose = SmsCode.Purpose

PURPOSE_WORDS = {
    Purpose.REGISTER: pgettext_lazy("sms purpose", "注册账户"),
    Purpose.LOGIN: pgettext_lazy("sms purpose", "登录"),
    Purpose.RESET: pgettext_lazy("sms purpose", "重设密码"),
}


class SendRefused(DomainError):
    """No code was sent; ``str(exc)`` says why, ``wait`` how many seconds until one may be."""

    def __init__(self, message: str, *, wait: int = 0):
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True)
class Limit:
    scope: str
    max_sends: int
    seconds: int
    refusal: str


def _limits() -> list[Limit]:
    return [
        Limit(
            "number-interval",
            1,
            settings.SMS_SEND_INTERVAL_SECONDS,
            gettext("验证码已发送，请 %(wait)s 秒后再获取。"),
        ),
        Limit(
            "number-hour",
            settings.SMS_SENDS_PER_NUMBER_HOURLY,
            3600,
            gettext("该手机号获取验证码过于频繁，请 %(minutes)s 分钟后再试。"),
        ),
        Limit(
            "address-hour",
            settings.SMS_SENDS_PER_ADDRESS_HOURLY,
            3600,
            gettext("您所在的网络获取验证码过于频繁，请 %(minutes)s 分钟后再试。"),
        ),
    ]


def _digest(*parts: str) -> str:
    return salted_hmac("core.verification", "|".join(parts), algorithm="sha256").hexdigest()


def code_digest(mobile: str, purpose: str, code: str) -> str:
    return _digest("code", purpose, mobile, code)


def _take(limit: Limit, value: str, now: dt.datetime) -> int:
    """Take one send from ``limit``'s counter for ``value``: 0 when taken, else the
    seconds until its window has passed. Each statement is atomic on its own."""
    key = f"{limit.scope}:{_digest(limit.scope, value)}"
    SmsSendCounter.objects.bulk_create([SmsSendCounter(key=key, window_start=now, sends=0)], ignore_conflicts=True)
    counter = SmsSendCounter.objects.filter(key=key)
    window = dt.timedelta(seconds=limit.seconds)
    if counter.filter(window_start__lte=now - window).update(window_start=now, sends=1):
        return 0
    if counter.filter(sends__lt=limit.max_sends).update(sends=F("sends") + 1):
        return 0
    started = counter.values_list("window_start", flat=True).first() or now
    return max(1, int((started + window - now).total_seconds() + 0.999))


def send_code(request, mobile: str, purpose: str) -> int:
    """Send a new code for ``purpose`` to ``mobile`` (11 digits); the seconds before the
    next may be asked for. ``SendRefused`` when a limit is reached or the gateway fails."""
    now = timezone.now()
    address = client_address(request) or "unknown"
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    try:
        with transaction.atomic():
            for limit, value in zip(_limits(), (mobile, mobile, address), strict=True):
                wait = _take(limit, value, now)
                if wait:
                    minutes = (wait + 59) // 60
                    raise SendRefused(limit.refusal % {"wait": wait, "minutes": minutes}, wait=wait)
            SmsCode.objects.filter(mobile=mobile, purpose=purpose).delete()
            SmsCode.objects.create(
                mobile=mobile,
                purpose=purpose,
                code_hash=code_digest(mobile, purpose, code),
                created_at=now,
                expires_at=now + dt.timedelta(minutes=settings.SMS_CODE_VALID_MINUTES),
            )
            send_sms(
                SmsMessage(
                    mobile=mobile,
                    text=gettext("您的验证码为 %(code)s，用于%(purpose)s，%(minutes)s 分钟内有效。请勿告诉他人。")
                    % {
                        "code": code,
                        "purpose": PURPOSE_WORDS[Purpose(purpose)],
                        "minutes": settings.SMS_CODE_VALID_MINUTES,
                    },
                    template="verification_code",
                    params={"code": code},
                )
            )
    except SmsError as exc:
        raise SendRefused(gettext("短信发送失败，请稍后再试。")) from exc
    return settings.SMS_SEND_INTERVAL_SECONDS


def check_code(mobile: str, purpose: str, code: str) -> bool:
    """True, once, for the number's current code for ``purpose`` (unexpired, unused, with
    tries left); every other answer is False and, where a code exists, uses up one try."""
    now = timezone.now()
    current = (
        SmsCode.objects.filter(mobile=mobile, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-pk")
        .first()
    )
    if current is None:
        return False
    row = SmsCode.objects.filter(pk=current.pk, used_at__isnull=True)
    if not row.filter(failures__lt=settings.SMS_CODE_MAX_FAILURES).update(failures=F("failures") + 1):
        return False
    if not constant_time_compare(current.code_hash, code_digest(mobile, purpose, code)):
        return False
    # The right code: give its try back and use it up (once, whoever else is checking it).
    return bool(row.update(used_at=now, failures=F("failures") - 1))


def purge_codes() -> int:
    """Delete codes past their time and send counters whose windows have passed."""
    now = timezone.now()
    codes, _ = SmsCode.objects.filter(expires_at__lte=now).delete()
    longest = max(limit.seconds for limit in _limits())
    counters, _ = SmsSendCounter.objects.filter(window_start__lte=now - dt.timedelta(seconds=longest)).delete()
    return codes + counters
