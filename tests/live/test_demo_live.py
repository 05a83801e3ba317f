"""The demo's live events: a past one whose replayed sales show in its results, the ledger
and the households' statements; one live now; one upcoming. A new visitor follows the live
event's link, buys at the live price, the administrator records the transfer, and both the
event's results and a household's statement show the sale. Reset and re-runs."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from attribution.models import BeneficiaryKind, EntryKind, LedgerEntry
from attribution.selectors import StatementPermissions, build_statement
from core.models import User
from live.models import EventStatus, LiveAttribution, LiveEvent
from live_results.selectors import event_results
from orders.models import Order
from payments import services as payments
from producers.models import Household

pytestmark = pytest.mark.django_db

EVERYTHING = StatementPermissions(True, True)


@pytest.fixture(autouse=True)
def demo_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def load_demo(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", "--no-images", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def demo_events() -> dict[str, LiveEvent]:
    return {e.status: e for e in LiveEvent.objects.all()}


def test_the_demo_has_a_past_a_live_and_an_upcoming_event_and_prints_their_links():
    output = load_demo()

    events = demo_events()
    assert set(events) == {EventStatus.ENDED, EventStatus.LIVE, EventStatus.UPCOMING}
    for event in events.values():
        assert f"/live/{event.code}/?tag={event.code}" in output
    assert "viewer token of the live event (shown once): lv_" in output
    past, upcoming = events[EventStatus.ENDED], events[EventStatus.UPCOMING]
    assert past.shops.get().slug == "shanxian-zhulou"
    assert upcoming.organiser_bureau.name == "单县商务局" and upcoming.region.code == "371722"
    assert set(upcoming.shops.values_list("slug", flat=True)) == {"shanxian-zhulou", "shanxian-lizhuang"}

    results = event_results(past)
    assert (results.in_live.orders, results.post_live.orders, results.window.orders) == (14, 3, 3)
    assert results.in_live.units_refunded == 1 and results.in_live.refunds_fen < 0
    assert results.viewers.peak_concurrent == 297_000 and results.viewers.samples == 25
    assert results.uplift.complete and results.uplift.before_fen > 0
    # Every figure is the ledger's.
    for kind, figures in ((LiveAttribution.IN_LIVE, results.in_live), (LiveAttribution.WINDOW, results.window)):
        entries = LedgerEntry.objects.filter(live_event=past, live_attribution=kind)
        assert figures.net_fen == entries.aggregate(s=Sum("amount_fen"))["s"]
        assert figures.gmv_fen == entries.filter(kind=EntryKind.SALE).aggregate(s=Sum("amount_fen"))["s"]
    # The replayed sales sit in the households' statements too.
    household_key = (
        LedgerEntry.objects.filter(live_event=past, beneficiary_kind=BeneficiaryKind.HOUSEHOLD)
        .values_list("household_id", flat=True)
        .first()
    )
    statement = build_statement(Household.objects.get(pk=household_key), EVERYTHING)
    assert any(e.live_event_id == past.pk for e in statement.entries)
    # The signed-in demo buyer has one of the in-live orders in their order history.
    assert Order.objects.filter(user__username="buyer").count() == 1


def test_a_new_visitor_buys_through_the_live_link_and_results_and_statements_show_it(client):
    load_demo()
    live = demo_events()[EventStatus.LIVE]
    feature = live.featured.select_related("product").order_by("sort_order").first()
    product = feature.product
    household = Household.objects.filter(shares__linkage__product=product, shares__linkage__valid_to=None).first()
    before = build_statement(household, EVERYTHING).net_fen

    page = client.get(f"/live/{live.code}/", {"live": live.code})
    assert page.status_code == 200 and "立即抢购" in page.content.decode()
    client.post(reverse("live:buy_now", args=[live.code]), {"product_id": product.pk})
    response = client.post(
        reverse("orders:checkout"),
        {
            "contact_name": "新朋友",
            "email": "newcomer@example.cn",
            "mobile": "13900001111",
            "buyer_type": "individual",
            "province": "37",
            "city": "3717",
            "county": "371722",
            "ship_detail": "园艺街道 9 号",
            "recipient_name": "新朋友",
            "recipient_mobile": "13900001111",
            "payment_method": "transfer",
        },
    )
    assert response.status_code == 302
    order = Order.objects.get(email="newcomer@example.cn")
    line = order.suborders.get().lines.get()
    assert (line.unit_price_fen, line.live_event_id, line.live_attribution) == (
        feature.event_price_fen,
        live.pk,
        LiveAttribution.IN_LIVE,
    )
    assert feature.event_price_fen < product.price_fen

    payments.record_transfer_receipt(
        order.pk, amount_fen=order.total_fen, reference="ICBC-NEW-1", by=User.objects.get(username="admin")
    )

    results = event_results(live)
    assert (results.in_live.orders, results.in_live.gmv_fen, results.in_live.buyers) == (1, feature.event_price_fen, 1)
    statement = build_statement(household, EVERYTHING)
    mine = [e for e in statement.entries if e.order_id == order.pk]
    assert len(mine) == 1 and mine[0].live_event_id == live.pk and mine[0].amount_fen > 0
    assert statement.net_fen == before + mine[0].amount_fen
    # The operator of the shop reads the same figures in the admin.
    client.force_login(User.objects.get(username="operator-a"))
    listing = client.get(reverse("live_admin:index"))
    row = next(r for e, r in listing.context["rows"] if e.pk == live.pk)
    assert (row.in_live.orders, row.in_live.gmv_fen) == (1, feature.event_price_fen)


@pytest.mark.django_db(transaction=True)  # --reset signs in as the tables' owner: outside any transaction of the test
def test_rerun_keeps_the_events_and_reset_rebuilds_them_the_same():
    load_demo("--seed", "3")
    first = {e.code: e.status for e in LiveEvent.objects.all()}
    past = demo_events()[EventStatus.ENDED]
    first_results = event_results(past)

    load_demo("--seed", "3")
    assert {e.code: e.status for e in LiveEvent.objects.all()} == first  # no duplicates, live still live

    output = load_demo("--seed", "3", "--reset")
    assert "demo content wiped" in output
    assert {e.code: e.status for e in LiveEvent.objects.all()} == first
    again = event_results(demo_events()[EventStatus.ENDED])
    assert again.in_live == first_results.in_live and again.window == first_results.window
    assert again.uplift.before_fen == first_results.uplift.before_fen
