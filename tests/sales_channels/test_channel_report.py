"""The report splits every figure by channel and by pairing: the officers' JSON equals a sum
over the order lines and refunds computed here, not read from the ledger, to the fen; the
summary table agrees with the ledger after a rebuild; its tables cost the same queries for
more sales."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import AddressRegion
from reports.models import ChannelSummary
from reports.services import rebuild_summaries, summary_differences
from sales_channels.models import Pairing, PairingKind
from tests.worlds import buy_and_pay, refund_lines

pytestmark = pytest.mark.django_db


def region(code: str) -> AddressRegion:
    return AddressRegion.objects.filter(code=code).order_by("-level").first()


def pairing(name, helped, helping="3701"):
    return Pairing.objects.create(
        kind=PairingKind.EAST_WEST,
        name=name,
        helping_region=region(helping),
        helped_region=region(helped),
        valid_from=dt.date(2020, 1, 1),
    )


def fetch(client, officer, **params) -> dict:
    client.force_login(officer)
    response = client.get("/api/reports/", {"period": "year", **params})
    assert response.status_code == 200, response.content.decode()[:500]
    return response.json()["tables"]


def test_channels_and_pairings_equal_the_lines_less_refunds(ledger_world, client):
    w = ledger_world
    county = pairing("济南→单县", "371722")
    city = pairing("济南→菏泽", "3717")
    jinan = buy_and_pay(w, [(w.yam, 3), (w.oil, 1)], ship_region=region("370102"))  # ¥116.40 + ¥128.00
    local = buy_and_pay(w, [(w.yam, 2)])  # a 单县 buyer: no pairing, ¥77.60
    unit = buy_and_pay(w, [(w.oil, 2)], buyer_type="budget_unit")  # 单位采购, ¥256.00
    yam_line = jinan.suborders.get(shop=w.shop_a).lines.get()
    refund_lines(w, jinan, {yam_line: 1})  # −¥38.80 under the county's pairing
    expected_pairings = {
        "济南→单县": 3 * 3880 - 3880,
        "济南→菏泽": 12800,
        "不属于结对帮扶": 2 * 3880 + 2 * 12800,
    }
    expected_channels = {"线上商城": 3 * 3880 - 3880 + 12800 + 2 * 3880, "单位采购": 2 * 12800}

    t = fetch(client, w.officer_city, region="3717")
    assert {r["pairing"]: r["net_fen"] for r in t["pairings"]["rows"]} == expected_pairings
    assert {r["channel"]: r["net_fen"] for r in t["channels"]["rows"] if r["net_fen"]} == expected_channels
    assert t["pairings"]["total"]["net_fen"] == t["channels"]["total"]["net_fen"] == sum(expected_pairings.values())
    row = next(r for r in t["pairings"]["rows"] if r["pairing"] == "济南→单县")
    assert (row["kind"], row["helping"], row["sales_fen"], row["refunds_fen"]) == (
        "东西部协作",
        "山东省 济南市",
        11640,
        -3880,
    )

    # 成武县's officer: only the oil, the city's pairing and the unit's order.
    t = fetch(client, w.officer_b, region="371723")
    assert {r["pairing"]: r["net_fen"] for r in t["pairings"]["rows"]} == {"济南→菏泽": 12800, "不属于结对帮扶": 25600}

    # The table the payments kept equals the ledger, and a rebuild writes the same rows.
    kept = sorted(
        ChannelSummary.objects.values_list("grain", "day", "channel", "pairing_pk", "sales_fen", "refunds_fen")
    )
    assert summary_differences() == []
    rebuild_summaries()
    assert (
        sorted(ChannelSummary.objects.values_list("grain", "day", "channel", "pairing_pk", "sales_fen", "refunds_fen"))
        == kept
    )
    assert {county.pk, city.pk} <= {row[3] for row in kept}
    assert local.pk and unit.pk


def test_the_channel_tables_cost_the_same_queries_for_more_sales(ledger_world, client):
    w = ledger_world
    pairing("济南→单县", "371722")
    client.force_login(w.officer_city)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            for table in ("channels", "pairings"):
                assert client.get(f"/admin/reports/export/{table}.csv", {"period": "year"}).status_code == 200
        return len(queries)

    buy_and_pay(w, [(w.yam, 1)], ship_region=region("370102"))
    few = count()
    for _ in range(4):
        buy_and_pay(w, [(w.yam, 1), (w.oil, 1)], ship_region=region("370102"))
    assert count() == few
