"""Campaign pages (专题活动): the campaign's own products (listed at the moment of the
request, in the editors' order), its status and dates, its sales figures from the report
summaries over its Asia/Shanghai days, and the list of campaigns."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from certification.models import Certificate
from cms.models import CampaignIndexPage, CampaignPage, CampaignProduct
from orders.models import OrderLine
from payments import services as payments
from tests.factories import make_image, place_order_for
from tests.worlds import refund_lines

from .builders import make_product

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def add_campaign(index, products=(), *, slug="month", starts_at=None, ends_at=None, **fields):
    now = timezone.now()
    page = CampaignPage(
        title=fields.pop("title", "消费帮扶月"),
        slug=slug,
        starts_at=starts_at or now - dt.timedelta(days=3),
        ends_at=ends_at or now + dt.timedelta(days=3),
        **fields,
    )
    for place, product in enumerate(products):
        page.campaign_products.add(CampaignProduct(product=product, sort_order=place))
    return index.add_child(instance=page)


@pytest.fixture
def campaigns(storefront):
    home, _catalog = storefront
    return home.add_child(instance=CampaignIndexPage(title="专题活动", slug="campaigns"))


def main_part(html: str) -> str:
    """The page without the site footer (whose menu columns have headings too)."""
    return html.split('<footer class="site-footer"')[0]


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]*">([^<]*)</a>', html)


# --- the campaign's products --------------------------------------------------------------------------------------


def test_shows_its_own_listed_products_in_the_editors_order(client, campaigns, shop, categories):
    fruit = categories["fruit_veg"]
    yam, oil, tea, honey = (make_product(shop, fruit, title=t) for t in ("铁棍山药", "牡丹籽油", "芦笋茶", "槐花蜜"))
    delisted = make_product(shop, fruit, title="下架的粉条", is_listed=False)
    make_product(shop, fruit, title="不在活动里的阿胶")
    add_campaign(campaigns, [tea, delisted, yam, honey, oil])

    response = client.get("/campaigns/month/")

    assert response.status_code == 200
    assert card_titles(response.content.decode()) == ["芦笋茶", "铁棍山药", "槐花蜜", "牡丹籽油"]


def test_a_product_losing_its_certificate_disappears_on_the_next_request(client, campaigns, shop, categories):
    yam = make_product(shop, categories["fruit_veg"], title="铁棍山药")
    oil = make_product(shop, categories["fruit_veg"], title="牡丹籽油")
    add_campaign(campaigns, [yam, oil])
    assert card_titles(client.get("/campaigns/month/").content.decode()) == ["铁棍山药", "牡丹籽油"]

    Certificate.objects.filter(product=yam).update(revoked_at=timezone.now())

    assert card_titles(client.get("/campaigns/month/").content.decode()) == ["牡丹籽油"]


def test_a_suspended_shops_products_vanish(client, campaigns, shop, regions, categories):
    from tests.factories import ShopFactory

    other = ShopFactory(name="王楼村网店", slug="wanglou", region=regions[-1])
    yam = make_product(shop, categories["fruit_veg"], title="铁棍山药")
    oil = make_product(other, categories["fruit_veg"], title="牡丹籽油")
    add_campaign(campaigns, [oil, yam])
    assert card_titles(client.get("/campaigns/month/").content.decode()) == ["牡丹籽油", "铁棍山药"]

    other.is_active = False
    other.save()

    html = client.get("/campaigns/month/").content.decode()
    assert card_titles(html) == ["铁棍山药"]
    assert "活动商品" in html


def test_no_product_section_when_none_is_listed(client, campaigns, shop, categories):
    add_campaign(campaigns, [make_product(shop, categories["fruit_veg"], is_listed=False)])

    html = client.get("/campaigns/month/").content.decode()

    assert "<h2>活动商品</h2>" not in html and 'class="card"' not in html


# --- status, dates, banner, body ------------------------------------------------------------------------------------


def test_upcoming_campaign_counts_down_and_shows_no_figures(client, campaigns):
    now = timezone.now()
    add_campaign(
        campaigns,
        starts_at=now + dt.timedelta(days=2, hours=3, minutes=30, seconds=20),
        ends_at=now + dt.timedelta(days=9),
    )

    html = client.get("/campaigns/month/").content.decode()

    assert "未开始" in html
    assert "距活动开始还有" in html and "2 天 3 小时 30 分" in html
    assert "活动商品销售额" not in html


def test_dates_are_shown_in_beijing_time(client, campaigns):
    add_campaign(
        campaigns,
        starts_at=dt.datetime(2030, 1, 31, 16, 0, tzinfo=dt.UTC),  # 2030-02-01 00:00 in Shanghai
        ends_at=dt.datetime(2030, 2, 10, 16, 0, tzinfo=dt.UTC),
    )

    html = client.get("/campaigns/month/").content.decode()

    assert '<time datetime="2030-02-01T00:00:00+08:00">2030年2月1日 00:00</time>' in html
    assert "2030年2月11日 00:00" in html


def test_running_and_ended_campaigns(client, campaigns):
    now = timezone.now()
    add_campaign(campaigns, slug="running")
    add_campaign(campaigns, slug="ended", starts_at=now - dt.timedelta(days=9), ends_at=now - dt.timedelta(seconds=1))

    running = client.get("/campaigns/running/").content.decode()
    ended = client.get("/campaigns/ended/").content.decode()

    assert "进行中" in running and "活动进展" in running
    assert "已结束" in ended and "活动成效" in ended


def test_banner_by_srcset_and_body_blocks(client, campaigns):
    add_campaign(campaigns, banner=make_image("横幅", size=(1600, 900)), body=[("quote", "每一笔消费都记到帮扶户。")])

    html = client.get("/campaigns/month/").content.decode()

    assert re.search(r'srcset="[^"]*fill-600x240[^"]* 600w, [^"]*fill-1200x480[^"]* 1200w"', html)
    assert "每一笔消费都记到帮扶户。" in html


def test_unpublished_campaign_is_not_found(client, campaigns):
    add_campaign(campaigns, live=False)

    assert client.get("/campaigns/month/").status_code == 404


# --- figures -----------------------------------------------------------------------------------------------------


class Clock:
    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)


def test_figures_are_the_sales_of_its_products_on_its_days(client, storefront, ledger_world, monkeypatch):
    """Days D and D+1 (Asia/Shanghai): a sale five minutes before D and one five minutes
    after D+1 are left out, as is a product not in the campaign; a refund booked within
    the days counts against it."""
    w = ledger_world
    home, _ = storefront
    index = home.add_child(instance=CampaignIndexPage(title="专题活动", slug="campaigns"))
    clock = Clock(monkeypatch)
    day = timezone.localdate() + dt.timedelta(days=10)

    def at(days, hour, minute):
        return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=SHANGHAI)

    def buy(moment, items):
        clock.now = moment - dt.timedelta(minutes=2)
        order = place_order_for(items)
        clock.now = moment
        payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference=f"B-{order.pk}", by=w.admin)
        return order

    add_campaign(index, [w.yam], starts_at=at(0, 0, 0), ends_at=at(2, 0, 0))
    buy(at(-1, 23, 55), [(w.yam, 1)])  # the day before
    first = buy(at(0, 0, 5), [(w.yam, 2)])  # 2 × 38.80
    buy(at(0, 12, 0), [(w.oil, 1)])  # not a campaign product
    buy(at(1, 23, 55), [(w.yam, 2)])  # 2 × 38.80
    clock.now = at(1, 10, 0)
    refund_lines(w, first, {OrderLine.objects.get(suborder__order=first, product=w.yam): 1})  # -38.80
    buy(at(2, 0, 5), [(w.yam, 3)])  # the day after

    clock.now = at(0, 18, 0)  # while it runs: its days up to today, so D alone
    running = client.get("/campaigns/month/").content.decode()
    clock.now = at(5, 9, 0)
    ended = client.get("/campaigns/month/").content.decode()

    assert '<dd class="figure-net">¥77.60</dd>' in running
    assert '<dd class="figure-net">¥116.40</dd>' in ended  # 77.60 + 77.60 − 38.80
    assert '<dd class="figure-certified">¥116.40</dd>' in ended


# --- the list of campaigns ------------------------------------------------------------------------------------------


def test_index_lists_running_and_coming_campaigns_first_then_ended(client, campaigns):
    now = timezone.now()
    day = dt.timedelta(days=1)
    add_campaign(
        campaigns, slug="ended-long-ago", title="去年的年货节", starts_at=now - 90 * day, ends_at=now - 80 * day
    )
    add_campaign(campaigns, slug="coming", title="年货节", starts_at=now + 5 * day, ends_at=now + 20 * day)
    add_campaign(campaigns, slug="running", title="消费帮扶月", starts_at=now - 3 * day, ends_at=now + 3 * day)
    add_campaign(campaigns, slug="ended", title="832 专区秋季活动", starts_at=now - 30 * day, ends_at=now - 2 * day)
    add_campaign(campaigns, slug="soon", title="春耕助农周", starts_at=now + 1 * day, ends_at=now + 8 * day)
    add_campaign(campaigns, slug="draft", title="草稿活动", live=False)

    html = client.get("/campaigns/").content.decode()

    titles = re.findall(r"<h2>([^<]*)</h2>", main_part(html))
    assert titles == ["消费帮扶月", "春耕助农周", "年货节", "832 专区秋季活动", "去年的年货节"]
    assert html.count("未开始") == 2 and html.count("进行中") == 1 and html.count("已结束") == 2
    assert client.get("/campaigns/?page=abc").status_code == 200


def test_index_is_paginated(client, campaigns):
    now = timezone.now()
    for n in range(13):
        start = now + dt.timedelta(days=n + 1)
        add_campaign(
            campaigns, slug=f"c{n}", title=f"活动{n:02d}", starts_at=start, ends_at=start + dt.timedelta(days=7)
        )

    first = client.get("/campaigns/").content.decode()
    second = client.get("/campaigns/?page=2").content.decode()

    assert first.count('class="article-card campaign-card') == 12
    assert re.findall(r"<h2>([^<]*)</h2>", main_part(second)) == ["活动12"]


# --- queries ---------------------------------------------------------------------------------------------------------


# Wagtail's routing of /campaigns/month/ (8: site, the four pages on the path, the specific
# page, aliases, view restrictions) is paid once: the page is then kept with its route
# (cms/serving.py). The banner and its renditions, the products, the figures' one sum,
# the breadcrumbs' ancestors: 5, the cards kept rendered (cms/fragments.py); with
# FRAGMENT_CACHE=0 + the cards' images and renditions. (The navigation's categories are
# kept: catalog/caching.py.)
CAMPAIGN_QUERIES = {True: 5, False: 7}


@pytest.mark.parametrize("fragments", [True, False], ids=["fragments kept", "fragments rendered"])
def test_campaign_page_queries_do_not_grow_with_its_products(
    client, campaigns, shop, categories, django_assert_num_queries, settings, fragments
):
    settings.FRAGMENT_CACHE = fragments
    products = [make_product(shop, categories["fruit_veg"], with_image=True, title=f"山药{n}") for n in range(30)]
    page = add_campaign(campaigns, products[:5], banner=make_image("横幅", size=(1600, 900)))
    client.get("/campaigns/month/")  # warm per-process caches

    with django_assert_num_queries(CAMPAIGN_QUERIES[fragments]):
        response = client.get("/campaigns/month/")
    assert response.content.decode().count('class="card"') == 5

    for place, product in enumerate(products[5:], start=5):
        CampaignProduct.objects.create(page=page, product=product, sort_order=place)
    client.get("/campaigns/month/")
    with django_assert_num_queries(CAMPAIGN_QUERIES[fragments]):
        response = client.get("/campaigns/month/")
    assert response.content.decode().count('class="card"') == 30
    assert response.content.decode().count("fill-200x200.png 200w") == 30


def test_a_kept_page_follows_edits_restrictions_and_unpublishing(client, campaigns, shop, categories):
    """The page kept with its route (cms/serving.py) is dropped by any change of a page,
    a view restriction or a site: the very next request shows it."""
    page = add_campaign(campaigns, [make_product(shop, categories["fruit_veg"], title="山药")])
    client.get("/campaigns/month/")
    assert client.get("/campaigns/month/").status_code == 200

    page.title = "年货节"
    page.save_revision().publish()
    assert "年货节" in client.get("/campaigns/month/").content.decode()

    restriction = PageViewRestriction.objects.create(page=campaigns, restriction_type=PageViewRestriction.LOGIN)
    assert client.get("/campaigns/month/").status_code == 302  # to the sign-in page, as Wagtail does
    restriction.delete()
    assert client.get("/campaigns/month/").status_code == 200

    page.unpublish()
    assert client.get("/campaigns/month/").status_code == 404
