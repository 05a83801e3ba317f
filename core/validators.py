"""Validators for Chinese identifiers."""

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
