"""Sharing and findability: the <head> tags each page gives search engines, Open Graph
readers and WeChat (cms/sharing.py), the product's schema.org data, sitemap.xml,
robots.txt and the product's share poster (cms/poster.py)."""

import datetime
import io
import json
import re
from html import unescape

import pytest
import segno
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from wagtail.models import PageViewRestriction

from catalog.models import SHARE_RENDITION
from certification.models import Certificate
from cms import poster
from cms.models import ArticleIndexPage, ArticlePage
from cms.setup import ensure_live_page
from tests.factories import LiveEventFactory, ProductImageFactory, make_image, review_for

from .builders import make_product

pytestmark = pytest.mark.django_db

SITE = "https://shop.example.cn"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE + "/"


def head_tags(html: str) -> dict[str, str]:
    """{"og:title": ..., "description": ..., "itemprop:name": ..., "canonical": ...} of a page."""
    head = html[: html.index("</head>")]
    tags = {}
    for attr, key, value in re.findall(r'<meta (property|name|itemprop)="([^"]+)" content="([^"]*)">', head):
        if key == "viewport":
            continue
        name = f"itemprop:{key}" if attr == "itemprop" else key
        assert name not in tags, f"{name} twice"
        tags[name] = unescape(value)
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', head)
    assert len(canonical) == 1
    tags["canonical"] = unescape(canonical[0])
    return tags


def json_ld(html: str) -> dict | None:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) <= 1
    return json.loads(blocks[0]) if blocks else None


# --- pages ------------------------------------------------------------------------------------------------------------


def test_home_page_falls_back_to_its_intro_and_the_site_picture(client, storefront):
    tags = head_tags(client.get("/").content.decode())

    assert tags == {
        "description": "买扶贫产品，助乡村振兴。每一笔消费都记到受益农户和村集体。",
        "og:type": "website",
        "og:site_name": "消费帮扶馆",
        "og:locale": "zh_CN",
        "og:title": "消费帮扶馆",
        "og:description": "买扶贫产品，助乡村振兴。每一笔消费都记到受益农户和村集体。",
        "og:url": f"{SITE}/",
        "og:image": f"{SITE}/static/img/share-default.png",
        "og:image:width": "600",
        "og:image:height": "600",
        "twitter:card": "summary",
        "itemprop:name": "消费帮扶馆",
        "itemprop:description": "买扶贫产品，助乡村振兴。每一笔消费都记到受益农户和村集体。",
        "itemprop:image": f"{SITE}/static/img/share-default.png",
        "canonical": f"{SITE}/",
    }
    # The site picture is shipped, square and big enough for WeChat.
    assert Image.open(finders.find("img/share-default.png")).size == (600, 600)


def test_editors_title_description_and_share_picture_win(client, storefront):
    home, _ = storefront
    home.seo_title = "消费帮扶馆 · 山东"
    home.search_description = "山东扶贫产品线上馆"
    home.share_image = make_image("分享图", size=(1600, 900))
    home.save()

    tags = head_tags(client.get("/").content.decode())

    rendition = home.share_image.get_rendition("fill-1200x630")
    assert (rendition.width, rendition.height) == (1200, 630)
    assert tags["og:title"] == tags["itemprop:name"] == "消费帮扶馆 · 山东"
    assert tags["description"] == tags["og:description"] == "山东扶贫产品线上馆"
    assert tags["og:image"] == tags["itemprop:image"] == f"{SITE}{rendition.url}"
    assert rendition.url.startswith("/media/") and ".fill-1200x630" in rendition.url
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["twitter:card"] == "summary_large_image"


@pytest.fixture
def stories(storefront):
    home, _ = storefront
    index = home.add_child(instance=ArticleIndexPage(title="助农故事", slug="stories", intro="<p>村庄和人。</p>"))
    article = index.add_child(
        instance=ArticlePage(
            title="菏泽：一条网线、一台电脑、一个网店",
            slug="heze",
            date=datetime.date(2020, 10, 10),
            summary="563个贫困村发展电商。",
            cover=make_image("封面", size=(640, 480)),
        )
    )
    small_cover = index.add_child(
        instance=ArticlePage(
            title="小图", slug="small", date=datetime.date(2020, 10, 11), cover=make_image("小", size=(200, 150))
        )
    )
    draft = index.add_child(
        instance=ArticlePage(title="草稿", slug="draft", date=datetime.date(2021, 1, 1), live=False)
    )
    return index, article, small_cover, draft


def test_article_shares_its_summary_and_cover(client, stories):
    _index, article, _small, _draft = stories

    tags = head_tags(client.get("/stories/heze/").content.decode())

    cover = article.cover.get_rendition("fill-1200x630")  # a 640×480 cover is not enlarged
    assert (cover.width, cover.height) == (640, 336)
    assert tags["og:type"] == "article"
    assert tags["og:title"] == "菏泽：一条网线、一台电脑、一个网店"
    assert tags["description"] == tags["itemprop:description"] == "563个贫困村发展电商。"
    assert tags["og:image"] == f"{SITE}{cover.url}"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("640", "336")
    assert tags["og:url"] == tags["canonical"] == f"{SITE}/stories/heze/"


def test_a_picture_under_300_pixels_gives_way_to_the_site_picture(client, stories):
    tags = head_tags(client.get("/stories/small/").content.decode())

    assert tags["og:image"] == f"{SITE}/static/img/share-default.png"
    assert tags["description"] == "买扶贫产品 · 助乡村振兴"  # no summary, no search description


def test_pages_without_a_page_of_their_own_share_the_site(client, storefront):
    tags = head_tags(client.get("/cart/").content.decode())

    assert tags["og:title"] == "消费帮扶馆"
    assert tags["description"] == "买扶贫产品 · 助乡村振兴"
    assert tags["og:url"] == tags["canonical"] == f"{SITE}/cart/"


def test_english_pages_say_so(client, storefront):
    client.cookies["django_language"] = "en"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert head_tags(html)["og:locale"] == "en_US"


# --- the catalogue's own pages ---------------------------------------------------------------------------------------


def test_product_page_shares_the_product_and_its_price(client, storefront, shop, categories):
    product = make_product(
        shop, categories["tubers"], title="铁棍山药", summary="沙土地种植，口感绵密", with_image=True
    )
    ProductImageFactory(product=product, sort_order=1)

    html = client.get(f"/products/{product.pk}/").content.decode()
    tags = head_tags(html)

    first, second = (pi.image for pi in product.images.order_by("sort_order"))
    picture = first.get_rendition(SHARE_RENDITION)
    assert (picture.width, picture.height) == (480, 480)  # a 640×480 picture, not enlarged
    url = f"{SITE}/products/{product.pk}/"
    assert tags["og:type"] == "product"
    assert tags["og:title"] == tags["itemprop:name"] == "铁棍山药"
    assert tags["description"] == tags["og:description"] == "沙土地种植，口感绵密"
    assert tags["og:url"] == tags["canonical"] == url
    assert tags["og:image"] == tags["itemprop:image"] == f"{SITE}{picture.url}"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("480", "480")
    assert tags["product:price:amount"] == "59.90"
    assert tags["product:price:currency"] == "CNY"
    assert tags["product:availability"] == "in stock"

    data = json_ld(html)
    assert data == {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "铁棍山药",
        "description": "沙土地种植，口感绵密",
        "sku": str(product.pk),
        "category": "薯类山药",
        "brand": {"@type": "Brand", "name": product.producer.name},
        "manufacturer": {"@type": "Organization", "name": product.producer.name},
        "image": [f"{SITE}{image.get_rendition('max-800x800').url}" for image in (first, second)],
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": "59.90",
            "priceCurrency": "CNY",
            "availability": "https://schema.org/InStock",
            "itemCondition": "https://schema.org/NewCondition",
            "seller": {"@type": "Organization", "name": "李庄村电商网店"},
        },
    }
    assert f'href="/products/{product.pk}/poster/"' in html and "分享海报" in html


def test_sold_out_reviewed_product_without_picture(client, storefront, shop, categories):
    product = make_product(shop, categories["tubers"], price_fen=123456, stock=0, summary="")
    review_for(product, 5)
    review_for(product, 4)

    html = client.get(f"/products/{product.pk}/").content.decode()
    tags = head_tags(html)
    data = json_ld(html)

    assert tags["product:price:amount"] == data["offers"]["price"] == "1234.56"
    assert tags["product:availability"] == "out of stock"
    assert data["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.5",
        "reviewCount": 2,
        "bestRating": "5",
        "worstRating": "1",
    }
    assert "image" not in data
    assert tags["og:image"] == f"{SITE}/static/img/share-default.png"
    assert tags["description"] == data["description"] == "产自单县的铁棍山药。"  # no selling points: the details


def test_no_rating_without_reviews(client, storefront, shop, categories):
    product = make_product(shop, categories["tubers"])

    assert "aggregateRating" not in json_ld(client.get(f"/products/{product.pk}/").content.decode())


def test_structured_data_cannot_close_its_script(client, storefront, shop, categories):
    title = '山药</script><script>alert("x")</script>&'
    product = make_product(shop, categories["tubers"], title=title)

    html = client.get(f"/products/{product.pk}/").content.decode()

    assert "<script>alert" not in html
    assert json_ld(html)["name"] == title
    assert head_tags(html)["og:title"] == title


def test_shop_category_and_live_event_pages_describe_themselves(client, storefront, shop, categories):
    shop.description = "李庄村的网店，卖山药和芦笋。"
    shop.save()
    ensure_live_page()
    event = LiveEventFactory(title="单县山药直播", description="县长带货", shops=[shop])

    shop_tags = head_tags(client.get("/products/shop/lizhuang/").content.decode())
    category_tags = head_tags(client.get("/products/category/tubers/").content.decode())
    event_tags = head_tags(client.get(f"/live/{event.code}/").content.decode())

    assert (shop_tags["og:title"], shop_tags["description"]) == ("李庄村电商网店", "李庄村的网店，卖山药和芦笋。")
    assert shop_tags["canonical"] == f"{SITE}/products/shop/lizhuang/"
    assert (category_tags["og:title"], category_tags["canonical"]) == ("薯类山药", f"{SITE}/products/category/tubers/")
    assert (event_tags["og:title"], event_tags["description"]) == ("单县山药直播", "县长带货")
    assert event_tags["og:url"] == f"{SITE}/live/{event.code}/"


# --- sitemap.xml and robots.txt --------------------------------------------------------------------------------------


def locations(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_sitemap_index_names_each_section(client, storefront):
    assert locations(client, "/sitemap.xml") == [
        f"{SITE}/sitemap-{section}.xml" for section in ("pages", "products", "shops", "categories", "live")
    ]


def test_sitemap_lists_exactly_the_listed_products(client, storefront, shop, closed_shop, categories):
    listed = make_product(shop, categories["tubers"])
    also_listed = make_product(shop, categories["grain_oil"])
    make_product(shop, categories["tubers"], is_listed=False)
    make_product(shop, categories["tubers"], certified=False)
    revoked = make_product(shop, categories["tubers"])
    Certificate.objects.filter(product=revoked).update(revoked_at=timezone.now())
    lapsed = make_product(shop, categories["tubers"])
    Certificate.objects.filter(product=lapsed).update(
        valid_from=timezone.localdate() - datetime.timedelta(days=800),
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    make_product(closed_shop, categories["tubers"])

    assert locations(client, "/sitemap-products.xml") == [
        f"{SITE}/products/{listed.pk}/",
        f"{SITE}/products/{also_listed.pk}/",
    ]
    body = client.get("/sitemap-products.xml").content.decode()
    assert f"<lastmod>{timezone.localtime(listed.updated_at).date().isoformat()}</lastmod>" in body
    assert locations(client, "/sitemap-shops.xml") == [f"{SITE}/products/shop/lizhuang/"]
    assert locations(client, "/sitemap-categories.xml") == [
        f"{SITE}/products/category/{slug}/" for slug in ("fruit-veg", "tubers", "grain-oil")
    ]


def test_sitemap_lists_live_public_pages_only(client, stories):
    index, article, small, _draft = stories
    private = index.add_child(instance=ArticlePage(title="内部", slug="private", date=datetime.date(2021, 1, 2)))
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    assert locations(client, "/sitemap-pages.xml") == [
        f"{SITE}/",
        f"{SITE}/products/",
        f"{SITE}/stories/",
        f"{SITE}/stories/heze/",
        f"{SITE}/stories/small/",
    ]


def test_sitemap_lists_published_live_events(client, storefront, shop):
    ensure_live_page()
    event = LiveEventFactory(shops=[shop])
    LiveEventFactory(shops=[shop], is_published=False)

    assert locations(client, "/sitemap-live.xml") == [f"{SITE}/live/{event.code}/"]


def test_sitemap_queries_do_not_grow_with_products(client, storefront, shop, categories, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            make_product(shop, categories["tubers"])

    add(5)
    client.get("/sitemap-products.xml")  # warm the catalogue page's URL
    client.get("/sitemap.xml")
    with CaptureQueriesContext(connection) as small:
        assert len(locations(client, "/sitemap-products.xml")) == 5
    with CaptureQueriesContext(connection) as small_index:
        client.get("/sitemap.xml")

    add(25)
    with django_assert_num_queries(len(small)):
        assert len(locations(client, "/sitemap-products.xml")) == 30
    with django_assert_num_queries(len(small_index)):
        client.get("/sitemap.xml")


def test_sitemap_sections_are_paginated(client, storefront, shop, categories, monkeypatch):
    from cms.sitemaps import ProductSitemap

    monkeypatch.setattr(ProductSitemap, "limit", 2)
    products = [make_product(shop, categories["tubers"]) for _ in range(3)]

    assert f"{SITE}/sitemap-products.xml?p=2" in locations(client, "/sitemap.xml")
    assert locations(client, "/sitemap-products.xml") == [f"{SITE}/products/{p.pk}/" for p in products[:2]]
    assert locations(client, "/sitemap-products.xml?p=2") == [f"{SITE}/products/{products[2].pk}/"]
    assert client.get("/sitemap-products.xml?p=3").status_code == 404


def test_sitemap_pages_past_the_end_are_not_found(client, storefront):
    assert client.get("/sitemap-products.xml?p=2").status_code == 404
    assert client.get("/sitemap-products.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt(client, storefront):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\n"
        "Disallow: /admin/\n"
        "Disallow: /django-admin/\n"
        "Disallow: /accounts/\n"
        "Disallow: /cart/\n"
        "Disallow: /checkout/\n"
        "Disallow: /orders/\n"
        "Disallow: /after-sales/\n"
        "Disallow: /statement/\n"
        "Disallow: /payments/\n"
        "Disallow: /api/\n"
        "Disallow: /live/api/\n"
        "Disallow: /live/code/\n"
        "Disallow: /live/*/buy/\n"
        "Disallow: /search/\n"
        "Disallow: /i18n/\n"
        "Disallow: /documents/\n"
        "Disallow: /*?*sort=\n"
        "Disallow: /*?*live=\n"
        "Disallow: /*?*tag=\n"
        "Disallow: /products/*/poster/\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {SITE}/sitemap.xml\n"
    )


# --- the share poster ------------------------------------------------------------------------------------------------


def poster_image(response) -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def qr_modules(image: Image.Image, url: str) -> tuple[list[list[bool]], list[list[bool]]]:
    """The QR code drawn at the poster's bottom right, read module by module, and the
    modules of ``url`` encoded the same way."""
    expected = [[bool(m) for m in row] for row in segno.make(url, error="m").matrix_iter(border=poster.QR_BORDER)]
    side = len(expected) * poster.QR_SCALE
    left, top = image.width - poster.MARGIN - side, image.height - poster.MARGIN - side
    grey = image.convert("L")
    half = poster.QR_SCALE // 2
    drawn = [
        [
            grey.getpixel((left + c * poster.QR_SCALE + half, top + r * poster.QR_SCALE + half)) < 128
            for c in range(len(row))
        ]
        for r, row in enumerate(expected)
    ]
    return drawn, expected


def test_poster_is_a_750_pixel_png_with_a_qr_code_of_the_product_page(client, storefront, shop, categories):
    product = make_product(shop, categories["tubers"], title="铁棍山药", with_image=True)

    response = client.get(f"/products/{product.pk}/poster/")
    image = poster_image(response)

    url = f"{SITE}/products/{product.pk}/"
    qr_side = len(list(segno.make(url, error="m").matrix_iter(border=poster.QR_BORDER))) * poster.QR_SCALE
    # header, picture, one line of title, price, shop, rule, QR code, margins
    assert image.size == (750, 120 + 30 + 670 + 30 + 52 + 10 + 76 + 50 + 30 + qr_side + 40)
    drawn, expected = qr_modules(image, url)
    assert drawn == expected
    assert response["Cache-Control"] == "public, max-age=600"
    assert response["Vary"] == "Accept-Language, Cookie"
    # The product's picture (a flat colour, 180/60/40) fills the picture area.
    assert image.getpixel((375, 150 + 335))[:3] == (180, 60, 40)


def test_poster_of_a_long_title_wraps_it_within_three_lines(client, storefront, shop, categories):
    product = make_product(shop, categories["tubers"], title="山东菏泽单县浮岗镇沙土地种植铁棍山药" * 4)

    image = poster_image(client.get(f"/products/{product.pk}/poster/"))

    url = f"{SITE}/products/{product.pk}/"
    qr_side = len(list(segno.make(url, error="m").matrix_iter(border=poster.QR_BORDER))) * poster.QR_SCALE
    assert image.size == (750, 120 + 30 + 670 + 30 + 52 * 3 + 10 + 76 + 50 + 30 + qr_side + 40)
    assert qr_modules(image, url)[0] == qr_modules(image, url)[1]


def test_poster_is_drawn_once_until_the_product_changes(client, storefront, shop, categories, monkeypatch):
    product = make_product(shop, categories["tubers"])
    drawn = []
    draw = poster.draw_poster
    monkeypatch.setattr(poster, "draw_poster", lambda *args: drawn.append(args) or draw(*args))

    first = client.get(f"/products/{product.pk}/poster/").content
    assert client.get(f"/products/{product.pk}/poster/").content == first
    assert len(drawn) == 1

    product.price_fen = 4990
    product.save()
    assert client.get(f"/products/{product.pk}/poster/").content != first
    assert len(drawn) == 2


def test_poster_only_for_listed_products(client, storefront, shop, closed_shop, categories):
    unlisted = make_product(shop, categories["tubers"], is_listed=False)
    uncertified = make_product(shop, categories["tubers"], certified=False)
    closed = make_product(closed_shop, categories["tubers"])
    listed = make_product(shop, categories["tubers"])
    assert client.get(f"/products/{listed.pk}/poster/").status_code == 200

    for product in (unlisted, uncertified, closed):
        assert client.get(f"/products/{product.pk}/poster/").status_code == 404
    listed.is_listed = False
    listed.save()
    assert client.get(f"/products/{listed.pk}/poster/").status_code == 404  # even once drawn and cached


@pytest.mark.parametrize("pk", ["0", "abc", "99999999999999999999999", "-1"])
def test_poster_of_a_bad_id_is_not_found(client, storefront, pk):
    assert client.get(f"/products/{pk}/poster/").status_code == 404
