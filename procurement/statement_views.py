"""The organisation's monthly statements (对账单) for its finance people and administrators:
``/org/<id>/statements/`` (the last twelve months with their totals, and one month in full:
``?month=2026-03``, this month without it) and each month as a file,
``/org/<id>/statements/2026-03.xlsx`` and ``.pdf``.

Reached through the person's ``Member`` row as every page of the organisation: another
organisation's statements are a 404, a member who is neither finance nor administrator gets
a 403. A month that cannot be read, is before 2000 or has not begun: in the address of a
file a 404, as ``?month=`` a 400 with the message."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import parsing

from . import selectors, statement_documents, statements
from .models import Member


def _reader(request, organisation_id) -> Member:
    member = selectors.membership(request.user, parsing.object_id(organisation_id, label=_("单位")))
    if member is None:
        raise Http404
    if not (member.is_finance or member.is_admin):
        raise PermissionDenied(_("只有单位财务和管理员可以查看对账单。"))
    return member


def _month_asked(request) -> statements.Month:
    raw = request.GET.get("month")
    if not raw:
        today = timezone.localdate()
        return today.year, today.month
    month = statements.parse_month(raw)
    if month is None:
        raise parsing.BadInput(_("请选择 2000 年 1 月至本月之间的月份，格式如 2026-03。"))
    return month


@login_required
def index(request, organisation_id):
    member = _reader(request, organisation_id)
    months = statements.months_back()
    chosen = _month_asked(request)
    listed = statements.statements(member.organisation, months)
    shown = listed[months.index(chosen)] if chosen in months else statements.statement(member.organisation, *chosen)
    return render(
        request,
        "procurement/statements.html",
        {
            "member": member,
            "organisation": member.organisation,
            "listed": listed,
            "shown": shown,
            "shown_label": statement_documents.month_label(shown),
            "totals": statement_documents.totals(shown),
            "period": statement_documents.period_text(shown),
            "generated": statement_documents.generated_text(shown),
            "latest": months[0],
        },
    )


def _file_month(month: str) -> statements.Month:
    parsed = statements.parse_month(month)
    if parsed is None:
        raise Http404
    return parsed


@login_required
def xlsx(request, organisation_id, month):
    member = _reader(request, organisation_id)
    statement = statements.statement(member.organisation, *_file_month(month))
    return statement_documents.xlsx_response(statement)


@login_required
def pdf(request, organisation_id, month):
    member = _reader(request, organisation_id)
    statement = statements.statement(member.organisation, *_file_month(month))
    return statement_documents.pdf_response(statement)
