"""The buyer's e-mail when their invoice is issued, sent through the orders app's e-mail task
(``orders.emails.register_kind``, registered in ``apps.py``): to the invoice's delivery
e-mail and the order's, with the electronic invoice attached and the link to check it (验票)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Invoice
from .states import Medium

SUBJECT = _("发票已开具：订单 {number}")
TEMPLATE = "invoices/emails/issued.txt"


def attachment_name(invoice: Invoice) -> str:
    extension = {"application/pdf": "pdf", "application/ofd": "ofd"}.get(invoice.content_type, "bin")
    return f"发票{invoice.number}.{extension}"


def issued_context(order, extra: dict) -> dict:
    invoice = Invoice.objects.select_related("suborder__shop").filter(pk=extra.get("invoice_id"), order=order).first()
    if invoice is None:
        return {"invoice": None}
    site_url = settings.SITE_URL.rstrip("/")
    attachments = []
    if invoice.medium == Medium.ELECTRONIC and invoice.file:
        try:
            with invoice.file.open("rb") as handle:
                attachments.append((attachment_name(invoice), handle.read(), invoice.content_type))
        except OSError:  # the file is gone (a restored database): the link still says where to look
            pass
    return {
        "invoice": invoice,
        "shop": invoice.suborder.shop,
        "invoice_url": site_url + reverse("invoices:detail_by_token", args=[order.token, invoice.pk]),
        "recipients": list(dict.fromkeys([invoice.email, order.email])),
        "attachments": attachments,
    }
