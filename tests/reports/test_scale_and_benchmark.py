"""The scale loader and the benchmark command, small: the bulk-inserted sales are split by
the attribution app's own code (the ledger audit finds nothing), the summaries rebuilt
from them agree with the ledger, and the report's figures are the ledger's."""

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from attribution.audit import audit_ledger
from attribution.models import LedgerEntry
from live.models import LiveEvent
from orders.models import Order, OrderLine
from payments.models import Refund, RefundLine
from procurement.models import OrganisationOrder, Quota
from producers.models import BenefitLinkage
from reports.services import summary_differences
from sales_channels.models import Channel, OfflineSale

from . import ledger_math as lm
from .test_figures import assert_matches

pytestmark = pytest.mark.django_db


def test_scale_sales_pass_the_ledger_audit_and_the_reports_agree(ledger_world, client, tmp_path):
    w = ledger_world
    # The linkages were made "now"; let them be in force over the scale window, except for
    # the oil's (its sales before its first version go to the producer alone).
    BenefitLinkage.objects.exclude(product=w.oil).update(valid_from=timezone.now() - dt.timedelta(days=400))
    BenefitLinkage.objects.filter(product=w.oil).update(valid_from=timezone.now() - dt.timedelta(days=30))
    out = io.StringIO()
    call_command(
        "load_scale_sales", "--entries", "4000", "--days", "90", "--seed", "3", stdout=out, stderr=io.StringIO()
    )
    assert "ledger entries" in out.getvalue()
    assert LedgerEntry.objects.count() >= 4000
    assert OrderLine.objects.filter(live_event__isnull=False).exists()
    assert LedgerEntry.objects.filter(certified_at_payment=False).exists()
    assert LedgerEntry.objects.filter(beneficiary_kind="household", product=w.yam).exists()
    assert LedgerEntry.objects.filter(beneficiary_kind="collective").exists()
    early_oil = LedgerEntry.objects.filter(product=w.oil, booked_at__lt=timezone.now() - dt.timedelta(days=31))
    assert early_oil.exists() and set(early_oil.values_list("beneficiary_kind", flat=True)) == {"producer"}
    assert LedgerEntry.objects.filter(kind="refund").exists() and Refund.objects.exists()
    assert set(Order.objects.values_list("buyer_type", flat=True)) == {
        "individual",
        "budget_unit",
        "union",
        "enterprise",
    }
    assert LiveEvent.objects.exists() and Quota.objects.exists()
    # Every order placed with a scale budget unit's credit code is recorded as the unit's.
    assert OrganisationOrder.objects.count() == Order.objects.filter(buyer_type="budget_unit").count() > 0

    report = audit_ledger()
    assert report.ok, report.discrepancies[:5]
    assert summary_differences() == []

    client.force_login(w.officer_city)
    first = LedgerEntry.objects.order_by("booked_at").first().booked_at
    start = dt.date.fromisoformat(first.astimezone(lm.SHANGHAI).date().isoformat()).replace(day=1)
    data = client.get(
        "/api/reports/",
        {"period": "custom", "start": start.isoformat(), "end": (start + dt.timedelta(days=120)).isoformat()},
    ).json()
    assert_matches(data, lm.facts(), region="3717")

    # Offline points' rows are in the million too: their orders, their rows, and the channel
    # split equal to a sum over order lines (certified at payment) less refunds, by the
    # order's own channel or the buyer's rule, recomputed here from orders, not the ledger.
    offline = Order.objects.filter(payment_method="offline")
    assert offline.count() == OfflineSale.objects.count() > 0
    assert set(offline.values_list("channel", flat=True)) <= {"cabinet", "pavilion", "zone"}
    window = (first - dt.timedelta(days=1), first + dt.timedelta(days=130))
    expected = defaultdict(int)

    def channel_of(order, line) -> str:
        if order.channel:
            return order.channel
        return "institutional" if order.buyer_type != "individual" else "live" if line.live_event_id else "online"

    lines = OrderLine.objects.filter(
        certified_at_payment=True, paid_at__range=window, product__producer__region__code__startswith="3717"
    ).select_related("suborder__order")
    for line in lines:
        expected[channel_of(line.suborder.order, line)] += line.unit_price_fen * line.quantity
    for refund_line in RefundLine.objects.filter(
        refund__status="confirmed",
        refund__confirmed_at__range=window,
        line__certified_at_payment=True,
        line__product__producer__region__code__startswith="3717",
    ).select_related("line__suborder__order"):
        expected[channel_of(refund_line.line.suborder.order, refund_line.line)] -= refund_line.amount_fen
    got = {row["channel"]: row["net_fen"] for row in data["tables"]["channels"]["rows"] if row["net_fen"]}
    assert got == {str(Channel(k).label): v for k, v in expected.items() if v}

    # The reserved-share section: the city's budget units, what each spent recomputed from
    # order and refund lines, ranked by completion.
    year = (timezone.localdate() - dt.timedelta(days=45)).year  # the year of most of the 90 days
    params = {"period": "year", "date": f"{year}-06-01"}
    rows = client.get("/api/reports/", params).json()["tables"]["reserved_shares"]["rows"]
    assert len(rows) == 8 and all(row["region"].startswith("山东省 菏泽市") for row in rows)
    for row in rows:
        assert row["spent_fen"] == lm.unit_spent_from_lines(row["credit_code"], year), row["unit"]
        assert row["completion"] == lm.bp_text(row["spent_fen"], row["reserved_fen"])
    assert sum(row["spent_fen"] for row in rows) > 0
    done = [row["spent_fen"] * 10_000 // row["reserved_fen"] for row in rows]
    assert done == sorted(done, reverse=True)

    results = tmp_path / "bench.txt"
    call_command(
        "benchmark_reports",
        "--runs",
        "2",
        "--warmup",
        "1",
        "--user",
        w.officer_city.username,
        "--county",
        "371722",
        "--output",
        str(results),
        stdout=io.StringIO(),
    )
    text = results.read_text()
    assert "city yearly dashboard (region 3717): p50" in text and "county drill-down (region 371722)" in text
