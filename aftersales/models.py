"""After-sales requests (售后单): a buyer asks for their money back for some lines of one
shop's parcel — 仅退款 (refund only) or 退货退款 (return the goods, then the refund).

A request belongs to one sub-order (one shop decides it). Its state moves only through
``transitions.TRANSITIONS`` (applied by ``services.apply``); every move is an
``AfterSaleStep`` here and a line of the order's history (``orders.services.log_after_sale``).
Money goes back only through the payments app's refund path, started when a request
reaches 退款中 (``services._start_refund``); ``refund`` is that refund."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .states import Kind, Reason, Status

DESCRIPTION_MAX = 500
NOTE_MAX = 200
MAX_PHOTOS = 3


def photo_storage():
    """Like review photos, outside MEDIA_ROOT and served through a view to the buyer, the
    shop's operators and platform administrators only (``views.photo``)."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


class AfterSale(models.Model):
    number = models.CharField(_("售后单号"), max_length=24, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="after_sales")
    suborder = models.ForeignKey(
        "orders.SubOrder", on_delete=models.PROTECT, related_name="after_sales", verbose_name=_("子订单")
    )
    kind = models.CharField(_("售后类型"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices)
    description = models.TextField(_("问题描述"), max_length=DESCRIPTION_MAX, blank=True)
    amount_fen = models.PositiveBigIntegerField(_("退款金额（分）"))
    # Moves only through ``transitions.TRANSITIONS`` (``services.apply``).
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    # When whoever the request waits on must have acted (states in ``states.TIMED``); past
    # it, beat moves the request on (``services.move_overdue``).
    deadline_at = models.DateTimeField(_("处理时限"), null=True, blank=True, db_index=True)
    refuse_reason = models.CharField(_("拒绝理由"), max_length=NOTE_MAX, blank=True)
    decision_note = models.CharField(_("平台处理意见"), max_length=NOTE_MAX, blank=True)
    return_carrier = models.CharField(_("退货快递公司"), max_length=40, blank=True)
    return_tracking = models.CharField(_("退货运单号"), max_length=40, blank=True)
    refund = models.OneToOneField(
        "payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="after_sale"
    )
    refund_problem = models.CharField(_("退款未能发起的原因"), max_length=NOTE_MAX, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("售后单")
        verbose_name_plural = pgettext_lazy("plural", "售后单")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "deadline_at"])]

    def __str__(self) -> str:
        return self.number


class AfterSaleLine(models.Model):
    after_sale = models.ForeignKey(AfterSale, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="after_sale_lines")
    quantity = models.PositiveIntegerField(_("数量"))
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["after_sale", "line"], name="after_sale_line_once")]

    def __str__(self) -> str:
        return f"{self.line_id} × {self.quantity}"


class AfterSalePhoto(models.Model):
    """A photo the buyer attached, checked by content on upload (``core.uploads``)."""

    after_sale = models.ForeignKey(AfterSale, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="after-sales/%Y/%m/", storage=photo_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class AfterSaleStep(models.Model):
    """The request's own history: every move, who (and as what), when, and what they wrote."""

    after_sale = models.ForeignKey(AfterSale, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(_("身份"), max_length=12)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.after_sale_id}: {self.action}"

    def get_action_label(self) -> str:
        from .transitions import label_of

        return label_of(self.action)

    def get_actor_role_display(self) -> str:
        from .transitions import ACTOR_LABELS

        return str(next((label for actor, label in ACTOR_LABELS.items() if actor.value == self.actor_role), ""))
