"""Forms of statements, payouts and the household lookup. Messages are in Chinese."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.parsing import BadInput, yuan_to_fen

MAX_PERIOD_DAYS = 3 * 366


class PeriodForm(forms.Form):
    """A statement period: Asia/Shanghai days, both inclusive, either may be open."""

    start = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        return data

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("start"), self.cleaned_data.get("end")


def month_bounds(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    next_first = (first + dt.timedelta(days=32)).replace(day=1)
    return first, next_first - dt.timedelta(days=1)


class PayoutPeriodForm(forms.Form):
    """The payout report's shop and period (required, at most three years)."""

    shop = forms.TypedChoiceField(label=_("网店"), coerce=int, choices=[])
    start = forms.DateField(label=_("期间起"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("期间止"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, shops, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [(s.pk, s.name) for s in shops]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("期间结束日不能早于开始日。"))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("期间最长三年。"))
        return data


class PayoutForm(forms.Form):
    """One payout to one beneficiary, in yuan as typed (kept as integer fen)."""

    beneficiary = forms.CharField(widget=forms.HiddenInput)
    amount = forms.CharField(label=_("发放金额（元）"), max_length=20)
    paid_on = forms.DateField(label=_("发放日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("凭证号"), max_length=100)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def clean_amount(self) -> int:
        try:
            fen = yuan_to_fen(self.cleaned_data["amount"], allow_negative=True)
        except BadInput as exc:
            raise forms.ValidationError(_("请输入金额，如 120.50（冲正可填负数）。")) from exc
        if fen == 0:
            raise forms.ValidationError(_("发放金额不能为零。"))
        return fen

    def clean_paid_on(self) -> dt.date:
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("发放日期不能晚于今天。"))
        return paid_on


class LookupForm(forms.Form):
    """A household reads its own statement: registration number and access code."""

    registration_number = forms.CharField(label=_("建档立卡编号"), max_length=32)
    access_code = forms.CharField(label=_("查询码"), max_length=16, help_text=_("由帮扶网店发放的 8 位查询码。"))

    def clean_registration_number(self) -> str:
        return self.cleaned_data["registration_number"].strip()

    def clean_access_code(self) -> str:
        return self.cleaned_data["access_code"].strip().upper().replace(" ", "").replace("-", "")
