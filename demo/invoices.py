"""The demo's invoices (发票), through the real services: the demo budget unit's accepted
parcel (``demo/procurement.py``; without it another institution's) asked for a 增值税专用发票, and the
shop's operator issued it as an electronic invoice — a small PDF made here with ReportLab, in the
Chinese CID font the project's PDFs use — so its order page offers the download and 验票;
and one individual buyer's request waits for the shop under 发票处理 in the admin."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.money import yuan
from invoices.models import Invoice
from invoices.selectors import amount_due
from invoices.services import apply, request_invoice
from invoices.states import Kind, Medium, TitleType
from invoices.transitions import Actor
from orders.models import BuyerType, Order, OrderStatus, SubOrder
from procurement.models import Acceptance

from .sales import UNIT_NAME

ORG_ADDRESS = "山东省菏泽市单县园艺街道胜利路 16 号"  # the institution's, for its 专用发票
ORG_PHONE = "0530-4621032"
ORG_BANK = "中国农业银行单县支行"
ORG_ACCOUNT = "15480101040012345"


def invoice_pdf(*, number: str, title: str, tax_id: str, seller: str, amount_fen: int, lines: list[str]) -> bytes:
    """A one-page A4 stand-in of a 全电发票 (the demo's; a real one comes from the tax system)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"电子发票（增值税专用发票）{number}")
    c.setFillColorRGB(0.6, 0.1, 0.1)
    c.setFont("STSong-Light", 20)
    c.drawCentredString(width / 2, height - 70, "电子发票（增值税专用发票）")
    c.setFillColorRGB(0.15, 0.15, 0.15)
    c.setFont("STSong-Light", 11)
    y = height - 110
    for text in [
        f"发票号码：{number}",
        f"开票日期：{timezone.localdate():%Y年%m月%d日}",
        f"购买方：{title}　统一社会信用代码：{tax_id}",
        f"销售方：{seller}",
        *lines,
        f"价税合计：{yuan(amount_fen)}",
        "（演示数据，非真实发票）",
    ]:
        c.drawString(60, y, text)
        y -= 22
    c.showPage()
    c.save()
    return buf.getvalue()


def make_demo_invoices(users: dict) -> int:
    """How many invoice requests were made (0 without the demo's sales)."""
    made = 0
    # An institution's parcel — the budget unit's if it can be — of a shop with an operator
    # (who issues it, and finds it under 发票处理); else of any shop (the platform issues it).
    parcels = list(
        SubOrder.objects.filter(order__buyer_type__in=BuyerType.institutional(), order__status=OrderStatus.PAID)
        .select_related("order", "shop")
        .prefetch_related("lines", "shop__operators")
        .order_by("order_id", "pk")
    )
    # The budget unit's accepted parcel first (demo/procurement.py): accepted and invoiced.
    accepted = set(Acceptance.objects.values_list("suborder_id", flat=True))
    parcels.sort(
        key=lambda s: (s.pk not in accepted, not s.shop.operators.all(), s.order.organisation_name != UNIT_NAME)
    )
    suborder = parcels[0] if parcels else None
    unit_order = suborder.order if suborder is not None else None
    if unit_order is not None and not Invoice.objects.filter(order=unit_order).exists():
        invoice = request_invoice(
            suborder.pk,
            by=None,
            token=unit_order.token,
            kind=Kind.SPECIAL,
            title_type=TitleType.COMPANY,
            title=unit_order.organisation_name,
            tax_id=unit_order.tax_id,
            address=ORG_ADDRESS,
            phone=ORG_PHONE,
            bank=ORG_BANK,
            account=ORG_ACCOUNT,
            email=unit_order.email,
        )
        number = timezone.localdate().strftime("%y") + "37" + f"{unit_order.pk:016d}"  # 20 digits: 全电发票
        pdf = invoice_pdf(
            number=number,
            title=invoice.title,
            tax_id=invoice.tax_id,
            seller=suborder.shop.name,
            amount_fen=amount_due(suborder),
            lines=[f"{line.title} × {line.quantity - line.refunded_quantity}" for line in suborder.lines.all()],
        )
        operator = suborder.shop.operators.order_by("pk").first() or users["admin"]
        apply(
            invoice.pk,
            "issue",
            by=operator,
            actor=Actor.OPERATOR if operator != users["admin"] else Actor.PLATFORM,
            medium=Medium.ELECTRONIC,
            number=number,
            file=SimpleUploadedFile(f"{number}.pdf", pdf, content_type="application/pdf"),
        )
        made += 1
    # The demo buyer (陈静) asks for one on one of her paid orders; without any, the first
    # individual order of the sales demo.
    paid = Order.objects.filter(
        buyer_type=BuyerType.INDIVIDUAL, status=OrderStatus.PAID, invoices__isnull=True
    ).order_by("pk")
    individual = paid.filter(user=users["buyer"]).first() or paid.first()
    if individual is not None:
        suborder = individual.suborders.order_by("pk").first()
        request_invoice(
            suborder.pk,
            by=individual.user,
            token=individual.token,
            kind=Kind.NORMAL,
            title_type=TitleType.PERSONAL,
            title=individual.contact_name,
            email=individual.email,
        )
        made += 1
    return made
