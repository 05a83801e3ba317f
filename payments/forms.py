"""Forms of the money screens: a bank-transfer receipt and a bank-transfer refund, both
recorded by hand in the admin, and a card / Alipay / WeChat Pay refund sent through Stripe.
The lines and quantities of a refund are read beside these (``admin_views``)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.parsing import BadInput, yuan_to_fen


class TransferReceiptForm(forms.Form):
    amount = forms.CharField(label=_("到账金额（元）"), max_length=20)
    reference = forms.CharField(label=_("银行回单号/流水号"), max_length=100)

    def clean_amount(self) -> int:
        try:
            fen = yuan_to_fen(self.cleaned_data["amount"])
        except BadInput as exc:
            raise ValidationError(_("不是有效的金额：请填以元为单位的金额，最多两位小数，如 120.50。")) from exc
        if fen <= 0:
            raise ValidationError(_("到账金额须大于 0。"))
        return fen


class HandRefundForm(forms.Form):
    reference = forms.CharField(label=_("退款流水号"), max_length=100)
    reason = forms.CharField(label=_("退款原因"), max_length=200, required=False)


class StripeRefundForm(forms.Form):
    reason = forms.CharField(label=_("退款原因"), max_length=200)
