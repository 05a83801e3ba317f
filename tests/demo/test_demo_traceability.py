"""The demo's traceability: a batch of every demo product with its suppliers and a passed
inspection report (a real PDF, kept privately), one batch with a sheet of unit codes, its
trace page, a second batch of one product shipped to three orders and recalled, and
--reset taking all of it away with the files."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from catalog.models import Product
from orders.models import Order, OrderLine, RecallNotice
from orders.selectors import orders_shipped_from
from traceability.models import Batch, BatchSupplier, InspectionReport, UnitCode
from traceability.selectors import linkage_beneficiaries, linkage_for_batch

from .test_load_demo import DEMO_PRODUCTS


def load_demo(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # --reset signs in as the tables' owner: outside any transaction of the test
def test_demo_batches_reports_unit_codes_and_reset(client):
    out = load_demo("--no-images")

    assert Batch.objects.count() == DEMO_PRODUCTS + 1  # and the recalled one
    assert set(Batch.objects.values_list("product", flat=True)) == set(Product.objects.values_list("pk", flat=True))
    for batch in Batch.objects.select_related("product"):
        households, collectives = linkage_beneficiaries(linkage_for_batch(batch.product, batch.produced_on))
        kept = BatchSupplier.objects.filter(batch=batch)
        assert households and {s.household_id for s in kept if s.household_id} == households
        assert {s.collective_id for s in kept if s.collective_id} == collectives
    reports = list(InspectionReport.objects.all())
    assert len(reports) == DEMO_PRODUCTS
    assert {r.result for r in reports} == {"passed"}
    files = [Path(r.file.path) for r in reports]
    for path in files:
        assert len(PdfReader(path).pages) == 1
    unit_batch = Batch.objects.get(unit_codes__serial=1)
    assert list(UnitCode.objects.filter(batch=unit_batch).values_list("serial", flat=True)) == list(range(1, 25))
    assert f"/trace/{unit_batch.code}/" in out

    page = client.get(f"/trace/{unit_batch.code}/")
    assert page.status_code == 200
    assert unit_batch.product.title in page.content.decode()
    assert "合格" in page.content.decode()

    # One recall: the second batch of a product, shipped to three orders, recalled by admin.
    notice = RecallNotice.objects.select_related("batch__product", "sent_by").get()
    recalled = notice.batch
    assert (notice.orders_count, notice.emails_count, notice.sms_count) == (3, 3, 3)
    assert notice.sent_by.username == "admin" and "抽检" in notice.message
    shipped = set(orders_shipped_from(recalled.pk).values_list("pk", flat=True))
    assert len(shipped) == 3
    assert set(OrderLine.objects.filter(batch=recalled).values_list("suborder__order_id", flat=True)) == shipped
    assert f"/admin/traceability/recall/{recalled.pk}/" in out
    client.login(username="admin", password="demo-admin")
    page = client.get(f"/admin/traceability/recall/{recalled.pk}/").content.decode()
    for number in Order.objects.filter(pk__in=shipped).values_list("number", flat=True):
        assert number in page
    assert notice.message in page

    load_demo("--no-images", "--reset")

    assert not Batch.objects.filter(pk=unit_batch.pk).exists()
    assert not Batch.objects.filter(pk=recalled.pk).exists()
    assert RecallNotice.objects.exclude(pk=notice.pk).count() == 1 and not RecallNotice.objects.filter(pk=notice.pk)
    assert Batch.objects.count() == DEMO_PRODUCTS + 1
    assert UnitCode.objects.count() == 24
    assert not any(path.exists() for path in files)
