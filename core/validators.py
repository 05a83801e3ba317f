"""Validators for Chinese identifiers: credit codes, bank account numbers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 unified social credit code (统一社会信用代码): 18 characters from this
# alphabet (no I, O, Z, S, V); the last is a check character over the first 17.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18 or any(c not in _CREDIT_ALPHABET for c in code):
        raise ValidationError(
            _("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"), code="credit_code_format"
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确。"), code="credit_code_checksum")


# A bank account number (银行账号) as people type it: digits, grouped by spaces or not
# ("6228 4800 1234 5678 017"). Personal cards have 16–19 digits, corporate accounts
# (对公账户) of the big banks 12–25; 8–30 digits takes every bank's and nothing else.
ACCOUNT_NUMBER_MIN_DIGITS = 8
ACCOUNT_NUMBER_MAX_DIGITS = 30


def validate_account_number(value: str) -> None:
    text = value or ""
    digits = text.replace(" ", "")
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError(_("银行账号只能由数字组成（可用空格分组）。"), code="account_number_format")
    if not ACCOUNT_NUMBER_MIN_DIGITS <= len(digits) <= ACCOUNT_NUMBER_MAX_DIGITS:
        raise ValidationError(
            _("银行账号应为 %(min)d 至 %(max)d 位数字。"),
            code="account_number_length",
            params={"min": ACCOUNT_NUMBER_MIN_DIGITS, "max": ACCOUNT_NUMBER_MAX_DIGITS},
        )
