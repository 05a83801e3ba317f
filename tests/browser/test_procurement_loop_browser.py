"""An organisation's whole purchase in Debian's Chromium, through the pages only: the unit's
purchaser orders on a phone (390×844) for the unit, above its approval threshold and paid
30 days after acceptance; its approver approves; the purchaser asks for a 增值税专用发票 (the
form starts with the unit's 开票信息); the shop's operator ships and uploads the e-invoice in
the Wagtail admin; the purchaser accepts the parcel (验收), downloads and confirms the
invoice; the operator records the bank transfer; the unit's finance sees the reserved share
move by the order's amount. Every phone page fits 390 px."""

import re

import pytest
from django.utils import timezone

from cms.setup import ensure_storefront_pages
from invoices.models import Invoice
from orders.models import AddressRegion, Order
from procurement import selectors
from procurement import services as procurement
from procurement.models import Acceptance, Member
from tests.factories import UserFactory, valid_credit_code
from tests.invoices.conftest import pdf_bytes
from tests.worlds import build_ledger_world

from .layout import fits
from .test_buying_browser import PASSWORD, admin_login
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.auth-form button[type=submit]")
    page.wait_for_load_state()


def test_a_budget_unit_orders_approves_accepts_confirms_the_invoice_and_pays(
    chromium_path, live_server, role_groups, tmp_path
):
    ensure_storefront_pages()
    w = build_ledger_world()
    people = {}
    for username, name, mobile in (
        ("unit-buyer", "刘采购", "13905300101"),
        ("unit-approver", "王审批", "13905300102"),
        ("unit-finance", "孙会计", "13905300103"),
    ):
        people[username] = UserFactory(username=username, name=name, mobile=mobile)
    for user in [*people.values(), w.operator_a]:
        user.set_password(PASSWORD)
        user.save()
    details = procurement.OrganisationDetails(
        kind="budget_unit",
        name="单县机关事务服务中心",
        credit_code=valid_credit_code("12371722MB0000001"),
        region=AddressRegion.objects.get(level=AddressRegion.Level.COUNTY, code="371722"),
        invoice_title="单县机关事务服务中心",
        invoice_address="单县园艺街道行政路 1 号",
        invoice_phone="0530-4621301",
        invoice_bank="中国农业银行单县支行",
        invoice_account="15710101040001234",
        approval_threshold_fen=100_00,  # orders above ¥100.00 wait for the approver
        payment_terms_days=30,  # bank transfers paid within 30 days of acceptance
    )
    unit = procurement.register_organisation(people["unit-buyer"], details)
    head = Member.objects.get(organisation=unit)
    for username, role in (("unit-approver", "approver"), ("unit-finance", "finance")):
        Member.objects.create(
            organisation=unit, user=people[username], added_by=people["unit-buyer"], **{f"is_{role}": True}
        )
    year = timezone.localdate().year
    procurement.set_quota(head, year, 10_000_00, share_bp=1_000)  # ¥1,000.00 reserved
    pdf = tmp_path / "发票.pdf"
    pdf.write_bytes(pdf_bytes())
    base, org = live_server.url, f"{live_server.url}/org/{unit.pk}"
    yam_url = base + w.yam.get_absolute_url()

    with chromium_page(chromium_path) as page:
        # The purchaser puts 5 yams (¥194.00) in the cart and checks out for the unit.
        sign_in(page, base, "unit-buyer")
        page.goto(yam_url)
        page.fill("#add-qty", "5")
        page.click("form.add-to-cart button")
        page.wait_for_load_state()
        page.goto(base + "/checkout/")
        fits(page)
        page.check(f"input[name=buying_for][value='{unit.pk}']")
        page.fill("#id_contact_name", "刘采购")
        page.fill("#id_email", "jiguan@example.cn")
        page.fill("#id_mobile", "13905300101")
        page.select_option("#id_province", "37")
        page.wait_for_selector("#id_city option[value='3717']", state="attached")
        page.select_option("#id_city", "3717")
        page.wait_for_selector("#id_county option[value='371722']", state="attached")
        page.select_option("#id_county", "371722")
        page.fill("#id_ship_detail", "园艺街道行政路 1 号 机关食堂")
        page.fill("#id_recipient_name", "刘师傅")
        page.fill("#id_recipient_mobile", "13905300001")
        page.check("input[name=payment_method][value=transfer]")
        page.click("button:has-text('提交订单')")
        page.wait_for_url(re.compile(r".*/orders/.+/$"))
        order_url = page.url
        number = re.search(r"订单 (\d+)", page.locator("h1").inner_text()).group(1)
        assert "待审批" in page.locator("h1").inner_text()
        fits(page)

        # The approver approves it: it will ship first, paid after acceptance.
        sign_in(page, base, "unit-approver")
        page.goto(f"{org}/approvals/")
        fits(page)
        page.click("button:has-text('审批通过')")
        page.wait_for_load_state()
        assert f"订单 {number} 已审批通过" in page.locator("body").inner_text()

        # The purchaser asks for a 专用发票: the form starts with the unit's 开票信息.
        sign_in(page, base, "unit-buyer")
        page.goto(order_url)
        assert "验收后付款" in page.locator("h1").inner_text()
        assert "全部包裹验收后 30 天内对公转账付款" in page.locator(".terms-box").inner_text()
        fits(page)
        page.click("a.invoice-link")
        assert page.input_value("input[name=title]") == "单县机关事务服务中心"
        assert page.input_value("input[name=bank]") == "中国农业银行单县支行"
        assert page.input_value("input[name=account]") == "15710101040001234"
        page.check("input[name=kind][value=special]")
        page.click("button:has-text('提交申请')")
        page.wait_for_url(re.compile(r".*/invoices/\d+/$"))
        invoice_url = page.url
        fits(page)

        # The shop's operator ships the parcel and uploads the e-invoice.
        page.set_viewport_size(DESKTOP)
        admin_login(page, base, "op-a")
        page.goto(base + "/admin/orders/")
        page.click(f"text={number}")
        page.fill("#id_carrier", "中国邮政 EMS")
        page.fill("#id_tracking_number", "1100123456789")
        page.click("button:has-text('确认发货')")
        page.wait_for_load_state()
        assert "已发货" in page.locator(".fulfilment-status").inner_text()
        page.goto(base + "/admin/invoices/?show=requested")
        page.click(f"text={number}")
        page.check("input[name=medium][value=electronic]")
        page.fill("input[name=number]", "26372000000000007788")
        page.set_input_files("input[name=file]", str(pdf))
        page.click("button:has-text('开具发票')")
        page.wait_for_load_state()
        assert "发票已开具" in page.locator("body").inner_text()

        # The purchaser accepts the parcel from the order page's link.
        sign_in(page, base, "unit-buyer")
        page.goto(order_url)
        assert page.locator(".confirm-receipt").count() == 0  # 验收, not 确认收货
        page.click("a.acceptance-link")
        fits(page)
        assert page.is_checked("input[name=result][value=accepted]")
        page.fill("textarea[name=note]", "数量、品质与订单一致")
        page.click("button:has-text('提交验收')")
        page.wait_for_load_state()
        assert "包裹已验收。" in page.locator("body").inner_text()
        fits(page)
        page.goto(order_url)
        terms = page.locator(".terms-box").inner_text()
        assert "包裹已全部验收" in terms and "¥194.00" in terms
        assert "验收合格" in page.locator(".parcel-acceptance").inner_text()
        fits(page)
        # ... downloads the invoice and confirms it (验票).
        page.goto(invoice_url)
        with page.expect_download() as download:
            page.click("a:has-text('下载发票')")
        assert open(download.value.path(), "rb").read() == pdf.read_bytes()
        page.click("button:has-text('确认无误')")
        page.wait_for_load_state()
        assert "已确认" in page.locator("h1").inner_text()

        # Finance sees it due; before the money the reserved share has not moved.
        sign_in(page, base, "unit-finance")
        page.goto(f"{org}/")
        assert number in page.locator(".payments-due").inner_text()
        assert "¥0.00" in page.locator(".quota-progress").inner_text()
        fits(page)

        # The unit's transfer arrives; the shop's operator records it.
        page.set_viewport_size(DESKTOP)
        admin_login(page, base, "op-a")
        page.goto(base + "/admin/orders/")
        page.click(f"text={number}")
        page.fill("#id_amount", "194.00")
        page.fill("#id_reference", "ABC-20261207-0001")
        page.click("button:has-text('登记收款')")
        page.wait_for_load_state()
        assert "订单已付清" in page.locator("body").inner_text()

        # The reserved share moved by the order's amount: ¥194.00 of ¥1,000.00.
        sign_in(page, base, "unit-finance")
        page.goto(f"{org}/")
        quota = page.locator(".quota-progress").inner_text()
        assert "¥194.00" in quota and "19.40%" in quota
        assert page.locator(".payments-due").count() == 0
        fits(page)

    order = Order.objects.get(number=number)
    assert (order.status, order.paid_fen, order.payment_terms_days) == ("paid", 19_400, 30)
    assert order.suborders.get().status == "completed"
    assert Acceptance.objects.get(suborder__order=order).result == "accepted"
    invoice = Invoice.objects.get(order=order)
    assert (invoice.kind, invoice.status, invoice.bank) == ("special", "confirmed", "中国农业银行单县支行")
    assert selectors.quota_progress(unit, year).spent_fen == 19_400
