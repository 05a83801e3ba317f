"""The buyers' account forms: sign in by password (a mobile number or a username) or by
SMS code, register, reset the password. Messages are for the buyer, Chinese first."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import parsing
from .accounts import sign_in_username
from .verification import CODE_LENGTH, Purpose

CODE_FORMAT = format_lazy(_("请输入短信中的 {length} 位数字验证码。"), length=CODE_LENGTH)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


class CodeField(forms.CharField):
    """The code from the SMS: ``CODE_LENGTH`` ASCII digits (full-width digits read as digits)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("验证码"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "placeholder": format_lazy(_("{length} 位数字"), length=CODE_LENGTH),
            }
        )

    def clean(self, value):
        value = super().clean(value)
        code = "".join(str(value or "").split()).translate(_FULL_WIDTH)
        if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(CODE_FORMAT)
        return code


class SignInForm(AuthenticationForm):
    """Django's sign-in form, taking a mobile number (however written) or a username."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("手机号（或用户名）或密码不正确。"),
        "inactive": _("该账户已停用。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("手机号或用户名")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "placeholder": _("11 位手机号")})
        self.fields["password"].label = _("密码")

    def clean_username(self):
        return sign_in_username(self.cleaned_data["username"].strip())


class SendCodeForm(forms.Form):
    """What 获取验证码 sends: the number and what the code is for."""

    mobile = parsing.MobileField()
    purpose = forms.ChoiceField(choices=Purpose.choices)


class SmsSignInForm(forms.Form):
    mobile = parsing.MobileField()
    code = CodeField()


class _NewPasswordForm(forms.Form):
    mobile = parsing.MobileField()
    code = CodeField()
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不要用常见密码。"),
    )
    password2 = forms.CharField(
        label=_("再输一次密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif first:
            mobile = cleaned.get("mobile") or ""
            user = get_user_model()(username=mobile, mobile=mobile, name=cleaned.get("name") or "")
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class RegisterForm(_NewPasswordForm):
    name = forms.CharField(
        label=_("姓名（选填）"), max_length=50, required=False, help_text=_("按中文习惯，姓在前，如 陈静。")
    )
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False, help_text=_("用于接收订单通知。"))

    field_order = ["mobile", "code", "password1", "password2", "name", "email"]


class PasswordResetForm(_NewPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("新密码")
        self.fields["password2"].label = _("再输一次新密码")
