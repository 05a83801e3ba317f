"""Writes of the attribution ledger, and of the records around it (payouts, access codes).

``write_sale_entries`` and ``write_refund_entries`` run on the two events every paid sale
and every refund sends (``orders.events.line_paid`` / ``line_refunded``, received through
``on_line_paid`` / ``on_line_refunded``, connected in ``apps.py``), inside the transaction
that holds ``lock_order``; so there is one path into the ledger whatever the payment method
(Stripe event, bank transfer, reconciliation), and a second call for the same payment or
refund writes nothing. What they write is announced as ``events.entries_booked``."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.scoping import is_platform_admin, operated_shop_ids
from orders.models import Order, OrderLine
from payments.models import RefundLine
from producers.models import BenefitLinkage, Collective, Household
from sales_channels.selectors import source_of_sale

from .allocation import FULL_BP, split, split_refund
from .events import entries_booked
from .lookup import reset_lookups
from .models import (
    RETAINED_MODE,
    BeneficiaryKind,
    EntryKind,
    LedgerEntry,
    Payout,
    StatementAccess,
    beneficiary_key,
    kind_of,
)
from .selectors import statement_permissions


@dataclass(frozen=True)
class Beneficiary:
    kind: str
    pk: int
    share_bp: int
    mode: str
    region_id: int


def beneficiaries_of(linkage: BenefitLinkage | None, producer) -> list[Beneficiary]:
    """Who shares a sale under ``linkage``: each share in the order it was entered, then
    the producer with the unallocated rest (all of it when there is no linkage)."""
    out: list[Beneficiary] = []
    if linkage is not None:
        for share in linkage.shares.select_related("household", "collective").order_by("pk"):
            who = share.beneficiary
            out.append(Beneficiary(kind_of(who), who.pk, share.share_bp, share.mode, who.village_id))
    rest = FULL_BP - sum(b.share_bp for b in out)
    if rest < 0:
        raise DomainError(_("利益联结份额合计超过 100%%（%(bp)s 基点）。") % {"bp": FULL_BP - rest})
    if rest > 0:
        out.append(Beneficiary(BeneficiaryKind.PRODUCER, producer.pk, rest, RETAINED_MODE, producer.region_id))
    return out


def _common_fields(line: OrderLine, order: Order, product) -> dict:
    return {
        "order": order,
        "order_line": line,
        "paid_at": line.paid_at,
        "producer_id": product.producer_id,
        "producer_kind": product.producer.kind,
        "producer_region_id": product.producer.region_id,
        "shop_id": product.shop_id,
        "product_id": product.pk,
        "category_id": product.category_id,
        "buyer_type": order.buyer_type,
        "live_event_id": line.live_event_id,
        "live_attribution": line.live_attribution,
        "certificate_number": line.certificate_number,
        "certified_at_payment": bool(line.certified_at_payment),
        "linkage_id": line.linkage_id,
    }


def _beneficiary_fields(kind: str, pk: int) -> dict:
    return {
        "beneficiary_kind": kind,
        "beneficiary_key": beneficiary_key(kind, pk),
        "household_id": pk if kind == BeneficiaryKind.HOUSEHOLD else None,
        "collective_id": pk if kind == BeneficiaryKind.COLLECTIVE else None,
    }


def write_sale_entries(line: OrderLine, order: Order, product) -> list[LedgerEntry]:
    """The entries of a line that has just become paid: its amount (unit price × quantity)
    split over the beneficiaries of ``line.linkage`` (the version in force at payment) by
    largest remainder, the producer taking the unallocated rest. Nothing is written when
    the line has its entries already. Caller holds ``lock_order``; ``line.paid_at``,
    ``linkage``, certificate fields are set."""
    if line.paid_at is None:
        raise DomainError(_("订单明细尚未付款，不能记入收益台账。"))
    if LedgerEntry.objects.filter(order_line=line, kind=EntryKind.SALE).exists():
        return []
    people = beneficiaries_of(line.linkage, product.producer)
    amounts = split(line.line_total_fen, [b.share_bp for b in people])
    common = _common_fields(line, order, product)
    source = source_of_sale(order, line, product)
    entries = [
        LedgerEntry(
            kind=EntryKind.SALE,
            channel=source.channel,
            pairing_id=source.pairing_id,
            amount_fen=amount,
            booked_at=line.paid_at,
            beneficiary_region_id=b.region_id,
            share_bp=b.share_bp,
            mode=b.mode,
            **_beneficiary_fields(b.kind, b.pk),
            **common,
        )
        for b, amount in zip(people, amounts, strict=True)
    ]
    return _book(entries)


def write_refund_entries(refund_line: RefundLine, line: OrderLine, order: Order, product, at: dt.datetime) -> list:
    """Reversing entries for a confirmed refund of part of a line: ``refund_line.amount_fen``
    split by the shares the sale was split by, no beneficiary giving back more than it
    still holds from the line (``allocation.split_refund``). Zero parts are not written.
    Nothing is written when this refund line has its entries already."""
    if LedgerEntry.objects.filter(refund_line=refund_line).exists():
        return []
    sales = list(LedgerEntry.objects.filter(order_line=line, kind=EntryKind.SALE).order_by("pk"))
    if not sales:
        raise DomainError(_("订单明细 %(line)s 没有销售记账，不能冲减。") % {"line": line.pk})
    held = dict(
        LedgerEntry.objects.filter(order_line=line)
        .values("beneficiary_key")
        .annotate(s=Sum("amount_fen"))
        .values_list("beneficiary_key", "s")
    )
    parts = split_refund(
        refund_line.amount_fen, [e.share_bp for e in sales], [held.get(e.beneficiary_key, 0) for e in sales]
    )
    common = _common_fields(line, order, product)
    entries = [
        LedgerEntry(
            kind=EntryKind.REFUND,
            amount_fen=-part,
            booked_at=at,
            refund_id=refund_line.refund_id,
            refund_line=refund_line,
            # The same beneficiary, share and mode as the sale it reverses, and the same
            # channel and pairing (the pairings in force may have changed since).
            channel=sale.channel,
            pairing_id=sale.pairing_id,
            beneficiary_kind=sale.beneficiary_kind,
            beneficiary_key=sale.beneficiary_key,
            household_id=sale.household_id,
            collective_id=sale.collective_id,
            beneficiary_region_id=sale.beneficiary_region_id,
            share_bp=sale.share_bp,
            mode=sale.mode,
            **common,
        )
        for sale, part in zip(sales, parts, strict=True)
        if part
    ]
    return _book(entries)


def _book(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    created = LedgerEntry.objects.bulk_create(entries)
    entries_booked.send(sender=LedgerEntry, entries=created)
    return created


def on_line_paid(sender, *, line: OrderLine, order: Order, product, **kwargs) -> None:
    """Receiver of ``orders.events.line_paid``."""
    write_sale_entries(line, order, product)


def on_line_refunded(sender, *, line: OrderLine, refund_line: RefundLine, order: Order, product, at, **kwargs) -> None:
    """Receiver of ``orders.events.line_refunded``."""
    write_refund_entries(refund_line, line, order, product, at)


# --- access codes and payouts -----------------------------------------------------------------------------------------

ACCESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def issue_access_code(household: Household, *, by) -> str:
    """Make a new statement access code for ``household`` and return it (shown once; only
    its hash is kept). The old code stops working, and the household's lookup count starts
    afresh (nobody has guessed at the new code). Only a viewer allowed to read the
    household's statement with full personal data may issue one."""
    permissions = statement_permissions(by, household)
    if not (permissions.may_view and permissions.unmasked):
        raise DomainError(_("无权为该帮扶户发放查询码。"))
    code = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(8))
    StatementAccess.objects.update_or_create(
        household=household, defaults={"code_hash": make_password(code), "issued_by": by}
    )
    reset_lookups(household.registration_number)
    return code


@transaction.atomic
def record_payout(
    *,
    shop_id: int,
    beneficiary: Household | Collective,
    amount_fen: int,
    period_start: dt.date,
    period_end: dt.date,
    paid_on: dt.date,
    reference: str,
    note: str = "",
    by,
) -> Payout:
    """Record money a shop paid a beneficiary for a period. Refused for a user who does
    not operate the shop (platform admins may), a beneficiary with no ledger income from
    the shop, a zero amount, a period the wrong way round, or a missing reference. A
    negative amount is a correction and needs a note. Never touches the ledger."""
    if not (is_platform_admin(by) or shop_id in operated_shop_ids(by)):
        raise DomainError(_("只有该网店的运营人员可以登记收益发放。"))
    if not isinstance(amount_fen, int) or amount_fen == 0:
        raise DomainError(_("发放金额不能为 ¥0.00。"))
    if amount_fen < 0 and not note.strip():
        raise DomainError(_("冲正（负数）须填写备注说明原因。"))
    if period_end < period_start:
        raise DomainError(_("期间结束日不能早于开始日。"))
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("请填写发放凭证号（转账流水号等）。"))
    kind = kind_of(beneficiary)
    key = beneficiary_key(kind, beneficiary.pk)
    if not LedgerEntry.objects.filter(shop_id=shop_id, beneficiary_key=key).exists():
        raise DomainError(_("该受益方没有来自本店的收益记录。"))
    return Payout.objects.create(
        shop_id=shop_id,
        beneficiary_kind=kind,
        beneficiary_key=key,
        household=beneficiary if kind == BeneficiaryKind.HOUSEHOLD else None,
        collective=beneficiary if kind == BeneficiaryKind.COLLECTIVE else None,
        amount_fen=amount_fen,
        period_start=period_start,
        period_end=period_end,
        paid_on=paid_on,
        reference=reference[:100],
        note=note.strip()[:200],
        recorded_by=by,
    )
