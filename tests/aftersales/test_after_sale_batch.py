"""An after-sales request names the batch its line was shipped from (traceability): on the
buyer's request page (linking the trace page), in the admin for the shop's operator and
the platform, and in the e-mail both sides get. A line shipped untraced names none."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from aftersales.models import AfterSale
from orders.services import apply_transition
from orders.transitions import Actor, Target
from tests.trace_batches import make_batch, ship_parcel

from .conftest import ask_data, ask_url, line_of, png

pytestmark = pytest.mark.django_db


def test_a_request_on_a_traced_line_names_its_batch_everywhere(client, post, w, order):
    batch = make_batch(w.yam, code="ASBATCH234", quantity=30)
    yam = line_of(order, w.yam)
    ship_parcel(yam.suborder, w.operator_a, batches={yam.pk: batch.pk})
    apply_transition(Target.SUBORDER, yam.suborder_id, "complete", by=w.buyer, actor=Actor.BUYER)
    mail.outbox.clear()

    client.force_login(w.buyer)
    post(ask_url(yam), ask_data({yam: 1}, kind="return", reason="damaged", photos=[png()]))
    after_sale = AfterSale.objects.get()
    page = client.get(reverse("aftersales:detail", args=[after_sale.number])).content.decode()
    assert re.findall(r'<a class="trace-link line-batch" href="([^"]+)">([^<]+)</a>', page) == [
        ("/trace/ASBATCH234/", "批次 ASBATCH234")
    ]
    buyer_mail = [m for m in mail.outbox if m.to == [order.email]]
    assert len(buyer_mail) == 1 and "× 1（批次 ASBATCH234）" in buyer_mail[0].body

    for staff in (w.operator_a, w.admin):
        client.force_login(staff)
        page = client.get(reverse("aftersales_admin:detail", args=[after_sale.pk])).content.decode()
        assert re.findall(r'<a class="line-batch" href="([^"]+)">([^<]+)</a>', page) == [
            (f"/admin/traceability/recall/{batch.pk}/", "批次 ASBATCH234")
        ], staff


def test_a_request_on_an_untraced_line_names_no_batch(client, post, w, order):
    oil = line_of(order, w.oil)
    ship_parcel(oil.suborder, w.operator_b)
    client.force_login(w.buyer)
    post(ask_url(oil), ask_data({oil: 1}))
    after_sale = AfterSale.objects.get()
    page = client.get(reverse("aftersales:detail", args=[after_sale.number])).content.decode()
    assert "line-batch" not in page and "批次" not in page
