"""Buying through an event's link or code, over HTTP: the link tags the session and the
cart, the live price shows on the product page and in the cart, checkout stores the event
on the line, a live price that ended between cart and checkout is refused with a clear
message, bad or lapsed codes are refused, and the tag survives signing in."""

import datetime as dt

import pytest
from django.urls import reverse

from live.models import LiveAttribution
from orders.models import CartItem, Order, OrderLine

from .conftest import SECOND, clock

pytestmark = pytest.mark.django_db


def checkout_data(lw) -> dict:
    return {
        "contact_name": "王芳",
        "email": "wangfang@example.cn",
        "mobile": "13812345678",
        "buyer_type": "individual",
        "province": "37",
        "city": lw.w.city.code,
        "county": lw.w.county_a.code,
        "ship_detail": "城关街道人民路 8 号",
        "recipient_name": "王芳",
        "recipient_mobile": "13812345678",
        "payment_method": "transfer",
    }


def add_to_cart(client, product, quantity=1):
    return client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": quantity})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_following_the_link_then_buying_stores_an_in_live_line_at_the_live_price(client, live_world, pages):
    lw = live_world
    during = lw.start + dt.timedelta(minutes=15)
    with clock(during):
        page = client.get(lw.w.yam.get_absolute_url(), {"live": lw.event_a.code.lower()})
        assert "欢迎来自直播「单县山药直播专场」的朋友" in page.content.decode()
        assert '<span class="badge">直播价</span> <span class="yuan">¥</span>29.90' in page.content.decode()
        assert client.session["live_tag"]["event"] == lw.event_a.pk

        add_to_cart(client, lw.w.yam, 2)
        add_to_cart(client, lw.w.oil, 1)  # another shop's product, not claimable by event A
        cart = client.get(reverse("orders:cart")).content.decode()
        assert cart.count("来自直播") == 1 and "¥29.90" in cart and "<del" in cart

        response = client.post(reverse("orders:checkout"), checkout_data(lw))

    assert response.status_code == 302
    order = Order.objects.get()
    yam_line = OrderLine.objects.get(suborder__order=order, product=lw.w.yam)
    oil_line = OrderLine.objects.get(suborder__order=order, product=lw.w.oil)
    assert (yam_line.unit_price_fen, yam_line.live_event_id, yam_line.live_attribution) == (
        2990,
        lw.event_a.pk,
        LiveAttribution.IN_LIVE,
    )
    # The oil is featured by event B, bought during B's window without B's link: window.
    assert (oil_line.live_event_id, oil_line.live_attribution) == (lw.event_b.pk, LiveAttribution.WINDOW)
    assert order.total_fen == 2 * 2990 + 12800


def test_the_link_tags_what_is_already_in_the_cart(client, live_world, pages):
    lw = live_world
    with clock(lw.start - dt.timedelta(hours=3)):
        add_to_cart(client, lw.asparagus, 1)  # before the stream, no link
        assert "live_tag" not in client.session
        client.get("/", {"live": lw.event_a.code})
    entry = client.session["cart"][str(lw.asparagus.pk)]
    assert entry[2] == lw.event_a.pk  # [quantity, price seen, event id, tagged at]

    with clock(lw.start + SECOND):
        client.post(reverse("orders:checkout"), checkout_data(lw))
    line = OrderLine.objects.get()
    assert (line.live_event_id, line.live_attribution) == (lw.event_a.pk, LiveAttribution.IN_LIVE)


def test_a_live_price_that_ended_before_checkout_is_refused_with_the_reason(client, live_world, pages):
    lw = live_world
    with clock(lw.end - dt.timedelta(minutes=2)):
        client.get(lw.w.yam.get_absolute_url(), {"live": lw.event_a.code})
        add_to_cart(client, lw.w.yam, 1)
    with clock(lw.end + dt.timedelta(minutes=1)):
        response = client.post(reverse("orders:checkout"), checkout_data(lw))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "「单县铁棍山药」直播已结束，直播价 ¥29.90 不再适用，现价 ¥38.80。" in errors
    assert Order.objects.count() == 0
    # Confirming again buys at the product's own price, still counted post-live.
    with clock(lw.end + dt.timedelta(minutes=2)):
        assert client.post(reverse("orders:checkout"), checkout_data(lw)).status_code == 302
    line = OrderLine.objects.get()
    assert (line.unit_price_fen, line.live_attribution) == (3880, LiveAttribution.POST_LIVE)


def test_the_same_change_caught_by_the_order_service_names_the_live_price(live_world):
    from core.errors import DomainError
    from orders.services import CheckoutLine, place_order
    from tests.factories import buyer_details

    lw = live_world
    with clock(lw.end), pytest.raises(DomainError) as refused:
        place_order(
            lines=[CheckoutLine(lw.w.yam.pk, 1, 2990)], buyer=buyer_details(), payment_method="transfer", user=None
        )
    assert "直播已结束，直播价 ¥29.90 不再适用，现价 ¥38.80" in str(refused.value)
    assert Order.objects.count() == 0


def test_entering_the_code_on_the_cart_page(client, live_world, pages):
    lw = live_world
    with clock(lw.start + dt.timedelta(minutes=5)):
        add_to_cart(client, lw.w.yam, 1)
        bad = client.post(reverse("live:enter_code"), {"code": "NOPE0000"}, follow=True)
        assert "直播码「NOPE0000」不存在或尚未公开，请核对。" in messages_of(bad)
        assert "live_tag" not in client.session

        good = client.post(reverse("live:enter_code"), {"code": f" {lw.event_a.code.lower()} "}, follow=True)
        assert f"已使用直播码 {lw.event_a.code}（单县山药直播专场）。" in messages_of(good)
        assert good.redirect_chain[-1][0] == reverse("orders:cart")
        assert "来自直播" in good.content.decode()


def test_a_lapsed_or_unpublished_code_tags_nothing(client, live_world, pages):
    lw = live_world
    with clock(lw.event_a.post_live_end):
        response = client.get(reverse("orders:cart"), {"live": lw.event_a.code})
    assert "直播「单县山药直播专场」已结束超过 7 天，直播链接已失效。" in messages_of(response)
    assert "live_tag" not in client.session

    lw.event_b.is_published = False
    lw.event_b.save()
    with clock(lw.start):
        response = client.get(reverse("orders:cart"), {"live": lw.event_b.code})
    assert f"直播码「{lw.event_b.code}」不存在或尚未公开，请核对。" in messages_of(response)
    assert "live_tag" not in client.session


def test_the_session_tag_lapses_with_the_post_live_period(client, live_world, pages):
    lw = live_world
    with clock(lw.start):
        client.get("/", {"live": lw.event_a.code})
    with clock(lw.event_a.post_live_end + SECOND):
        add_to_cart(client, lw.asparagus, 1)
    assert "live_tag" not in client.session
    assert len(client.session["cart"][str(lw.asparagus.pk)]) == 2  # not tagged


def test_the_tag_moves_into_the_account_on_sign_in(client, live_world, pages):
    lw = live_world
    with clock(lw.start + dt.timedelta(minutes=1)):
        client.get("/", {"live": lw.event_a.code})
        add_to_cart(client, lw.w.yam, 1)
        response = client.post(reverse("orders:login"), {"username": lw.w.buyer.username, "password": "pass-1234-word"})
    assert response.status_code == 302
    item = CartItem.objects.get(user=lw.w.buyer)
    assert (item.product_id, item.price_fen, item.live_event_id) == (lw.w.yam.pk, 2990, lw.event_a.pk)
    assert item.live_tagged_at == lw.start + dt.timedelta(minutes=1)

    with clock(lw.end + dt.timedelta(days=1)):  # post-live, signed in
        response = client.post(reverse("orders:checkout"), checkout_data(lw))
        assert response.status_code == 200  # the live price ended: confirm the new price
        assert client.post(reverse("orders:checkout"), checkout_data(lw)).status_code == 302
    order = Order.objects.get()
    assert order.user == lw.w.buyer
    line = order.suborders.get().lines.get()
    assert (line.unit_price_fen, line.live_event_id, line.live_attribution) == (
        3880,
        lw.event_a.pk,
        LiveAttribution.POST_LIVE,
    )


def test_one_tap_buy_on_the_event_page_goes_to_checkout(client, live_world, pages):
    lw = live_world
    with clock(lw.start + dt.timedelta(minutes=2)):
        client.get("/", {"live": lw.event_a.code})
        response = client.post(reverse("live:buy_now", args=[lw.event_a.code]), {"product_id": lw.w.yam.pk})
        assert response.status_code == 302 and response["Location"] == reverse("orders:checkout")
        # A product the event does not feature cannot be bought through it.
        assert (
            client.post(reverse("live:buy_now", args=[lw.event_a.code]), {"product_id": lw.asparagus.pk}).status_code
            == 404
        )
    assert client.session["cart"] == {
        str(lw.w.yam.pk): [1, 2990, lw.event_a.pk, (lw.start + dt.timedelta(minutes=2)).isoformat()]
    }
