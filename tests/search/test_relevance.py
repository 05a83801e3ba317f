"""The relevance set: what buyers type, and the products that must be in the first five
results, over the demo catalogue (demo/data.py), with the database backend.

Titles the demo leaves uncertified or in a closed shop must never show, whatever the
query; a product whose certificate is revoked leaves the results at once."""

import re

import pytest
from django.core.management import call_command

from catalog.models import Product
from certification import services
from certification.models import Application, Certificate
from core.models import User
from search.selectors import search_products

pytestmark = pytest.mark.django_db

# (query, titles that must all be among the first five results)
RELEVANCE = [
    # Chinese: a word inside longer titles
    ("山药", ["菏泽铁棍山药", "山药脆片", "山药粉"]),
    ("铁棍山药", ["菏泽铁棍山药", "山药粉"]),
    ("牡丹籽油", ["冷榨牡丹籽油", "牡丹籽油礼盒"]),
    ("阿胶", ["东阿阿胶块", "即食阿胶糕", "阿胶蜜枣"]),
    ("核桃", ["山亭核桃", "薄皮核桃", "原味核桃仁", "核桃嫁接苗"]),
    ("小米", ["单县小米", "桑村小米"]),
    ("软籽石榴", ["峄城软籽石榴"]),
    ("苗绣", ["苗绣零钱包"]),
    ("刺梨", ["刺梨原汁", "刺梨果干"]),
    ("鲁锦", ["手织鲁锦床单", "鲁锦抱枕"]),
    ("芦笋", ["芦笋茶"]),
    ("香油", ["小磨香油"]),
    # pinyin, full and initials
    ("shanyao", ["菏泽铁棍山药", "山药脆片", "山药粉"]),
    ("sy", ["菏泽铁棍山药", "山药脆片", "山药粉"]),
    ("mudanziyou", ["冷榨牡丹籽油", "牡丹籽油礼盒"]),
    ("ejiao", ["东阿阿胶块", "即食阿胶糕", "阿胶蜜枣"]),
    ("hetao", ["山亭核桃", "薄皮核桃", "原味核桃仁"]),
    ("cili", ["刺梨原汁", "刺梨果干"]),
    ("lusun", ["芦笋茶"]),
    ("ruanzishiliu", ["峄城软籽石榴"]),
    ("rzsl", ["峄城软籽石榴"]),
    # synonyms (seeded list)
    ("淮山", ["菏泽铁棍山药", "山药脆片", "山药粉"]),
    ("怀山药", ["菏泽铁棍山药"]),
    ("驴皮胶", ["东阿阿胶块", "即食阿胶糕", "阿胶蜜枣"]),
    ("胡桃", ["山亭核桃", "薄皮核桃", "原味核桃仁"]),
    ("牡丹油", ["冷榨牡丹籽油", "牡丹籽油礼盒"]),
    ("粟米", ["单县小米", "桑村小米"]),
    ("石刁柏", ["芦笋茶"]),
    ("番茄", ["沙瓤西红柿"]),
    ("地瓜", ["红薯粉条"]),
    ("栗子", ["山亭板栗"]),
    # mixed with region names
    ("单县山药", ["菏泽铁棍山药", "山药粉"]),
    ("菏泽 山药", ["菏泽铁棍山药", "山药脆片", "山药粉"]),
    ("东阿核桃", ["薄皮核桃", "原味核桃仁"]),
    ("山亭樱桃", ["山亭火樱桃"]),
    ("峄城石榴", ["峄城软籽石榴"]),
    ("中牟大蒜", ["中牟大蒜"]),
    ("台江苗绣", ["苗绣零钱包"]),
]


@pytest.fixture
def demo(db):
    call_command("load_demo", "--no-images", verbosity=0)


def top5(query) -> list[str]:
    return [p.title for p in search_products(query, page_size=5).page.object_list]


def test_relevance_set_over_the_demo_catalogue(demo):
    assert len(RELEVANCE) >= 30
    misses = []
    for query, expected in RELEVANCE:
        got = top5(query)
        missing = [t for t in expected if t not in got]
        if missing:
            misses.append(f"{query!r}: missing {missing}, got {got}")
    assert misses == []


def test_products_off_the_storefront_never_show(demo):
    hidden = set(Product.objects.values_list("title", flat=True)) - set(
        Product.objects.listed().values_list("title", flat=True)
    )
    assert hidden  # the demo keeps some uncertified and a closed shop
    for title in hidden:
        results = search_products(title, page_size=100)
        assert title not in [p.title for p in results.page.object_list], title


def test_a_revoked_product_leaves_the_results_at_once(demo):
    assert "菏泽铁棍山药" in top5("山药")
    yam = Product.objects.get(title="菏泽铁棍山药")
    application = Application.objects.get(certificate__in=Certificate.objects.valid_now().filter(product=yam))
    officer = User.objects.get(username="officer-shanxian")  # 单县商务局, the issuing county
    services.apply_transition(application.pk, "revoke", by=officer, note="抽检不合格")

    assert sorted(top5("山药")) == sorted(["山药脆片", "山药粉"])
    assert "菏泽铁棍山药" not in top5("shanyao")
    assert "菏泽铁棍山药" not in top5("菏泽铁棍山药")


CARD = re.compile(r'<article class="card" data-product-id="\d+" data-title="([^"]*)">')


def test_the_demo_story_through_the_storefront(client, demo):
    """A new buyer types 山药, shanyao or sy and finds the yams, narrows to 单县 and
    50–100 yuan; once the certificate is revoked the yam never shows."""

    def search(**params):
        response = client.get("/search/", params)
        assert response.status_code == 200
        return CARD.findall(response.content.decode()), response.context["results"]

    for query in ("山药", "shanyao", "sy"):
        found, _ = search(q=query)
        assert {"菏泽铁棍山药", "山药脆片", "山药粉"} <= set(found[:5]), query
    found, results = search(q="山药", region="371722", price="50-100")
    assert "菏泽铁棍山药" in found
    assert [v.key for v in results.facets["county"]] == ["371722"]
    assert [v.key for v in results.facets["price"]] == ["50-100"]

    yam = Product.objects.get(title="菏泽铁棍山药")
    application = Application.objects.get(certificate__in=Certificate.objects.valid_now().filter(product=yam))
    services.apply_transition(
        application.pk, "revoke", by=User.objects.get(username="officer-shanxian"), note="抽检不合格"
    )

    for params in ({"q": "山药"}, {"q": "shanyao"}, {"q": "sy"}, {"q": "山药", "region": "371722", "price": "50-100"}):
        assert "菏泽铁棍山药" not in search(**params)[0], params
    assert "菏泽铁棍山药" not in client.get("/search/suggest/", {"q": "铁棍"}).json()["suggestions"]
