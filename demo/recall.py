"""The demo's recall (召回): three paid parcels of one product (the live demo's and the demo
sales' buyers, ``demo/live.py``, ``demo/sales.py``) are shipped by its shop from a second
batch of it, which a later spot check found wanting; the platform administrator then recalls that batch — all
through the real services (``orders.services.apply_transition``, ``traceability.services``,
``orders.services.send_recall``). ``admin`` finds it at 网店管理 › 生产批次 › the batch ›
召回, with the orders it lists and the notice sent; the buyers' e-mails and text messages go
to no one while the demo loads (``demo.live.quiet_mail``)."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from orders.models import FulfilmentStatus, OrderLine, SubOrder
from orders.selectors import proposed_batches
from orders.services import apply_transition, send_recall
from orders.transitions import Actor, Target
from producers.models import Region
from traceability.models import Batch
from traceability.services import create_batch

PARCELS = 3
RECALL_MESSAGE = "市场监管部门抽检发现该批次水分含量超标，请暂停食用，联系网店办理退货退款，运费由网店承担。"


def make_demo_recall(users: dict) -> tuple[Batch | None, int]:
    """Ship up to ``PARCELS`` paid parcels of one product (the one in most of them, of a
    shop with a demo operator; parcels with an after-sales request or an invoice are left
    alone) from a new batch of it, and recall that batch: (the batch, how many orders the
    recall lists), or (None, 0) when there is nothing to ship."""
    operators = {}
    for user in users.values():
        for shop_id in user.operated_shops.values_list("pk", flat=True):
            operators.setdefault(shop_id, user)
    lines = (
        OrderLine.objects.filter(product__shop_id__in=operators, suborder__status=FulfilmentStatus.PAID)
        .exclude(suborder__order__after_sales__isnull=False)
        .exclude(suborder__order__invoices__isnull=False)
        .select_related("product__producer__region", "product__shop__region")
        .order_by("suborder_id")
    )
    parcels: dict[int, list[int]] = defaultdict(list)
    for line in lines:
        parcels[line.product_id].append(line.suborder_id)
    if not parcels:
        return None, 0
    product_id = max(parcels, key=lambda pk: (len(set(parcels[pk])), -pk))
    product = next(line.product for line in lines if line.product_id == product_id)
    operator = operators[product.shop_id]
    region = product.producer.region
    batch = create_batch(
        product,
        by=operator,
        origin=region if region.level == Region.Level.VILLAGE else product.shop.region,
        origin_place="二号地块",
        produced_on=timezone.localdate() - dt.timedelta(days=12),
        quantity=60,
        shelf_life_days=180,
    )
    for suborder in SubOrder.objects.filter(pk__in=sorted(set(parcels[product_id]))[:PARCELS]).order_by("pk"):
        # What the shipping form proposes, but the recalled product from the new batch.
        chosen = proposed_batches(suborder.lines.all())
        chosen.update({line.pk: batch.pk for line in suborder.lines.all() if line.product_id == product.pk})
        apply_transition(
            Target.SUBORDER,
            suborder.pk,
            "ship",
            by=operator,
            actor=Actor.OPERATOR,
            carrier="中国邮政 EMS",
            tracking_number=f"EMS13717229{suborder.pk:02d}",
            batches=chosen,
        )
    return batch, send_recall(batch.pk, by=users["admin"], message=RECALL_MESSAGE).orders_count
