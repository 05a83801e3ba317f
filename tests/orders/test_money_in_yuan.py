"""Money is shown in yuan wherever a person reads it: the order's history on the buyer's
page (it used to say "应付 20560 分"), the admin's receipt message ("尚欠 10560 分"), the
payment flags and the refund refusals. Fen stays the stored unit."""

import re

import pytest
from django.urls import reverse

from payments.models import Payment
from payments.services import confirm_payment
from tests.factories import place_order_for

pytestmark = pytest.mark.django_db

FEN_SHOWN = re.compile(r"[0-9]\s*分(?!钟)")


def test_buyer_and_admin_read_every_amount_of_an_order_in_yuan(client, shop_world):
    order = place_order_for([(shop_world.yam, 2), (shop_world.oil, 1)], user=shop_world.buyer)
    assert order.total_fen == 20560

    client.force_login(shop_world.admin)
    receipt = reverse("orders_admin:receipt", args=[order.pk])
    part = client.post(receipt, {"amount": "100.00", "reference": "ICBC-001"}, follow=True).content.decode()
    assert "已登记收款，尚欠 ¥105.60。" in part
    client.post(receipt, {"amount": "105.60", "reference": "ICBC-002"})
    yam_line = order.suborders.get(shop=shop_world.shop_a).lines.get()
    refunded = client.post(
        reverse("orders_admin:refund", args=[order.pk]),
        {f"qty_{yam_line.pk}": "1", "reference": "RF-1", "reason": "破损"},
        follow=True,
    ).content.decode()
    assert "退款已登记" in refunded
    admin_page = client.get(reverse("orders_admin:order", args=[order.pk])).content.decode()
    assert "应付 ¥205.60" in admin_page and "已收 ¥205.60" in admin_page and "退款 ¥38.80" in admin_page
    assert not FEN_SHOWN.search(admin_page)

    client.force_login(shop_world.buyer)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    history = page[page.index('<section class="order-history">') :]
    assert "应付 ¥205.60）" in history
    assert "（已收 ¥205.60）" in history
    assert "（退款 ¥38.80）" in history
    assert not FEN_SHOWN.search(page), FEN_SHOWN.search(page)
    listing = client.get(reverse("orders:list")).content.decode()
    assert "合计 ¥205.60" in listing and not FEN_SHOWN.search(listing)


def test_a_payment_flag_names_the_amounts_in_yuan(shop_world):
    order = place_order_for([(shop_world.oil, 1)], method="card", user=shop_world.buyer)
    payment = confirm_payment(order.pk, amount_fen=12000, method="card", reference="pi_1", currency="CNY")
    assert Payment.objects.get(pk=payment.pk).flag_reason == "金额 ¥120.00 与应收 ¥128.00 不符"
