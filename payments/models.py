"""Money received and returned, for every payment method.

A ``Payment`` is one receipt (a Stripe charge, a bank transfer); a ``Refund`` is money
sent back, for named order lines. Amounts are integer fen in CNY. Both are written only by
``payments.services``; the Stripe integration keeps its own event log and
calls those services."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from core.validators import validate_account_number
from orders.models import PaymentMethod


class Payment(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("已入账")
        FLAGGED = "flagged", _("待核查")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("方式"), max_length=20, choices=PaymentMethod.choices)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    reference = models.CharField(_("流水号"), max_length=100)
    provider_event_id = models.CharField(_("渠道事件号"), max_length=100, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    flag_reason = models.CharField(_("核查原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("入账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收款")
        verbose_name_plural = pgettext_lazy("plural", "收款")
        ordering = ["received_at", "pk"]
        constraints = [
            # Idempotency: one row per provider event, and per (method, reference).
            models.UniqueConstraint(
                fields=["provider_event_id"], condition=Q(provider_event_id__isnull=False), name="payment_event_once"
            ),
            models.UniqueConstraint(fields=["method", "reference"], name="payment_reference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.reference}"


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("处理中")
        CONFIRMED = "confirmed", _("已退款")
        FAILED = "failed", _("失败")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds")
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    # Moves only through ``transitions.REFUND_TRANSITIONS`` (``services._move_refund``).
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    reference = models.CharField(_("退款流水号"), max_length=100, blank=True)
    provider_event_id = models.CharField(_("渠道事件号"), max_length=100, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = pgettext_lazy("plural", "退款")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_event_id"], condition=Q(provider_event_id__isnull=False), name="refund_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.amount_fen}"


class RefundLine(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="refund_lines")
    quantity = models.PositiveIntegerField(_("数量"))
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))

    def __str__(self) -> str:
        return f"{self.line_id} × {self.quantity}"


@register_setting(icon="doc-full")
class TransferPayee(BaseSiteSetting):
    """The platform's account for bank transfers (对公转账), edited in the admin under
    Settings. Orders are paid to it unless all their goods come from one shop that has
    its own account (``catalog.Shop.payee_*``); the choice is ``selectors.payee_for``.
    Read for the default site: the order page, the e-mail and the payment notice must all
    name the same account, and an e-mail is written without a request."""

    account_name = models.CharField(_("户名"), max_length=100, blank=True)
    bank_name = models.CharField(
        _("开户行"), max_length=100, blank=True, help_text=_("写到支行，如：中国农业银行菏泽分行营业部。")
    )
    account_number = models.CharField(
        _("账号"),
        max_length=40,
        blank=True,
        validators=[validate_account_number],
        help_text=_("8 至 30 位数字，可用空格分组。"),
    )

    FIELDS = ("account_name", "bank_name", "account_number")

    class Meta:
        verbose_name = _("转账收款账户")
        verbose_name_plural = pgettext_lazy("plural", "转账收款账户")

    @property
    def is_complete(self) -> bool:
        return all(getattr(self, name).strip() for name in self.FIELDS)

    def clean(self) -> None:
        super().clean()
        for name in self.FIELDS:
            setattr(self, name, " ".join(getattr(self, name).split()))
        filled = [name for name in self.FIELDS if getattr(self, name)]
        if filled and len(filled) < len(self.FIELDS):
            raise ValidationError(
                {name: _("户名、开户行和账号须一并填写，或都留空。") for name in self.FIELDS if name not in filled}
            )


from .direct_models import *  # noqa: E402,F401,F403  (the direct providers' tables: WeChat Pay, Alipay)
from .stripe_models import *  # noqa: E402,F401,F403  (the Stripe integration's own tables)
