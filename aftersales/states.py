"""What an after-sales request (售后单) asks for, why, and the states it moves through.
Which moves are allowed, and who may ask for each, is ``transitions.py``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REFUND_ONLY = "refund_only", _("仅退款")
    RETURN = "return", _("退货退款")


class Reason(models.TextChoices):
    NOT_WANTED = "not_wanted", _("不想要了 / 拍错了")
    NOT_RECEIVED = "not_received", _("未收到货")
    MISSING = "missing", _("少件、漏发")
    DAMAGED = "damaged", _("破损、腐烂变质")
    QUALITY = "quality", _("质量问题")
    NOT_AS_DESCRIBED = "not_as_described", _("与商品描述不符")
    OTHER = "other", _("其他")


# Reasons a buyer must show: at least one photo (破损、质量、描述不符), as any shop asks.
PHOTO_REQUIRED = frozenset({Reason.DAMAGED, Reason.QUALITY, Reason.NOT_AS_DESCRIBED})


class Status(models.TextChoices):
    REQUESTED = "requested", _("待商家处理")
    AWAITING_RETURN = "awaiting_return", _("待买家退货")
    RETURN_SHIPPED = "return_shipped", _("待商家收货")
    REFUSED = "refused", _("商家已拒绝")
    ESCALATED = "escalated", _("平台处理中")
    REFUNDING = "refunding", _("退款中")
    REFUNDED = "refunded", _("已退款")
    CLOSED = "closed", _("已关闭")
    WITHDRAWN = "withdrawn", _("已撤销")


# A request in one of these still holds its lines: no second request for the same units.
OPEN = frozenset(
    {
        Status.REQUESTED,
        Status.AWAITING_RETURN,
        Status.RETURN_SHIPPED,
        Status.REFUSED,
        Status.ESCALATED,
        Status.REFUNDING,
    }
)
# Where somebody is waiting on somebody, and the clock (``AfterSale.deadline_at``) runs.
TIMED = frozenset({Status.REQUESTED, Status.AWAITING_RETURN, Status.RETURN_SHIPPED, Status.REFUSED})
