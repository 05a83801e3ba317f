"""What the marketplace keeps about Stripe: the PaymentIntent of each order, the refunds
sent through Stripe's Refund API, and every webhook event received, stored once.

These rows are the integration's own bookkeeping. Money itself is booked only by
``payments.services`` (``Payment``, ``Refund``), which the Stripe code calls once
a *verified* event (or the reconciliation task asking Stripe) says the money moved."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["StripeEvent", "StripePaymentIntent", "StripeRefund"]


class StripePaymentIntent(models.Model):
    """One Stripe PaymentIntent for one order, created server-side in CNY fen."""

    class Status(models.TextChoices):
        # Stripe's own status names, so a status from the API is stored as it is.
        REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("待支付")
        REQUIRES_CONFIRMATION = "requires_confirmation", _("待确认")
        REQUIRES_ACTION = "requires_action", _("待验证")
        PROCESSING = "processing", _("处理中")
        REQUIRES_CAPTURE = "requires_capture", _("待扣款")
        SUCCEEDED = "succeeded", _("已成功")
        CANCELED = "canceled", _("已取消")

    # Never left again, except that a succeeded report is always taken; which status may
    # follow which: ``transitions.INTENT_TRANSITIONS``.
    TERMINAL = (Status.SUCCEEDED, Status.CANCELED)

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="stripe_intents", verbose_name=_("订单")
    )
    intent_id = models.CharField(_("PaymentIntent 编号"), max_length=255, unique=True)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    status = models.CharField(_("状态"), max_length=32, choices=Status.choices)
    # Unix time of the Stripe event (or API read) that set ``status``: an older event
    # arriving late never overwrites a newer status.
    status_at = models.BigIntegerField(_("状态时间戳"), default=0)
    payment_method_type = models.CharField(_("支付方式"), max_length=32, blank=True)
    last_error = models.CharField(_("最近失败原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("Stripe 支付意向")
        verbose_name_plural = pgettext_lazy("plural", "Stripe 支付意向")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.intent_id


class StripeRefund(models.Model):
    """A refund sent through Stripe's Refund API for one marketplace ``Refund``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("处理中")
        REQUIRES_ACTION = "requires_action", _("待处理")
        SUCCEEDED = "succeeded", _("已成功")
        FAILED = "failed", _("失败")
        CANCELED = "canceled", _("已取消")

    # Never left again: ``transitions.STRIPE_REFUND_TRANSITIONS``.
    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELED)

    refund = models.OneToOneField(
        "payments.Refund", on_delete=models.PROTECT, related_name="stripe_refund", verbose_name=_("退款")
    )
    intent = models.ForeignKey(
        StripePaymentIntent, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("支付意向")
    )
    stripe_refund_id = models.CharField(_("Stripe 退款编号"), max_length=255, unique=True)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    status = models.CharField(_("状态"), max_length=32, choices=Status.choices)
    status_at = models.BigIntegerField(_("状态时间戳"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("Stripe 退款")
        verbose_name_plural = pgettext_lazy("plural", "Stripe 退款")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.stripe_refund_id


class StripeEvent(models.Model):
    """Every verified webhook event, stored exactly once (``event_id`` is unique).

    A redelivery finds its row and is acknowledged without a second effect; processing
    locks the row and runs only while ``processed_at`` is empty."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待处理")
        APPLIED = "applied", _("已处理")
        NO_EFFECT = "no_effect", _("无需处理")
        FLAGGED = "flagged", _("待核查")
        IGNORED = "ignored", _("不处理的类型")

    event_id = models.CharField(_("事件编号"), max_length=255, unique=True)
    type = models.CharField(_("类型"), max_length=100, db_index=True)
    livemode = models.BooleanField(_("正式环境"), default=False)
    stripe_created = models.BigIntegerField(_("Stripe 创建时间戳"))
    payload = models.JSONField(_("内容"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    processed_at = models.DateTimeField(_("处理时间"), null=True, blank=True, db_index=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.TextField(_("说明"), blank=True)
    attempts = models.PositiveIntegerField(_("处理次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("Stripe 事件")
        verbose_name_plural = pgettext_lazy("plural", "Stripe 事件")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

    @property
    def data_object(self) -> dict:
        return self.payload.get("data", {}).get("object", {})
