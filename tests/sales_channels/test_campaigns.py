"""Campaigns (推广活动) and the one link tag, over HTTP: a campaign's link or typed code tags
the visit and the cart like a live event's; a line so tagged, paid while the campaign runs,
of a product of its pairing's helped region counts under that pairing before the
organisation and region rules; anything else falls to those rules; a lapsed or unknown
code is refused with a message; live events and campaigns share one code namespace, and
the most recent link wins. In the admin only platform administrators make campaigns, the
bureaus of the pairing's sides read them (with their link and QR code), nobody else."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attribution.models import LedgerEntry
from live.models import LiveEvent
from orders.models import AddressRegion, CartItem, Order, OrderLine
from producers.models import Region
from sales_channels.models import Campaign, Channel, Pairing, PairingKind
from tests.admin.test_shops_and_platform import sidebar_text
from tests.factories import RegionFactory, officer_for
from tests.live.conftest import clock, live_world, local, pages, pay  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pages")]  # the storefront pages

INDEX = "/admin/channels/campaigns/"


def region(code: str) -> AddressRegion:
    return AddressRegion.objects.filter(code=code).order_by("-level").first()


def pairing(name, helped="371722", helping="3701") -> Pairing:
    return Pairing.objects.create(
        kind=PairingKind.EAST_WEST,
        name=name,
        helping_region=region(helping),
        helped_region=region(helped),
        valid_from=dt.date(2020, 1, 1),
    )


def campaign(name="济南消费帮扶月", *, under=None, code="JNXFBF26", days=(-1, 30)) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        name=name,
        code=code,
        pairing=under,
        valid_from=today + dt.timedelta(days=days[0]),
        valid_to=today + dt.timedelta(days=days[1]),
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def add_to_cart(client, product, quantity=1):
    return client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": quantity})


def checkout(client, county="370102", city="3701"):
    """Checkout by bank transfer, shipping to 济南市历下区 unless told."""
    return client.post(
        reverse("orders:checkout"),
        {
            "contact_name": "王芳",
            "email": "wangfang@example.cn",
            "mobile": "13812345678",
            "buyer_type": "individual",
            "province": "37",
            "city": city,
            "county": county,
            "ship_detail": "泉城路 8 号",
            "recipient_name": "王芳",
            "recipient_mobile": "13812345678",
            "payment_method": "transfer",
        },
    )


def pairing_totals(order) -> dict:
    """{(product title, pairing id or None): amount in fen} over the order's ledger entries."""
    totals: dict = {}
    for title, pairing_id, channel, amount in LedgerEntry.objects.filter(order=order).values_list(
        "order_line__product__title", "pairing", "channel", "amount_fen"
    ):
        assert channel == Channel.ONLINE
        totals[(title, pairing_id)] = totals.get((title, pairing_id), 0) + amount
    return totals


def test_a_campaign_link_puts_the_helped_regions_sale_under_its_pairing_before_the_region_rule(client, ledger_world):
    w = ledger_world
    by_link = pairing("东西部协作 济南市—单县")
    # Shipping to 历下区, the region rule alone would pick this one (its helping side is the more specific).
    by_region = pairing("区县结对 历下区—单县", helping="370102")
    chengwu = pairing("东西部协作 济南市—成武县", helped="371723")
    month = campaign(under=by_link)

    page = client.get(w.yam.get_absolute_url(), {"tag": "jnxfbf26"})
    assert "欢迎来自「济南消费帮扶月」的朋友！" in page.content.decode()
    assert client.session["link_tag"]["code"] == "JNXFBF26"
    add_to_cart(client, w.yam, 2)
    add_to_cart(client, w.oil, 1)  # 成武县's: outside the campaign's helped region, not tagged
    cart = client.get(reverse("orders:cart")).content.decode()
    assert cart.count("来自活动") == 1
    assert checkout(client).status_code == 302

    order = Order.objects.get()
    assert dict(OrderLine.objects.filter(suborder__order=order).values_list("product__title", "link_code")) == {
        "单县铁棍山药": "JNXFBF26",
        "成武牡丹籽油": "",
    }
    order = pay(w, order, at=timezone.now())
    assert pairing_totals(order) == {
        ("单县铁棍山药", by_link.pk): 2 * 3880,  # the link's pairing, not the region rule's
        ("成武牡丹籽油", chengwu.pk): 12800,  # the normal rule: the buyer's 济南 helps 成武县
    }
    assert by_region.pk not in {p for _t, p in pairing_totals(order)}
    assert month.pairing_id == by_link.pk


def test_outside_its_days_or_its_region_the_normal_rules_decide(client, ledger_world):
    w = ledger_world
    by_link = pairing("东西部协作 济南市—单县")
    by_region = pairing("区县结对 历下区—单县", helping="370102")
    campaign(under=by_link, days=(-1, 0))  # ends today

    client.get("/", {"tag": "JNXFBF26"})
    add_to_cart(client, w.yam, 1)
    assert checkout(client).status_code == 302
    order = Order.objects.get()
    assert OrderLine.objects.get(suborder__order=order).link_code == "JNXFBF26"
    # Paid tomorrow: the campaign has ended, so the region rule decides (历下区 beats 济南市).
    tomorrow = local(timezone.localdate() + dt.timedelta(days=1), 10)
    order = pay(w, order, at=tomorrow)
    assert pairing_totals(order) == {("单县铁棍山药", by_region.pk): 3880}

    # A campaign with no pairing changes nothing either (shipping to 单县 itself: no pairing).
    campaign("单县山药节", code="SXSYJ226")
    other = Client()
    other.get("/", {"tag": "SXSYJ226"})
    add_to_cart(other, w.yam, 1)
    assert checkout(other, county="371722", city="3717").status_code == 302
    second = pay(w, Order.objects.exclude(pk=order.pk).get(), at=timezone.now())
    assert OrderLine.objects.get(suborder__order=second).link_code == "SXSYJ226"
    assert pairing_totals(second) == {("单县铁棍山药", None): 3880}


def test_an_ended_or_unknown_code_is_refused_with_a_message(client, ledger_world):
    w = ledger_world
    ended = campaign(under=pairing("东西部协作 济南市—单县"), days=(-30, -1))
    message = f"推广活动「济南消费帮扶月」已于 {ended.valid_to.isoformat()} 结束，活动链接已失效。"

    page = client.get(w.yam.get_absolute_url(), {"tag": "JNXFBF26"})
    assert page.status_code == 200 and message in messages_of(page)
    assert "link_tag" not in client.session

    add_to_cart(client, w.yam, 1)
    typed = client.post(reverse("live:enter_code"), {"code": "jnxfbf26"}, follow=True)
    assert typed.redirect_chain[-1][0] == reverse("orders:cart")
    assert message in messages_of(typed)
    assert "来自活动" not in typed.content.decode()

    unknown = client.get(w.yam.get_absolute_url(), {"tag": "NOPE2345"})
    assert unknown.status_code == 200 and "直播码「NOPE2345」不存在或尚未公开，请核对。" in messages_of(unknown)
    assert "link_tag" not in client.session and "live_tag" not in client.session


def test_one_tag_the_most_recent_link_wins_and_old_live_links_still_work(client, live_world):  # noqa: F811
    lw = live_world
    w = lw.w
    campaign(under=pairing("东西部协作 济南市—单县"))
    client.force_login(w.buyer)
    during = lw.start + dt.timedelta(minutes=5)
    with clock(during):
        client.get("/", {"tag": lw.event_a.code})  # the new parameter, for a live event
        add_to_cart(client, w.yam, 1)
        item = CartItem.objects.get(user=w.buyer)
        assert (item.live_event_id, item.link_code) == (lw.event_a.pk, "")

        typed = client.post(reverse("live:enter_code"), {"code": "JNXFBF26"}, follow=True)
        assert "已使用活动码 JNXFBF26（济南消费帮扶月）。" in messages_of(typed)
        item.refresh_from_db()
        assert (item.live_event_id, item.link_code) == (None, "JNXFBF26")
        assert "live_tag" not in client.session

        client.get("/", {"live": lw.event_a.code})  # a link printed before: still a live tag
        item.refresh_from_db()
        assert (item.live_event_id, item.link_code) == (lw.event_a.pk, "")
        assert "link_tag" not in client.session
        assert client.session["live_tag"]["event"] == lw.event_a.pk


def test_the_anonymous_cart_keeps_the_campaign_code_through_signing_in(client, ledger_world):
    w = ledger_world
    campaign(under=pairing("东西部协作 济南市—单县"))
    client.get("/", {"tag": "JNXFBF26"})
    add_to_cart(client, w.yam, 3)
    assert client.session["cart"][str(w.yam.pk)][2:] == [None, None, "JNXFBF26"]
    response = client.post(reverse("orders:login"), {"username": w.buyer.username, "password": "pass-1234-word"})
    assert response.status_code == 302
    item = CartItem.objects.get(user=w.buyer)
    assert (item.quantity, item.live_event_id, item.link_code) == (3, None, "JNXFBF26")


# --- one code namespace ----------------------------------------------------------------------------------------------


@pytest.fixture
def jinan_officer(ledger_world):
    shandong = Region.objects.get(code="37")
    jinan = RegionFactory(code="3701", name="济南市", level=Region.Level.CITY, parent=shandong, is_official=True)
    return officer_for(jinan, username="officer-jinan")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**overrides) -> dict:
    data = {
        "name": "济南消费帮扶月",
        "code": "jnxfbf26",
        "pairing": "",
        "valid_from": "2026-09-01",
        "valid_to": "2026-09-30",
        "note": "",
    }
    data.update(overrides)
    return data


def test_only_the_platform_makes_campaigns_and_codes_are_one_namespace(live_world):  # noqa: F811
    lw = live_world
    under = pairing("东西部协作 济南市—单县")
    client = signed_in(lw.w.admin)
    for bad, message in [
        ({"code": lw.event_a.code}, f"活动码「{lw.event_a.code}」已被其他活动或直播使用。"),
        ({"code": "JN0I"}, "活动码须为 4–12 位大写字母和数字，不含 O、I、0、1。"),
        ({"valid_to": "2026-08-31"}, "结束日期不能早于开始日期。"),
    ]:
        response = client.post(INDEX + "new/", form(**bad))
        assert response.status_code == 200, bad
        assert message in response.content.decode(), bad
    assert not Campaign.objects.exists()

    assert client.post(INDEX + "new/", form(pairing=under.pk)).status_code == 302
    made = Campaign.objects.get()
    assert (made.code, made.pairing_id, made.valid_to) == ("JNXFBF26", under.pk, dt.date(2026, 9, 30))
    again = client.post(INDEX + "new/", form(name="另一个活动"))
    assert "活动码「JNXFBF26」已被其他活动或直播使用。" in again.content.decode()
    assert client.post(f"{INDEX}edit/{made.pk}/", form(pairing=under.pk, note="九月")).status_code == 302
    assert Campaign.objects.get().note == "九月"

    # A new live event never draws a campaign's code; the default campaign code is drawn the same way.
    assert not LiveEvent.objects.filter(code="JNXFBF26").exists()
    drawn = Campaign.objects.create(name="默认码", valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 1, 2))
    assert len(drawn.code) == 8 and drawn.code not in {lw.event_a.code, lw.event_b.code, "JNXFBF26"}


def test_the_pairings_sides_read_a_campaign_with_its_link_and_qr_code_nobody_else(ledger_world, jinan_officer):
    w = ledger_world
    month = campaign(under=pairing("东西部协作 济南市—单县"))
    unpaired = campaign("平台自办活动", code="PTZBHD26")
    qr = f"{INDEX}qr/{month.pk}/"

    admin = signed_in(w.admin)
    page = admin.get(f"{INDEX}inspect/{month.pk}/").content.decode()
    assert f"{settings.SITE_URL.rstrip('/')}/?tag=JNXFBF26" in page
    picture = admin.get(qr)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert picture.content[:8] == b"\x89PNG\r\n\x1a\n"

    # 济南 (helping), 单县 (helped) and 菏泽 (above 单县) read it, and change nothing.
    for officer in (jinan_officer, w.officer_a, w.officer_city):
        client = signed_in(officer)
        listing = client.get(INDEX).content.decode()
        assert "济南消费帮扶月" in listing and "平台自办活动" not in listing, officer.username
        assert client.get(f"{INDEX}inspect/{month.pk}/").status_code == 200
        assert client.get(qr).status_code == 200
        assert client.get(f"{INDEX}inspect/{unpaired.pk}/").status_code == 404
        assert client.get(f"{INDEX}edit/{month.pk}/").status_code in (302, 403)
        assert client.post(f"{INDEX}edit/{month.pk}/", form(name="改名")).status_code in (302, 403)
        assert client.post(INDEX + "new/", form(code="XYZW2345")).status_code in (302, 403)
        assert '"推广活动"' in sidebar_text(client)
    # 成武县 (a third county): nothing, by list or URL.
    third = signed_in(w.officer_b)
    assert "济南消费帮扶月" not in third.get(INDEX).content.decode()
    assert third.get(f"{INDEX}inspect/{month.pk}/").status_code == 404
    assert third.get(qr).status_code == 404
    assert third.get(f"{INDEX}edit/{month.pk}/").status_code in (302, 403, 404)
    # An operator has no menu item and no page.
    operator = signed_in(w.operator_a)
    assert '"推广活动"' not in sidebar_text(operator)
    assert operator.get(INDEX).status_code in (302, 403)
    assert operator.get(qr).status_code == 404
    assert Campaign.objects.get(pk=month.pk).name == "济南消费帮扶月"
    assert Campaign.objects.count() == 2
