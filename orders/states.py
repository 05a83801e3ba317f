"""The states an order (payment) and a sub-order (fulfilment) can be in; which moves
between them are allowed is ``transitions.py``. ``models.py`` explains why the state is
split that way."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("待付款 awaiting payment")
    PAID = "paid", _("已付款 paid")
    CANCELLED = "cancelled", _("已取消 cancelled")
    PARTIALLY_REFUNDED = "partially_refunded", _("部分退款 partially refunded")
    REFUNDED = "refunded", _("已退款 refunded")


class FulfilmentStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("待付款 awaiting payment")
    PAID = "paid", _("待发货 paid, to ship")
    SHIPPED = "shipped", _("已发货 shipped")
    COMPLETED = "completed", _("已完成 completed")
    CANCELLED = "cancelled", _("已取消 cancelled")
    REFUNDED = "refunded", _("已退款 refunded")
