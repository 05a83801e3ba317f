"""The demo's budget unit (单县机关事务服务中心, the unit of the demo sales): an organisation
account registered by ``unit-buyer`` (its administrator and purchaser), with
``unit-approver`` and ``unit-finance`` invited and accepted, this year's reserved share, and
orders placed for it through the checkout and paid by transfer, so that it stands about a
third of the way to its quota — the first of them shipped and accepted (验收), and invoiced by
``demo/invoices.py`` — then, paying after acceptance from now on (30 days), one order shipped
and waiting for ``unit-buyer`` to accept it, and one order above its approval threshold
(¥1,000.00) waiting for the approver. All through the real services."""

from dataclasses import dataclass, replace

from django.utils import timezone

from catalog.models import Product
from live.models import FeaturedProduct
from live.pricing import quotes_at
from orders.models import AddressRegion, PaymentMethod, SubOrder
from orders.services import BuyerDetails, CheckoutLine, apply_transition, place_order
from orders.states import OrderStatus
from orders.transitions import Actor, Target
from payments import services as payments
from procurement import services as procurement
from procurement.models import AcceptanceResult, Member, Organisation

from .sales import SHAN_COUNTY, UNIT_NAME, UNIT_TAX_ID_BODY, _tax_id

# Planned canteen food spending this year ¥90,000, 10% reserved (单县's minimum): ¥9,000.
PLANNED_FEN = 90_000_00
SHARE_BP = 1_000
# Bought for the unit: about a third of the reserved ¥9,000.
TARGET_SPENT_FEN = 3_000_00
APPROVAL_THRESHOLD_FEN = 1_000_00
PAYMENT_TERMS_DAYS = 30


def demo_unit_credit_code() -> str:
    return _tax_id(UNIT_TAX_ID_BODY)


@dataclass
class DemoUnit:
    organisation: Organisation | None
    orders: int = 0
    spent_fen: int = 0
    waiting: int = 0
    accepted: int = 0
    to_accept: int = 0


def make_demo_unit(users, *, admin) -> DemoUnit:
    """Needs the demo's certified products of 单县 and the unit's three logins."""
    buyer, approver, finance = users["unit-buyer"], users["unit-approver"], users["unit-finance"]
    county = AddressRegion.objects.get(level=AddressRegion.Level.COUNTY, code=SHAN_COUNTY)
    details = procurement.OrganisationDetails(
        kind="budget_unit",
        name=UNIT_NAME,
        credit_code=demo_unit_credit_code(),
        region=county,
        invoice_title=UNIT_NAME,
        invoice_address="山东省菏泽市单县园艺街道行政路 1 号",
        invoice_phone="0530-4621301",
        invoice_bank="中国农业银行单县支行",
        invoice_account="15710101040001234",
    )
    organisation = procurement.register_organisation(buyer, details)
    head = Member.objects.get(organisation=organisation, user=buyer)
    procurement.set_roles(head, head, ["admin", "purchaser"])
    for person, role in ((approver, "approver"), (finance, "finance")):
        invitation = procurement.invite(head, person.mobile, person.name, [role])
        procurement.accept_invitation(person, invitation.pk)
    procurement.set_quota(head, timezone.localdate().year, PLANNED_FEN, share_bp=SHARE_BP)

    result = DemoUnit(organisation)
    products = list(
        Product.objects.purchasable()
        .filter(shop__region__code__startswith=SHAN_COUNTY, stock__gte=40)
        .exclude(pk__in=FeaturedProduct.objects.values("product_id"))
        .order_by("pk")[:6]
    )
    if not products:
        return result
    county_buyer = BuyerDetails(
        buyer_type="budget_unit",
        contact_name=buyer.name,
        email="jiguan@example.cn",
        mobile=buyer.mobile,
        ship_region=county,
        ship_detail="园艺街道行政路 1 号 机关食堂",
        recipient_name="刘师傅",
        recipient_mobile="13905300001",
        organisation_name=organisation.name,
        tax_id=organisation.credit_code,
        buying_for=str(organisation.pk),
    )
    for product in products:
        if result.spent_fen >= TARGET_SPENT_FEN:
            break
        price = quotes_at([product], timezone.now())[product.pk].price_fen
        quantity = max(1, min(40, (TARGET_SPENT_FEN - result.spent_fen) // price))
        order = place_order(
            lines=[CheckoutLine(product.pk, quantity, price)],
            buyer=county_buyer,
            payment_method=PaymentMethod.TRANSFER,
            user=buyer,
        )
        payments.record_transfer_receipt(
            order.pk, amount_fen=order.total_fen, reference=f"DEMO-UNIT-{order.number}", by=admin
        )
        result.orders += 1
        result.spent_fen += order.total_fen
    # The first order's parcel came and was checked: accepted (its invoice: demo/invoices.py).
    # (A parcel of a shop with an operator, who issues its invoice, if there is one.)
    parcels = SubOrder.objects.filter(order__organisation_link__organisation=organisation).order_by("order_id", "pk")
    parcel = parcels.filter(shop__operators__isnull=False).first() or parcels.first()
    if parcel is not None:
        _ship(parcel, admin)
        procurement.accept(head, parcel.pk, AcceptanceResult.ACCEPTED, note="数量、品质与订单一致")
        result.accepted += 1
    # From now on orders above ¥1,000.00 wait for the approver, and bank transfers are paid
    # 30 days after acceptance: one such order has shipped and waits to be accepted.
    procurement.update_organisation(
        head,
        replace(details, approval_threshold_fen=APPROVAL_THRESHOLD_FEN, payment_terms_days=PAYMENT_TERMS_DAYS),
    )
    cheapest = min(products, key=lambda p: quotes_at([p], timezone.now())[p.pk].price_fen)
    price = quotes_at([cheapest], timezone.now())[cheapest.pk].price_fen
    on_terms = place_order(
        lines=[CheckoutLine(cheapest.pk, max(1, min(10, 30_000 // price)), price)],
        buyer=county_buyer,
        payment_method=PaymentMethod.TRANSFER,
        user=buyer,
    )
    for parcel in on_terms.suborders.order_by("pk"):
        _ship(parcel, admin)
        result.to_accept += 1
    prices = quotes_at(products, timezone.now())
    product = max(products, key=lambda p: prices[p.pk].price_fen)
    price = prices[product.pk].price_fen
    held = place_order(
        lines=[CheckoutLine(product.pk, min(product.stock, APPROVAL_THRESHOLD_FEN // price + 1), price)],
        buyer=county_buyer,
        payment_method=PaymentMethod.TRANSFER,
        user=buyer,
    )
    result.waiting = int(held.status == OrderStatus.AWAITING_APPROVAL)
    return result


def _ship(parcel, admin) -> None:
    """The parcel's shop operator ships it (the platform administrator when it has none)."""
    operator = parcel.shop.operators.order_by("pk").first()
    apply_transition(
        Target.SUBORDER,
        parcel.pk,
        "ship",
        by=operator or admin,
        actor=Actor.OPERATOR if operator else Actor.ADMIN,
        carrier="中国邮政 EMS",
        tracking_number=f"1{parcel.order.number[-8:]}{parcel.pk:04d}"[:13],
    )
