"""A household reads its own statement (收益查询): registration number + access code.

A successful lookup remembers the household in the session for
``STATEMENT_SESSION_MINUTES``; nothing else of the site changes for that visitor. The
statement shows the household's own full data (it proved who it is) and nobody else's."""

import time

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from producers.models import Household

from . import documents, selectors
from .forms import LookupForm, PeriodForm
from .lookup import lookup_household

SESSION_KEY = "statement_household"
SESSION_AT = "statement_household_at"
SESSION_MINUTES = 30
# The household itself: everything of its own, unmasked.
OWN = selectors.StatementPermissions(True, True)


@never_cache
def lookup(request):
    form = LookupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = lookup_household(form.cleaned_data["registration_number"], form.cleaned_data["access_code"])
        if result.household is not None:
            request.session.cycle_key()
            request.session[SESSION_KEY] = result.household.pk
            request.session[SESSION_AT] = int(time.time())
            return redirect("attribution:mine")
        if result.throttled:
            status = 429
            form.add_error(
                None,
                _("尝试次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": settings.STATEMENT_LOOKUP_WINDOW_MINUTES},
            )
        else:
            form.add_error(None, _("建档立卡编号或查询码不正确。如忘记查询码，请联系帮扶网店重新发放。"))
    return render(request, "attribution/lookup.html", {"form": form}, status=status)


def _session_household(request) -> Household | None:
    pk, at = request.session.get(SESSION_KEY), request.session.get(SESSION_AT, 0)
    if not pk or time.time() - at > SESSION_MINUTES * 60:
        request.session.pop(SESSION_KEY, None)
        return None
    return Household.objects.select_related("village").filter(pk=pk).first()


def _own_statement(request, *, figures: bool = True):
    household = _session_household(request)
    if household is None:
        return None, None
    form = PeriodForm(request.GET or None)
    start, end = form.period() if request.GET else (None, None)
    build = selectors.build_statement if figures else selectors.statement_header
    return build(household, OWN, start=start, end=end), form


@never_cache
def mine(request):
    statement, form = _own_statement(request)
    if statement is None:
        return redirect("attribution:lookup")
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    return render(
        request,
        "attribution/mine.html",
        {
            "statement": statement,
            "form": form,
            "csv_url": reverse("attribution:mine_csv") + suffix,
            "pdf_url": reverse("attribution:mine_pdf") + suffix,
        },
    )


@never_cache
def mine_csv(request):
    statement, _form = _own_statement(request, figures=False)
    if statement is None:
        return redirect("attribution:lookup")
    return documents.statement_csv(statement, OWN)


@never_cache
def mine_pdf(request):
    statement, _form = _own_statement(request)
    if statement is None:
        return redirect("attribution:lookup")
    return documents.statement_pdf(statement)


@require_POST
def leave(request):
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_AT, None)
    return redirect("attribution:lookup")
