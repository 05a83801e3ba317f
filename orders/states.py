"""The states an order (payment) and a sub-order (fulfilment) can be in; which moves
between them are allowed is ``transitions.py``. ``models.py`` explains why the state is
split that way."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    # An order placed for an organisation above its approval threshold waits for one of its
    # approvers (procurement): no stock is held until it is approved; returned, it ends.
    AWAITING_APPROVAL = "awaiting_approval", _("待审批")
    RETURNED = "returned", _("已退回")
    # An organisation that pays by transfer N days after acceptance (its setting, the
    # order's ``payment_terms_days``): shipped first, paid after its parcels are accepted.
    # It never expires unpaid; the clock runs from the last acceptance.
    ON_TERMS = "on_terms", _("验收后付款")
    AWAITING_PAYMENT = "awaiting_payment", _("待付款")
    PAID = "paid", _("已付款")
    CANCELLED = "cancelled", _("已取消")
    PARTIALLY_REFUNDED = "partially_refunded", _("部分退款")
    REFUNDED = "refunded", _("已退款")


class FulfilmentStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("待审批")
    AWAITING_PAYMENT = "awaiting_payment", _("待付款")
    # To ship before the money comes: an order on terms (OrderStatus.ON_TERMS).
    ON_TERMS = "on_terms", _("待发货（验收后付款）")
    PAID = "paid", _("待发货")
    SHIPPED = "shipped", _("已发货")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    REFUNDED = "refunded", _("已退款")


# Parcels with nothing left to deliver or accept: an order on terms falls due once every
# parcel is one of these.
SETTLED_PARCELS = (FulfilmentStatus.COMPLETED, FulfilmentStatus.CANCELLED, FulfilmentStatus.REFUNDED)
