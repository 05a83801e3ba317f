"""The public storefront through HTTP: home, catalogue, category, product and shop pages."""

import re
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch
from django.utils import timezone

from catalog.models import Product
from producers.models import Producer
from tests.factories import CategoryFactory, CollectiveFactory, ProducerFactory

from .builders import HEAD_NAMES, link_households, make_product, set_newest_count

pytestmark = pytest.mark.django_db

CARD_TITLE = re.compile(r'<h3 class="card-title"><a href="[^"]*">([^<]+)</a></h3>')


def card_titles(response) -> list[str]:
    return CARD_TITLE.findall(response.content.decode())


def age(product, days):
    """Backdate a product so that "newest first" has a defined order."""
    Product.objects.filter(pk=product.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_home_page_lists_listed_products_only(client, storefront, shop, closed_shop, categories):
    yam = make_product(shop, categories["tubers"], title="菏泽铁棍山药", with_image=True)
    make_product(shop, categories["grain_oil"], title="牡丹籽油")
    make_product(shop, categories["grain_oil"], title="下架的芝麻油", is_listed=False)
    make_product(closed_shop, categories["grain_oil"], title="停业网店的花生油")

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(card_titles(response)) == ["牡丹籽油", "菏泽铁棍山药"]
    assert "停业网店的花生油" not in html and "下架的芝麻油" not in html
    assert "消费帮扶馆" in html
    assert "¥</span>59.90" in html
    # category navigation (top-level only), the shop link and the product link
    assert 'href="/products/category/fruit-veg/"' in html and 'href="/products/category/grain-oil/"' in html
    assert 'href="/products/category/tubers/"' not in html
    assert 'href="/products/shop/lizhuang/"' in html
    assert f'href="/products/{yam.pk}/"' in html
    assert "/products/shop/wanglou/" not in html
    # the card image is the pre-generated card rendition
    assert re.search(r'<img src="/media/images/product[^"]*\.fill-400x400\.png"', html)


def test_home_page_shows_newest_products_up_to_its_grids_count(client, storefront, shop, categories):
    home, _ = storefront
    set_newest_count(home, 2)
    for days, title in [(3, "老品"), (2, "次新品"), (1, "最新品")]:
        age(make_product(shop, categories["grain_oil"], title=title), days)

    assert card_titles(client.get("/")) == ["最新品", "次新品"]


def test_catalogue_index_sorts_by_newest_and_price(client, storefront, shop, categories):
    for days, title, price in [(3, "阿胶", 29800), (2, "芦笋", 3990), (1, "核桃", 8800)]:
        age(make_product(shop, categories["grain_oil"], title=title, price_fen=price), days)

    assert card_titles(client.get("/products/")) == ["核桃", "芦笋", "阿胶"]
    assert card_titles(client.get("/products/?sort=price_asc")) == ["芦笋", "核桃", "阿胶"]
    assert card_titles(client.get("/products/?sort=price_desc")) == ["阿胶", "核桃", "芦笋"]
    assert card_titles(client.get("/products/?sort=bogus")) == ["核桃", "芦笋", "阿胶"]


def test_catalogue_index_paginates_by_page_size(client, storefront, shop, categories):
    _, catalog = storefront
    catalog.page_size = 2
    catalog.save_revision().publish()
    for i in range(5):
        make_product(shop, categories["grain_oil"], title=f"小米{i}", price_fen=1000 + i)

    first = client.get("/products/?sort=price_asc")
    third = client.get("/products/?sort=price_asc&page=3")

    assert card_titles(first) == ["小米0", "小米1"]
    assert "共 5 件商品" in first.content.decode()
    assert "第 1 / 3 页" in first.content.decode()
    # "下一页" carries where the page ended (its last product's price and id): the next page
    # starts there, with no OFFSET; a bare page number (an older link) still works.
    second_pk = Product.objects.get(title="小米1").pk
    assert f'href="?sort=price_asc&amp;page=2&amp;after=1001.{second_pk}" rel="next"' in first.content.decode()
    second = client.get(f"/products/?sort=price_asc&page=2&after=1001.{second_pk}")
    assert card_titles(second) == ["小米2", "小米3"] and "第 2 / 3 页" in second.content.decode()
    assert 'href="?sort=price_asc&amp;page=1" rel="prev"' in second.content.decode()
    assert card_titles(client.get("/products/?sort=price_asc&page=2")) == ["小米2", "小米3"]
    assert card_titles(third) == ["小米4"]
    assert "下一页" not in third.content.decode()
    # A cursor that is not one the list made: the page number decides, as before.
    assert card_titles(client.get("/products/?sort=price_asc&page=2&after=x")) == ["小米2", "小米3"]


def test_category_page_includes_sub_category_products(client, storefront, shop, closed_shop, categories):
    make_product(shop, categories["tubers"], title="菏泽铁棍山药")
    make_product(shop, categories["fruit_veg"], title="单县芦笋")
    make_product(shop, categories["grain_oil"], title="牡丹籽油")
    make_product(closed_shop, categories["tubers"], title="停业网店的山药")
    make_product(shop, categories["tubers"], title="下架山药", is_listed=False)

    parent = client.get("/products/category/fruit-veg/")
    child = client.get("/products/category/tubers/")

    assert parent.status_code == 200
    assert sorted(card_titles(parent)) == ["单县芦笋", "菏泽铁棍山药"]
    assert 'href="/products/category/tubers/"' in parent.content.decode()  # sub-category chip
    assert card_titles(child) == ["菏泽铁棍山药"]
    assert client.get("/products/category/no-such-category/").status_code == 404


def test_category_page_sorts_by_price(client, storefront, shop, categories):
    make_product(shop, categories["tubers"], title="山药礼盒", price_fen=12800)
    make_product(shop, categories["fruit_veg"], title="芦笋", price_fen=3990)

    assert card_titles(client.get("/products/category/fruit-veg/?sort=price_asc")) == ["芦笋", "山药礼盒"]
    assert card_titles(client.get("/products/category/fruit-veg/?sort=price_desc")) == ["山药礼盒", "芦笋"]


def test_product_page_shows_price_producer_origin_and_household_count(
    client, storefront, shop, producer, categories, regions
):
    product = make_product(
        shop,
        categories["tubers"],
        producer=producer,
        title="菏泽铁棍山药",
        unit="2.5千克/箱",
        description="沙土地种植，粉糯香甜。",
        with_image=True,
    )
    collective = CollectiveFactory(village=regions[-1], name="李庄村股份经济合作社")
    linkage = link_households(product, 3, collective=collective)

    response = client.get(f"/products/{product.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "菏泽铁棍山药" in html
    assert "¥</span>59.90" in html and "2.5千克/箱" in html
    assert "库存 100 件" in html and "已售罄" not in html
    assert "沙土地种植，粉糯香甜。" in html
    assert "单县浮岗镇山药种植专业合作社" in html and '<span class="tag">合作社</span>' in html
    assert "山东省 菏泽市 单县 浮岗镇 李庄村" in html
    assert 'href="/products/shop/lizhuang/"' in html
    assert 'href="/products/category/fruit-veg/"' in html and 'href="/products/category/tubers/"' in html
    assert '<strong class="household-count">3</strong>' in html
    assert "李庄村股份经济合作社" in html
    assert re.search(r'<img src="/media/images/product[^"]*\.max-800x800\.png"', html)
    # never who the households are: no names, masked or not, no registration numbers
    for share in linkage.shares.select_related("household").exclude(household=None):
        household = share.household
        assert household.head_name not in html
        assert household.masked_name not in html
        assert household.registration_number not in html
        assert household.masked_registration_number not in html
    assert not any(name in html for name in HEAD_NAMES)


def test_product_page_counts_only_the_linkage_in_force(client, storefront, shop, categories):
    product = make_product(shop, categories["tubers"], title="菏泽铁棍山药")
    link_households(product, 5)
    link_households(product, 2)  # the new version replaces the old one

    html = client.get(f"/products/{product.pk}/").content.decode()

    assert '<strong class="household-count">2</strong>' in html


def test_product_page_without_linkage_or_stock(client, storefront, shop, categories):
    household_producer = ProducerFactory(shop=shop, name="王家庄农户", kind=Producer.Kind.HOUSEHOLD)
    product = make_product(shop, categories["grain_oil"], producer=household_producer, title="小磨香油", stock=0)

    html = client.get(f"/products/{product.pk}/").content.decode()

    assert "已售罄" in html
    assert '<span class="tag">农户</span>' in html
    assert "household-count" not in html
    assert "利益联结信息正在完善中" in html


@pytest.mark.parametrize("case", ["unlisted", "closed_shop"])
def test_product_not_for_sale_is_a_clear_404(client, storefront, shop, closed_shop, categories, case):
    if case == "unlisted":
        product = make_product(shop, categories["grain_oil"], title="已下架的香油", is_listed=False)
    else:
        product = make_product(closed_shop, categories["grain_oil"], title="停业网店的香油")

    response = client.get(f"/products/{product.pk}/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "该商品暂不可售" in html and "该商品已下架、所在网店暂停营业或商品不存在。" in html
    assert product.title not in html


def test_unknown_product_id_is_a_404(client, storefront, shop, categories):
    make_product(shop, categories["grain_oil"])

    response = client.get("/products/999999/")

    assert response.status_code == 404
    assert "该商品暂不可售" in response.content.decode()


def test_shop_page_shows_shop_and_its_listed_products(client, storefront, shop, categories, regions):
    shop.description = "单县浮岗镇李庄村的村级电商网店。"
    shop.contact_phone = "0530-1234567"
    shop.save()
    other_shop = type(shop).objects.create(name="别家网店", slug="other", region=regions[-1])
    make_product(shop, categories["tubers"], title="菏泽铁棍山药")
    make_product(shop, categories["grain_oil"], title="下架的油", is_listed=False)
    make_product(other_shop, categories["grain_oil"], title="别家的油")

    response = client.get("/products/shop/lizhuang/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "李庄村电商网店" in html
    assert "山东省 菏泽市 单县 浮岗镇 李庄村" in html
    assert "单县浮岗镇李庄村的村级电商网店。" in html and "0530-1234567" in html
    assert card_titles(response) == ["菏泽铁棍山药"]


def test_closed_or_unknown_shop_page_is_a_clear_404(client, storefront, closed_shop, categories):
    make_product(closed_shop, categories["grain_oil"], title="停业网店的香油")

    closed = client.get("/products/shop/wanglou/")
    unknown = client.get("/products/shop/nobody/")

    assert closed.status_code == 404 and unknown.status_code == 404
    assert "该网店暂停营业" in closed.content.decode()
    assert "停业网店的香油" not in closed.content.decode()


def test_get_absolute_url_follows_the_catalogue_page(client, storefront, shop, categories):
    _, catalog = storefront
    product = make_product(shop, categories["tubers"], title="菏泽铁棍山药")
    assert product.get_absolute_url() == f"/products/{product.pk}/"
    assert shop.get_absolute_url() == "/products/shop/lizhuang/"
    assert categories["tubers"].get_absolute_url() == "/products/category/tubers/"

    # An editor renames the catalogue page: the cached URL is dropped on publish.
    catalog.slug = "goods"
    catalog.save_revision().publish()

    assert product.get_absolute_url() == f"/goods/{product.pk}/"
    assert client.get(f"/goods/{product.pk}/").status_code == 200
    assert client.get(f"/products/{product.pk}/").status_code == 404


def test_unknown_storefront_path_is_a_404_page(client, storefront):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_language_switch_to_english(client, storefront):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert client.get("/").content.decode().startswith('<!DOCTYPE html>\n\n<html lang="en">')


def test_product_page_in_english_from_the_catalog(client, storefront, shop, producer, categories):
    """With English chosen, the page's own words come from cms/locale and the project's
    catalog, one language per label; the product's data stays as entered."""
    product = make_product(shop, categories["tubers"], producer=producer, title="菏泽铁棍山药", stock=7)
    link_households(product, 3)
    client.cookies["django_language"] = "en"

    html = client.get(f"/products/{product.pk}/").content.decode()

    assert html.startswith('<!DOCTYPE html>\n\n<html lang="en">')
    assert "菏泽铁棍山药" in html
    for english in ("Add to cart", "7 in stock", "Support outcome", "Buyer reviews", "Consumption Support Market"):
        assert english in html, english
    assert "supported households through their benefit-sharing arrangements" in html
    for chinese in ("加入购物车", "库存 7 件", "帮扶成效", "买家评价", "消费帮扶馆"):
        assert chinese not in html, chinese


def test_category_nav_lists_top_level_categories_in_order(client, storefront):
    for order, (name, slug) in enumerate(
        [
            ("果蔬", "fruit-veg"),
            ("粮油", "grain-oil"),
            ("休闲食品", "snacks"),
            ("日用品", "daily"),
            ("熟食糕点", "cooked"),
            ("花卉苗木", "plants"),
            ("手工艺品", "crafts"),
        ]
    ):
        CategoryFactory(name=name, slug=slug, sort_order=order)

    html = client.get("/").content.decode()
    nav = html[html.index('class="category-nav"') : html.index("</nav>")]

    assert re.findall(r"/products/category/([a-z-]+)/", nav) == [
        "fruit-veg",
        "grain-oil",
        "snacks",
        "daily",
        "cooked",
        "plants",
        "crafts",
    ]


def test_unpublished_catalogue_has_no_product_urls(client, storefront, shop, categories):
    _, catalog = storefront
    product = make_product(shop, categories["tubers"], title="菏泽铁棍山药")
    assert product.get_absolute_url() == f"/products/{product.pk}/"

    catalog.unpublish()

    with pytest.raises(NoReverseMatch):
        product.get_absolute_url()
    assert client.get(f"/products/{product.pk}/").status_code == 404
    assert client.get("/").status_code == 200  # the home page still renders, minus catalogue links


def test_publishing_a_catalogue_page_again_restores_product_urls(client, storefront, shop, categories):
    _, catalog = storefront
    product = make_product(shop, categories["tubers"], title="菏泽铁棍山药")
    catalog.unpublish()
    assert 'href="#"' in client.get("/").content.decode()

    catalog.save_revision().publish()

    assert product.get_absolute_url() == f"/products/{product.pk}/"
    assert f'href="/products/{product.pk}/"' in client.get("/").content.decode()
