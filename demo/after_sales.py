"""The demo's open after-sales request (售后): on the order the demo buyer (陈静) received and
reviewed (``demo/reviews.py``), she finds one box short and asks for it back — 仅退款, with
a photo of the parcel — through the real service. It waits for the shop's operator
(``operator-a``, 朱晓燕) under 售后处理 in the admin, with its 48-hour deadline running.
An open request moves no money: the reports and live results stay as they were."""

from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.models import AfterSale
from aftersales.services import create_request
from aftersales.states import Kind, Reason
from orders.models import FulfilmentStatus, Order

from .images import card_png

DESCRIPTION = "快递箱完好，但里面少了一盒，麻烦核实补发或退款。"


def make_demo_after_sale(users: dict, *, images: bool = True) -> int:
    """1 if the request was made, 0 if the buyer has no received parcel (no review demo)."""
    buyer = users["buyer"]
    order = (
        Order.objects.filter(user=buyer, suborders__status=FulfilmentStatus.COMPLETED).order_by("pk").distinct().first()
    )
    if order is None or AfterSale.objects.filter(order=order).exists():
        return 0
    suborder = order.suborders.filter(status=FulfilmentStatus.COMPLETED).order_by("pk").first()
    line = suborder.lines.order_by("pk").first()
    photos = []
    if images:
        photo = card_png("少一盒", "售后照片", (120, 132, 150), variant=2)
        photos.append(SimpleUploadedFile("包裹.png", photo, content_type="image/png"))
    create_request(
        suborder.pk,
        by=buyer,
        kind=Kind.REFUND_ONLY,
        reason=Reason.MISSING,
        description=DESCRIPTION,
        lines={line.pk: 1},
        photos=photos,
    )
    return 1
