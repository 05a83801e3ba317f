"""Invoices in the Wagtail admin (发票处理).

* Shop operators: their shops' requests (``core.scoping``); they issue an invoice — upload
  an electronic one (PDF or OFD), or record a paper one by its number — and issue again one
  the buyer sent back.
* Platform administrators: every request, and the same actions.
* Everyone else (bureau officers included: they see no buyer data): refused (403). Another
  shop's request is a 404 to an operator.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import parsing
from core.errors import DomainError
from core.roles import Role, roles_of
from core.scoping import is_platform_admin
from core.uploads import private_file_response

from . import selectors, services
from .emails import attachment_name
from .forms import IssueForm
from .models import Invoice
from .states import Status
from .transitions import Actor, available

PAGE_SIZE = 50
FILTERS = {
    Status.REQUESTED.value: gettext_lazy("待开票"),
    Status.ISSUED.value: gettext_lazy("已开票"),
    Status.CONFIRMED.value: gettext_lazy("已确认"),
    Status.REJECTED.value: gettext_lazy("被退回"),
}


def may_use(user) -> bool:
    return Role.SHOP_OPERATOR in roles_of(user) or is_platform_admin(user)


def _require_access(user) -> None:
    if not may_use(user):
        raise PermissionDenied


def _scoped(request, raw_pk) -> Invoice:
    _require_access(request.user)
    return get_object_or_404(selectors.for_staff(request.user), pk=parsing.object_id(raw_pk, label=_("开票申请")))


def index(request):
    _require_access(request.user)
    qs = selectors.for_staff(request.user)
    show = request.GET.get("show", "")
    if show in FILTERS:
        qs = qs.filter(status=show)
    else:
        show = ""
    page = Paginator(qs, PAGE_SIZE).get_page(parsing.page_number(request.GET.get("p")))
    today = timezone.localdate()
    rows = [(invoice, selectors.age_in_days(invoice, today)) for invoice in page]
    return render(
        request,
        "invoices/admin/index.html",
        {
            "header_title": _("发票处理"),
            "page_title": _("发票处理"),
            "page": page,
            "rows": rows,
            "show": show,
            "filters": FILTERS.items(),
            "missing": (Status.REQUESTED, Status.REJECTED),
        },
    )


def _actor(request, invoice: Invoice) -> Actor:
    # An operator of the shop issues as the shop; a platform administrator as the platform.
    actors = selectors.actors_of(request.user, invoice)
    return Actor.OPERATOR if Actor.OPERATOR in actors else Actor.PLATFORM


def _detail_page(request, invoice: Invoice, *, form=None, error: str = "", status=200):
    actors = selectors.actors_of(request.user, invoice) - {Actor.BUYER}
    may_issue = any(t.action == "issue" for t in available(invoice.status, actors))
    return render(
        request,
        "invoices/admin/detail.html",
        {
            "header_title": _("开票申请 · 订单 %(number)s") % {"number": invoice.order.number},
            "page_title": _("开票申请 · 订单 %(number)s") % {"number": invoice.order.number},
            "invoice": invoice,
            "order": invoice.order,
            "age": selectors.age_in_days(invoice),
            "amount_due": selectors.amount_due(invoice.suborder),
            "steps": list(invoice.steps.select_related("actor")),
            "issue_form": (form or IssueForm()) if may_issue else None,
            "error": error,
        },
        status=status,
    )


def detail(request, pk: str):
    return _detail_page(request, _scoped(request, pk))


@require_POST
def issue(request, pk: str):
    invoice = _scoped(request, pk)
    form = IssueForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_page(request, invoice, form=form, status=400)
    data = form.cleaned_data
    try:
        services.apply(
            invoice.pk,
            "issue",
            by=request.user,
            actor=_actor(request, invoice),
            medium=data["medium"],
            number=data["number"],
            file=data["file"],
        )
    except services.FileRefused as exc:
        form.add_error("file", str(exc))
        error = ""
    except DomainError as exc:
        error = str(exc)
    else:
        messages.success(request, _("发票已开具，已发邮件通知买家。"))
        return redirect("invoices_admin:detail", invoice.pk)
    invoice.refresh_from_db()
    return _detail_page(request, invoice, form=form, error=error, status=400)


def file(request, pk: str):
    """The issued file, for the shop's operators and platform administrators (what they uploaded)."""
    invoice = _scoped(request, pk)
    if not invoice.file:
        raise Http404
    return private_file_response(invoice.file, invoice.content_type, download_as=attachment_name(invoice))
