"""What the marketplace keeps about the providers it contracts with directly (WeChat Pay,
Alipay): each trade created for an order, each refund sent, each verified notification
(stored once), and each day's bill check with the differences left for a person.

As with Stripe's tables, these are the integration's bookkeeping; money itself is booked
only by ``payments.services`` once a verified notification, or a query signed with the
merchant's keys, says it moved (``payments.direct``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["BillCheck", "BillDifference", "DirectRefund", "DirectTrade", "Provider", "ProviderNotification"]


class Provider(models.TextChoices):
    # Each value is also the PaymentMethod it takes.
    WECHAT_PAY = "wechat_pay", _("微信支付")
    ALIPAY = "alipay", _("支付宝")


class DirectTrade(models.Model):
    """One trade at a provider for one order: created when the buyer chooses to pay (a
    QR code on a desktop, a page on a phone). A buyer who switches device gets another
    trade; the others are closed once one is paid or the order is cancelled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待支付")
        PAID = "paid", _("已支付")
        CLOSED = "closed", _("已关闭")

    provider = models.CharField(_("支付渠道"), max_length=12, choices=Provider.choices)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="direct_trades", verbose_name=_("订单")
    )
    # Ours, sent to the provider: WeChat allows 6–32 of [A-Za-z0-9_-|*], Alipay 64.
    out_trade_no = models.CharField(_("商户订单号"), max_length=32, unique=True)
    flavour = models.CharField(_("支付产品"), max_length=8)  # native / h5 / page / wap
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    transaction_id = models.CharField(_("渠道交易号"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("渠道支付时间"), null=True, blank=True)  # the provider's, for the bill check
    # What the buyer is shown to pay with, kept so that reopening the page does not create
    # another trade: WeChat's code_url (desktop) or the page address (phone).
    checkout_qr = models.CharField(max_length=500, blank=True)
    checkout_url = models.TextField(blank=True)
    last_error = models.CharField(_("最近失败原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("直连支付交易")
        verbose_name_plural = pgettext_lazy("plural", "直连支付交易")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="direct_trade_open")]

    def __str__(self) -> str:
        return self.out_trade_no


class DirectRefund(models.Model):
    """A marketplace ``Refund`` sent to the provider that took the money."""

    class Status(models.TextChoices):
        PENDING = "pending", _("处理中")
        SUCCEEDED = "succeeded", _("已退款")
        FAILED = "failed", _("失败")

    provider = models.CharField(_("支付渠道"), max_length=12, choices=Provider.choices)
    refund = models.OneToOneField(
        "payments.Refund", on_delete=models.PROTECT, related_name="direct_refund", verbose_name=_("退款")
    )
    trade = models.ForeignKey(DirectTrade, on_delete=models.PROTECT, related_name="refunds")
    out_refund_no = models.CharField(_("商户退款单号"), max_length=64, unique=True)
    provider_refund_id = models.CharField(_("渠道退款单号"), max_length=64, blank=True)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("渠道退款时间"), null=True, blank=True)  # the provider's, for the bill check
    last_error = models.CharField(_("最近失败原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("直连支付退款")
        verbose_name_plural = pgettext_lazy("plural", "直连支付退款")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.out_refund_no


class ProviderNotification(models.Model):
    """A notification that passed verification, stored once per provider and event id: a
    repeat is answered as taken and books nothing. Unverified requests are never stored."""

    provider = models.CharField(_("支付渠道"), max_length=12, choices=Provider.choices)
    event_id = models.CharField(_("通知编号"), max_length=100)
    out_trade_no = models.CharField(_("商户订单号"), max_length=32, blank=True)
    out_refund_no = models.CharField(_("商户退款单号"), max_length=64, blank=True)
    payload = models.JSONField(_("通知内容"))
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)
    processed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    result = models.CharField(_("处理结果"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("支付渠道通知")
        verbose_name_plural = pgettext_lazy("plural", "支付渠道通知")
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_notification_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class BillCheck(models.Model):
    """One provider's bill (对账单) of one Asia/Shanghai day compared with our records."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("全部相符")
        DIFFERENCES = "differences", _("有差异")
        FAILED = "failed", _("未能下载")

    provider = models.CharField(_("支付渠道"), max_length=12, choices=Provider.choices)
    day = models.DateField(_("账单日"))
    status = models.CharField(_("结果"), max_length=12, choices=Status.choices)
    provider_lines = models.PositiveIntegerField(_("渠道笔数"), default=0)
    matched = models.PositiveIntegerField(_("相符笔数"), default=0)
    error = models.CharField(_("失败原因"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("核对时间"), auto_now=True)

    class Meta:
        verbose_name = _("对账")
        verbose_name_plural = pgettext_lazy("plural", "对账")
        ordering = ["-day", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="bill_check_once_a_day")]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"


class BillDifference(models.Model):
    """A transaction the bill and our records disagree on, for a person to settle."""

    class Kind(models.TextChoices):
        UNKNOWN_TO_US = "unknown", _("渠道有、平台无")
        MISSING_AT_PROVIDER = "missing", _("平台有、渠道无")
        AMOUNT = "amount", _("金额不符")

    check_run = models.ForeignKey(BillCheck, on_delete=models.CASCADE, related_name="differences")
    kind = models.CharField(_("差异"), max_length=8, choices=Kind.choices)
    line_kind = models.CharField(_("类型"), max_length=8)  # payment / refund
    transaction_id = models.CharField(_("渠道交易号"), max_length=64, blank=True)
    out_trade_no = models.CharField(_("商户订单号"), max_length=64, blank=True)
    out_refund_no = models.CharField(_("商户退款单号"), max_length=64, blank=True)
    provider_amount_fen = models.BigIntegerField(_("渠道金额（分）"), null=True, blank=True)
    our_amount_fen = models.BigIntegerField(_("平台金额（分）"), null=True, blank=True)
    payment = models.ForeignKey("payments.Payment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    refund = models.ForeignKey("payments.Refund", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("对账差异")
        verbose_name_plural = pgettext_lazy("plural", "对账差异")
        ordering = ["check_run", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.transaction_id or self.out_trade_no}"
