"""What the marketplace keeps about Stripe: the PaymentIntent of each order, the refunds
sent through Stripe's Refund API, and every webhook event received, stored once.

These rows are the integration's own bookkeeping. Money itself is booked only by
``payments.services`` (``Payment``, ``Refund``), which the Stripe code calls once
a *verified* event (or the reconciliation task asking Stripe) says the money moved."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["StripeEvent", "StripePaymentIntent", "StripeRefund"]


class StripePaymentIntent(models.Model):
    """One Stripe PaymentIntent for one order, created server-side in CNY fen."""

    class Status(models.TextChoices):
        # Stripe's own status names, so a status from the API is stored as it is.
        REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("待支付 requires payment method")
        REQUIRES_CONFIRMATION = "requires_confirmation", _("待确认 requires confirmation")
        REQUIRES_ACTION = "requires_action", _("待验证 requires action")
        PROCESSING = "processing", _("处理中 processing")
        REQUIRES_CAPTURE = "requires_capture", _("待扣款 requires capture")
        SUCCEEDED = "succeeded", _("已成功 succeeded")
        CANCELED = "canceled", _("已取消 canceled")

    # Never left again, except that a succeeded report is always taken; which status may
    # follow which: ``transitions.INTENT_TRANSITIONS``.
    TERMINAL = (Status.SUCCEEDED, Status.CANCELED)

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="stripe_intents", verbose_name=_("订单 order")
    )
    intent_id = models.CharField(_("PaymentIntent 编号 intent id"), max_length=255, unique=True)
    amount_fen = models.PositiveBigIntegerField(_("金额（分） amount (fen)"))
    currency = models.CharField(_("币种 currency"), max_length=3, default="CNY")
    status = models.CharField(_("状态 status"), max_length=32, choices=Status.choices)
    # Unix time of the Stripe event (or API read) that set ``status``: an older event
    # arriving late never overwrites a newer status.
    status_at = models.BigIntegerField(_("状态时间戳 status timestamp"), default=0)
    payment_method_type = models.CharField(_("支付方式 payment method type"), max_length=32, blank=True)
    last_error = models.CharField(_("最近失败原因 last failure"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间 created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间 updated"), auto_now=True)

    class Meta:
        verbose_name = _("Stripe 支付意向 Stripe PaymentIntent")
        verbose_name_plural = _("Stripe 支付意向 Stripe PaymentIntents")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.intent_id


class StripeRefund(models.Model):
    """A refund sent through Stripe's Refund API for one marketplace ``Refund``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("处理中 pending")
        REQUIRES_ACTION = "requires_action", _("待处理 requires action")
        SUCCEEDED = "succeeded", _("已成功 succeeded")
        FAILED = "failed", _("失败 failed")
        CANCELED = "canceled", _("已取消 canceled")

    # Never left again: ``transitions.STRIPE_REFUND_TRANSITIONS``.
    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELED)

    refund = models.OneToOneField(
        "payments.Refund", on_delete=models.PROTECT, related_name="stripe_refund", verbose_name=_("退款 refund")
    )
    intent = models.ForeignKey(
        StripePaymentIntent, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("支付意向 intent")
    )
    stripe_refund_id = models.CharField(_("Stripe 退款编号 Stripe refund id"), max_length=255, unique=True)
    amount_fen = models.PositiveBigIntegerField(_("金额（分） amount (fen)"))
    currency = models.CharField(_("币种 currency"), max_length=3, default="CNY")
    status = models.CharField(_("状态 status"), max_length=32, choices=Status.choices)
    status_at = models.BigIntegerField(_("状态时间戳 status timestamp"), default=0)
    created_at = models.DateTimeField(_("创建时间 created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间 updated"), auto_now=True)

    class Meta:
        verbose_name = _("Stripe 退款 Stripe refund")
        verbose_name_plural = _("Stripe 退款 Stripe refunds")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.stripe_refund_id


class StripeEvent(models.Model):
    """Every verified webhook event, stored exactly once (``event_id`` is unique).

    A redelivery finds its row and is acknowledged without a second effect; processing
    locks the row and runs only while ``processed_at`` is empty."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待处理 pending")
        APPLIED = "applied", _("已处理 applied")
        NO_EFFECT = "no_effect", _("无需处理 no effect")
        FLAGGED = "flagged", _("待核查 flagged")
        IGNORED = "ignored", _("不处理的类型 ignored type")

    event_id = models.CharField(_("事件编号 event id"), max_length=255, unique=True)
    type = models.CharField(_("类型 type"), max_length=100, db_index=True)
    livemode = models.BooleanField(_("正式环境 live mode"), default=False)
    stripe_created = models.BigIntegerField(_("Stripe 创建时间戳 created (unix)"))
    payload = models.JSONField(_("内容 payload"))
    received_at = models.DateTimeField(_("接收时间 received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("处理时间 processed"), null=True, blank=True, db_index=True)
    outcome = models.CharField(_("结果 outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.TextField(_("说明 note"), blank=True)
    attempts = models.PositiveIntegerField(_("处理次数 attempts"), default=0)
    last_error = models.TextField(_("最近错误 last error"), blank=True)

    class Meta:
        verbose_name = _("Stripe 事件 Stripe event")
        verbose_name_plural = _("Stripe 事件 Stripe events")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

    @property
    def data_object(self) -> dict:
        return self.payload.get("data", {}).get("object", {})
