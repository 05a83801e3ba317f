"""An invoice (发票) on a phone (390×844, Debian's Chromium), through the pages only: a budget
unit's buyer asks for a 增值税专用发票 through the order's secret link, the form prefilled
with the unit's name and tax id; the shop's operator uploads the PDF in the Wagtail admin;
the buyer downloads it and confirms it (验票). Every buyer page fits the phone's width."""

import re

import pytest

from cms.setup import ensure_storefront_pages
from invoices.models import Invoice
from tests.invoices.conftest import pdf_bytes
from tests.worlds import build_ledger_world, buy_and_pay

from .layout import fits
from .test_buying_browser import PASSWORD, admin_login
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]


def test_a_special_invoice_on_a_phone_is_asked_issued_downloaded_and_confirmed(
    chromium_path, live_server, role_groups, settings, tmp_path
):
    ensure_storefront_pages()
    w = build_ledger_world()
    w.operator_a.set_password(PASSWORD)
    w.operator_a.save()
    order = buy_and_pay(w, [(w.yam, 10)], buyer_type="budget_unit")  # ¥388.00, 单县财政局
    pdf = tmp_path / "发票.pdf"
    pdf.write_bytes(pdf_bytes())
    base, order_url = live_server.url, live_server.url + order.get_absolute_url()

    with chromium_page(chromium_path) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(order_url)
        fits(page)
        page.click("a.invoice-link")
        assert page.input_value("input[name=title]") == "单县财政局"
        assert page.input_value("input[name=tax_id]") == order.tax_id
        page.check("input[name=kind][value=special]")
        page.fill("input[name=address]", "单县园艺街道胜利路 16 号")
        page.fill("input[name=phone]", "0530-4621032")
        page.fill("input[name=bank]", "中国农业银行单县支行")
        page.fill("input[name=account]", "1548 0101 0400 12345")
        fits(page)
        page.click("button:has-text('提交申请')")
        page.wait_for_url(re.compile(r".*/invoices/\d+/$"))
        invoice_url = page.url
        assert "待开票" in page.locator("h1").inner_text()
        fits(page)

        # The shop's operator uploads the electronic invoice.
        page.set_viewport_size({"width": 1280, "height": 900})
        admin_login(page, base, "op-a")
        page.goto(base + "/admin/invoices/?show=requested")
        page.click(f"text={order.number}")
        page.check("input[name=medium][value=electronic]")
        page.fill("input[name=number]", "26372000000000004321")
        page.set_input_files("input[name=file]", str(pdf))
        page.click("button:has-text('开具发票')")
        page.wait_for_load_state()
        assert "发票已开具，已发邮件通知买家。" in page.locator("body").inner_text()

        # The buyer downloads it and confirms it.
        page.context.clear_cookies()
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(invoice_url)
        assert "已开票" in page.locator("h1").inner_text()
        assert "¥388.00" in page.locator(".invoice-amount").inner_text()
        fits(page)
        with page.expect_download() as download:
            page.click("a:has-text('下载发票')")
        assert download.value.suggested_filename == "发票26372000000000004321.pdf"
        assert open(download.value.path(), "rb").read() == pdf.read_bytes()
        page.click("button:has-text('确认无误')")
        page.wait_for_load_state()
        assert "已确认" in page.locator("h1").inner_text()
        fits(page)
        page.goto(order_url)
        assert "已确认" in page.locator(".parcel-invoice").inner_text()
        fits(page)

    invoice = Invoice.objects.get()
    assert (invoice.kind, invoice.status, invoice.amount_fen) == ("special", "confirmed", 38800)
