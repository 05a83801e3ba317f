"""The buyer's request form, the reason of an invoice sent back, and the shop's issuing form.
The forms read what was sent; the rules (which kinds, which details) are the service's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NOTE_MAX
from .states import Kind, Medium, TitleType


class RequestForm(forms.Form):
    # Every kind and title type is read; which the buyer may choose is the service's rule
    # (``services.clean_details``), so a refusal says why. The page offers only those allowed.
    kind = forms.ChoiceField(
        label=_("发票类型"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择发票类型。"), "invalid_choice": _("请选择发票类型。")},
    )
    title_type = forms.ChoiceField(
        label=_("抬头类型"),
        choices=TitleType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择抬头类型。"), "invalid_choice": _("请选择抬头类型。")},
    )
    title = forms.CharField(label=_("发票抬头"), max_length=100, error_messages={"required": _("请填写发票抬头。")})
    tax_id = forms.CharField(
        label=_("纳税人识别号"),
        max_length=30,
        required=False,
        help_text=_("单位抬头必填：18 位统一社会信用代码。"),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    bank = forms.CharField(label=_("开户行"), max_length=100, required=False)
    account = forms.CharField(
        label=_("账号"), max_length=40, required=False, help_text=_("增值税专用发票须填写地址、电话、开户行和账号。")
    )
    email = forms.CharField(
        label=_("接收邮箱"),
        max_length=254,
        error_messages={"required": _("请填写接收发票的邮箱。")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("退回理由"),
        max_length=NOTE_MAX,
        error_messages={"required": _("请填写退回理由。")},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )


class IssueForm(forms.Form):
    medium = forms.ChoiceField(
        label=_("开具方式"),
        choices=Medium.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择开具方式。"), "invalid_choice": _("请选择开具方式。")},
    )
    number = forms.CharField(
        label=_("发票号码"),
        max_length=30,
        error_messages={"required": _("请填写发票号码。")},
        help_text=_("8 位数字（旧版发票）或 20 位数字（全电发票）。"),
    )
    file = forms.FileField(
        label=_("发票文件"),
        required=False,
        help_text=_("电子发票必传：PDF 或 OFD 文件。纸质发票不传文件。"),
    )
