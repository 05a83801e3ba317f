"""发票 through the public surface: the buyer asks on the order page, the shop's operator (or
the platform) issues in the admin (发票处理), the buyer downloads the file and checks it
(验票): confirms, or sends it back with a reason for the shop to issue again. Exact states,
yuan, messages and who may do what."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import DomainError
from invoices import services
from invoices.models import Invoice, InvoiceStep
from invoices.transitions import TRANSITIONS, Actor, available
from tests.factories import place_order_for, valid_credit_code
from tests.worlds import buy_and_pay, refund_lines

from .conftest import action_url, issue_url, new_url, normal_request, parcel, pdf_bytes, upload

pytestmark = pytest.mark.django_db

NUMBER_20 = "26372000000000001234"
TAX_ID = valid_credit_code()
BAD_TAX_ID = TAX_ID[:-1] + ("0" if TAX_ID[-1] != "0" else "1")  # the check character wrong


def stored_invoice_files() -> set[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "invoices"
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def ask(w, order, shop=None, **data) -> Invoice:
    """The buyer's request through the service (the HTTP path is tested on its own below)."""
    return services.request_invoice(parcel(order, shop or w.shop_a).pk, by=w.buyer, **normal_request(**data))


def issue_pdf(client, post, w, invoice, number=NUMBER_20, data: bytes | None = None):
    client.force_login(w.operator_a)
    return post(
        issue_url(invoice),
        {"medium": "electronic", "number": number, "file": upload("发票.pdf", data or pdf_bytes())},
    )


# --- the whole path -------------------------------------------------------------------------------------------


def test_buyer_asks_the_shop_issues_a_pdf_and_the_buyer_downloads_and_confirms_it(client, post, w, order):
    client.force_login(w.buyer)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert page.count("申请开票") == 2  # one link per parcel, both paid

    yam_parcel = parcel(order, w.shop_a)
    form = client.get(new_url(yam_parcel))
    body = form.content.decode()
    assert form.status_code == 200
    assert 'value="王芳"' in body and 'value="wangfang@example.cn"' in body  # prefilled from the order
    assert 'value="normal"' in body and 'value="special"' not in body  # individuals: 普通发票 only
    assert "可开票金额 ¥116.40" in body

    response = post(new_url(yam_parcel), normal_request())
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("invoices:detail", args=[invoice.pk])
    assert (invoice.status, invoice.kind, invoice.title_type, invoice.title, invoice.tax_id) == (
        "requested",
        "normal",
        "personal",
        "王芳",
        "",
    )
    assert invoice.amount_fen is None and invoice.requested_by == w.buyer and invoice.suborder == yam_parcel
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert (
        "普通发票</a> · <strong>待开票</strong>" in page and page.count("申请开票") == 1
    )  # shop B's parcel still asks

    # The shop's operator sees it in 发票处理, 0 days old, and issues an electronic invoice.
    client.force_login(w.operator_a)
    listing = client.get(reverse("invoices_admin:index")).content.decode()
    assert order.number in listing and "0 天" in listing and "待开票" in listing
    mail.outbox.clear()
    pdf = pdf_bytes()
    response = issue_pdf(client, post, w, invoice, data=pdf)
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.medium, invoice.number, invoice.amount_fen) == (
        "issued",
        "electronic",
        NUMBER_20,
        11640,
    )
    assert (invoice.content_type, invoice.original_name, invoice.issued_by) == (
        "application/pdf",
        "发票.pdf",
        w.operator_a,
    )
    assert invoice.file.name.startswith("invoices/") and invoice.file.name.endswith(".pdf")
    assert not invoice.file.path.startswith(str(settings.MEDIA_ROOT))  # private, never a public media URL

    # The buyer is told by e-mail, with the invoice attached and the link to check it.
    (message,) = mail.outbox
    assert message.subject == f"发票已开具：订单 {order.number}"
    assert message.to == ["wangfang@example.cn"]
    assert f"发票号码：{NUMBER_20}" in message.body and "金额：¥116.40" in message.body
    assert f"/orders/o/{order.token}/invoices/{invoice.pk}/" in message.body
    assert [(name, mimetype) for name, _content, mimetype in message.attachments] == [
        (f"发票{NUMBER_20}.pdf", "application/pdf")
    ]

    # The buyer downloads it (an attachment) and confirms it.
    client.force_login(w.buyer)
    detail = client.get(reverse("invoices:detail", args=[invoice.pk])).content.decode()
    assert "已开票" in detail and "¥116.40" in detail and NUMBER_20 in detail
    download = client.get(reverse("invoices:file", args=[invoice.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == pdf
    response = post(action_url(invoice, "confirm"))
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "confirmed"
    steps = list(InvoiceStep.objects.filter(invoice=invoice).values_list("action", "to_status", "actor_role", "actor"))
    assert steps == [
        ("request", "requested", "buyer", w.buyer.pk),
        ("issue", "issued", "operator", w.operator_a.pk),
        ("confirm", "confirmed", "buyer", w.buyer.pk),
    ]
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "普通发票</a> ¥116.40 · <strong>已确认</strong>" in page


def test_the_secret_link_asks_downloads_and_rejects_without_signing_in(client, post, w, order):
    yam_parcel = parcel(order, w.shop_a)
    page = client.get(reverse("orders:by_token", args=[order.token])).content.decode()
    assert new_url(yam_parcel, order.token) in page
    response = post(new_url(yam_parcel, order.token), normal_request(title="王芳（个人）"))
    invoice = Invoice.objects.get()
    assert response["Location"] == reverse("invoices:detail_by_token", args=[order.token, invoice.pk])
    assert invoice.requested_by is None
    issue_pdf(client, post, w, invoice)
    client.logout()
    download = client.get(reverse("invoices:file_by_token", args=[order.token, invoice.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    response = post(action_url(invoice, "reject", order.token), {"note": "抬头应为单位名称"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.reject_reason) == ("rejected", "抬头应为单位名称")
    assert invoice.steps.last().actor is None and invoice.steps.last().actor_role == "buyer"


# --- the transitions, each from the one table ------------------------------------------------------------------


def test_the_table_says_who_moves_what():
    assert set(TRANSITIONS) == {"issue", "confirm", "reject", "withdraw"}
    assert [t.action for t in available("requested", {Actor.BUYER})] == ["withdraw"]
    assert [t.action for t in available("requested", {Actor.OPERATOR})] == ["issue"]
    assert [t.action for t in available("issued", {Actor.BUYER})] == ["confirm", "reject"]
    assert [t.action for t in available("issued", {Actor.OPERATOR, Actor.PLATFORM})] == []
    assert [t.action for t in available("rejected", {Actor.PLATFORM})] == ["issue"]
    assert available("confirmed", set(Actor)) == []


def test_cannot_confirm_before_it_is_issued(client, post, w, order):
    invoice = ask(w, order)
    client.force_login(w.buyer)
    response = post(action_url(invoice, "confirm"))
    assert response.status_code == 400
    assert "开票申请当前状态为「待开票」，不能「买家确认发票无误」。" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == "requested" and invoice.steps.count() == 1


def test_cannot_issue_twice(client, post, w, order):
    invoice = ask(w, order)
    assert issue_pdf(client, post, w, invoice).status_code == 302
    mail.outbox.clear()
    before = stored_invoice_files()
    response = issue_pdf(client, post, w, invoice, number="12345678")
    assert response.status_code == 400
    assert "开票申请当前状态为「已开票」，不能「开具发票」。" in response.content.decode()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == ("issued", NUMBER_20)
    assert stored_invoice_files() == before and mail.outbox == []
    with pytest.raises(DomainError, match="不能「开具发票」"):
        services.apply(invoice.pk, "issue", by=w.admin, actor=Actor.PLATFORM, medium="paper", number="12345678")


def test_reject_needs_a_reason_and_the_shop_issues_again(client, post, w, order):
    invoice = ask(w, order)
    issue_pdf(client, post, w, invoice)
    first_file = Path(Invoice.objects.get().file.path)
    client.force_login(w.buyer)
    response = post(action_url(invoice, "reject"), {"note": "  "})
    assert response.status_code == 400 and "请填写退回理由。" in response.content.decode()
    with pytest.raises(DomainError, match="请填写退回理由。"):
        services.apply(invoice.pk, "reject", by=w.buyer, actor=Actor.BUYER, note="")
    invoice.refresh_from_db()
    assert invoice.status == "issued"

    post(action_url(invoice, "reject"), {"note": "金额不对"})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.reject_reason) == ("rejected", "金额不对")

    # In the admin it is 被退回 again, to do; the operator issues it again, on paper this time.
    client.force_login(w.operator_a)
    rejected = client.get(reverse("invoices_admin:index") + "?show=rejected").content.decode()
    assert order.number in rejected
    assert order.number not in client.get(reverse("invoices_admin:index") + "?show=issued").content.decode()
    detail = client.get(reverse("invoices_admin:detail", args=[invoice.pk])).content.decode()
    assert "重新开具" in detail and "金额不对" in detail
    mail.outbox.clear()
    response = post(issue_url(invoice), {"medium": "paper", "number": "1234 5678"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.medium, invoice.number, invoice.amount_fen) == (
        "issued",
        "paper",
        "12345678",
        11640,
    )
    assert not invoice.file and invoice.content_type == "" and invoice.size is None
    assert not first_file.exists()  # the file sent back went with it
    assert [m.subject for m in mail.outbox] == [f"发票已开具：订单 {order.number}"]
    assert mail.outbox[0].attachments == [] and "纸质发票" in mail.outbox[0].body
    assert list(invoice.steps.values_list("action", flat=True)) == ["request", "issue", "reject", "issue"]


def test_a_bad_invoice_number_is_refused(client, post, w, order):
    invoice = ask(w, order)
    client.force_login(w.operator_a)
    for number in ("1234567", "123456789", "1234567890123456789X", "abcdefgh"):
        response = post(issue_url(invoice), {"medium": "paper", "number": number})
        assert response.status_code == 400
        assert "发票号码应为 8 位数字（旧版发票）或 20 位数字（全电发票）。" in response.content.decode()
    response = post(issue_url(invoice), {"medium": "electronic", "number": "12345678"})
    assert response.status_code == 400 and "电子发票须上传发票文件（PDF 或 OFD）。" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == "requested"


def test_the_amount_is_what_was_paid_net_of_refunds_when_issued(client, post, w, order):
    invoice = ask(w, order)
    yam_line = parcel(order, w.shop_a).lines.get()
    refund_lines(w, order, {yam_line: 1})
    issue_pdf(client, post, w, invoice)
    invoice.refresh_from_db()
    assert invoice.amount_fen == 2 * 3880


def test_one_active_request_per_parcel_and_a_withdrawn_one_makes_room(client, post, w, order):
    invoice = ask(w, order)
    with pytest.raises(DomainError, match="这个包裹已有开票申请"):
        ask(w, order)
    client.force_login(w.buyer)
    response = client.get(new_url(parcel(order, w.shop_a)))
    assert response.status_code == 302 and response["Location"] == reverse("invoices:detail", args=[invoice.pk])
    post(action_url(invoice, "withdraw"))
    invoice.refresh_from_db()
    assert invoice.status == "withdrawn"
    again = ask(w, order, title="王芳")
    assert again.pk != invoice.pk and Invoice.objects.filter(suborder=invoice.suborder).count() == 2


def test_only_paid_parcels_are_invoiced(client, w):
    unpaid = place_order_for([(w.yam, 1)], user=w.buyer)
    client.force_login(w.buyer)
    page = client.get(reverse("orders:detail", args=[unpaid.number])).content.decode()
    assert "申请开票" not in page
    response = client.get(new_url(parcel(unpaid, w.shop_a)), follow=True)
    assert "订单付款后才能申请开票。" in response.content.decode()
    with pytest.raises(DomainError, match="订单付款后才能申请开票。"):
        ask(w, unpaid)
    assert not Invoice.objects.exists()


def test_a_fully_refunded_parcel_is_not_invoiced(w, order):
    refund_lines(w, order, {parcel(order, w.shop_a).lines.get(): 3})
    with pytest.raises(DomainError, match="不能开票"):
        ask(w, order)
    assert not Invoice.objects.exists()


# --- the rules of the details -----------------------------------------------------------------------------------


SPECIAL = {
    "kind": "special",
    "title_type": "company",
    "title": "单县财政局",
    "tax_id": TAX_ID,
    "address": "单县园艺街道胜利路 16 号",
    "phone": "0530-4621032",
    "bank": "中国农业银行单县支行",
    "account": "1548 0101 0400 12345",
    "email": "caizheng@example.cn",
}


def test_an_individual_asking_for_a_special_invoice_is_refused(client, post, w, order):
    client.force_login(w.buyer)
    response = post(new_url(parcel(order, w.shop_a)), {**SPECIAL, "title": "王芳"})
    assert response.status_code == 400
    assert "个人买家只能申请普通发票；增值税专用发票仅向单位开具。" in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_company_title_needs_a_valid_tax_id(client, post, w, order):
    client.force_login(w.buyer)
    url = new_url(parcel(order, w.shop_a))
    response = post(url, normal_request(title_type="company", title="单县浮龙湖旅游开发有限公司"))
    assert response.status_code == 400 and "单位抬头须填写纳税人识别号。" in response.content.decode()
    response = post(url, normal_request(title_type="company", title="某公司", tax_id=BAD_TAX_ID))
    assert "纳税人识别号有误：统一社会信用代码校验位不正确。" in response.content.decode()
    assert not Invoice.objects.exists()
    response = post(url, normal_request(title_type="company", title="某公司", tax_id=valid_credit_code().lower()))
    assert response.status_code == 302
    assert Invoice.objects.get().tax_id == valid_credit_code()


def test_institutional_orders_prefill_and_a_special_invoice_needs_every_detail(client, post, w, unit_order):
    client.force_login(w.buyer)
    url = new_url(parcel(unit_order, w.shop_a))
    body = client.get(url).content.decode()
    assert 'value="单县财政局"' in body and f'value="{valid_credit_code()}"' in body
    assert 'value="caizheng@example.cn"' in body and "增值税专用发票" in body
    assert 'value="personal"' not in body  # an institution invoices to itself

    response = post(url, {**SPECIAL, "tax_id": BAD_TAX_ID})
    assert response.status_code == 400
    assert "纳税人识别号有误：统一社会信用代码校验位不正确。" in response.content.decode()
    response = post(url, {**SPECIAL, "bank": "", "account": ""})
    assert "增值税专用发票须填写：开户行、账号。" in response.content.decode()
    response = post(url, {**SPECIAL, "account": "12-34"})
    assert "银行账号只能由数字组成（可用空格分组）。" in response.content.decode()
    response = post(url, {**SPECIAL, "title_type": "personal"})
    assert response.status_code == 302  # a 专用发票 is always to the unit: the title type follows
    assert not Invoice.objects.filter(title_type="personal").exists()
    invoice = Invoice.objects.get()
    assert (invoice.kind, invoice.title, invoice.tax_id, invoice.account) == (
        "special",
        "单县财政局",
        valid_credit_code(),
        "15480101040012345",
    )


def test_an_institution_cannot_use_a_personal_title(w, unit_order):
    with pytest.raises(DomainError, match="单位订单的发票抬头须为单位。"):
        services.request_invoice(
            parcel(unit_order, w.shop_a).pk, by=w.buyer, **normal_request(title="王芳", title_type="personal")
        )


# --- who may see and do what ------------------------------------------------------------------------------------


def test_another_buyer_gets_404_everywhere(client, post, w, order):
    from core.roles import Role
    from tests.factories import UserFactory

    invoice = ask(w, order)
    issue_pdf(client, post, w, invoice)
    other = UserFactory(username="buyer-2", roles=[Role.BUYER])
    client.force_login(other)
    for url in (
        reverse("orders:detail", args=[order.number]),
        new_url(parcel(order, w.shop_b)),
        reverse("invoices:detail", args=[invoice.pk]),
        reverse("invoices:file", args=[invoice.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert post(action_url(invoice, "confirm")).status_code == 404
    client.logout()
    wrong = "x" * 43
    for url in (
        reverse("invoices:detail_by_token", args=[wrong, invoice.pk]),
        reverse("invoices:file_by_token", args=[wrong, invoice.pk]),
        new_url(parcel(order, w.shop_b), wrong),
    ):
        assert client.get(url).status_code == 404, url
    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_anonymous_is_sent_to_sign_in(client, w, order):
    invoice = ask(w, order)
    for url in (
        reverse("invoices:detail", args=[invoice.pk]),
        reverse("invoices:file", args=[invoice.pk]),
        new_url(parcel(order, w.shop_b)),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/orders/login/?next="), url
    for url in (reverse("invoices_admin:index"), reverse("invoices_admin:detail", args=[invoice.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_staff_see_their_shops_only_and_officers_nothing(client, post, w, order):
    mine = ask(w, order)
    theirs = ask(w, order, shop=w.shop_b)
    issue_pdf(client, post, w, mine)
    client.force_login(w.operator_b)
    listing = client.get(reverse("invoices_admin:index")).content.decode()
    assert reverse("invoices_admin:detail", args=[theirs.pk]) in listing
    assert reverse("invoices_admin:detail", args=[mine.pk]) not in listing
    assert client.get(reverse("invoices_admin:detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("invoices_admin:file", args=[mine.pk])).status_code == 404
    response = post(issue_url(mine), {"medium": "paper", "number": "12345678"})
    assert response.status_code == 404
    for officer in (w.officer_a, w.officer_city):  # refused: Wagtail sends them back to the dashboard
        client.force_login(officer)
        for response in (
            client.get(reverse("invoices_admin:index")),
            client.get(reverse("invoices_admin:detail", args=[theirs.pk])),
            client.get(reverse("invoices_admin:file", args=[mine.pk])),
            post(issue_url(theirs), {"medium": "paper", "number": "12345678"}),
        ):
            assert response.status_code == 302 and response["Location"] == "/admin/"
        dashboard = client.get(reverse("invoices_admin:index"), follow=True).content.decode()
        assert order.number not in dashboard and "王芳" not in dashboard
        theirs.refresh_from_db()
        assert theirs.status == "requested"
    # The platform sees both and may issue shop B's.
    client.force_login(w.admin)
    listing = client.get(reverse("invoices_admin:index")).content.decode()
    assert listing.count('class="invoice-row"') == 2
    assert post(issue_url(theirs), {"medium": "paper", "number": "87654321"}).status_code == 302
    theirs.refresh_from_db()
    assert (theirs.status, theirs.issued_by, theirs.amount_fen) == ("issued", w.admin, 12800)
    assert theirs.steps.last().actor_role == "platform"
    # The operator of shop A downloads what was uploaded for shop A (the admin's own link).
    client.force_login(w.operator_a)
    assert client.get(reverse("invoices_admin:file", args=[mine.pk])).status_code == 200


def test_the_list_puts_the_missing_ones_first_oldest_first_with_their_age(client, post, w):
    import datetime as dt

    import time_machine

    orders = [buy_and_pay(w, [(w.yam, 1)], user=w.buyer) for _ in range(3)]
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)):
        oldest = ask(w, orders[0])
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)):
        issued = ask(w, orders[1])
    with time_machine.travel(dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)):
        newest = ask(w, orders[2])
    services.apply(issued.pk, "issue", by=w.operator_a, actor=Actor.OPERATOR, medium="paper", number="12345678")
    client.force_login(w.operator_a)
    with time_machine.travel(dt.datetime(2026, 3, 8, 10, 0, tzinfo=dt.UTC)):
        response = client.get(reverse("invoices_admin:index"))
    rows = [(invoice.pk, age) for invoice, age in response.context["rows"]]
    assert rows == [(oldest.pk, 7), (newest.pk, 2), (issued.pk, 4)]
    body = response.content.decode()
    assert "7 天" in body and "2 天" in body
    requested = client.get(reverse("invoices_admin:index") + "?show=requested").context["rows"]
    assert [invoice.pk for invoice, _age in requested] == [oldest.pk, newest.pk]


def test_the_operator_list_asks_the_same_queries_however_many_requests(client, w, django_assert_num_queries):
    orders = [buy_and_pay(w, [(w.yam, 1)], user=w.buyer) for _ in range(6)]
    for order in orders[:2]:
        ask(w, order)
    client.force_login(w.operator_a)
    url = reverse("invoices_admin:index")
    client.get(url)  # the session and the admin's own reads warmed
    with CaptureQueriesContext(connection) as two:
        response = client.get(url)
    assert len(response.context["rows"]) == 2
    for order in orders[2:]:
        ask(w, order)
    with django_assert_num_queries(len(two.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 6
