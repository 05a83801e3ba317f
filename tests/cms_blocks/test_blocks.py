"""The storefront's page blocks (cms/blocks.py, cms/block_data.py) through the home page:
what each block shows, that it shows only listed products at the moment of the request,
banners only inside their window, the figures by the report's rules, and a page's query
count flat however many blocks and products it has."""

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.utils import timezone

from certification.models import Certificate
from cms import routing
from cms.setup import ensure_live_page, ensure_storefront_pages
from reports.models import Grain, HouseholdIncome, SalesSummary
from tests.factories import (
    CategoryFactory,
    HouseholdFactory,
    LiveEventFactory,
    ShopFactory,
    make_image,
    region_chain,
)
from tests.storefront.builders import make_product

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()


@pytest.fixture(autouse=True)
def fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def home(db):
    routing.clear_storefront_url_cache()
    home, _catalog = ensure_storefront_pages()
    return home


@pytest.fixture
def world(db):
    """Two counties of 菏泽市 with a shop each, and a category with a sub-category."""
    _p, city, shanxian, _t, village = region_chain()
    *_rest, chengwu, _t2, village2 = region_chain(county="371723", township="371723100", village="371723100201")
    fruit = CategoryFactory(name="果蔬", slug="fruit-veg", sort_order=1)
    tubers = CategoryFactory(name="薯类山药", slug="tubers", parent=fruit, sort_order=1)
    grain = CategoryFactory(name="粮油", slug="grain-oil", sort_order=2)
    lizhuang = ShopFactory(name="李庄村电商网店", slug="lizhuang", region=village)
    chengwu_shop = ShopFactory(name="成武县汶上网店", slug="wenshang", region=village2)
    return {
        "city": city,
        "shanxian": shanxian,
        "chengwu": chengwu,
        "fruit": fruit,
        "tubers": tubers,
        "grain": grain,
        "lizhuang": lizhuang,
        "chengwu_shop": chengwu_shop,
    }


def product(world, title, *, shop="lizhuang", category="grain", days_old=0, price=1000, **kwargs):
    p = make_product(world[shop], world[category], title=title, price_fen=price, **kwargs)
    if days_old:
        type(p).objects.filter(pk=p.pk).update(created_at=timezone.now() - dt.timedelta(days=days_old))
    return p


def set_body(page, blocks):
    page.body = [{"type": kind, "value": value} for kind, value in blocks]
    page.save()


def grid(title, source="chosen", *, products=(), category=None, region=None, shop=None, sort="newest", count=8):
    return (
        "product_grid",
        {
            "title": title,
            "source": source,
            "products": [p.pk for p in products],
            "category": category.pk if category else None,
            "region": region.pk if region else None,
            "shop": shop.pk if shop else None,
            "sort": sort,
            "count": count,
            "more": {"page": None, "url": ""},
        },
    )


def sections(html: str, kind: str) -> dict[str, str]:
    """The rendered blocks of one kind, by their heading."""
    out = {}
    for body in re.findall(rf'<section class="section[^"]*block-{kind}">(.*?)</section>', html, re.S):
        heading = re.search(r"<h2>(.*?)</h2>", body)
        out[heading.group(1) if heading else ""] = body
    return out


def card_titles(fragment: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a [^>]*>(.*?)</a>', fragment)


def grids(client) -> dict[str, list[str]]:
    response = client.get("/")
    assert response.status_code == 200
    return {title: card_titles(body) for title, body in sections(response.content.decode(), "product-grid").items()}


# --- product grids --------------------------------------------------------------------------------------------------


def test_chosen_products_in_the_chosen_order_listed_only_at_each_request(client, home, world):
    yam = product(world, "铁棍山药")
    oil = product(world, "牡丹籽油")
    unlisted = product(world, "下架的芝麻油", is_listed=False)
    uncertified = product(world, "未认定的花生", certified=False)
    set_body(home, [grid("好物推荐", products=[oil, unlisted, yam, uncertified, oil])])

    assert grids(client) == {"好物推荐": ["牡丹籽油", "铁棍山药"]}

    # The yam's certificate is revoked: gone on the next request, nothing to republish.
    Certificate.objects.filter(application__product=yam).update(revoked_at=timezone.now())
    assert grids(client) == {"好物推荐": ["牡丹籽油"]}

    # And the oil's shop closes: the grid has nothing to show, so no heading either.
    type(world["lizhuang"]).objects.filter(pk=world["lizhuang"].pk).update(is_active=False)
    html = client.get("/").content.decode()
    assert "好物推荐" not in html and "block-product-grid" not in html


def test_rule_grids_show_exactly_their_products_in_their_order(client, home, world):
    a = product(world, "山药A", category="tubers", price=3000, days_old=5)
    b = product(world, "苹果B", category="fruit", price=1000, days_old=4)
    c = product(world, "小米C", category="grain", price=2000, days_old=3)
    d = product(world, "成武山药D", shop="chengwu_shop", category="tubers", price=500, days_old=2)
    e = product(world, "成武小米E", shop="chengwu_shop", category="grain", price=4000, days_old=1)
    product(world, "下架山药", category="tubers", price=100, is_listed=False)
    set_body(
        home,
        [
            grid("果蔬低价", "category", category=world["fruit"], sort="price_asc", count=2),
            grid("单县新品", "region", region=world["shanxian"], sort="newest", count=2),
            grid("菏泽市全部", "region", region=world["city"], sort="price_desc", count=48),
            grid("成武网店", "shop", shop=world["chengwu_shop"], sort="price_asc"),
            grid("最新", "newest", count=3),
            grid("挑选", products=[e, a]),
        ],
    )

    assert grids(client) == {
        "果蔬低价": [d.title, b.title],  # fruit and its sub-category tubers, cheapest two
        "单县新品": [c.title, b.title],  # 单县's newest two (not 成武县's)
        "菏泽市全部": [e.title, a.title, c.title, b.title, d.title],
        "成武网店": [d.title, e.title],
        "最新": [e.title, d.title, c.title],
        "挑选": [e.title, a.title],
    }


def test_a_rule_whose_category_is_gone_shows_nothing(client, home, world):
    product(world, "小米")
    set_body(home, [grid("消失的品类", "category", category=CategoryFactory(slug="gone"))])
    type(world["fruit"]).objects.filter(slug="gone").delete()

    response = client.get("/")
    assert response.status_code == 200
    assert "消失的品类" not in response.content.decode()


def test_newest_grid_links_to_the_catalogue_and_a_category_grid_to_its_category(client, home, world):
    product(world, "山药", category="tubers")
    set_body(
        home,
        [grid("新品", "newest"), grid("果蔬", "category", category=world["fruit"])],
    )
    html = client.get("/").content.decode()
    blocks = sections(html, "product-grid")
    assert 'href="/products/">查看更多' in blocks["新品"]
    assert 'href="/products/category/fruit-veg/">查看更多' in blocks["果蔬"]


# --- the other blocks -----------------------------------------------------------------------------------------------


def test_empty_selections_render_nothing_and_break_nothing(client, home, db):
    set_body(
        home,
        [
            grid("空的橱窗"),
            grid("空的新品", "newest"),
            ("shop_list", {"title": "空的网店", "source": "chosen", "shops": [], "region": None, "count": 12}),
            ("shop_list", {"title": "没有网店的地区", "source": "region", "shops": [], "region": None, "count": 12}),
            ("live_strip", {"title": "空的直播", "region": None, "count": 6}),
            ("category_tiles", {"title": "空的品类", "categories": []}),
            (
                "cta",
                {"title": "没有链接的号召", "text": "", "button_label": "去看看", "link": {"page": None, "url": ""}},
            ),
            ("heading", ""),
        ],
    )
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("空的橱窗", "空的新品", "空的网店", "没有网店的地区", "空的直播", "空的品类", "没有链接的号召"):
        assert title not in html
    assert "<h2></h2>" not in html and 'class="block-heading"' not in html


def test_shop_lists_chosen_and_by_region(client, home, world):
    product(world, "小米")  # 李庄 has a product on sale
    product(world, "成武小米", shop="chengwu_shop")
    empty = ShopFactory(name="阿空网店", slug="empty", region=world["shanxian"])  # nothing on sale
    closed = ShopFactory(name="停业网店", slug="closed", region=world["shanxian"], is_active=False)
    set_body(
        home,
        [
            (
                "shop_list",
                {
                    "title": "指定",
                    "source": "chosen",
                    "shops": [world["chengwu_shop"].pk, closed.pk, empty.pk],
                    "region": None,
                    "count": 12,
                },
            ),
            (
                "shop_list",
                {"title": "单县", "source": "region", "shops": [], "region": world["shanxian"].pk, "count": 5},
            ),
            ("shop_list", {"title": "全部", "source": "region", "shops": [], "region": None, "count": 1}),
        ],
    )
    html = client.get("/").content.decode()
    lists = {title: re.findall(r"<strong>(.*?)</strong>", body) for title, body in sections(html, "shop-list").items()}
    assert lists == {
        "指定": ["成武县汶上网店", "阿空网店"],  # chosen order; the closed shop left out
        "单县": ["李庄村电商网店"],  # open shops with products on sale only
        "全部": ["成武县汶上网店"],  # the first by name, count 1
    }
    assert 'href="/products/shop/lizhuang/"' in html

    # Which shops have products on sale is kept (catalog.selectors.shops_with_listed_products):
    # a shop's first product on sale, and its last one taken off, show on the next request.
    millet = make_product(empty, world["grain"], title="阿空小米")
    lists = {
        title: re.findall(r"<strong>(.*?)</strong>", body)
        for title, body in sections(client.get("/").content.decode(), "shop-list").items()
    }
    assert lists["单县"] == ["李庄村电商网店", "阿空网店"]
    millet.is_listed = False
    millet.save()
    lists = {
        title: re.findall(r"<strong>(.*?)</strong>", body)
        for title, body in sections(client.get("/").content.decode(), "shop-list").items()
    }
    assert lists["单县"] == ["李庄村电商网店"]


def test_live_strip_shows_live_then_upcoming_published_events_of_its_region(client, home, world):
    ensure_live_page()
    routing.clear_storefront_url_cache()
    now = timezone.now()
    on_air = LiveEventFactory(
        title="正在直播的山药",
        shops=[world["lizhuang"]],
        scheduled_start=now - dt.timedelta(minutes=30),
        scheduled_end=now + dt.timedelta(hours=1),
    )
    LiveEventFactory(title="明天的成武", shops=[world["chengwu_shop"]])
    LiveEventFactory(title="后天的单县", shops=[world["lizhuang"]], scheduled_start=now + dt.timedelta(days=2))
    LiveEventFactory(
        title="已结束",
        shops=[world["lizhuang"]],
        scheduled_start=now - dt.timedelta(hours=3),
        scheduled_end=now - dt.timedelta(hours=1),
    )
    LiveEventFactory(title="未公开", shops=[world["lizhuang"]], is_published=False)
    set_body(
        home,
        [
            ("live_strip", {"title": "全部直播", "region": None, "count": 6}),
            ("live_strip", {"title": "单县直播", "region": world["shanxian"].pk, "count": 6}),
            ("live_strip", {"title": "只看一场", "region": None, "count": 1}),
        ],
    )
    html = client.get("/").content.decode()
    strips = {t: re.findall(r"<h3>(.*?)</h3>", body) for t, body in sections(html, "live-strip").items()}
    assert strips == {
        "全部直播": ["正在直播的山药", "明天的成武", "后天的单县"],
        "单县直播": ["正在直播的山药", "后天的单县"],
        "只看一场": ["正在直播的山药"],
    }
    assert f'href="/live/{on_air.code}/"' in html


@pytest.fixture
def frozen(monkeypatch):
    class Clock:
        def set(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


def test_banner_shows_only_inside_its_window(client, home, frozen):
    image = make_image("横幅图")
    set_body(
        home,
        [
            (
                "banner",
                {
                    "image": image.pk,
                    "title": "年货节",
                    "subtitle": "单县好物",
                    "link": {"page": None, "url": "/products/"},
                    # naive times are Beijing time
                    "starts_at": "2030-01-20T10:00:00",
                    "ends_at": "2030-01-31T00:00:00+08:00",
                },
            )
        ],
    )

    def shown_at(*args) -> bool:
        frozen.set(dt.datetime(*args, tzinfo=SHANGHAI))
        html = client.get("/").content.decode()
        return "block-banner" in html and "年货节" in html

    assert not shown_at(2030, 1, 20, 9, 59)
    assert shown_at(2030, 1, 20, 10, 0)
    assert shown_at(2030, 1, 30, 23, 59)
    assert not shown_at(2030, 1, 31, 0, 0)
    # 02:00 UTC on the 20th is 10:00 in Shanghai: the window is Beijing time, not UTC
    frozen.set(dt.datetime(2030, 1, 20, 2, 0, tzinfo=dt.UTC))
    assert "年货节" in client.get("/").content.decode()


def test_cta_links_to_its_page(client, home, world):
    set_body(
        home,
        [
            (
                "cta",
                {
                    "title": "单位集中采购",
                    "text": "预算单位可按政府采购政策采购。",
                    "button_label": "查看扶贫产品",
                    "link": {"page": home.pk, "url": ""},
                },
            ),
        ],
    )
    html = client.get("/").content.decode()
    cta = sections(html, "cta")["单位集中采购"]
    assert '<a class="button" href="/">查看扶贫产品</a>' in cta


def test_category_tiles_default_to_top_level_or_the_chosen_ones(client, home, world):
    set_body(
        home,
        [
            ("category_tiles", {"title": "按品类选购", "categories": []}),
            ("category_tiles", {"title": "精选", "categories": [world["tubers"].pk, world["grain"].pk]}),
        ],
    )
    html = client.get("/").content.decode()
    tiles = {t: re.findall(r'<li><a href="([^"]*)">', b) for t, b in sections(html, "category-tiles").items()}
    assert tiles == {
        "按品类选购": ["/products/category/fruit-veg/", "/products/category/grain-oil/"],
        "精选": ["/products/category/tubers/", "/products/category/grain-oil/"],
    }


# --- figures --------------------------------------------------------------------------------------------------------


def _grains(day: dt.date):
    """The summary tables keep every sum per day, per month and per year."""
    return [(Grain.DAY, day), (Grain.MONTH, day.replace(day=1)), (Grain.YEAR, day.replace(month=1, day=1))]


def _sales(world, code, day, *, sales, refunds=0, certified=True):
    for grain, first in _grains(day):
        row, _ = SalesSummary.objects.get_or_create(
            grain=grain,
            day=first,
            region_code=code,
            shop=world["lizhuang"],
            category=world["grain"],
            producer_kind="cooperative",
            buyer_type="individual",
            certified=certified,
        )
        row.sales_fen += sales
        row.refunds_fen += refunds
        row.save()


def _income(world, household, code, day, net):
    for grain, first in _grains(day):
        row, _ = HouseholdIncome.objects.get_or_create(
            grain=grain,
            day=first,
            region_code=code,
            household=household,
            category=world["grain"],
            producer_kind="cooperative",
            buyer_type="individual",
        )
        row.net_fen += net
        row.save()


def figures_of(client) -> dict[str, tuple[str, str]]:
    html = client.get("/").content.decode()
    out = {}
    for title, body in sections(html, "figures").items():
        amount = re.search(r'class="figure-amount">([^<]*)<', body).group(1)
        households = re.search(r'class="figure-households">([^<]*)<', body).group(1)
        out[title] = (amount, households)
    return out


def test_figures_are_the_reports_net_volume_and_households(client, home, world):
    village = world["lizhuang"].region.code  # 371722100201, in 单县
    other = "371723100201"  # 成武县
    d1, d2, late = dt.date(2026, 3, 1), dt.date(2026, 3, 15), dt.date(2026, 5, 2)
    _sales(world, village, d1, sales=123456, refunds=-2000)
    _sales(world, village, d2, sales=50000)
    _sales(world, village, d2, sales=99999, certified=False)  # not certified: never counted
    _sales(world, other, d1, sales=700000)
    _sales(world, village, late, sales=10000, refunds=-10000)
    a, b, c, d = (HouseholdFactory(village=world["lizhuang"].region) for _ in range(4))
    _income(world, a, village, d1, 500)
    _income(world, a, village, d2, 200)  # a counted once
    _income(world, b, village, d2, 300)
    _income(world, c, village, d1, 100)
    _income(world, c, village, d2, -100)  # c's net is 0: not benefited
    _income(world, d, other, d1, 900)
    set_body(
        home,
        [
            ("figures", {"title": "全部", "region": None, "start_date": None, "end_date": None}),
            ("figures", {"title": "单县", "region": world["shanxian"].pk, "start_date": None, "end_date": None}),
            (
                "figures",
                {
                    "title": "单县三月",
                    "region": world["shanxian"].pk,
                    "start_date": "2026-03-01",
                    "end_date": "2026-03-31",
                },
            ),
        ],
    )

    assert figures_of(client) == {
        "全部": (_yuan(123456 - 2000 + 50000 + 700000), "3"),
        "单县": (_yuan(123456 - 2000 + 50000), "2"),
        "单县三月": (_yuan(123456 - 2000 + 50000), "2"),
    }

    # Cached for a few minutes: new summary rows show once the cache has expired.
    _sales(world, village, d2, sales=1)
    assert figures_of(client)["单县"] == (_yuan(171456), "2")
    caches["default"].clear()
    assert figures_of(client)["单县"] == (_yuan(171457), "2")


def _yuan(fen: int) -> str:
    from core.money import format_fen

    return format_fen(fen)


# --- query counts ---------------------------------------------------------------------------------------------------


def _count(client, django_assert_num_queries) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/")  # warm per-process caches (page URLs, renditions, figures)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def _add_products(world, n, start=0):
    shops, categories = ["lizhuang", "chengwu_shop"], ["tubers", "fruit", "grain"]
    return [
        product(world, f"商品{i}", shop=shops[i % 2], category=categories[i % 3], with_image=True, days_old=i % 7)
        for i in range(start, start + n)
    ]


def test_product_grids_cost_the_same_queries_for_2_or_8_blocks_and_5_or_30_products(
    client, home, world, django_assert_num_queries
):
    few = _add_products(world, 5)
    set_body(
        home,
        [grid("品类", "category", category=world["fruit"]), grid("地区", "region", region=world["shanxian"])],
    )
    n_small = _count(client, django_assert_num_queries)

    many = few + _add_products(world, 25, start=5)
    set_body(
        home,
        [
            grid("品类", "category", category=world["fruit"], count=30),
            grid("地区", "region", region=world["shanxian"], count=30),
            grid("挑选", products=many[:20]),
            grid("网店", "shop", shop=world["chengwu_shop"], sort="price_desc", count=30),
            grid("最新", "newest", count=30),
            grid("再挑选", products=many[10:]),
            grid("市", "region", region=world["city"], sort="price_asc", count=30),
            ("heading", "更多好物"),
        ],
    )
    client.get("/")  # publishing renews the cached menus (two queries, once: tests/storefront/test_navigation.py)
    with django_assert_num_queries(n_small):
        html = client.get("/").content.decode()
    # fruit and tubers 20, 单县 15, chosen 20, 成武's shop 15, newest 30, chosen 20, 菏泽市 30
    assert html.count('class="card"') == 20 + 15 + 20 + 15 + 30 + 20 + 30
    assert html.count("fill-400x400.png 400w") == html.count('class="card"')


def _every_kind(world, image, n):
    blocks = []
    for i in range(n):
        blocks += [
            grid(f"橱窗{i}", "newest", count=30),
            grid(f"挑选{i}", products=[]),
            (
                "shop_list",
                {"title": f"网店{i}", "source": "region", "shops": [], "region": world["city"].pk, "count": 9},
            ),
            ("live_strip", {"title": f"直播{i}", "region": world["city"].pk if i % 2 else None, "count": 6}),
            ("figures", {"title": f"看板{i}", "region": world["shanxian"].pk, "start_date": None, "end_date": None}),
            (
                "banner",
                {
                    "image": image.pk,
                    "title": f"横幅{i}",
                    "subtitle": "",
                    "link": {"page": None, "url": "/products/"},
                    "starts_at": None,
                    "ends_at": None,
                },
            ),
            ("category_tiles", {"title": f"品类{i}", "categories": []}),
            (
                "cta",
                {"title": f"号召{i}", "text": "", "button_label": "去看看", "link": {"page": None, "url": "/live/"}},
            ),
            ("paragraph", f"<p>段落{i}</p>"),
        ]
    return blocks


def test_a_page_of_every_block_costs_the_same_queries_with_more_blocks_and_products(
    client, home, world, django_assert_num_queries
):
    ensure_live_page()
    routing.clear_storefront_url_cache()
    LiveEventFactory(shops=[world["lizhuang"]])
    LiveEventFactory(shops=[world["chengwu_shop"]])
    image = make_image("横幅图")
    _add_products(world, 5)
    set_body(home, _every_kind(world, image, 1))
    n_small = _count(client, django_assert_num_queries)

    _add_products(world, 25, start=5)
    LiveEventFactory(shops=[world["lizhuang"]])
    set_body(home, _every_kind(world, image, 3))
    client.get("/")  # the figures' cache is filled by the first view of the new body
    with django_assert_num_queries(n_small):
        html = client.get("/").content.decode()
    assert html.count('class="card"') == 3 * 30
    assert html.count("block-banner") == 3 and html.count("block-figures") == 3
    assert html.count('<article class="live-card ') == 3 * 3


def test_a_new_home_pages_default_blocks_have_headings_in_the_visitors_language(client, home, world):
    product(world, "铁棍山药")
    html = client.get("/").content.decode()
    for heading in ("按品类选购", "新品上架", "村级电商网店"):
        assert f"<h2>{heading}</h2>" in html
    assert card_titles(sections(html, "product-grid")["新品上架"]) == ["铁棍山药"]

    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    for heading in ("Shop by category", "New arrivals", "Village e-commerce shops"):
        assert f"<h2>{heading}</h2>" in html
    for heading in ("按品类选购", "新品上架", "村级电商网店"):
        assert heading not in html
