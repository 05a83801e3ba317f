"""An offline point's till reports its sales through the intake API: rows become orders,
payments and ledger entries like online sales, in the point's channel and pairing; a
replayed batch writes nothing; one bad row refuses the whole batch with its row number and
reason; a token works for its own point only; an uncertified product's row is refused."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from attribution.models import LedgerEntry
from certification.models import Certificate
from orders.models import AddressRegion, Order, OrderStatus
from payments.models import Payment, Refund
from producers.models import BenefitLinkage
from sales_channels import services
from sales_channels.models import Channel, IntakeBatch, OfflinePoint, OfflineSale, Pairing, PairingKind
from tests.worlds import buy_and_pay

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def region(code: str) -> AddressRegion:
    return AddressRegion.objects.filter(code=code).order_by("-level").first()


def make_point(code="JN-ZG-001", county="370102", kind=Channel.CABINET):
    point = OfflinePoint.objects.create(
        code=code,
        name="济南市历下区机关食堂消费帮扶专柜",
        kind=kind,
        region=region(county),
        address="历下区龙奥北路 1 号",
        contact_name="赵敏",
        contact_mobile="13905310001",
    )
    return point, services.issue_token(point.pk)


def ago(**delta) -> str:
    return timezone.localtime(timezone.now() - dt.timedelta(**delta), TZ).isoformat(timespec="seconds")


def cert(product) -> str:
    return Certificate.objects.filter(product=product).values_list("number", flat=True).get()


def post(client, code, token, rows, **extra):
    return client.post(
        f"/api/offline/points/{code}/sales/",
        data=json.dumps({"sales": rows}, ensure_ascii=False),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **extra,
    )


def week_rows(w):
    return [
        {
            "sale_id": "S1",
            "time": ago(days=3),
            "product": cert(w.yam),
            "quantity": 3,
            "unit_price": "38.80",
            "amount": "116.40",
        },
        {
            "sale_id": "S2",
            "time": ago(days=2),
            "product": str(w.oil.pk),
            "quantity": 1,
            "unit_price": 120,
            "amount": 120,
        },
        {"sale_id": "S1-R", "refund_of": "S1", "time": ago(days=1), "quantity": 1, "amount": "38.80"},
    ]


def counts():
    return (Order.objects.count(), Payment.objects.count(), Refund.objects.count(), LedgerEntry.objects.count())


def test_a_batch_books_orders_payments_refunds_and_ledger_entries_in_the_points_channel(ledger_world, client):
    w = ledger_world
    # The linkages began a month ago (the world made them now): sales of last week share by them.
    BenefitLinkage.objects.update(valid_from=timezone.now() - dt.timedelta(days=30))
    Pairing.objects.create(
        kind=PairingKind.EAST_WEST,
        name="济南→单县",
        helping_region=region("3701"),
        helped_region=region("371722"),
        valid_from=dt.date(2020, 1, 1),
    )
    point, token = make_point()
    rows = week_rows(w)
    response = post(client, point.code, token, rows)
    assert response.status_code == 201, response.content.decode()
    assert response.json()["new"] == 3 and response.json()["repeated"] == 0

    sale = OfflineSale.objects.get(point=point, sale_id="S1")
    order = sale.order
    assert (order.status, order.total_fen, order.paid_fen, order.refunded_fen) == (
        OrderStatus.PARTIALLY_REFUNDED,
        11640,
        11640,
        3880,
    )
    assert (order.channel, order.ship_region_code, order.payment_method) == ("cabinet", "370102", "offline")
    assert order.suborders.get().status == "completed"
    assert order.paid_at == dt.datetime.fromisoformat(rows[0]["time"])
    assert Payment.objects.get(order=order).reference == "JN-ZG-001/S1"
    refund = OfflineSale.objects.get(sale_id="S1-R").refund
    assert (refund.status, refund.amount_fen) == ("confirmed", 3880)
    assert w.yam.__class__.objects.get(pk=w.yam.pk).stock == 500  # the point's own stock, not the shop's

    # The ledger: the yam's sale and reversal under the point's channel and 济南→单县, at the
    # moments the till reported, shared as the linkage says (30% to 张小文 of ¥116.40 = ¥34.92).
    entries = LedgerEntry.objects.filter(order=order)
    assert {e.channel for e in entries} == {"cabinet"}
    assert {e.pairing.name for e in entries} == {"济南→单县"}
    assert sum(e.amount_fen for e in entries if e.household == w.zhang) == 3492 - 1164
    reversal = entries.filter(amount_fen__lt=0).first()
    assert reversal.booked_at == dt.datetime.fromisoformat(rows[2]["time"])
    oil_entries = LedgerEntry.objects.filter(order=OfflineSale.objects.get(sale_id="S2").order)
    assert {(e.channel, e.pairing_id) for e in oil_entries} == {("cabinet", None)}  # 成武县 is not in the pairing

    # The same product bought online gives the same shares as the counter's sale.
    online = buy_and_pay(w, [(w.yam, 3)])

    def shares(o):
        return sorted((e.beneficiary_key, e.amount_fen) for e in LedgerEntry.objects.filter(order=o, amount_fen__gt=0))

    assert shares(online) == shares(order)

    # The report: online and offline together, by channel, after the refund.
    client.force_login(w.officer_city)
    tables = client.get("/api/reports/", {"period": "year", "region": "3717"}).json()["tables"]
    channels = {r["channel"]: r["net_fen"] for r in tables["channels"]["rows"] if r["net_fen"]}
    assert channels == {"消费帮扶专柜": 11640 - 3880 + 12000, "线上商城": 11640}
    pairings = {r["pairing"]: r["net_fen"] for r in tables["pairings"]["rows"]}
    assert pairings["济南→单县"] == 11640 - 3880


def test_a_replayed_batch_writes_nothing_new(ledger_world, client):
    point, token = make_point()
    rows = week_rows(ledger_world)
    assert post(client, point.code, token, rows).status_code == 201
    before = counts()
    response = post(client, point.code, token, rows)
    assert response.status_code == 200
    assert (response.json()["new"], response.json()["repeated"]) == (0, 3)
    assert counts() == before
    # A retry that adds one row books that row only.
    more = rows + [
        {
            "sale_id": "S3",
            "time": ago(hours=2),
            "product": cert(ledger_world.yam),
            "quantity": 1,
            "unit_price": "38.80",
            "amount": "38.80",
        }
    ]
    response = post(client, point.code, token, more)
    assert (response.status_code, response.json()["new"], response.json()["repeated"]) == (201, 1, 3)


def test_one_bad_row_refuses_the_batch_with_its_row_number_and_reason(ledger_world, client):
    point, token = make_point()
    rows = week_rows(ledger_world)
    rows[1]["quantity"] = "two"
    rows.append(
        {
            "sale_id": "S4",
            "time": ago(hours=1),
            "product": cert(ledger_world.yam),
            "quantity": 2,
            "unit_price": "38.80",
            "amount": "70.00",
        }
    )
    before = counts()
    response = post(client, point.code, token, rows)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["sale_id"], e["field"]) for e in errors] == [(2, "S2", "quantity"), (4, "S4", "amount")]
    assert errors[1]["reason"] == "金额 ¥70.00 不等于单价 × 数量 = ¥77.60"
    assert counts() == before
    assert not OfflineSale.objects.exists()
    batch = IntakeBatch.objects.get()
    assert (batch.status, batch.rows, [e["row"] for e in batch.errors]) == ("refused", 4, [2, 4])


def test_refusals_of_rows(ledger_world, client):
    w = ledger_world
    point, token = make_point()
    assert post(client, point.code, token, week_rows(w)[:1]).status_code == 201
    cases = [
        (
            {
                "sale_id": "X1",
                "time": ago(days=1),
                "product": cert(w.yam),
                "quantity": 1,
                "unit_price": "10.00",
                "amount": "10.00",
            },
            "unit_price",
            "单价 ¥10.00 不在 ¥19.40–¥58.20 之间（商城价的 50%–150%）",
        ),
        (
            {
                "sale_id": "X2",
                "time": ago(days=-1),
                "product": cert(w.yam),
                "quantity": 1,
                "unit_price": "38.80",
                "amount": "38.80",
            },
            "time",
            "不能是将来的时间",
        ),
        (
            {
                "sale_id": "X3",
                "time": ago(days=100),
                "product": cert(w.yam),
                "quantity": 1,
                "unit_price": "38.80",
                "amount": "38.80",
            },
            "time",
            "早于 92 天前，请联系平台补录",
        ),
        (
            {
                "sale_id": "X4",
                "time": ago(days=1),
                "product": "NO-SUCH",
                "quantity": 1,
                "unit_price": "38.80",
                "amount": "38.80",
            },
            "product",
            "没有证书编号或商品编号为「NO-SUCH」的产品",
        ),
        (
            {"sale_id": "X5", "refund_of": "S1", "time": ago(days=1), "quantity": 4, "amount": "155.20"},
            "refund_of",
            "原销售最多还可退 3 件",
        ),
        (
            {"sale_id": "X6", "refund_of": "S9", "time": ago(days=1), "quantity": 1, "amount": "38.80"},
            "refund_of",
            "没有流水号为「S9」的销售（须先于退款上报）",
        ),
        (
            {"sale_id": "X7", "refund_of": "S1", "time": ago(days=5), "quantity": 1, "amount": "38.80"},
            "refund_of",
            "退款时间早于原销售",
        ),
        (
            {
                "sale_id": "S1",
                "time": ago(days=3),
                "product": cert(w.yam),
                "quantity": 2,
                "unit_price": "38.80",
                "amount": "77.60",
            },
            "sale_id",
            "该流水号已上报过不同的数据",
        ),
        (
            {
                "sale_id": "X8",
                "time": ago(days=1),
                "product": cert(w.yam),
                "quantity": 1,
                "unit_price": "38.80",
                "amount": "38.80",
                "price": 1,
            },
            "price",
            "未知字段",
        ),
    ]
    before = counts()
    for row, field, reason in cases:
        response = post(client, point.code, token, [row])
        assert response.status_code in (400, 409), row
        assert [(e["field"], e["reason"]) for e in response.json()["errors"]] == [(field, reason)], row
    assert post(client, point.code, token, [cases[7][0]]).status_code == 409
    assert counts() == before


def test_an_uncertified_products_row_is_refused(ledger_world, client):
    """Decided: refused, not booked as not certified (services' docstring)."""
    w = ledger_world
    point, token = make_point()
    Certificate.objects.filter(product=w.oil).update(revoked_at=timezone.now() - dt.timedelta(days=2))
    row = {
        "sale_id": "U1",
        "time": ago(days=1),
        "product": str(w.oil.pk),
        "quantity": 1,
        "unit_price": "128",
        "amount": "128",
    }
    response = post(client, point.code, token, [row])
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"] == "「成武牡丹籽油」在销售时没有有效的消费帮扶产品认定证书"
    # Sold before the revocation, reported after it: it was certified when sold.
    row.update(sale_id="U2", time=ago(days=3))
    assert post(client, point.code, token, [row]).status_code == 201
    assert OfflineSale.objects.get(sale_id="U2").order.suborders.get().lines.get().certified_at_payment is True


def test_a_token_reports_for_its_own_point_only(ledger_world, client, settings):
    point, token = make_point()
    other, other_token = make_point(code="JN-ZG-002")
    rows = week_rows(ledger_world)[:1]
    assert post(client, other.code, token, rows).status_code == 403
    assert post(client, point.code, "op_not-a-token", rows).status_code == 401
    assert (
        client.post(f"/api/offline/points/{point.code}/sales/", data="{}", content_type="application/json").status_code
        == 401
    )
    assert post(client, "NO-SUCH", token, rows).status_code == 404
    assert client.get(f"/api/offline/points/{point.code}/sales/").status_code == 405
    assert not OfflineSale.objects.exists() and not IntakeBatch.objects.exists()
    # A new token replaces the old one.
    new_token = services.issue_token(point.pk)
    assert post(client, point.code, token, rows).status_code == 401
    assert post(client, point.code, new_token, rows).status_code == 201
    # A point stopped is refused.
    OfflinePoint.objects.filter(pk=other.pk).update(is_active=False)
    assert post(client, other.code, other_token, rows).status_code == 403
    point.refresh_from_db()
    assert point.token_hash != new_token and len(point.token_hash) == 64  # only the hash is kept


def test_bad_bodies_are_400s(ledger_world, client):
    point, token = make_point()
    url = f"/api/offline/points/{point.code}/sales/"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for body in ("not json", "[]", '{"sales": []}', '{"sales": [1]}', '{"rows": []}', '{"sales": "x"}'):
        response = client.post(url, data=body, content_type="application/json", **auth)
        assert response.status_code == 400, body
        assert response.json()["error"]
    too_many = [{"sale_id": f"M{i}"} for i in range(services.MAX_ROWS + 1)]
    assert post(client, point.code, token, too_many).json()["errors"][0]["reason"] == "一次最多 500 行"


def test_batches_beyond_the_rate_get_429(ledger_world, client, settings):
    settings.OFFLINE_INTAKE_PER_MINUTE = 2
    point, token = make_point(code="JN-RATE-1")
    statuses = [post(client, point.code, token, [{"sale_id": "x"}]).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
