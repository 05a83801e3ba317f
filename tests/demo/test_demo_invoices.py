"""The demo holds two invoices (发票): an institution's issued 增值税专用发票 (the demo budget
unit's parcel it accepted; issued by the shop's operator, or by the platform for a shop
without one) — a real PDF made
with ReportLab at load time, downloadable through the order's secret link — and an
individual's request waiting for the shop. ``load_demo --reset`` wipes them with the file
and builds them again."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from invoices.models import Invoice
from invoices.selectors import amount_due

from .test_load_demo import load_demo

# --reset signs in as the tables' owner: outside any transaction of the test
pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_has_an_issued_e_invoice_and_a_request_waiting(client):
    load_demo("--seed", "1")

    issued = Invoice.objects.select_related("order", "suborder__shop").get(status="issued")
    assert (issued.kind, issued.medium, issued.title, issued.content_type) == (
        "special",
        "electronic",
        "单县机关事务服务中心",
        "application/pdf",
    )
    assert issued.order.buyer_type == "budget_unit" and issued.tax_id == issued.order.tax_id
    assert issued.suborder.acceptance.result == "accepted"
    assert len(issued.number) == 20 and issued.number.isdigit()
    assert issued.amount_fen == amount_due(issued.suborder) > 0
    operators = list(issued.suborder.shop.operators.all())
    assert issued.issued_by in operators if operators else issued.issued_by.username == "admin"
    with issued.file.open("rb") as handle:
        assert len(PdfReader(io.BytesIO(handle.read())).pages) == 1

    download = client.get(reverse("invoices:file_by_token", args=[issued.order.token, issued.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    page = client.get(issued.order.get_absolute_url()).content.decode()
    assert "增值税专用发票</a>" in page and "<strong>已开票</strong>" in page

    waiting = Invoice.objects.select_related("order", "suborder__shop").get(status="requested")
    assert (waiting.kind, waiting.title_type, waiting.order.buyer_type) == ("normal", "personal", "individual")
    assert waiting.order.user.username == "buyer"
    operator = waiting.suborder.shop.operators.first()
    client.force_login(operator)
    listing = client.get(reverse("invoices_admin:index") + "?show=requested").content.decode()
    assert waiting.order.number in listing

    old_file = issued.file.name
    load_demo("--seed", "1", "--reset", "--no-images")
    assert not issued.file.storage.exists(old_file)
    assert sorted(Invoice.objects.values_list("status", flat=True)) == ["issued", "requested"]
