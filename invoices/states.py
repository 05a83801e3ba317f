"""What an invoice request (发票申请) asks for and the states it moves through. Which moves
are allowed, and who may ask for each, is ``transitions.py``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NORMAL = "normal", _("普通发票")
    SPECIAL = "special", _("增值税专用发票")


class TitleType(models.TextChoices):
    PERSONAL = "personal", _("个人")
    COMPANY = "company", _("单位")


class Medium(models.TextChoices):
    ELECTRONIC = "electronic", _("电子发票")
    PAPER = "paper", _("纸质发票")


class Status(models.TextChoices):
    REQUESTED = "requested", _("待开票")
    ISSUED = "issued", _("已开票")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("被退回")
    WITHDRAWN = "withdrawn", _("已撤销")


# A request in one of these is the sub-order's one active request: no second one meanwhile.
ACTIVE = frozenset({Status.REQUESTED, Status.ISSUED, Status.CONFIRMED, Status.REJECTED})
# The shop owes the buyer an invoice (a new request, or one the buyer sent back).
MISSING = (Status.REQUESTED, Status.REJECTED)
