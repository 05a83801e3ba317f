"""Regression: a buyer who arrives through a live link or code and then adds to the cart,
signed in, anonymous, and anonymous then signing in. A signed-in add while the session held
a live tag used to answer 500 (``AssertionError: signed-in cart items are tagged by
tag_items``) on ``/cart/add/`` and ``/live/<code>/buy/``, and the tag stayed in the session
so every later add failed too. Each test asserts the cart's exact contents and the order's
attribution to the event after checkout."""

import datetime as dt

import pytest
from django.urls import reverse

from live.models import LiveAttribution
from orders.models import CartItem, Order

from .conftest import clock
from .test_buying_through_link import add_to_cart, checkout_data, messages_of

pytestmark = pytest.mark.django_db


def account_cart(user) -> set[tuple]:
    """(product id, quantity, price seen, live event id, tagged at) of each signed-in cart item."""
    return set(
        CartItem.objects.filter(user=user).values_list(
            "product_id", "quantity", "price_fen", "live_event_id", "live_tagged_at"
        )
    )


def lines_of(order) -> set[tuple]:
    """(product id, quantity, unit price, live event id, attribution) of each order line."""
    return {
        (ln.product_id, ln.quantity, ln.unit_price_fen, ln.live_event_id, ln.live_attribution)
        for sub in order.suborders.all()
        for ln in sub.lines.all()
    }


def test_signed_in_buyer_through_the_link_adds_and_buys_now(client, live_world, pages):
    lw = live_world
    client.force_login(lw.w.buyer)
    tagged = lw.start + dt.timedelta(minutes=10)
    with clock(tagged):
        client.get(lw.w.yam.get_absolute_url(), {"live": lw.event_a.code})
        first = add_to_cart(client, lw.w.yam, 2)
        assert first.status_code == 302
        assert "已将「单县铁棍山药」× 2 加入购物车。" in messages_of(client.get(reverse("orders:cart")))
        # A later add works too (the tag in the session no longer breaks every add).
        assert add_to_cart(client, lw.asparagus, 1).status_code == 302  # shop A's: claimable
        assert add_to_cart(client, lw.w.oil, 1).status_code == 302  # shop B's: not claimable by A
        buy = client.post(reverse("live:buy_now", args=[lw.event_a.code]), {"product_id": lw.w.yam.pk})
        assert buy.status_code == 302 and buy["Location"] == reverse("orders:checkout")

    assert "cart" not in client.session or client.session["cart"] == {}
    assert account_cart(lw.w.buyer) == {
        (lw.w.yam.pk, 3, 2990, lw.event_a.pk, tagged),
        (lw.asparagus.pk, 1, 2590, lw.event_a.pk, tagged),
        (lw.w.oil.pk, 1, 12800, None, None),
    }

    with clock(tagged + dt.timedelta(minutes=1)):
        assert client.post(reverse("orders:checkout"), checkout_data(lw)).status_code == 302
    order = Order.objects.get()
    assert order.user == lw.w.buyer
    assert order.total_fen == 3 * 2990 + 2590 + 12800
    assert lines_of(order) == {
        (lw.w.yam.pk, 3, 2990, lw.event_a.pk, LiveAttribution.IN_LIVE),
        (lw.asparagus.pk, 1, 2590, lw.event_a.pk, LiveAttribution.IN_LIVE),
        # The oil is featured by event B, bought in B's window without B's link.
        (lw.w.oil.pk, 1, 12800, lw.event_b.pk, LiveAttribution.WINDOW),
    }
    assert CartItem.objects.filter(user=lw.w.buyer).count() == 0


def test_signed_in_buyer_who_types_the_code_on_the_cart_page(client, live_world, pages):
    lw = live_world
    client.force_login(lw.w.buyer)
    with clock(lw.start - dt.timedelta(hours=1)):
        add_to_cart(client, lw.asparagus, 2)  # no link yet: untagged
    assert account_cart(lw.w.buyer) == {(lw.asparagus.pk, 2, 2590, None, None)}

    typed = lw.start + dt.timedelta(minutes=5)
    with clock(typed):
        response = client.post(reverse("live:enter_code"), {"code": lw.event_a.code}, follow=True)
        assert f"已使用直播码 {lw.event_a.code}（单县山药直播专场）。" in messages_of(response)
        # The item already there is tagged; the next adds are tagged too, and answer normally.
        assert add_to_cart(client, lw.w.yam, 1).status_code == 302
        assert add_to_cart(client, lw.asparagus, 1).status_code == 302

    assert account_cart(lw.w.buyer) == {
        (lw.asparagus.pk, 3, 2590, lw.event_a.pk, typed),
        (lw.w.yam.pk, 1, 2990, lw.event_a.pk, typed),
    }
    with clock(typed + dt.timedelta(minutes=1)):
        assert client.post(reverse("orders:checkout"), checkout_data(lw)).status_code == 302
    assert lines_of(Order.objects.get()) == {
        (lw.asparagus.pk, 3, 2590, lw.event_a.pk, LiveAttribution.IN_LIVE),
        (lw.w.yam.pk, 1, 2990, lw.event_a.pk, LiveAttribution.IN_LIVE),
    }


def test_anonymous_buyer_through_the_link_adds_and_buys_now(client, live_world, pages):
    lw = live_world
    tagged = lw.start + dt.timedelta(minutes=3)
    with clock(tagged):
        client.get("/", {"live": lw.event_a.code})
        assert add_to_cart(client, lw.w.yam, 1).status_code == 302
        assert add_to_cart(client, lw.w.oil, 2).status_code == 302
        buy = client.post(reverse("live:buy_now", args=[lw.event_a.code]), {"product_id": lw.w.yam.pk})
        assert buy.status_code == 302 and buy["Location"] == reverse("orders:checkout")

    assert client.session["cart"] == {
        str(lw.w.yam.pk): [2, 2990, lw.event_a.pk, tagged.isoformat()],
        str(lw.w.oil.pk): [2, 12800],
    }
    with clock(tagged + dt.timedelta(minutes=1)):
        assert client.post(reverse("orders:checkout"), checkout_data(lw)).status_code == 302
    order = Order.objects.get()
    assert order.user is None and order.total_fen == 2 * 2990 + 2 * 12800
    assert lines_of(order) == {
        (lw.w.yam.pk, 2, 2990, lw.event_a.pk, LiveAttribution.IN_LIVE),
        (lw.w.oil.pk, 2, 12800, lw.event_b.pk, LiveAttribution.WINDOW),
    }


def test_anonymous_then_sign_in_merges_and_keeps_the_live_tag_rule(client, live_world, pages):
    lw = live_world
    buyer = lw.w.buyer
    # The account already holds an untagged asparagus from an earlier visit.
    earlier = lw.start - dt.timedelta(days=1)
    client.force_login(buyer)
    with clock(earlier):
        add_to_cart(client, lw.asparagus, 1)
    client.logout()

    tagged = lw.start + dt.timedelta(minutes=20)
    with clock(tagged):
        client.get("/", {"live": lw.event_a.code})
        add_to_cart(client, lw.w.yam, 2)
        add_to_cart(client, lw.asparagus, 1)
        signed_in = client.post(reverse("orders:login"), {"username": buyer.username, "password": "pass-1234-word"})
        assert signed_in.status_code == 302
        # After sign-in the session's tag still holds: adds are tagged by the same rule
        # (claimable products only), and none of them fails.
        assert add_to_cart(client, lw.w.oil, 1).status_code == 302
        assert add_to_cart(client, lw.w.yam, 1).status_code == 302
        buy = client.post(reverse("live:buy_now", args=[lw.event_a.code]), {"product_id": lw.w.yam.pk})
        assert buy.status_code == 302 and buy["Location"] == reverse("orders:checkout")

    assert client.session["cart"] == {}
    assert account_cart(buyer) == {
        (lw.w.yam.pk, 4, 2990, lw.event_a.pk, tagged),
        # The session's item and tag merge into the account's untagged one.
        (lw.asparagus.pk, 2, 2590, lw.event_a.pk, tagged),
        (lw.w.oil.pk, 1, 12800, None, None),
    }
    with clock(tagged + dt.timedelta(minutes=5)):
        assert client.post(reverse("orders:checkout"), checkout_data(lw)).status_code == 302
    order = Order.objects.get()
    assert order.user == buyer and order.total_fen == 4 * 2990 + 2 * 2590 + 12800
    assert lines_of(order) == {
        (lw.w.yam.pk, 4, 2990, lw.event_a.pk, LiveAttribution.IN_LIVE),
        (lw.asparagus.pk, 2, 2590, lw.event_a.pk, LiveAttribution.IN_LIVE),
        (lw.w.oil.pk, 1, 12800, lw.event_b.pk, LiveAttribution.WINDOW),
    }
