"""The page tree of a city (菏泽市) with one county's pavilion under the city's, another
city's pavilion (枣庄市) and a story; the two-county world's staff: officers of county A
(单县), county B (成武县) and the city, the operators, a platform administrator (not a
superuser) and a buyer."""

from dataclasses import dataclass

import pytest
from wagtail.models import Page

from cms import routing
from cms.models import ArticleIndexPage, ArticlePage, PavilionIndexPage, PavilionPage
from cms.setup import ensure_storefront_pages
from tests.factories import region_chain
from tests.worlds import TwoCountyWorld, build_two_county_world


@dataclass
class Tree:
    world: TwoCountyWorld
    home: Page
    index: PavilionIndexPage
    city: PavilionPage  # 菏泽市
    county_a: PavilionPage  # 单县, under 菏泽市's
    other_city: PavilionPage  # 枣庄市
    story: ArticlePage


@pytest.fixture
def tree(db, role_groups) -> Tree:
    routing.clear_storefront_url_cache()
    w = build_two_county_world(operators=("op_a", "op_b"), shops=("朱楼村网店", "汶上村网店"))
    w.add_staff(officers=("officer_a", "officer_b", "officer_city"), admin="platform", buyer="buyer")
    zaozhuang = region_chain(city="3704", county=None)[-1]
    zaozhuang.name = "枣庄市"
    zaozhuang.save()
    home, _catalog = ensure_storefront_pages()
    index = home.add_child(instance=PavilionIndexPage(title="地方馆", slug="pavilions"))
    city = index.add_child(instance=PavilionPage(title="菏泽馆", slug="heze", region=w.city))
    county_a = city.add_child(instance=PavilionPage(title="单县馆", slug="shanxian", region=w.county_a))
    other_city = index.add_child(instance=PavilionPage(title="枣庄馆", slug="zaozhuang", region=zaozhuang))
    home.refresh_from_db()
    stories = home.add_child(instance=ArticleIndexPage(title="助农故事", slug="stories"))
    story = stories.add_child(
        instance=ArticlePage(title="单县山药", slug="shanxian-yam", date="2025-06-01", region=w.county_a)
    )
    return Tree(w, home, index, city, county_a, other_city, story)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
