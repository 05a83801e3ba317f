"""The bureau report's 溯源 table: of the shipped lines of certified products paid in the
period, how many record their batch (traced) and how many do not, with their net amounts —
equal to a sum over the order lines, the same on the JSON endpoint and in the CSV export,
and one query however many sales there are."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Certificate
from orders.models import OrderLine
from payments import services as payments
from reports.selectors import build_table, public_filters, traced_table
from tests.factories import ProductFactory, place_order_for
from tests.trace_batches import make_batch, ship_parcel
from tests.worlds import buy_and_pay, refund_lines

from .screen import csv_rows

pytestmark = pytest.mark.django_db


def _ship(w, order, batches_by_product=None):
    """Ship every parcel of ``order``, each line from its product's batch if one is given."""
    batches_by_product = batches_by_product or {}
    for parcel in order.suborders.all():
        chosen = {
            line.pk: batches_by_product[line.product_id].pk
            for line in parcel.lines.all()
            if line.product_id in batches_by_product
        }
        operator = w.operator_a if parcel.shop_id == w.shop_a.pk else w.operator_b
        ship_parcel(parcel, operator, batches=chosen)


def expected(start: dt.date, end: dt.date) -> dict:
    """The table recomputed from the order lines, one line at a time."""
    tz = timezone.get_default_timezone()
    out = {"traced": [0, 0], "untraced": [0, 0]}
    for line in OrderLine.objects.select_related("suborder"):
        paid_day = line.paid_at.astimezone(tz).date() if line.paid_at else None
        if not (line.certified_at_payment and paid_day and start <= paid_day <= end and line.suborder.shipped_at):
            continue
        cell = out["traced" if line.batch_id else "untraced"]
        cell[0] += 1
        cell[1] += line.unit_price_fen * (line.quantity - line.refunded_quantity)
    return out


@pytest.fixture
def traced_world(ledger_world):
    w = ledger_world
    w.batch = make_batch(w.yam, code="REPORT2345", quantity=100)
    traced_order = buy_and_pay(w, [(w.yam, 3)])
    _ship(w, traced_order, {w.yam.pk: w.batch})
    mixed = buy_and_pay(w, [(w.yam, 2), (w.oil, 1)])
    _ship(w, mixed)  # shipped without a batch: untraced
    refunded = buy_and_pay(w, [(w.yam, 4)])
    _ship(w, refunded, {w.yam.pk: w.batch})
    refund_lines(w, refunded, {refunded.suborders.get().lines.get(): 1})
    buy_and_pay(w, [(w.yam, 7)])  # paid, not shipped: not counted
    # Ordered while certified, the certificate revoked before the money came: no certificate
    # at payment, so not consumption support, shipped or not.
    noodles = ProductFactory(shop=w.shop_a, producer=w.coop, title="红薯粉皮", price_fen=2590)
    pending = place_order_for([(noodles, 2)])
    Certificate.objects.filter(product=noodles).update(revoked_at=timezone.now(), revoke_reason="抽检不合格")
    payments.record_transfer_receipt(pending.pk, amount_fen=pending.total_fen, reference="BANK-N", by=w.admin)
    assert OrderLine.objects.get(product=noodles).certified_at_payment is False
    _ship(w, pending, {noodles.pk: make_batch(noodles, quantity=10)})
    return w


def test_the_table_equals_a_sum_over_order_lines(traced_world):
    today = timezone.localdate()
    table = traced_table(public_filters(None, today, today))
    assert [row[:3] for row in table.rows] == [
        ["已溯源（记录生产批次）", 2, 3 * 3880 + 3 * 3880],
        ["未溯源", 2, 2 * 3880 + 12800],
    ]
    figures = expected(today, today)
    assert [row[1:3] for row in table.rows] == [figures["traced"], figures["untraced"]]
    assert table.total[:3] == ["合计", 4, 23280 + 20560]
    assert [str(row[3]) for row in table.rows] == ["53.1", "46.9"]
    # Another period: nothing.
    yesterday = today - dt.timedelta(days=1)
    assert [row[1:3] for row in traced_table(public_filters(None, yesterday, yesterday)).rows] == [[0, 0], [0, 0]]


def test_a_county_sees_its_own_producers_lines_only(traced_world):
    w = traced_world
    today = timezone.localdate()
    table = traced_table(public_filters(w.county_b, today, today))
    assert [row[1:3] for row in table.rows] == [[0, 0], [1, 12800]]


def test_the_json_and_the_csv_export_carry_the_same_figures(traced_world, client):
    w = traced_world
    client.force_login(w.admin)
    today = timezone.localdate()
    params = {"period": "day", "date": today.isoformat()}
    data = client.get("/api/reports/", params).json()["tables"]["traced"]
    assert [(r["kind"], r["lines"], r["net_fen"]) for r in data["rows"]] == [
        ("已溯源（记录生产批次）", 2, 23280),
        ("未溯源", 2, 20560),
    ]
    assert (data["total"]["lines"], data["total"]["net_fen"]) == (4, 43840)
    response = client.get(reverse("reports_admin:export_table", args=["traced", "csv"]), params)
    rows = csv_rows(b"".join(response.streaming_content))
    assert [r[:3] for r in rows[1:]] == [
        ["已溯源（记录生产批次）", "2", "232.80"],
        ["未溯源", "2", "205.60"],
        ["合计", "4", "438.40"],
    ]


def test_one_query_however_many_sales(traced_world, django_assert_num_queries):
    w = traced_world
    today = timezone.localdate()
    with django_assert_num_queries(1):
        build_table(public_filters(None, today, today), "traced")
    for _ in range(5):
        order = buy_and_pay(w, [(w.yam, 1), (w.oil, 1)])
        _ship(w, order, {w.yam.pk: w.batch})
    with django_assert_num_queries(1):
        table = build_table(public_filters(None, today, today), "traced")
    assert [row[1:3] for row in table.rows] == [expected(today, today)["traced"], expected(today, today)["untraced"]]
    assert [row[1] for row in table.rows] == [7, 7]


def test_the_summary_follows_shipping_payment_and_refunds_and_equals_a_rebuild(traced_world, client):
    """The table reads a summary kept as parcels ship; a line of a parcel handed over before
    it was paid (an offline point's sale: shipped and paid at the counter) is counted at
    payment, and a refund after shipping takes its units' value off. Whatever path wrote
    it, the summary equals a rebuild from the order lines."""
    from reports.models import TracedSummary
    from reports.services import rebuild_summaries, summary_differences
    from tests.sales_channels.test_offline_intake import make_point, post, week_rows

    w = traced_world
    today = timezone.localdate()
    assert summary_differences() == []
    point, token = make_point()
    rows = week_rows(w)
    for row in rows:  # sold today, so that the day's table has them
        row["time"] = timezone.localtime(timezone.now() - dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    assert post(client, point.code, token, rows).status_code == 201
    table = traced_table(public_filters(None, today, today))
    # Two more untraced lines (no batch is named at a counter): yam 3 − 1 refunded, oil 1.
    assert [row[1:3] for row in table.rows] == [[2, 23280], [4, 20560 + 2 * 3880 + 12000]]
    assert [row[1:3] for row in table.rows] == [expected(today, today)["traced"], expected(today, today)["untraced"]]
    # A refund of a traced, shipped line after shipping: its unit comes off the traced net.
    traced_order = OrderLine.objects.filter(batch=w.batch, refunded_quantity=0).get().suborder.order
    refund_lines(w, traced_order, {traced_order.suborders.get().lines.get(): 2})
    table = traced_table(public_filters(None, today, today))
    assert [row[1:3] for row in table.rows] == [[2, 23280 - 2 * 3880], [4, 40320]]
    assert summary_differences() == []
    before = sorted(TracedSummary.objects.values_list(*TracedSummary.KEY, *TracedSummary.SUMS))
    rebuild_summaries()
    assert sorted(TracedSummary.objects.values_list(*TracedSummary.KEY, *TracedSummary.SUMS)) == before
