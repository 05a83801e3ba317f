"""A return (退货退款) on a phone (390×844, Debian's Chromium), through the pages only: the
buyer of a received order asks for one box back with a photo through the order's secret
link; the shop's operator agrees in the Wagtail admin; the buyer enters the return's
tracking number; the operator confirms the parcel and records the bank refund (the order
is all of their shop); the buyer's pages show 已退款 and the order partially refunded.
Every buyer page fits the phone's width."""

import io
import re

import pytest
from django.db.models import Sum
from PIL import Image

from attribution.models import LedgerEntry
from cms.setup import ensure_storefront_pages
from orders.models import Order
from orders.services import apply_transition
from orders.transitions import Actor, Target
from tests.worlds import build_ledger_world, buy_and_pay

from .layout import fits
from .test_buying_browser import PASSWORD, admin_login
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]


def test_a_return_on_a_phone_is_agreed_received_and_refunded(
    chromium_path, live_server, role_groups, settings, tmp_path
):
    ensure_storefront_pages()
    w = build_ledger_world()
    w.operator_a.set_password(PASSWORD)
    w.operator_a.save()
    order = buy_and_pay(w, [(w.yam, 3)])  # ¥116.40, paid by transfer, one shop
    suborder = order.suborders.get()
    apply_transition(
        Target.SUBORDER, suborder.pk, "ship", by=w.operator_a, actor=Actor.OPERATOR, carrier="EMS", tracking_number="E9"
    )
    apply_transition(Target.SUBORDER, suborder.pk, "complete", by=None, actor=Actor.SYSTEM)
    line_pk = suborder.lines.get().pk
    photo = tmp_path / "破损.png"
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (160, 90, 60)).save(buf, "PNG")
    photo.write_bytes(buf.getvalue())
    base, order_url = live_server.url, live_server.url + order.get_absolute_url()
    screenshots = settings.VAR_DIR / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)

    with chromium_page(chromium_path) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        # The buyer asks.
        page.goto(order_url)
        fits(page)
        page.click("a.after-sale-link")
        page.check("input[name=kind][value=return]")
        page.fill(f"input[name=qty_{line_pk}]", "1")
        page.select_option("select[name=reason]", "damaged")
        page.fill("textarea[name=description]", "箱子压破，一箱山药断了")
        page.set_input_files("input[name=photos]", str(photo))
        fits(page)
        page.click("button:has-text('提交申请')")
        page.wait_for_url(re.compile(r".*/after-sales/AS\d+/$"))
        request_url = page.url
        number = re.search(r"(AS\d+)", request_url).group(1)
        assert "待商家处理" in page.locator("h1").inner_text()
        assert "¥38.80" in page.locator(".after-sale-amount").inner_text()
        assert page.evaluate("document.querySelector('.review-photos img').naturalWidth") == 320
        fits(page)
        page.screenshot(path=str(screenshots / "after-sale-requested-390.png"), full_page=True)

        # The shop agrees to the return.
        page.set_viewport_size({"width": 1280, "height": 900})
        admin_login(page, base, "op-a")
        page.goto(base + "/admin/after-sales/?show=todo")
        page.click(f"text={number}")
        page.click("button:has-text('商家同意退货')")
        page.wait_for_load_state()
        assert "已同意退货，等待买家寄回。" in page.locator("body").inner_text()

        # The buyer sends the box back.
        page.context.clear_cookies()
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(request_url)
        assert "待买家退货" in page.locator("h1").inner_text()
        page.fill("input[name=carrier]", "顺丰速运")
        page.fill("input[name=tracking_number]", "SF1234567890")
        fits(page)
        page.click("button:has-text('提交退货运单')")
        page.wait_for_load_state()
        assert "待商家收货" in page.locator("h1").inner_text()

        # The shop confirms the parcel and, owning the whole order, records the bank refund.
        page.set_viewport_size({"width": 1280, "height": 900})
        admin_login(page, base, "op-a")
        page.goto(base + "/admin/after-sales/")
        page.click(f"text={number}")
        page.click("button:has-text('商家确认收到退货')")
        page.wait_for_load_state()
        page.fill("#id_reference", "ABC-REFUND-1")
        page.click("button:has-text('登记退款')")
        page.wait_for_load_state()
        assert "退款已登记，售后完成" in page.locator("body").inner_text()

        # The buyer sees it refunded.
        page.context.clear_cookies()
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(request_url)
        assert "已退款" in page.locator("h1").inner_text()
        steps = page.locator(".order-history li").all_inner_texts()
        assert [s.split(" · ")[1].split("（")[0] for s in steps] == [
            "买家申请售后",
            "商家同意退货",
            "买家已寄回商品",
            "商家确认收到退货",
            "退款完成",
        ]
        page.goto(order_url)
        fits(page)
        assert "部分退款" in page.locator("h1").inner_text()
        assert "已退 ¥38.80" in page.locator(".order-summary").inner_text()
        page.screenshot(path=str(screenshots / "after-sale-order-390.png"), full_page=True)

    order = Order.objects.get(pk=order.pk)
    assert (order.paid_fen, order.refunded_fen) == (11640, 3880)
    assert LedgerEntry.objects.filter(order=order).aggregate(s=Sum("amount_fen"))["s"] == 11640 - 3880
