"""Regional pavilions (地方馆): what a pavilion finds by itself from its region (shops,
products by origin, live events, stories, the pavilions under it), the index grouped
province → city → county, and a story's region on its page."""

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from certification.models import Certificate
from cms.models import ArticleIndexPage, ArticlePage, PavilionIndexPage, PavilionPage
from cms.setup import ensure_live_page
from tests.factories import LiveEventFactory, ShopFactory, make_image, region_chain

from .builders import make_product

pytestmark = pytest.mark.django_db


@dataclass
class World:
    shanxian: object
    chengwu: object
    heze: object
    zaozhuang: object
    shop_sx: object
    shop_sx2: object
    shop_zz: object
    index: object
    heze_pavilion: object
    shanxian_pavilion: object
    chengwu_pavilion: object
    zaozhuang_pavilion: object
    stories: object


@pytest.fixture
def world(storefront, categories):
    home, _ = storefront
    _province, heze, shanxian, _township, village_sx = region_chain()
    *_, chengwu, _t, _v = region_chain(county="371723", township="371723100", village="371723100201")
    *_, zaozhuang, _zc, _zt, village_zz = region_chain(
        city="3704", county="370481", township="370481100", village="370481100201"
    )
    zaozhuang.name = "枣庄市"
    zaozhuang.save()
    shop_sx = ShopFactory(name="朱楼村电商服务站", slug="zhulou", region=village_sx)
    shop_sx2 = ShopFactory(name="单县浮岗镇网店", slug="fugang", region=_township)
    shop_zz = ShopFactory(name="滕州市农品网店", slug="tengzhou", region=village_zz)
    index = home.add_child(instance=PavilionIndexPage(title="地方馆", slug="pavilions"))
    heze_p = index.add_child(instance=PavilionPage(title="菏泽馆", slug="heze", region=heze, intro="<p>牡丹之乡。</p>"))
    shanxian_p = heze_p.add_child(instance=PavilionPage(title="单县馆", slug="shanxian", region=shanxian))
    chengwu_p = heze_p.add_child(instance=PavilionPage(title="成武县馆", slug="chengwu", region=chengwu))
    zaozhuang_p = index.add_child(instance=PavilionPage(title="枣庄馆", slug="zaozhuang", region=zaozhuang))
    stories = home.add_child(instance=ArticleIndexPage(title="助农故事", slug="stories"))
    return World(
        shanxian=shanxian,
        chengwu=chengwu,
        heze=heze,
        zaozhuang=zaozhuang,
        shop_sx=shop_sx,
        shop_sx2=shop_sx2,
        shop_zz=shop_zz,
        index=index,
        heze_pavilion=heze_p,
        shanxian_pavilion=shanxian_p,
        chengwu_pavilion=chengwu_p,
        zaozhuang_pavilion=zaozhuang_p,
        stories=stories,
    )


def add_story(world, title, region, *, days_ago=0, live=True):
    return world.stories.add_child(
        instance=ArticlePage(
            title=title,
            slug=f"s{abs(hash(title)) % 10**8}",
            date=timezone.localdate() - dt.timedelta(days=days_ago),
            region=region,
            live=live,
        )
    )


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]*">([^<]*)</a>', html)


def section(html: str, css_class: str) -> str:
    match = re.search(rf'<section class="section {css_class}"[^>]*>(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


# --- shops ----------------------------------------------------------------------------------------------------------


def test_city_pavilion_lists_its_counties_shops_and_not_another_citys(client, world):
    ShopFactory(name="暂停营业的网店", slug="closed", region=world.shop_sx.region, is_active=False)

    shops = section(client.get("/pavilions/heze/").content.decode(), "pavilion-shops")

    assert re.findall(r"<strong>([^<]*)</strong>", shops) == ["单县浮岗镇网店", "朱楼村电商服务站"]
    assert "滕州市农品网店" not in shops
    assert "滕州市农品网店" in section(client.get("/pavilions/zaozhuang/").content.decode(), "pavilion-shops")


# --- products -------------------------------------------------------------------------------------------------------


def test_products_by_origin_newest_first(client, world, categories):
    fruit = categories["fruit_veg"]
    yam = make_product(world.shop_sx, fruit, title="单县铁棍山药")
    goat = make_product(world.shop_sx2, fruit, title="单县青山羊")
    make_product(world.shop_zz, fruit, title="滕州马铃薯")
    # Sold by a 单县 shop but grown in 枣庄: it belongs to 枣庄's pavilion (the origin rule).
    make_product(world.shop_sx, fruit, title="山亭火樱桃", origin_region=world.shop_zz.region)
    make_product(world.shop_sx, fruit, title="下架的粉条", is_listed=False)

    html = client.get("/pavilions/heze/").content.decode()

    assert card_titles(html) == ["单县青山羊", "单县铁棍山药"]
    assert card_titles(client.get("/pavilions/zaozhuang/").content.decode()) == ["山亭火樱桃", "滕州马铃薯"]
    assert card_titles(client.get("/pavilions/heze/chengwu/").content.decode()) == []

    Certificate.objects.filter(product=goat).update(revoked_at=timezone.now())
    assert card_titles(client.get("/pavilions/heze/").content.decode()) == ["单县铁棍山药"]

    world.shop_sx.is_active = False
    world.shop_sx.save()
    html = client.get("/pavilions/heze/").content.decode()
    assert card_titles(html) == []
    assert "pavilion-products" not in html  # no empty heading
    assert yam.title not in html


def test_products_are_paginated_within_the_page(client, world, categories):
    for n in range(14):
        make_product(world.shop_sx, categories["fruit_veg"], title=f"山药{n:02d}")

    first = client.get("/pavilions/heze/shanxian/").content.decode()
    second = client.get("/pavilions/heze/shanxian/?page=2").content.decode()

    assert len(card_titles(first)) == 12 and "共 14 件" in first
    assert card_titles(second) == ["山药01", "山药00"]
    assert client.get("/pavilions/heze/shanxian/?page=x").status_code == 200


# --- live events, stories, child pavilions, empty sections -----------------------------------------------------------


def test_live_events_of_the_region_live_first(client, world):
    ensure_live_page()
    now = timezone.now()
    hour = dt.timedelta(hours=1)
    LiveEventFactory(title="单县年货节直播预告", shops=[world.shop_sx], scheduled_start=now + 5 * hour)
    LiveEventFactory(
        title="朱楼村芦笋现采直播", shops=[world.shop_sx], scheduled_start=now - hour, scheduled_end=now + hour
    )
    LiveEventFactory(title="浮岗镇上周的直播", shops=[world.shop_sx2], scheduled_start=now - 48 * hour)
    LiveEventFactory(title="未公开的直播", shops=[world.shop_sx], is_published=False)
    LiveEventFactory(title="滕州直播", shops=[world.shop_zz])

    live = section(client.get("/pavilions/heze/").content.decode(), "pavilion-live")

    assert re.findall(r"<h3>([^<]*)</h3>", live) == ["朱楼村芦笋现采直播", "单县年货节直播预告", "浮岗镇上周的直播"]


def test_stories_of_the_region_newest_first(client, world):
    add_story(world, "山药地里的合作社", world.shanxian, days_ago=3)
    add_story(world, "单县羊汤出村记", world.shanxian, days_ago=1)
    add_story(world, "菏泽牡丹籽油", world.heze, days_ago=2)
    add_story(world, "未发布的单县故事", world.shanxian, live=False)
    add_story(world, "滕州马铃薯", world.zaozhuang)
    add_story(world, "没有地区的故事", None)

    heze = section(client.get("/pavilions/heze/").content.decode(), "pavilion-stories")
    shanxian = section(client.get("/pavilions/heze/shanxian/").content.decode(), "pavilion-stories")

    assert re.findall(r"<h3>([^<]*)</h3>", heze) == ["单县羊汤出村记", "菏泽牡丹籽油", "山药地里的合作社"]
    assert re.findall(r"<h3>([^<]*)</h3>", shanxian) == ["单县羊汤出村记", "山药地里的合作社"]


def test_city_links_to_its_county_pavilions_and_empty_sections_are_left_out(client, world):
    world.chengwu_pavilion.unpublish()

    heze = client.get("/pavilions/heze/").content.decode()
    chengwu = client.get("/pavilions/heze/chengwu/")
    empty = client.get("/pavilions/zaozhuang/").content.decode()

    assert re.findall(r"<li><a href=\"([^\"]*)\">([^<]*)</a></li>", section(heze, "child-pavilions")) == [
        ("/pavilions/heze/shanxian/", "单县馆")
    ]
    assert chengwu.status_code == 404  # Wagtail's own answer for an unpublished page
    assert "牡丹之乡。" in heze and "山东省 菏泽市" in heze
    for heading in ("下辖地方馆", "好物", "直播带货</h2>", "帮扶故事</h2>"):
        assert heading not in empty, heading
    assert "本地网店" in empty  # 枣庄 has one shop


def test_banner_and_editor_blocks(client, world):
    page = world.shanxian_pavilion
    page.banner = make_image("单县横幅", size=(1600, 900))
    page.body = [("quote", "一根网线连起了村里和城里。")]
    page.save_revision().publish()

    html = client.get("/pavilions/heze/shanxian/").content.decode()

    assert re.search(r'srcset="[^"]*fill-600x240[^"]* 600w, [^"]*fill-1200x480[^"]* 1200w"', html)
    assert "一根网线连起了村里和城里。" in html


# --- the index and the story's region ------------------------------------------------------------------------------


def test_index_groups_pavilions_province_city_county_with_counts(client, world, categories):
    make_product(world.shop_sx, categories["fruit_veg"])
    make_product(world.shop_sx2, categories["fruit_veg"])
    make_product(world.shop_zz, categories["fruit_veg"])

    html = client.get("/pavilions/").content.decode()

    assert re.findall(r"<h2>([^<]*)</h2>", html.split('<footer class="site-footer"')[0]) == ["山东省"]
    titles = re.findall(r"<h3>([^<]*)</h3>", html)
    assert titles == ["枣庄馆", "菏泽馆", "单县馆", "成武县馆"]  # by division code: 3704 before 3717
    counties = html[html.index('class="pavilion-counties"') :]
    assert counties.index("单县馆") < counties.index("成武县馆")
    assert "枣庄馆" not in counties
    cards = dict(re.findall(r"<h3>([^<]*)</h3>\s*<p class=\"muted\">([^<]*)</p>", html))
    assert cards["菏泽馆"] == "2 家网店 · 2 件在售商品"
    assert cards["单县馆"] == "2 家网店 · 2 件在售商品"
    assert cards["成武县馆"] == "0 家网店 · 0 件在售商品"
    assert cards["枣庄馆"] == "1 家网店 · 1 件在售商品"


def test_story_shows_its_region_linking_to_its_pavilion(client, world):
    with_pavilion = add_story(world, "单县羊汤出村记", world.shanxian)
    without = add_story(world, "浮岗镇的早市", world.shop_sx2.region)

    html = client.get(with_pavilion.url).content.decode()
    plain = client.get(without.url).content.decode()

    assert '地区：<a href="/pavilions/heze/shanxian/">山东省 菏泽市 单县</a>' in html
    assert '<p class="article-region muted">地区：山东省 菏泽市 单县 浮岗镇</p>' in plain


# --- queries ---------------------------------------------------------------------------------------------------------

# Wagtail's routing of /pavilions/heze/ (8: site, the four pages on the path, the specific
# page, aliases, view restrictions) is paid once: the page is then kept with its route
# (cms/serving.py), and which pages are restricted is kept too (cms/restrictions.py).
# Then the region's full name, the shops, the products' page (their count is kept), the
# live events, the stories, the child pavilions, one query for all their pictures'
# renditions, the breadcrumbs' ancestors: 8, their cards kept rendered (cms/fragments.py).
# (The navigation's categories are kept: catalog/caching.py. A banner adds its two; no
# child pavilion here has one.) With FRAGMENT_CACHE=0 the cards' images and renditions: 10.
PAVILION_QUERIES = {True: 8, False: 10}
# The pavilions, shops and products counted by region code, region names.
INDEX_QUERIES = 4


def grow(world, categories, n, offset=0):
    for i in range(n):
        shop = ShopFactory(name=f"网店{offset + i}", slug=f"shop-{offset + i}", region=world.shop_sx.region)
        make_product(shop, categories["fruit_veg"], with_image=True, title=f"山药{offset + i}")
        cover = make_image(f"封面{offset + i}")
        LiveEventFactory(title=f"直播{offset + i}", shops=[shop], cover=cover)
        story = add_story(world, f"故事{offset + i}", world.shanxian, days_ago=i)
        story.cover = cover
        story.save_revision().publish()


@pytest.mark.parametrize("fragments", [True, False], ids=["fragments kept", "fragments rendered"])
def test_pavilion_page_queries_do_not_grow(client, world, categories, django_assert_num_queries, settings, fragments):
    settings.FRAGMENT_CACHE = fragments
    ensure_live_page()
    grow(world, categories, 2)
    client.get("/pavilions/heze/")  # warm per-process caches and renditions
    with django_assert_num_queries(PAVILION_QUERIES[fragments]):
        client.get("/pavilions/heze/")

    grow(world, categories, 10, offset=2)
    client.get("/pavilions/heze/")  # the new covers' renditions are made once
    with django_assert_num_queries(PAVILION_QUERIES[fragments]):
        html = client.get("/pavilions/heze/").content.decode()
    assert html.count('class="card"') == 12
    assert len(re.findall(r"<h3>直播\d+</h3>", html)) == 6


def test_pavilion_index_queries_do_not_grow(client, world, categories, django_assert_num_queries):
    client.get("/pavilions/")
    with django_assert_num_queries(INDEX_QUERIES):
        client.get("/pavilions/")
    grow(world, categories, 5)
    world.index.add_child(instance=PavilionPage(title="浮岗镇馆", slug="fugang", region=world.shop_sx2.region))
    client.get("/pavilions/")  # publishing a page cleared the cached page URLs
    with django_assert_num_queries(INDEX_QUERIES):
        html = client.get("/pavilions/").content.decode()
    assert '<h3>单县馆</h3>\n      <p class="muted">7 家网店 · 5 件在售商品</p>' in html


def test_restricted_pages_are_left_out_of_a_pavilion_and_the_index_at_once(client, world):
    """Which pages are restricted is kept per process (cms/restrictions.py): a restriction
    added or removed shows on the very next request."""
    add_story(world, "单县山药丰收", world.shanxian)
    client.get("/pavilions/heze/")
    html = client.get("/pavilions/heze/").content.decode()
    assert "单县山药丰收" in html and "单县馆" in html
    login = PageViewRestriction.LOGIN
    restriction = PageViewRestriction.objects.create(page=world.stories, restriction_type=login)
    hidden = PageViewRestriction.objects.create(page=world.shanxian_pavilion, restriction_type=login)
    html = client.get("/pavilions/heze/").content.decode()
    assert "单县山药丰收" not in html and "单县馆" not in html
    assert "单县馆" not in client.get("/pavilions/").content.decode()
    restriction.delete()
    hidden.delete()
    html = client.get("/pavilions/heze/").content.decode()
    assert "单县山药丰收" in html and "单县馆" in html
    assert "单县馆" in client.get("/pavilions/").content.decode()
