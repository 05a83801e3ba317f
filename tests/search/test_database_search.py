"""Database search through the storefront: facets with exact counts, filters, sorting,
pagination, highlights, synonyms, pinyin, suggestions, and index upkeep."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Product
from certification.models import Certificate
from core.days import day_start
from producers.models import Producer
from search.indexing import index_products
from search.models import ProductSearchEntry, SynonymGroup
from search.selectors import search_products
from tests.factories import ProducerFactory, ProductFactory

from .helpers import titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(storefront, shops, categories):
    shan, chengwu = shops["shan"], shops["chengwu"]
    household = ProducerFactory(shop=chengwu, name="王大山家庭农场", kind=Producer.Kind.HOUSEHOLD)
    made = {
        "yam": ProductFactory(shop=shan, category=categories["tubers"], title="菏泽铁棍山药", price_fen=5990, stock=50),
        "yam_powder": ProductFactory(
            shop=shan, category=categories["grain_oil"], title="山药粉", price_fen=3900, stock=0, summary=""
        ),
        "yam_gift": ProductFactory(
            shop=chengwu, category=categories["tubers"], title="铁棍山药礼盒", price_fen=19800, stock=5
        ),
        "yam_cheap": ProductFactory(
            shop=chengwu,
            producer=household,
            category=categories["tubers"],
            title="山药段",
            price_fen=1500,
            stock=9,
            summary="",
        ),
        "oil": ProductFactory(
            shop=shan,
            category=categories["grain_oil"],
            title="冷榨牡丹籽油",
            price_fen=26800,
            summary="低温压榨",
            description="油用牡丹。",
        ),
    }
    Product.objects.filter(pk=made["yam"].pk).update(units_sold=40)
    Product.objects.filter(pk=made["yam_gift"].pk).update(units_sold=90)
    return made


def facet(response, name) -> dict[str, int]:
    return {v.key: v.count for v in response.context["results"].facets[name]}


def test_a_query_finds_every_matching_product_with_facet_counts(client, catalogue):
    response = client.get("/search/", {"q": "山药"})

    assert sorted(titles(response)) == ["山药段", "山药粉", "菏泽铁棍山药", "铁棍山药礼盒"]
    assert "找到 4 件商品" in response.content.decode()
    assert facet(response, "category") == {"fruit-veg": 3, "grain-oil": 1}
    assert facet(response, "province") == {"37": 4}
    assert facet(response, "city") == {"3717": 4}
    assert facet(response, "county") == {"371722": 2, "371723": 2}
    assert facet(response, "kind") == {"cooperative": 3, "household": 1}
    assert facet(response, "price") == {"lt20": 1, "20-50": 1, "50-100": 1, "100-200": 1}
    assert facet(response, "in_stock") == {"0": 1, "1": 3}
    labels = {v.key: v.label for v in response.context["results"].facets["county"]}
    assert labels == {"371722": "单县", "371723": "成武县"}


def test_filters_by_county_price_kind_stock_and_category(client, catalogue):
    assert sorted(titles(client.get("/search/", {"q": "山药", "region": "371723"}))) == ["山药段", "铁棍山药礼盒"]
    assert titles(client.get("/search/", {"q": "山药", "region": "371723", "price": "lt20"})) == ["山药段"]
    assert titles(client.get("/search/", {"q": "山药", "kind": "household"})) == ["山药段"]
    assert titles(client.get("/search/", {"q": "山药", "category": "grain-oil"})) == ["山药粉"]
    in_stock = client.get("/search/", {"q": "山药", "in_stock": "1"})
    assert sorted(titles(in_stock)) == ["山药段", "菏泽铁棍山药", "铁棍山药礼盒"]
    assert facet(in_stock, "in_stock") == {"1": 3}
    # A county's facet link keeps the query, and un-choosing it goes up to its city.
    html = client.get("/search/", {"q": "山药", "region": "371723"}).content.decode()
    assert 'href="?q=%E5%B1%B1%E8%8D%AF&amp;region=3717"' in html
    # Nonsense filter values are ignored, not errors.
    assert len(titles(client.get("/search/", {"q": "山药", "region": "abc", "price": "x", "kind": "y"}))) == 4


def test_sorting(client, catalogue):
    def by(sort):
        return titles(client.get("/search/", {"q": "山药", "sort": sort}))

    assert by("price_asc") == ["山药段", "山药粉", "菏泽铁棍山药", "铁棍山药礼盒"]
    assert by("price_desc") == ["铁棍山药礼盒", "菏泽铁棍山药", "山药粉", "山药段"]
    assert by("best_selling")[:2] == ["铁棍山药礼盒", "菏泽铁棍山药"]
    assert by("newest") == ["山药段", "铁棍山药礼盒", "山药粉", "菏泽铁棍山药"]


def test_title_matches_rank_above_matches_elsewhere(client, catalogue, shops, categories):
    ProductFactory(shop=shops["shan"], category=categories["grain_oil"], title="小磨香油", summary="配山药凉拌")
    found = titles(client.get("/search/", {"q": "山药"}))
    assert found[-1] == "小磨香油" and len(found) == 5


def test_matched_words_are_marked_in_titles_and_html_is_escaped(client, catalogue, shops, categories):
    ProductFactory(shop=shops["shan"], category=categories["tubers"], title="<b>山药</b>")
    html = client.get("/search/", {"q": "山药"}).content.decode()
    assert "菏泽铁棍<mark>山药</mark></a></h3>" in html
    assert "&lt;b&gt;<mark>山药</mark>&lt;/b&gt;" in html
    assert "<b>山药</b>" not in html


def test_pagination(client, catalogue, shops, categories):
    for i in range(30):
        ProductFactory(shop=shops["shan"], category=categories["tubers"], title=f"山药{i}号")
    first = search_products("山药")
    third = client.get("/search/", {"q": "山药", "page": 2})
    assert first.count == 34 and len(first.page.object_list) == 24
    assert len(titles(third)) == 10
    assert "第 2 / 2 页" in third.content.decode()
    # Past the end: the last page.
    assert len(titles(client.get("/search/", {"q": "山药", "page": 9}))) == 10


def test_pinyin_full_and_initials(client, catalogue):
    assert sorted(titles(client.get("/search/", {"q": "shanyao"}))) == [
        "山药段",
        "山药粉",
        "菏泽铁棍山药",
        "铁棍山药礼盒",
    ]
    assert sorted(titles(client.get("/search/", {"q": "sy"})))[:4] == [
        "山药段",
        "山药粉",
        "菏泽铁棍山药",
        "铁棍山药礼盒",
    ]
    assert titles(client.get("/search/", {"q": "mudan"})) == ["冷榨牡丹籽油"]
    assert titles(client.get("/search/", {"q": "MUDAN"})) == ["冷榨牡丹籽油"]


def test_synonyms_from_the_admin_list_take_effect_at_once(client, catalogue):
    assert titles(client.get("/search/", {"q": "牡丹油"})) == ["冷榨牡丹籽油"]  # seeded by migration
    assert titles(client.get("/search/", {"q": "丹凤籽"})) == []
    SynonymGroup.objects.create(terms="丹凤籽，牡丹籽油", note="test")
    assert titles(client.get("/search/", {"q": "丹凤籽"})) == ["冷榨牡丹籽油"]
    SynonymGroup.objects.filter(note="test").delete()
    assert titles(client.get("/search/", {"q": "丹凤籽"})) == []


def test_revoked_or_unlisted_products_vanish_at_once(client, catalogue):
    catalogue["yam"].certificates.update(revoked_at=timezone.now())
    Product.objects.filter(pk=catalogue["yam_gift"].pk).update(is_listed=False)
    found = titles(client.get("/search/", {"q": "山药"}))
    assert sorted(found) == ["山药段", "山药粉"]
    assert client.get("/search/suggest/", {"q": "礼盒"}).json()["suggestions"] == []


def test_suggestions_endpoint(client, catalogue):
    body = client.get("/search/suggest/", {"q": "铁棍"})
    assert body["Content-Type"] == "application/json"
    # Title matches first (best-selling first among them), then "铁棍" in descriptions.
    assert body.json()["suggestions"] == ["铁棍山药礼盒", "菏泽铁棍山药", "山药段", "山药粉"]
    assert client.get("/search/suggest/", {"q": "礼盒"}).json()["suggestions"] == ["铁棍山药礼盒"]
    assert "菏泽铁棍山药" in body.content.decode()  # not \\u-escaped
    assert set(client.get("/search/suggest/", {"q": "shany"}).json()["suggestions"]) == {
        "山药段",
        "山药粉",
        "菏泽铁棍山药",
        "铁棍山药礼盒",
    }
    assert client.get("/search/suggest/", {"q": "mud"}).json()["suggestions"] == ["冷榨牡丹籽油"]
    assert client.get("/search/suggest/", {"q": " "}).json() == {"q": "", "suggestions": []}
    assert client.post("/search/suggest/", {"q": "mud"}).status_code == 405


def test_saving_a_product_reindexes_it(client, catalogue):
    oil = catalogue["oil"]
    oil.title = "冷榨芝麻油"
    oil.save()
    assert titles(client.get("/search/", {"q": "牡丹籽油"})) == []
    assert titles(client.get("/search/", {"q": "芝麻油"})) == ["冷榨芝麻油"]


def test_renaming_a_shop_reindexes_its_products_after_commit(
    client, catalogue, shops, django_capture_on_commit_callbacks
):
    assert titles(client.get("/search/", {"q": "黄河人家"})) == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        shops["chengwu"].name = "黄河人家"
        shops["chengwu"].save()
    # One reindex batch for both products of the shop (the other callbacks drop the
    # storefront's kept reads again after the commit: core/generations.py).
    assert [cb.__qualname__ for cb in callbacks if "Reindex" in getattr(cb, "__qualname__", "")] == [
        "_PendingReindex.flush"
    ]
    assert sorted(titles(client.get("/search/", {"q": "黄河人家"}))) == ["山药段", "铁棍山药礼盒"]


def test_search_reindex_command_rebuilds_entries(catalogue, capsys):
    ProductSearchEntry.objects.all().delete()
    assert search_products("山药").count == 0
    call_command("search_reindex", verbosity=1)
    out = capsys.readouterr()
    assert "数据库索引：5 条" in out.out
    assert "搜索索引" in out.err  # the tqdm progress bar
    assert search_products("山药").count == 4


def test_empty_query_asks_for_words(client, catalogue):
    html = client.get("/search/", {"q": "  "}).content.decode()
    assert "请输入要搜索的商品名称" in html and 'class="card"' not in html


def test_results_page_queries_do_not_grow_with_results(
    client, storefront, shops, categories, django_assert_num_queries
):
    def add(n):
        for i in range(n):
            ProductFactory(shop=shops["shan" if i % 2 else "chengwu"], category=categories["tubers"], title="山药")

    url = "/search/?q=山药&sort=price_asc"
    add(2)
    client.get(url)
    # The search's answer (facets, total, the page of ids: one statement) is kept for the
    # listing and the index (search/selectors.run_search): then products, their images,
    # region names: 3 (4 with a rendition query when there are pictures, as in
    # tests/storefront/test_query_counts.py). The category tree (also the navigation) is
    # kept (catalog/caching.py); each ProductFactory makes a category, so it is read again
    # once after adding products.
    with django_assert_num_queries(3):
        assert len(titles(client.get(url))) == 2
    add(18)
    client.get(url)
    with django_assert_num_queries(3):
        assert len(titles(client.get(url))) == 20


def test_search_box_has_suggestions_wired(client, catalogue):
    html = client.get("/search/", {"q": "山药"}).content.decode()
    assert 'data-suggest-url="/search/suggest/"' in html
    assert "search/search.js" in html


def test_a_kept_search_answer_changes_with_what_it_shows(client, catalogue):
    """A repeated search is answered from the cache (no search statement), and whatever
    changes its answer is seen on the next request: stock, entries written by the index
    alone, a certificate that lapses at midnight (Asia/Shanghai)."""
    in_stock = {"q": "山药", "in_stock": "1"}
    assert sorted(titles(client.get("/search/", in_stock))) == ["山药段", "菏泽铁棍山药", "铁棍山药礼盒"]
    powder = catalogue["yam_powder"]
    powder.stock = 3
    powder.save(update_fields=["stock"])
    assert "山药粉" in titles(client.get("/search/", in_stock))

    # Renamed behind the signals' back: the kept answer stands until the entries are written.
    oil = catalogue["oil"]
    Product.objects.filter(pk=oil.pk).update(title="山药籽油")
    assert len(titles(client.get("/search/", {"q": "山药"}))) == 4
    index_products([oil.pk])
    assert "山药籽油" in titles(client.get("/search/", {"q": "山药"}))

    today = timezone.localdate()
    Certificate.objects.filter(product=catalogue["yam"]).update(valid_until=today)
    index_products([catalogue["yam"].pk])
    midnight = day_start(today + dt.timedelta(days=1))
    with time_machine.travel(midnight - dt.timedelta(seconds=1), tick=False):
        assert "菏泽铁棍山药" in titles(client.get("/search/", {"q": "山药"}))
        assert "菏泽铁棍山药" in titles(client.get("/search/", {"q": "山药"}))
    with time_machine.travel(midnight, tick=False):
        assert "菏泽铁棍山药" not in titles(client.get("/search/", {"q": "山药"}))
