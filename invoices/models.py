"""Invoices (发票): a buyer asks the shop of one sub-order for an invoice of what it paid
there; the shop (or the platform) issues it — an electronic invoice uploaded as a file, or
a paper one recorded by its number — and the buyer checks it (验票): confirms it, or sends
it back with a reason for the shop to issue again.

A request belongs to one sub-order; at most one is active per sub-order (a withdrawn one
makes room for the next). The buyer's invoice details are a snapshot taken when they ask.
The state moves only through ``transitions.TRANSITIONS`` (``services.apply``); every move is
an ``InvoiceStep``: who, as what, when."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.scoping import Scope

from .states import Kind, Medium, Status, TitleType

NOTE_MAX = 200


def invoice_storage():
    """Like after-sales photos and certification evidence: outside MEDIA_ROOT, served only
    through views that check who asks (the order's buyer; the shop's operators and platform
    administrators in the admin)."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


class Invoice(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="invoices")
    suborder = models.ForeignKey(
        "orders.SubOrder", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("子订单")
    )
    kind = models.CharField(_("发票类型"), max_length=16, choices=Kind.choices)
    # The buyer's details as they asked (a snapshot: later changes to the order do not move them).
    title_type = models.CharField(_("抬头类型"), max_length=12, choices=TitleType.choices)
    title = models.CharField(_("发票抬头"), max_length=100)
    tax_id = models.CharField(_("纳税人识别号"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    bank = models.CharField(_("开户行"), max_length=100, blank=True)
    account = models.CharField(_("账号"), max_length=40, blank=True)
    email = models.EmailField(_("接收邮箱"))
    # The sub-order's paid amount net of refunds, in fen, computed when the invoice is issued.
    amount_fen = models.PositiveBigIntegerField(_("开票金额（分）"), null=True, blank=True)
    # Moves only through ``transitions.TRANSITIONS`` (``services.apply``).
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    medium = models.CharField(_("开具方式"), max_length=12, choices=Medium.choices, blank=True)
    number = models.CharField(_("发票号码"), max_length=20, blank=True)
    file = models.FileField(_("发票文件"), upload_to="invoices/%Y/%m/", storage=invoice_storage, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=50, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    reject_reason = models.CharField(_("退回理由"), max_length=NOTE_MAX, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("开票时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Operators see their shops' requests; bureau officers (scoped by region) nothing: buyer data.
    scope = Scope(shop="suborder__shop", region=None)

    class Meta:
        verbose_name = _("发票")
        verbose_name_plural = pgettext_lazy("plural", "发票")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="invoice_status_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["suborder"], condition=~Q(status="withdrawn"), name="invoice_one_active_per_suborder"
            )
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} #{self.pk}"


class InvoiceStep(models.Model):
    """The request's history: every move, who (and as what), when, and what they wrote."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(_("身份"), max_length=12)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.action}"

    def get_action_label(self) -> str:
        from .transitions import label_of

        return label_of(self.action)

    def get_actor_role_display(self) -> str:
        from .transitions import ACTOR_LABELS

        return str(next((label for actor, label in ACTOR_LABELS.items() if actor.value == self.actor_role), ""))
