"""帮扶明细 ("your order helped") on the buyer's order page, signed in (/orders/<number>/) and
through the secret link: per paid line, the villages it benefits, how many households and
village collectives, and the money that went to each kind — read from the attribution
ledger, net of refund reversals, never a household's name or registration number.

The world: the ledger world (tests/worlds.py). Yam (¥38.80) of 单县's 朱楼村 shares 30% / 25% /
10% with 张小文, 李四, 王大山 and 15% with the village collective, the cooperative keeping 20%;
peony oil (¥128.00) of 成武县's 汶上村 gives 40% to 陈芳, its producer keeping 60%.

Two yams and one oil, ¥205.60:
    yam  7760 fen: households 2328 + 1940 + 776 = 5044, collective 1164, producer 1552
    oil 12800 fen: household 5120, producer 7680
One yam refunded (3880 fen, split the same way: 1164 + 970 + 388 = 2522, 582, 776):
    yam  3880 fen: households 2522, collective 582, producer 776"""

import re
from collections import Counter

import pytest
from django.db.models import Sum
from django.urls import reverse

from attribution.models import LedgerEntry
from cms.setup import ensure_storefront_pages
from orders.models import OrderLine
from producers.masking import mask_name, mask_registration_number
from producers.models import Region
from tests.factories import ProductFactory, UserFactory, place_order_for
from tests.worlds import buy_and_pay, refund_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ledger_world):
    ensure_storefront_pages()
    Region.objects.filter(pk=ledger_world.village_a.pk).update(name="朱楼村")
    Region.objects.filter(pk=ledger_world.village_b.pk).update(name="汶上村")
    return ledger_world


@pytest.fixture
def paid(world):
    """The buyer's paid order: two yams (朱楼村) and one oil (汶上村)."""
    return buy_and_pay(world, [(world.yam, 2), (world.oil, 1)], user=world.buyer)


def lines_of(order) -> dict:
    return {line.product_id: line for line in OrderLine.objects.filter(suborder__order=order)}


def helped_of(response) -> dict:
    """{product id: LineHelped} as the page was given it."""
    return {line.product_id: h for line, h in response.context["helped"]}


def block_of(page: str, line) -> str:
    """The 帮扶明细 block of one line in the page's HTML."""
    start = page.index(f'<article class="helped-line" data-line="{line.pk}">')
    return page[start : page.index("</article>", start)]


def ledger_figures(line) -> dict:
    """What the ledger says of a line, net: households and collectives still holding money, fen per kind."""
    entries = LedgerEntry.objects.filter(order_line=line)
    fen = dict(entries.values("beneficiary_kind").annotate(s=Sum("amount_fen")).values_list("beneficiary_kind", "s"))
    held = entries.values("beneficiary_kind", "beneficiary_key").annotate(s=Sum("amount_fen")).filter(s__gt=0)
    counts = Counter(row["beneficiary_kind"] for row in held)
    return {
        "households": counts.get("household", 0),
        "collectives": counts.get("collective", 0),
        "household_fen": fen.get("household", 0),
        "collective_fen": fen.get("collective", 0),
        "producer_fen": fen.get("producer", 0),
    }


def as_dict(h) -> dict:
    return {
        "households": h.households,
        "collectives": h.collectives,
        "household_fen": h.household_fen,
        "collective_fen": h.collective_fen,
        "producer_fen": h.producer_fen,
    }


def test_a_paid_order_of_two_villages_shows_what_each_line_did(client, world, paid):
    w = world
    lines = lines_of(paid)
    yam, oil = lines[w.yam.pk], lines[w.oil.pk]
    client.force_login(w.buyer)
    response = client.get(reverse("orders:detail", args=[paid.number]))
    assert response.status_code == 200
    helped = helped_of(response)

    assert helped[w.yam.pk].villages == ("朱楼村（单县）",)
    assert as_dict(helped[w.yam.pk]) == {
        "households": 3,
        "collectives": 1,
        "household_fen": 5044,
        "collective_fen": 1164,
        "producer_fen": 1552,
    }
    assert helped[w.yam.pk].total_fen == 7760 == yam.line_total_fen
    assert helped[w.oil.pk].villages == ("汶上村（成武县）",)
    assert as_dict(helped[w.oil.pk]) == {
        "households": 1,
        "collectives": 0,
        "household_fen": 5120,
        "collective_fen": 0,
        "producer_fen": 7680,
    }
    # The same figures as the ledger's own.
    assert as_dict(helped[w.yam.pk]) == ledger_figures(yam)
    assert as_dict(helped[w.oil.pk]) == ledger_figures(oil)

    # What the buyer reads, in yuan.
    page = response.content.decode()
    assert "<h2>帮扶明细</h2>" in page
    yam_block = block_of(page, yam)
    assert "帮扶村：朱楼村（单县）" in yam_block
    assert (
        '<span class="helped-households">3</span> 户，<span class="helped-household-amount">¥50.44</span>' in yam_block
    )
    assert (
        '<span class="helped-collectives">1</span> 个，<span class="helped-collective-amount">¥11.64</span>'
        in yam_block
    )
    assert '<dd class="helped-producer-amount">¥15.52</dd>' in yam_block
    assert '<dd class="helped-total">¥77.60</dd>' in yam_block
    oil_block = block_of(page, oil)
    assert "帮扶村：汶上村（成武县）" in oil_block
    assert (
        '<span class="helped-households">1</span> 户，<span class="helped-household-amount">¥51.20</span>' in oil_block
    )
    assert (
        '<span class="helped-collectives">0</span> 个，<span class="helped-collective-amount">¥0.00</span>' in oil_block
    )
    assert '<dd class="helped-total">¥128.00</dd>' in oil_block
    assert "分" not in yam_block + oil_block


def test_the_secret_link_shows_the_same(client, world, paid):
    response = client.get(paid.get_absolute_url())
    assert response.status_code == 200
    helped = helped_of(response)
    assert (helped[world.yam.pk].households, helped[world.yam.pk].household_fen) == (3, 5044)
    assert (helped[world.oil.pk].households, helped[world.oil.pk].household_fen) == (1, 5120)


def test_after_a_partial_refund_the_figures_are_net_of_the_reversal(client, world, paid):
    w = world
    lines = lines_of(paid)
    refund_lines(w, paid, {lines[w.yam.pk]: 1})
    client.force_login(w.buyer)
    response = client.get(reverse("orders:detail", args=[paid.number]))
    helped = helped_of(response)
    assert as_dict(helped[w.yam.pk]) == {
        "households": 3,
        "collectives": 1,
        "household_fen": 2522,
        "collective_fen": 582,
        "producer_fen": 776,
    }
    assert helped[w.yam.pk].total_fen == 3880
    assert as_dict(helped[w.yam.pk]) == ledger_figures(lines[w.yam.pk])
    assert as_dict(helped[w.oil.pk])["household_fen"] == 5120  # untouched
    page = response.content.decode()
    assert "（已扣除退款冲减）" in page
    block = block_of(page, lines[w.yam.pk])
    assert "× 2（已退 1）" in block and '<dd class="helped-total">¥38.80</dd>' in block


def test_a_fully_refunded_line_benefits_nobody_any_more(client, world, paid):
    w = world
    lines = lines_of(paid)
    refund_lines(w, paid, {lines[w.oil.pk]: 1})
    client.force_login(w.buyer)
    helped = helped_of(client.get(reverse("orders:detail", args=[paid.number])))
    assert helped[w.oil.pk].villages == ()
    assert as_dict(helped[w.oil.pk]) == {
        "households": 0,
        "collectives": 0,
        "household_fen": 0,
        "collective_fen": 0,
        "producer_fen": 0,
    }


def test_an_unpaid_order_shows_nothing_of_it(client, world):
    order = place_order_for([(world.yam, 2), (world.oil, 1)], user=world.buyer)
    client.force_login(world.buyer)
    for url in (reverse("orders:detail", args=[order.number]), order.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["helped"] == []
        page = response.content.decode()
        assert "帮扶明细" not in page and "helped-line" not in page


def test_another_buyer_cannot_see_it(client, world, paid):
    client.force_login(UserFactory(username="buyer-2"))
    response = client.get(reverse("orders:detail", args=[paid.number]))
    assert response.status_code == 404
    assert "帮扶明细" not in response.content.decode()


def test_no_household_name_or_number_appears_not_even_masked(client, world, paid):
    """Buyers are entitled to no household (tests/privacy): the block counts them, never names them."""
    w = world
    client.force_login(w.buyer)
    pages = [
        client.get(reverse("orders:detail", args=[paid.number])).content.decode(),
        client.get(paid.get_absolute_url()).content.decode(),
    ]
    for page in pages:
        assert "帮扶明细" in page
        for household in (w.zhang, w.li, w.wang, w.chen):
            for value in (
                household.head_name,
                mask_name(household.head_name),
                household.registration_number,
                mask_registration_number(household.registration_number),
            ):
                assert value not in page, value
            # Its last four digits as a number of their own (a certificate number such as
            # FPTEST000000448 may hold the same digits inside it).
            tail = household.registration_number[-4:]
            assert not re.search(rf"(?<![0-9]){tail}(?![0-9])", page), tail


def test_the_order_page_reads_the_ledger_in_one_query_whatever_the_lines(client, world, django_assert_num_queries):
    """Two lines or four, across two shops: the same number of queries."""
    w = world
    two = buy_and_pay(w, [(w.yam, 2), (w.oil, 1)], user=w.buyer)
    extra = [ProductFactory(shop=w.shop_a, price_fen=1000), ProductFactory(shop=w.shop_b, price_fen=2000)]
    four = buy_and_pay(w, [(w.yam, 1), (w.oil, 1), (extra[0], 1), (extra[1], 3)], user=w.buyer)
    client.force_login(w.buyer)
    client.get(reverse("orders:detail", args=[two.number]))  # warm the session and site caches
    with django_assert_num_queries(QUERIES) as two_queries:
        response = client.get(reverse("orders:detail", args=[two.number]))
    assert len(response.context["helped"]) == 2
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("orders:detail", args=[four.number]))
    assert len(response.context["helped"]) == 4
    assert sum(1 for q in two_queries.captured_queries if "attribution_ledgerentry" in q["sql"]) == 1


# 14, and the order's after-sales requests (aftersales/selectors.py); -1: the navigation's
# categories are kept (catalog/caching.py); +1: the order's invoice requests, one query for
# every parcel (invoices/selectors.py, order_invoices).
QUERIES = 15
