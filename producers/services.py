"""Writes to producers' data. Each service runs in a transaction and raises
``DomainError`` with a message a user can act on."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import DomainError

from .models import BenefitLinkage, BenefitMode, BenefitShare, Collective, Household

FULL_SHARE_BP = 10_000


@dataclass(frozen=True)
class ShareSpec:
    """One beneficiary's share in a new linkage version: exactly one of household or
    collective, a share in basis points and the benefit mode."""

    share_bp: int
    mode: str
    household: Household | None = None
    collective: Collective | None = None


def validate_shares(shares: list[ShareSpec]) -> None:
    seen = set()
    total = 0
    for share in shares:
        if (share.household is None) == (share.collective is None):
            raise DomainError(gettext("每个受益份额须且只能指定一个帮扶户或村集体。"))
        if not isinstance(share.share_bp, int) or not 1 <= share.share_bp <= FULL_SHARE_BP:
            raise DomainError(
                gettext("份额须为 1 到 %(full)s 之间的整数基点，收到 %(got)r。")
                % {"full": FULL_SHARE_BP, "got": share.share_bp}
            )
        if share.mode not in BenefitMode.values:
            raise DomainError(gettext("未知的联结方式：%(mode)r。") % {"mode": share.mode})
        key = ("h", share.household.pk) if share.household else ("c", share.collective.pk)
        if key in seen:
            raise DomainError(gettext("受益对象重复：%(who)s。") % {"who": share.household or share.collective})
        seen.add(key)
        total += share.share_bp
    if total > FULL_SHARE_BP:
        raise DomainError(
            gettext("受益份额合计 %(total)s 基点，超过 %(full)s 基点（100%%）。")
            % {"total": total, "full": FULL_SHARE_BP}
        )


@transaction.atomic
def revise_benefit_linkage(
    product,
    shares: list[ShareSpec],
    *,
    by=None,
    valid_from: datetime | None = None,
    note: str = "",
) -> BenefitLinkage:
    """Put a new version of ``product``'s benefit linkage in force from ``valid_from``
    (now by default). The version in force is closed at that moment and kept: sales made
    under it keep pointing at it."""
    validate_shares(shares)
    valid_from = valid_from or timezone.now()
    # Serialise revisions of one product: the row lock makes version numbers race-free.
    # (The product is catalog's, a layer above: lock it through its own class.)
    type(product)._default_manager.select_for_update().filter(pk=product.pk).first()
    current = BenefitLinkage.objects.filter(product=product, valid_to__isnull=True).first()
    if current is not None:
        if valid_from <= current.valid_from:
            raise DomainError(gettext("新版本的生效时间必须晚于当前版本的生效时间。"))
        current.valid_to = valid_from
        current.save(update_fields=["valid_to"])
    last_version = (
        BenefitLinkage.objects.filter(product=product).order_by("-version").values_list("version", flat=True).first()
    )
    linkage = BenefitLinkage.objects.create(
        product=product,
        version=(last_version or 0) + 1,
        valid_from=valid_from,
        note=note,
        created_by=by,
    )
    BenefitShare.objects.bulk_create(
        BenefitShare(
            linkage=linkage,
            household=s.household,
            collective=s.collective,
            share_bp=s.share_bp,
            mode=s.mode,
        )
        for s in shares
    )
    return linkage
