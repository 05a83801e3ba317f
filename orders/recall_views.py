"""A batch's recall (召回) in the Wagtail admin, under ``/admin/traceability/recall/<batch id>/``.

Who (decided):

* Platform administrators: every order shipped from the batch with the buyer's contact in
  full, and the one action: write to those buyers (an e-mail and a text message each,
  after a confirmation page; once per batch per day; ``services.send_recall``).
* Operators of the batch's shop: the same list read-only, the buyer's name, mobile and
  e-mail masked (they see their own parcels' recipients on the shipping pages; a recall
  list is for counting and calling back through the platform). They cannot send.
* Everyone else — operators of other shops, bureau officers, buyers — refused (403).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.scoping import is_platform_admin, operated_shop_ids
from traceability.models import Batch
from traceability.selectors import trace_url

from . import selectors, services
from .models import RecallNotice, mask_name


class RecallForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("召回说明"),
        max_length=services.RECALL_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("写给买家：为何召回、如何处理（如停止食用、联系网店退款）。"),
    )


def _batch_for(request, batch_id: int) -> tuple[Batch, bool]:
    """The batch, and whether the user may see buyers' contacts in full and send (admins)."""
    batch = get_object_or_404(Batch.objects.select_related("product__shop"), pk=batch_id)
    if is_platform_admin(request.user):
        return batch, True
    if batch.product.shop_id in operated_shop_ids(request.user):
        return batch, False
    raise PermissionDenied


def _mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "****"


def _mask_email(email: str) -> str:
    local, _at, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


def _rows(batch: Batch, full: bool) -> list[dict]:
    rows = []
    for order in selectors.orders_shipped_from(batch.pk):
        rows.append(
            {
                "order": order,
                "units": order.batch_units,
                "name": order.contact_name if full else mask_name(order.contact_name),
                "mobile": order.mobile if full else _mask_mobile(order.mobile),
                "email": order.email if full else _mask_email(order.email),
            }
        )
    return rows


def recall_detail(request, batch_id: int):
    batch, full = _batch_for(request, batch_id)
    rows = _rows(batch, full)
    return render(
        request,
        "orders/admin/recall.html",
        {
            "header_title": _("批次召回"),
            "page_title": _("批次召回：%(code)s") % {"code": batch.code},
            "batch": batch,
            "trace_url": trace_url(batch.code),
            "rows": rows,
            "units": sum(r["units"] for r in rows),
            "may_send": full,
            "notices": list(RecallNotice.objects.filter(batch=batch).select_related("sent_by")),
        },
    )


@require_http_methods(["GET", "POST"])
def recall_send(request, batch_id: int):
    batch, full = _batch_for(request, batch_id)
    if not full:
        raise PermissionDenied
    form = RecallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.send_recall(batch.pk, by=request.user, message=form.cleaned_data["message"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("召回通知已发送：%(orders)s 个订单，%(emails)s 封邮件，%(sms)s 条短信。")
                % {"orders": notice.orders_count, "emails": notice.emails_count, "sms": notice.sms_count},
            )
            return redirect("recall_admin:batch", batch.pk)
    emails, mobiles = selectors.recall_recipients(selectors.orders_shipped_from(batch.pk))
    return render(
        request,
        "orders/admin/recall_send.html",
        {
            "header_title": _("发送召回通知"),
            "page_title": _("发送召回通知：%(code)s") % {"code": batch.code},
            "batch": batch,
            "form": form,
            "emails_count": len(emails),
            "sms_count": len(mobiles),
        },
    )
