"""The demo's reviewed order: the demo buyer (陈静) bought through the past live event of
单县朱楼村 (``demo/live.py``); here the shop ships that parcel, the buyer confirms receipt
and reviews the line with a photo, and the shop's operator (朱晓燕) replies — all through
the real services, so ``buyer`` sees it at /orders/, the product page shows it and
``operator-a`` finds it under 商品评价 in the admin. Shipping a paid order changes no money
and no ledger entry: the live results and the reports stay as they were."""

from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import FulfilmentStatus, Order, OrderStatus
from orders.selectors import proposed_batches
from orders.services import apply_transition, reply_to_review, submit_review
from orders.transitions import Actor, Target

from .images import card_png

REVIEW_TEXT = "直播间下的单，三天就到了广州。山药很粉很糯，炖排骨一点不散，包装也结实，会回购！"
REPLY_TEXT = "谢谢陈女士支持！山药是合作社社员地里现挖的，每卖一单都有村里的帮扶户受益。"


def make_demo_review(users: dict, *, images: bool = True) -> int:
    """Ship, receive and review the demo buyer's first paid order; 1 if made, 0 if the
    buyer has no paid order (the live demo was not built)."""
    buyer, operator = users["buyer"], users["operator-a"]
    order = Order.objects.filter(user=buyer, status=OrderStatus.PAID).order_by("pk").first()
    if order is None:
        return 0
    suborder = order.suborders.filter(status=FulfilmentStatus.PAID, shop__operators=operator).first()
    if suborder is None:
        return 0
    # Packed from the batches the shipping form proposes (each product's oldest open batch
    # with units enough; demo/traceability.py made them): the order page links each line's
    # trace page.
    apply_transition(
        Target.SUBORDER,
        suborder.pk,
        "ship",
        by=operator,
        actor=Actor.OPERATOR,
        carrier="中国邮政 EMS",
        tracking_number="EMS1371722001",
        batches=proposed_batches(suborder.lines.all()),
    )
    apply_transition(Target.SUBORDER, suborder.pk, "complete", by=buyer, actor=Actor.BUYER)
    line = suborder.lines.order_by("pk").first()
    photos = []
    if images:
        photo = card_png("收到啦", "买家晒图", (196, 132, 72), variant=1)
        photos.append(SimpleUploadedFile("晒图.png", photo, content_type="image/png"))
    review = submit_review(line.pk, by=buyer, rating=5, text=REVIEW_TEXT, photos=photos)
    reply_to_review(review.pk, by=operator, text=REPLY_TEXT)
    return 1
