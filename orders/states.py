"""The states an order (payment) and a sub-order (fulfilment) can be in; which moves
between them are allowed is ``transitions.py``. ``models.py`` explains why the state is
split that way."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("待付款")
    PAID = "paid", _("已付款")
    CANCELLED = "cancelled", _("已取消")
    PARTIALLY_REFUNDED = "partially_refunded", _("部分退款")
    REFUNDED = "refunded", _("已退款")


class FulfilmentStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("待付款")
    PAID = "paid", _("待发货")
    SHIPPED = "shipped", _("已发货")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    REFUNDED = "refunded", _("已退款")
