"""Statements and payouts in the Wagtail admin.

* Statements (收益对账单): platform administrators, bureau officers (beneficiaries in their
  jurisdiction) and shop operators (beneficiaries their shops' products benefit; their own
  shops' entries only). Anybody else: 403; a beneficiary outside the viewer's reach: 404.
* Payouts (收益发放): shop operators for their own shops, platform administrators for any;
  officers and everyone else: 403.
Names and registration numbers show in full only to viewers entitled to them
(``producers.selectors.households_in_scope``); everybody else sees them masked."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Shop
from core import parsing
from core.errors import DomainError
from core.exports import csv_response
from core.money import format_fen
from core.roles import Role, roles_of
from core.scoping import is_platform_admin, operated_shop_ids
from producers.models import Collective, Household
from producers.selectors import household_shown_to, households_in_scope

from . import documents, selectors, services
from .forms import PayoutForm, PayoutPeriodForm, PeriodForm, month_bounds
from .models import BeneficiaryKind

PAGE_SIZE = 50
KINDS = {BeneficiaryKind.HOUSEHOLD.value: Household, BeneficiaryKind.COLLECTIVE.value: Collective}


def _require_statement_roles(user) -> None:
    if not ({Role.SHOP_OPERATOR, Role.BUREAU_OFFICER} & roles_of(user) or is_platform_admin(user)):
        raise PermissionDenied


def _require_payout_roles(user) -> None:
    if not (Role.SHOP_OPERATOR in roles_of(user) or is_platform_admin(user)):
        raise PermissionDenied


def statement_index(request):
    _require_statement_roles(request.user)
    kind = request.GET.get("kind", BeneficiaryKind.HOUSEHOLD)
    if kind not in KINDS:
        kind = BeneficiaryKind.HOUSEHOLD
    query = request.GET.get("q", "").strip()[:50]
    page = Paginator(selectors.statement_beneficiaries(request.user, kind, query), PAGE_SIZE).get_page(
        request.GET.get("p")
    )
    rows = list(page)
    if kind == BeneficiaryKind.HOUSEHOLD:
        households_in_scope(request.user, [r.pk for r in rows])  # one query; the {% household %} tags read it
    return render(
        request,
        "attribution/admin/statement_index.html",
        {
            "header_title": _("收益对账单"),
            "page_title": _("收益对账单"),
            "page": page,
            "rows": rows,
            "kind": kind,
            "query": query,
            "kinds": [("household", _("帮扶户")), ("collective", _("村集体"))],
        },
    )


def _beneficiary_for(request, kind: str, pk: int):
    _require_statement_roles(request.user)
    model = KINDS.get(kind)
    beneficiary = model.objects.select_related("village").filter(pk=pk).first() if model else None
    if beneficiary is None:
        raise Http404
    permissions = selectors.statement_permissions(request.user, beneficiary)
    if not permissions.may_view:
        raise Http404
    return beneficiary, permissions


def _statement(request, kind: str, pk: int, *, figures: bool = True):
    beneficiary, permissions = _beneficiary_for(request, kind, pk)
    form = PeriodForm(request.GET or None)
    start, end = form.period() if request.GET else (None, None)
    build = selectors.build_statement if figures else selectors.statement_header
    return build(beneficiary, permissions, start=start, end=end), permissions, form


def statement_detail(request, kind: str, pk: int):
    statement, permissions, form = _statement(request, kind, pk)
    query = request.GET.urlencode()
    return render(
        request,
        "attribution/admin/statement_detail.html",
        {
            "header_title": _("收益对账单"),
            "page_title": _("收益对账单") + f" · {statement.name}",
            "statement": statement,
            "form": form,
            "can_issue_code": kind == BeneficiaryKind.HOUSEHOLD and permissions.unmasked,
            "csv_url": reverse("attribution_admin:statement_csv", args=[kind, pk]) + (f"?{query}" if query else ""),
            "pdf_url": reverse("attribution_admin:statement_pdf", args=[kind, pk]) + (f"?{query}" if query else ""),
        },
    )


def statement_csv(request, kind: str, pk: int):
    statement, permissions, _form = _statement(request, kind, pk, figures=False)
    return documents.statement_csv(statement, permissions)


def statement_pdf(request, kind: str, pk: int):
    statement, _permissions, _form = _statement(request, kind, pk)
    return documents.statement_pdf(statement)


@require_POST
def issue_access_code(request, pk: int):
    household, _permissions = _beneficiary_for(request, BeneficiaryKind.HOUSEHOLD, pk)
    try:
        code = services.issue_access_code(household, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "新的查询码：%(code)s（只显示这一次，请告知该户；旧查询码已失效）。"
                "该户可在 %(url)s 用建档立卡编号和查询码查看对账单。"
            )
            % {"code": code, "url": request.build_absolute_uri(reverse("attribution:lookup"))},
        )
    return redirect("attribution_admin:statement", BeneficiaryKind.HOUSEHOLD, pk)


# --- payouts ----------------------------------------------------------------------------------------------------------


def _payout_shops(user) -> list[Shop]:
    qs = Shop.objects.order_by("name")
    return list(qs if is_platform_admin(user) else qs.filter(pk__in=operated_shop_ids(user)))


def _payout_period(request, shops):
    start, end = month_bounds()
    data = request.GET if "shop" in request.GET else {"shop": shops[0].pk if shops else "", "start": start, "end": end}
    return PayoutPeriodForm(data, shops=shops)


def payout_report(request):
    _require_payout_roles(request.user)
    shops = _payout_shops(request.user)
    period = _payout_period(request, shops)
    rows, shop = [], None
    if period.is_valid():
        shop = next(s for s in shops if s.pk == period.cleaned_data["shop"])
        start, end = period.cleaned_data["start"], period.cleaned_data["end"]
        rows = selectors.payout_report(shop.pk, start, end, viewer=request.user)
        if request.GET.get("format") == "csv":
            return csv_response(
                f"payouts-{shop.slug}-{start:%Y%m%d}-{end:%Y%m%d}",
                [
                    _("受益方"),
                    _("类型"),
                    _("本期归属(元)"),
                    _("本期已发(元)"),
                    _("本期待发(元)"),
                    _("累计余额(元)"),
                    _("本期待发(分)"),
                ],
                (
                    [
                        r.label,
                        BeneficiaryKind(r.kind).label,
                        format_fen(r.attributed_fen),
                        format_fen(r.paid_fen),
                        format_fen(r.owed_fen),
                        format_fen(r.balance_fen),
                        r.owed_fen,
                    ]
                    for r in rows
                ),
            )
    recent = []
    if shop is not None:
        recent = list(
            shop.payouts.select_related("household", "collective", "recorded_by").order_by("-recorded_at", "-pk")[:20]
        )
        households_in_scope(request.user, [p.household_id for p in recent])  # one query for all
        for payout in recent:
            payout.label = (
                str(household_shown_to(request.user, payout.household))
                if payout.household_id
                else payout.collective.name
            )
    return render(
        request,
        "attribution/admin/payout_report.html",
        {
            "header_title": _("收益发放"),
            "page_title": _("收益发放"),
            "period": period,
            "shop": shop,
            "rows": rows,
            "recent": recent,
            "today": timezone.localdate(),
            "totals": {
                "attributed": sum(r.attributed_fen for r in rows),
                "paid": sum(r.paid_fen for r in rows),
                "owed": sum(r.owed_fen for r in rows),
            },
            "query": request.GET.urlencode(),
        },
    )


def _errors(form) -> str:
    """Every error of a form, each with its field's label: "凭证号：这个字段是必填项。"."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts += [_("%(label)s：%(error)s") % {"label": label, "error": e} if label else e for e in errors]
    return _("；").join(parts)


@require_POST
def record_payout(request):
    _require_payout_roles(request.user)
    shops = _payout_shops(request.user)
    period = PayoutPeriodForm(request.POST, shops=shops)
    form = PayoutForm(request.POST)
    back = reverse("attribution_admin:payouts")
    if not period.is_valid():
        messages.error(request, _("期间或网店无效：%(errors)s") % {"errors": _errors(period)})
        return redirect(back)
    back += "?" + "&".join(f"{k}={period.cleaned_data[k]}" for k in ("shop", "start", "end"))
    if not form.is_valid():
        messages.error(request, _("未登记：%(reason)s") % {"reason": _errors(form)})
        return redirect(back)
    kind, _sep, raw_pk = form.cleaned_data["beneficiary"].partition(":")
    model = KINDS.get(kind)
    try:
        beneficiary_pk = parsing.object_id(raw_pk, label=_("受益方"))
    except parsing.BadInput:
        beneficiary_pk = None
    beneficiary = model.objects.filter(pk=beneficiary_pk).first() if model and beneficiary_pk else None
    if beneficiary is None:
        messages.error(request, _("未登记：%(reason)s") % {"reason": _("受益方不存在。")})
        return redirect(back)
    try:
        payout = services.record_payout(
            shop_id=period.cleaned_data["shop"],
            beneficiary=beneficiary,
            amount_fen=form.cleaned_data["amount"],
            period_start=period.cleaned_data["start"],
            period_end=period.cleaned_data["end"],
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, _("未登记：%(reason)s") % {"reason": exc})
    else:
        messages.success(
            request,
            _("已登记发放 ¥%(amount)s（凭证 %(reference)s）。")
            % {"amount": format_fen(payout.amount_fen), "reference": payout.reference},
        )
    return redirect(back)
