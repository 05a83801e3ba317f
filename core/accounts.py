"""Buyers' accounts by mobile number (手机号): register, sign in by password or by SMS
code, reset the password by code.

* **One account per number.** A number is stored as its 11 digits (``parsing.mobile``) in
  ``User.mobile``, unique; a buyer who registers gets it as username too, so the password
  sign-in page takes the number or a username alike (``sign_in_username``).
* **Every attempt is throttled by django-axes** (``core/login_throttle.py``), a wrong
  code exactly like a wrong password: it is reported with Django's ``user_login_failed``
  signal, which axes counts per account and per address, and a locked account or address
  has its codes refused unchecked (``code_allowed``). An account is counted under its
  username whichever way it is named, so codes and passwords share one count.
* **Signing in is Django's ``login()``**, whichever the way: its ``user_logged_in`` signal
  is what merges the anonymous cart and the orders placed in this browser into the
  account (``orders``), so registering and signing in by code merge as the password does."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model, login
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_login_failed
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from . import parsing
from .errors import DomainError
from .roles import Role
from .verification import Purpose, check_code

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
CODE_REFUSED = _("验证码不正确或已失效，请重新输入或重新获取。")
ALREADY_REGISTERED = _("该手机号已注册，请直接登录。")
NOT_REGISTERED = _("该手机号尚未注册，请先注册。")
DISABLED = _("该账户已停用。")


def account_for(mobile: str):
    """The active or inactive account signing in with ``mobile`` (11 digits), or None."""
    return get_user_model().objects.filter(mobile=mobile).first()


def sign_in_username(identifier: str) -> str:
    """The username an identifier typed on a sign-in page stands for: a mobile number
    (however written) of an account is that account's username; a number nobody has is
    its 11 digits; anything else is taken as a username."""
    try:
        mobile = parsing.mobile(identifier)
    except parsing.BadInput:
        return identifier
    account = account_for(mobile)
    return account.get_username() if account is not None else mobile


def _credentials(mobile: str) -> dict:
    return {"username": sign_in_username(mobile)}


def code_allowed(request, mobile: str) -> bool:
    """False while the account of ``mobile`` (or the client's address) is locked by axes:
    its codes are then refused unchecked, the right one too."""
    return AxesProxyHandler.is_allowed(request, _credentials(mobile))


def _verify(request, mobile: str, purpose: str, code: str) -> None:
    """Check ``code``; a wrong one is a failed sign-in for axes, and ``DomainError``."""
    if not check_code(mobile, purpose, code):
        user_login_failed.send(sender=__name__, credentials=_credentials(mobile), request=request)
        raise DomainError(CODE_REFUSED)


def register(request, *, mobile: str, code: str, password: str, name: str = "", email: str = ""):
    """A new buyer's account for ``mobile``, once its register code is right; signed in.
    The code is checked outside any transaction: a wrong one must stay counted."""
    User = get_user_model()
    if account_for(mobile) is not None or User.objects.filter(username=mobile).exists():
        raise DomainError(ALREADY_REGISTERED)
    _verify(request, mobile, Purpose.REGISTER, code)
    user = User(username=mobile, mobile=mobile, phone=mobile, name=name.strip(), email=email)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            group, _ = Group.objects.get_or_create(name=Role.BUYER.value)
            user.groups.add(group)
    except IntegrityError as exc:  # the same number registered at the same moment
        raise DomainError(ALREADY_REGISTERED) from exc
    login(request, user, backend=MODEL_BACKEND)
    return user


def sign_in_by_code(request, *, mobile: str, code: str):
    """Sign the account of ``mobile`` in with its login code."""
    _verify(request, mobile, Purpose.LOGIN, code)
    user = account_for(mobile)
    if user is None or not user.is_active:
        raise DomainError(NOT_REGISTERED if user is None else DISABLED)
    login(request, user, backend=MODEL_BACKEND)
    return user


def reset_password(request, *, mobile: str, code: str, password: str):
    """Set a new password for the account of ``mobile`` once its reset code is right, and
    sign it in (other sessions of the account end: the password changed)."""
    _verify(request, mobile, Purpose.RESET, code)
    user = account_for(mobile)
    if user is None or not user.is_active:
        raise DomainError(NOT_REGISTERED if user is None else DISABLED)
    user.set_password(password)
    user.save(update_fields=["password"])
    login(request, user, backend=MODEL_BACKEND)
    return user


def may_send(mobile: str, purpose: str) -> None:
    """``DomainError`` when a code for ``purpose`` would be of no use to ``mobile``."""
    account = account_for(mobile)
    if purpose == Purpose.REGISTER and account is not None:
        raise DomainError(ALREADY_REGISTERED)
    if purpose in (Purpose.LOGIN, Purpose.RESET) and account is None:
        raise DomainError(NOT_REGISTERED)
