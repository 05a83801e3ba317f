"""Buying for an organisation (checkout's 采购单位). Which organisations a signed-in buyer
may buy for, and what becomes of an order placed for one, is the procurement app's to
decide (it knows the organisations, their members and roles), and procurement sits above
orders: it registers its answers here when it starts (``procurement/apps.py``). Without
it nobody buys for an organisation, and checkout asks for the unit's name and tax ID as
before."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import DomainError


@dataclass(frozen=True)
class BuyingFor:
    ref: str  # the organisation's id, as the checkout form posts it
    name: str  # the organisation's name (the order's 单位名称)
    buyer_type: str  # one of BuyerType.institutional()
    tax_id: str  # its unified social credit code (the order's 纳税人识别号)


_choices: Callable[[object], list[BuyingFor]] | None = None
_placed: Callable[..., None] | None = None
_needs_approval: Callable[[str, int], bool] | None = None
_payment_terms: Callable[[str, str], int | None] | None = None


def buying_for_from(
    choices: Callable[[object], list[BuyingFor]],
    placed: Callable[..., None],
    needs_approval: Callable[[str, int], bool],
    payment_terms: Callable[[str, str], int | None],
) -> None:
    """``choices(user)``: the organisations ``user`` may buy for now; ``placed(order, ref,
    user)``: an order was just placed for ``ref`` in the checkout's transaction (raising
    ``DomainError`` refuses it, and nothing is placed); ``needs_approval(ref, total_fen)``:
    whether an order of that total waits for the organisation's approver (待审批: no stock
    held until it is approved, ``services.approve_order``); ``payment_terms(ref,
    payment_method)``: the days after acceptance within which the organisation pays an
    order of that method (验收后付款: it ships unpaid), or None when it pays first."""
    global _choices, _placed, _needs_approval, _payment_terms
    _choices, _placed, _needs_approval, _payment_terms = choices, placed, needs_approval, payment_terms


def organisations_for(user) -> list[BuyingFor]:
    if _choices is None or not getattr(user, "is_authenticated", False):
        return []
    return _choices(user)


def order_placed_for(order, ref: str, user) -> None:
    if _placed is None:
        raise DomainError(_("无法为单位下单。"))
    _placed(order, ref, user)


def needs_approval(ref: str, total_fen: int) -> bool:
    return _needs_approval is not None and _needs_approval(ref, total_fen)


def payment_terms(ref: str, payment_method: str) -> int | None:
    return _payment_terms(ref, payment_method) if _payment_terms is not None else None


@dataclass(frozen=True)
class ParcelAcceptance:
    """An organisation's parcel on the order page: its acceptance (验收), or where to record it."""

    result: str  # the result's label; "" while not accepted
    accepted_at: dt.datetime | None
    url: str  # where this viewer records the acceptance ("" when they may not, or not yet)


_acceptance: Callable[[object, object], dict[int, ParcelAcceptance]] | None = None


def acceptance_from(acceptance: Callable[[object, object], dict[int, ParcelAcceptance]]) -> None:
    """``acceptance(order, user)``: {parcel id: ParcelAcceptance} for an order placed for an
    organisation (empty otherwise). Such a parcel is accepted by the unit's purchaser, not
    confirmed as received: the order page shows this instead of 确认收货."""
    global _acceptance
    _acceptance = acceptance


def acceptance_of(order, user) -> dict[int, ParcelAcceptance]:
    if _acceptance is None or not order.is_institutional:
        return {}
    return _acceptance(order, user)


_invoice_details: Callable[[object], dict[str, str]] | None = None


def invoice_details_from(details: Callable[[object], dict[str, str]]) -> None:
    """``details(order)``: the 开票信息 of the organisation an order was placed for — title,
    tax_id, address, phone, bank, account — or {} for any other order."""
    global _invoice_details
    _invoice_details = details


def invoice_details_of(order) -> dict[str, str]:
    if _invoice_details is None or not order.is_institutional:
        return {}
    return _invoice_details(order)
