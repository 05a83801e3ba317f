"""Reads of paying by bank transfer: whose account an order is paid to, and the reference
code (转账识别码) the buyer writes in the transfer's note so staff can match the money.

``transfer_details`` is the one answer the order page, the order e-mails, the payment
notice and the admin's receipt form all show (registered for orders in ``apps.py``)."""

from orders.models import Order
from orders.transfer_details import Payee, TransferDetails

from .models import TransferPayee

# --- the reference code ----------------------------------------------------------------------------------------
#
# Derived from the order's primary key, so nothing is stored and it never changes: the
# key (below 2**30) is scrambled by a bijection of 30-bit numbers (multiply by an odd
# constant modulo 2**30, then XOR), written as 6 characters of 5 bits, and followed by a
# check character. Different orders therefore always get different codes, neighbouring
# orders do not look alike, and one mistyped character or two swapped neighbours are
# caught. The alphabet leaves out 0, O, 1 and I, which people mix up when reading a
# bank statement aloud or typing a note on a phone.

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 characters
_BITS = 30
_MASK = (1 << _BITS) - 1
_MULTIPLIER = 387_420_489  # 3**18: odd, so multiplying by it modulo 2**30 is a bijection
_INVERSE = pow(_MULTIPLIER, -1, 1 << _BITS)
_XOR = 0x15A5C3E7 & _MASK
_DATA_CHARS = _BITS // 5
_CHECK_MODULUS = 31  # prime: every single-character change and neighbour swap moves the check


def _check_char(data: str) -> str:
    total = sum(REFERENCE_ALPHABET.index(c) * (i + 1) for i, c in enumerate(data))
    return REFERENCE_ALPHABET[total % _CHECK_MODULUS]


def reference_code(order_pk: int) -> str:
    """The order's transfer reference code: 7 characters, e.g. ``'3D6NPGT'`` for order 1."""
    if not 0 < order_pk <= _MASK:
        raise ValueError(f"no reference code for order id {order_pk}")
    value = ((order_pk * _MULTIPLIER) & _MASK) ^ _XOR
    data = "".join(REFERENCE_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(_DATA_CHARS)))
    return data + _check_char(data)


def order_pk_for_reference(code: str) -> int | None:
    """The order id a reference code stands for, or None if it is not a valid code
    (spaces, dashes and lower case as people type them are forgiven)."""
    text = "".join((code or "").split()).replace("-", "").upper()
    if len(text) != _DATA_CHARS + 1 or any(c not in REFERENCE_ALPHABET for c in text):
        return None
    data, check = text[:-1], text[-1]
    if _check_char(data) != check:
        return None
    value = 0
    for c in data:
        value = (value << 5) | REFERENCE_ALPHABET.index(c)
    pk = ((value ^ _XOR) * _INVERSE) & _MASK
    return pk or None


# --- the payee -------------------------------------------------------------------------------------------------


def platform_payee() -> Payee | None:
    """The platform's account (the default site's ``TransferPayee``), if filled in."""
    setting = TransferPayee.objects.filter(site__is_default_site=True).first()
    if setting is None or not setting.is_complete:
        return None
    return Payee(setting.account_name, setting.bank_name, setting.account_number)


def payee_for(order: Order) -> Payee | None:
    """Whose account the buyer transfers to: the shop's own when every line of the order
    is from that one shop and it has an account; otherwise the platform's; None when
    neither is configured (the page then says the details will be sent)."""
    suborders = list(order.suborders.all())  # prefetched with their shops on the order page
    if len(suborders) == 1:
        shop = suborders[0].shop
        if shop.has_payee:
            return Payee(shop.payee_name, shop.payee_bank, shop.payee_account, shop_name=shop.name)
    return platform_payee()


def payee_told(order: Order) -> Payee | None:
    """The payee the order was placed with (kept on it by ``orders.services.place_order``,
    from ``payee_for`` at that moment); else, for an order placed while no account was
    configured, whichever ``payee_for`` names now."""
    if order.payee_account:
        return Payee(order.payee_name, order.payee_bank, order.payee_account, shop_name=order.payee_shop_name)
    return payee_for(order)


def transfer_details(order: Order) -> TransferDetails:
    return TransferDetails(reference_code=reference_code(order.pk), payee=payee_told(order))
