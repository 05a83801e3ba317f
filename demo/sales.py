"""A modest set of demo sales for the consumption-support reports, through the real
services: orders placed at the checkout service, bank transfers recorded by the platform
administrator (which marks lines paid and writes the ledger and the report summaries),
and one refund by hand. Most of it is 单县's, so that ``officer-shanxian`` opens a
dashboard with figures on it; a few orders are other counties', so that drilling up to
the city shows more than one county. (The report's reserved-share section shows the
demo's budget unit with its quota and the orders placed for it: ``demo/procurement.py``.)

Separate from the live-event demo (``demo/live.py``), and clear of it: no product
that an event features is bought here, so the events' results stay the live demo's own.
Deterministic for a seed: which products, how many, which buyers. The sales happen when
the demo is loaded (payment time is the real time: the services read the clock), since
only then are the demo's certificates valid."""

import random
from dataclasses import dataclass

from django.utils import timezone

from catalog.models import Product
from core.validators import credit_code_check_char
from live.models import FeaturedProduct
from live.pricing import quotes_at
from orders.models import AddressRegion, BuyerType, OrderLine, PaymentMethod
from orders.services import BuyerDetails, CheckoutLine, place_order
from payments import services as payments

SHAN_COUNTY = "371722"
# A budget unit of 单县 (unified social credit code: 11 = government body, 单县's code).
UNIT_NAME = "单县机关事务服务中心"
UNIT_TAX_ID_BODY = "11371722MB0148391"
# (buyer type, organisation, Shan county lines, other counties' lines)
ORDERS = [
    (BuyerType.INDIVIDUAL, "", 2, 0),
    (BuyerType.INDIVIDUAL, "", 1, 0),
    (BuyerType.INDIVIDUAL, "", 1, 1),
    (BuyerType.BUDGET_UNIT, UNIT_NAME, 2, 0),
    (BuyerType.INDIVIDUAL, "", 1, 0),
    (BuyerType.UNION, "单县总工会", 1, 0),
    (BuyerType.INDIVIDUAL, "", 0, 2),
    (BuyerType.ENTERPRISE, "单县浮龙湖旅游开发有限公司", 1, 0),
    (BuyerType.BUDGET_UNIT, UNIT_NAME, 1, 0),
    (BuyerType.INDIVIDUAL, "", 1, 0),
    (BuyerType.INDIVIDUAL, "", 0, 1),
    (BuyerType.INDIVIDUAL, "", 2, 0),
]
_ORG_TAX_BODIES = {
    "单县总工会": "81371722MC0201735",
    "单县浮龙湖旅游开发有限公司": "91371722MA3D8K2P4",
}


@dataclass
class DemoSalesCounts:
    orders: int = 0
    lines: int = 0
    refunds: int = 0


def _tax_id(body: str) -> str:
    return body + credit_code_check_char(body)


def make_demo_sales(*, admin, seed: int = 1) -> DemoSalesCounts:
    """Place and pay the demo's orders (see module docstring). Needs the demo's certified
    products; does nothing when there are none in 单县."""
    rng = random.Random(f"{seed}:demo-sales")
    # Products no live event features: the live demo's event results stay its own.
    purchasable = (
        Product.objects.purchasable()
        .exclude(pk__in=FeaturedProduct.objects.values("product_id"))
        .select_related("shop__region")
        .order_by("pk")
    )
    shan = [p for p in purchasable if p.shop.region.code.startswith(SHAN_COUNTY)]
    elsewhere = [p for p in purchasable if p.shop.region.code.startswith("37") and p not in shan]
    counts = DemoSalesCounts()
    if not shan:
        return counts
    ship_region = AddressRegion.objects.get(level=AddressRegion.Level.COUNTY, code=SHAN_COUNTY)
    orders = []
    for n, (buyer_type, organisation, local, other) in enumerate(ORDERS, start=1):
        chosen = rng.sample(shan, min(local, len(shan))) + rng.sample(elsewhere, min(other, len(elsewhere)))
        institutional = buyer_type != BuyerType.INDIVIDUAL
        prices = quotes_at(chosen, timezone.now())  # what the buyer sees at checkout
        lines = [
            CheckoutLine(p.pk, rng.randint(5, 20) if institutional else rng.randint(1, 3), prices[p.pk].price_fen)
            for p in chosen
            if p.stock > 20
        ]
        if not lines:
            continue
        body = UNIT_TAX_ID_BODY if buyer_type == BuyerType.BUDGET_UNIT else _ORG_TAX_BODIES.get(organisation, "")
        buyer = BuyerDetails(
            buyer_type=buyer_type,
            contact_name=rng.choice(["王芳", "李强", "张敏", "刘洋", "陈静"]),
            email=f"demo-buyer-{n}@example.cn",
            mobile=f"138{rng.randrange(10**8):08d}",
            ship_region=ship_region,
            ship_detail=f"园艺街道人民路 {rng.randint(1, 200)} 号",
            recipient_name=rng.choice(["王芳", "李强", "张敏"]),
            recipient_mobile=f"139{rng.randrange(10**8):08d}",
            organisation_name=organisation,
            tax_id=_tax_id(body) if body else "",
        )
        order = place_order(lines=lines, buyer=buyer, payment_method=PaymentMethod.TRANSFER)
        for line in lines:  # keep the local stock figures true for the orders that follow
            next(p for p in chosen if p.pk == line.product_id).stock -= line.quantity
        payments.record_transfer_receipt(
            order.pk, amount_fen=order.total_fen, reference=f"DEMO-{order.number}", by=admin
        )
        orders.append(order)
        counts.orders += 1
        counts.lines += len(lines)
    # One parcel arrived damaged: one unit of the first order's first line goes back.
    if orders:
        line = OrderLine.objects.filter(suborder__order=orders[0]).order_by("pk").first()
        payments.refund_by_hand(
            orders[0].pk,
            lines={line.pk: 1},
            reference=f"DEMO-REFUND-{orders[0].number}",
            reason="运输破损",
            by=admin,
        )
        counts.refunds = 1
    return counts
