"""The buyer's emails (in Chinese): order received, payment confirmed, shipped, refunded.
Each carries the order's secret link, the only way an anonymous buyer finds it again.
They are sent by a Celery task once the transaction that caused them commits
(``email_after_commit``, through ``core.background``: kept and re-sent if the broker is away).

An app above orders adds its own kind with ``register_kind`` when it starts (invoices: 发票
已开具): its subject, its template and what its template needs beyond the order's."""

from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from core.background import enqueue_after_commit

from .models import Order
from .transfer_details import transfer_details

SUBJECTS = {
    "received": _("订单已提交：{number}"),
    "paid": _("付款已确认：{number}"),
    "shipped": _("您的订单已发货：{number}"),
    "refunded": _("退款已办理：{number}"),
}


# kind -> (subject, template, context: (order, the task's extra arguments) -> more template context;
# its "recipients" (default: the order's e-mail) and "attachments" ((name, bytes, type)) are the message's)
_registered: dict[str, tuple[str, str, Callable[[Order, dict], dict]]] = {}


def register_kind(kind: str, subject: str, template: str, context: Callable[[Order, dict], dict]) -> None:
    """An e-mail to the order's buyer that a higher app sends through this module's task."""
    _registered[kind] = (subject, template, context)


def compose_and_send(
    kind: str, order_id: int, *, suborder_id: int | None = None, refund_id: int | None = None, **more
) -> None:
    order = Order.objects.filter(pk=order_id).first()
    if order is None or (kind not in SUBJECTS and kind not in _registered):
        return
    if kind in _registered:
        subject, template, extra_context = _registered[kind]
        site_url = settings.SITE_URL.rstrip("/")
        context = {"order": order, "site_url": site_url, "order_url": site_url + order.get_absolute_url()}
        context.update(extra_context(order, more))
        recipients = [r for r in context.pop("recipients", None) or [order.email] if r]
        if not recipients:  # an offline point's order has no buyer to write to
            return
        attachments = context.pop("attachments", None) or []
        body = render_to_string(template, context)
        message = EmailMessage(str(subject).format(number=order.number), body, settings.DEFAULT_FROM_EMAIL, recipients)
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        message.send()
        return
    if not order.email:  # an offline point's order has no buyer to write to
        return
    site_url = settings.SITE_URL.rstrip("/")
    context = {
        "order": order,
        "site_url": site_url,
        "order_url": site_url + order.get_absolute_url(),
        "transfer": transfer_details(order) if kind == "received" else None,
        "suborders": list(order.suborders.select_related("shop").prefetch_related("lines")),
        "suborder": order.suborders.select_related("shop").filter(pk=suborder_id).first() if suborder_id else None,
        "refund": order.refunds.filter(pk=refund_id).first() if refund_id else None,
    }
    body = render_to_string(f"orders/emails/{kind}.txt", context)
    send_mail(SUBJECTS[kind].format(number=order.number), body, settings.DEFAULT_FROM_EMAIL, [order.email])


@shared_task(name="orders.send_order_email")
def send_order_email(kind: str, order_id: int, **extra) -> None:
    compose_and_send(kind, order_id, **extra)


def email_after_commit(kind: str, order_id: int, **extra) -> None:
    """Send the buyer the ``kind`` e-mail once the current transaction commits."""
    enqueue_after_commit(send_order_email, (kind, order_id), extra)
