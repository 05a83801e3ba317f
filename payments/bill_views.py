"""对账: the daily bill checks of WeChat Pay and Alipay contracted directly, in the Wagtail
admin, for platform administrators only (everyone else: 403). The list of checks
(``BillCheck``), one check's differences (``BillDifference``) with links to the payment,
refund and order they concern, the form that records a difference as settled (the note,
who and when), and the form that checks one provider's bill of one day now
(``payments.direct.check_bill``; the beat task ``payments.check_bills`` does yesterday's
every morning)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.scoping import require_platform_admin

from . import direct
from .direct_models import BillCheck, BillDifference, DirectTrade, Provider

PAGE_SIZE = 50


class CheckBillForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("支付渠道"), choices=[])
    day = forms.DateField(label=gettext_lazy("账单日"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the providers configured now: a bill cannot be downloaded from the others.
        self.fields["provider"].choices = [(p.value, p.label) for p in Provider if direct.configured(p.value)]
        self.fields["day"].initial = timezone.localdate() - dt.timedelta(days=1)

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        if day >= timezone.localdate():
            raise ValidationError(_("只能核对今天以前的账单（渠道次日生成前一日账单）。"))
        if day < dt.date(2000, 1, 1):
            raise ValidationError(_("账单日不正确。"))
        return day


class ResolveForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("处理说明"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_note(self) -> str:
        note = " ".join(self.cleaned_data["note"].split())
        if not note:
            raise ValidationError(_("请填写处理说明。"))
        return note


def _checks():
    return BillCheck.objects.annotate(
        difference_count=Count("differences"),
        open_count=Count("differences", filter=Q(differences__resolved_at__isnull=True)),
    ).order_by("-day", "provider")


def _index(request, form: CheckBillForm, *, status: int = 200):
    page = Paginator(_checks(), PAGE_SIZE).get_page(request.GET.get("p"))
    return render(
        request,
        "payments/admin/bill_index.html",
        {"header_title": _("对账"), "page_title": _("对账"), "page": page, "form": form},
        status=status,
    )


def bill_index(request):
    require_platform_admin(request.user)
    return _index(request, CheckBillForm())


@require_POST
def bill_run(request):
    """核对某日账单: one configured provider's bill of one past day, checked now."""
    require_platform_admin(request.user)
    form = CheckBillForm(request.POST)
    if not form.is_valid():
        return _index(request, form, status=400)
    code, day = form.cleaned_data["provider"], form.cleaned_data["day"]
    try:
        check = direct.check_bill(code, day)
    except DomainError as exc:
        form.add_error(None, str(exc))
        return _index(request, form, status=400)
    if check.status == BillCheck.Status.FAILED:
        messages.error(request, _("账单未能下载：%(error)s") % {"error": check.error})
    else:
        messages.success(
            request,
            _("已核对%(provider)s %(day)s 的账单：渠道 %(lines)s 笔，相符 %(matched)s 笔，差异 %(differences)s 笔。")
            % {
                "provider": check.get_provider_display(),
                "day": check.day.isoformat(),
                "lines": check.provider_lines,
                "matched": check.matched,
                "differences": check.differences.count(),
            },
        )
    return redirect("payments_admin:bill", check.pk)


def _orders_of(differences: list[BillDifference]) -> dict[str, int]:
    """{out_trade_no: order id} of the differences' trades, in one query."""
    numbers = {d.out_trade_no for d in differences if d.out_trade_no}
    return dict(DirectTrade.objects.filter(out_trade_no__in=numbers).values_list("out_trade_no", "order_id"))


def _day(request, check: BillCheck, *, failed: tuple[int, ResolveForm] | None = None, status: int = 200):
    differences = list(
        check.differences.select_related("payment", "refund", "resolved_by").order_by("resolved_at", "pk")
    )
    orders = _orders_of(differences)
    for d in differences:
        d.order_id = (
            (d.payment.order_id if d.payment else None)
            or (d.refund.order_id if d.refund else None)
            or orders.get(d.out_trade_no)
        )
        d.form = failed[1] if failed and failed[0] == d.pk else ResolveForm()
    title = _("对账：%(provider)s %(day)s") % {"provider": check.get_provider_display(), "day": check.day.isoformat()}
    return render(
        request,
        "payments/admin/bill_day.html",
        {"header_title": title, "page_title": title, "check": check, "differences": differences},
        status=status,
    )


def bill_day(request, pk: int):
    require_platform_admin(request.user)
    return _day(request, get_object_or_404(BillCheck, pk=pk))


@require_POST
def bill_resolve(request, pk: int):
    """A difference settled by a person: the note, who, and when are kept with it."""
    require_platform_admin(request.user)
    form = ResolveForm(request.POST)
    with transaction.atomic():
        difference = get_object_or_404(BillDifference.objects.select_for_update(), pk=pk)
        if difference.resolved_at is not None:
            messages.error(request, _("该差异已处理。"))
            return redirect("payments_admin:bill", difference.check_run_id)
        if not form.is_valid():
            check = BillCheck.objects.get(pk=difference.check_run_id)
            return _day(request, check, failed=(difference.pk, form), status=400)
        difference.resolved_at = timezone.now()
        difference.resolved_by = request.user
        difference.resolution = form.cleaned_data["note"]
        difference.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    messages.success(request, _("已记录该差异的处理说明。"))
    return redirect("payments_admin:bill", difference.check_run_id)
