"""Pairings and an offline point for the demo (issue 20), through the real services: two
pairing relations — 济南市 helping 单县 (东西部协作, as bureaus name their cross-region
协作) and 青岛市市南区 helping 曹县 (区县结对) — and a 消费帮扶专柜 in a 济南 government
canteen whose till reported a week of sales (uploaded as a CSV file by the platform
administrator, one row a refund), and one batch refused for a mistyped price.

The 专柜 stands in 济南, so its sales of 单县's products count under 济南→单县; its 曹县
products count under no pairing (青岛市市南区 helps 曹县, not 济南). The products it sells
were certified long before the week (their certificates are dated back, as the live demo
does), since the demo's certificates are issued the day it is built. Deterministic for a
seed: which products, how many, at what minute."""

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from catalog.models import Product
from certification.models import Certificate
from orders.models import AddressRegion
from sales_channels import services as channel_services
from sales_channels.models import Campaign, Channel, IntakeBatch, OfflinePoint, Pairing, PairingKind

POINT_CODE = "JN-ZG-001"
SHAN, CAO = "371722", "371721"
PAIRING_NAMES = ["济南市—单县消费帮扶协作", "市南区—曹县区县结对"]
CAMPAIGN_CODE = "JNXFBF26"  # the demo campaign's link: /?tag=JNXFBF26
_DAYS = 7


@dataclass
class ChannelsDemo:
    point: OfflinePoint | None = None
    token: str = ""  # the point's token, shown once when made
    rows: int = 0
    certificate: str = ""  # a certificate number the README's curl example can report
    price_fen: int = 0


def _region(code: str) -> AddressRegion:
    return AddressRegion.objects.filter(code=code).order_by("-level").first()


def make_pairings(admin) -> list[Pairing]:
    """The two pairings, and a campaign run under the first: 济南消费帮扶月, this month and
    the next, whose link puts the 单县 sales it brings under 济南→单县 wherever the buyer
    ships to."""
    start = dt.date(timezone.localdate().year - 1, 1, 1)
    pairings = [
        Pairing.objects.create(
            kind=PairingKind.EAST_WEST,
            name=PAIRING_NAMES[0],
            helping_region=_region("3701"),
            helped_region=_region(SHAN),
            valid_from=start,
            note="济南市机关、企事业单位和市民采购单县农产品，计入本结对。",
            created_by=admin,
        ),
        Pairing.objects.create(
            kind=PairingKind.COUNTY,
            name=PAIRING_NAMES[1],
            helping_region=_region("370202"),
            helped_region=_region(CAO),
            valid_from=start,
            created_by=admin,
        ),
    ]
    today = timezone.localdate()
    next_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    Campaign.objects.create(
        name="济南消费帮扶月",
        code=CAMPAIGN_CODE,
        pairing=pairings[0],
        valid_from=today.replace(day=1),
        valid_to=(next_month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1),
        note="济南市商务局发起，市民通过活动链接购买单县农产品，计入济南市—单县消费帮扶协作。",
    )
    return pairings


def _csv(rows: list[list]) -> bytes:
    lines = ["流水号,时间,产品,数量,单价,金额,原流水号"] + [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def make_offline_point(admin, *, seed: int) -> ChannelsDemo:
    rng = random.Random(seed * 7919)
    certified = Certificate.objects.filter(revoked_at__isnull=True).values("product_id")
    listed = Product.objects.filter(is_listed=True, pk__in=certified).order_by("pk")
    products = list(listed.filter(producer__region__code__startswith=SHAN)[:4]) + list(
        listed.filter(producer__region__code__startswith=CAO)[:2]
    )
    today = timezone.localdate()
    Certificate.objects.filter(product__in=products, revoked_at__isnull=True).update(
        valid_from=today - dt.timedelta(days=90)
    )
    numbers = dict(
        Certificate.objects.filter(product__in=products, revoked_at__isnull=True).values_list("product_id", "number")
    )
    point = OfflinePoint.objects.create(
        code=POINT_CODE,
        name="济南市历下区机关食堂消费帮扶专柜",
        kind=Channel.CABINET,
        region=_region("370102"),
        address="历下区龙奥北路 8 号机关食堂一楼",
        contact_name="赵敏",
        contact_mobile="13905310001",
    )
    token = channel_services.issue_token(point.pk)
    tz = timezone.get_default_timezone()
    rows, n = [], 0
    for back in range(_DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        for _ in range(rng.randint(3, 6)):
            product = rng.choice(products)
            n += 1
            at = dt.datetime.combine(day, dt.time(rng.randint(11, 13), rng.randint(0, 59)), tzinfo=tz)
            quantity = rng.randint(1, 4)
            rows.append(
                [
                    f"JN{day:%m%d}-{n:03d}",
                    at.strftime("%Y-%m-%d %H:%M"),
                    numbers[product.pk],
                    quantity,
                    f"{product.price_fen / 100:.2f}",
                    f"{product.price_fen * quantity / 100:.2f}",
                    "",
                ]
            )
    first = rows[0]
    refund_at = dt.datetime.strptime(first[1], "%Y-%m-%d %H:%M") + dt.timedelta(hours=2)
    rows.append([f"{first[0]}-R", refund_at.strftime("%Y-%m-%d %H:%M"), "", 1, "", first[4], first[0]])
    items, line_numbers = channel_services.rows_of_csv(_csv(rows))
    channel_services.record_batch(
        point.pk, items, source=IntakeBatch.Source.CSV, numbers=line_numbers, by=admin, filename="专柜销售-近7天.csv"
    )
    # The till's next report had a mistyped price (¥3.88 for ¥38.80): refused whole, kept with its reason.
    product = products[0]
    at = timezone.localtime(timezone.now() - dt.timedelta(hours=1), tz).replace(second=0, microsecond=0)
    bad = [
        {
            "sale_id": f"JN{today:%m%d}-901",
            "time": at.isoformat(),
            "product": numbers[product.pk],
            "quantity": 1,
            "unit_price": f"{product.price_fen / 100:.2f}",
            "amount": f"{product.price_fen / 100:.2f}",
        },
        {
            "sale_id": f"JN{today:%m%d}-902",
            "time": at.isoformat(),
            "product": numbers[product.pk],
            "quantity": 1,
            "unit_price": f"{product.price_fen / 1000:.2f}",
            "amount": f"{product.price_fen / 1000:.2f}",
        },
    ]
    try:
        channel_services.record_batch(point.pk, bad, source=IntakeBatch.Source.API)
    except channel_services.BatchRefused:
        pass
    return ChannelsDemo(point, token, len(rows), numbers[product.pk], product.price_fen)
