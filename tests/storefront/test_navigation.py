"""The header and footer menus (设置 › 网站导航, cms/navigation.py and cms/menus.py) and the
breadcrumbs of Wagtail pages."""

import datetime
import re

import pytest
from django.urls import reverse
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import nested_form_data, streamfield

from cms import menus, routing
from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    CampaignIndexPage,
    LiveIndexPage,
    NavigationSettings,
    PavilionIndexPage,
)
from cms.setup import ensure_live_page, ensure_navigation_menus
from core.roles import Role
from tests.factories import UserFactory, officer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(storefront):
    """Every page-tree area: the catalogue (/products/), 专题活动, 地方馆, live, stories."""
    home, catalog = storefront
    ensure_live_page()
    home.refresh_from_db()
    campaigns = home.add_child(instance=CampaignIndexPage(title="专题活动", slug="campaigns"))
    home.refresh_from_db()
    pavilions = home.add_child(instance=PavilionIndexPage(title="地方馆", slug="pavilions"))
    home.refresh_from_db()
    stories = home.add_child(instance=ArticleIndexPage(title="助农故事", slug="stories"))
    home.refresh_from_db()
    routing.clear_storefront_url_cache()
    return {
        "home": home,
        "catalog": catalog,
        "campaigns": campaigns,
        "pavilions": pavilions,
        "live": LiveIndexPage.objects.get(),
        "stories": stories,
    }


def story(index, slug="heze", title="菏泽：一条网线、一台电脑、一个网店"):
    return index.add_child(instance=ArticlePage(title=title, slug=slug, date=datetime.date(2020, 10, 10)))


def link(label, *, page=None, url="", label_en=""):
    return {"label": label, "label_en": label_en, "page": page, "url": url}


def set_menus(header=(), footer=()):
    """The default site's menus: header links, footer (title, [links]) columns."""
    site = Site.objects.get(is_default_site=True)
    setting = NavigationSettings.objects.filter(site=site).first() or NavigationSettings(site=site)

    def value(item):
        return {**item, "page": Page.objects.get(pk=item["page"]) if item["page"] else None}

    setting.header = [("link", value(item)) for item in header]
    setting.footer = [
        ("group", {"title": title, "title_en": "", "links": [value(item) for item in links]}) for title, links in footer
    ]
    setting.save()
    return setting


def header_menu(html: str) -> list[tuple[str, str]]:
    """(href, label) of the header menu's items, in order."""
    nav = html[html.index('class="category-nav"') :]
    nav = nav[: nav.index("</nav>")]
    return re.findall(r'<a class="nav-aside" href="([^"]*)"[^>]*>([^<]*)</a>', nav)


def footer_menu(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, [(href, label), ...]) of the footer's columns, in order."""
    nav = html[html.index('class="footer-nav"') :]
    nav = nav[: nav.index("</nav>")]
    return [
        (title, re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', items))
        for title, items in re.findall(r"<h2>([^<]*)</h2>\s*<ul>(.*?)</ul>", nav, re.S)
    ]


def current_items(html: str) -> list[str]:
    """The labels of the menu items marked as the page being shown (header, then footer)."""
    return re.findall(r'<a (?:class="nav-aside" )?href="[^"]*" aria-current="page">([^<]*)</a>', html)


# --- the menus from the setting -------------------------------------------------------------------------------------


def test_menus_from_the_setting_render_in_order_with_their_hrefs(client, areas):
    set_menus(
        header=[
            link("帮扶故事", page=areas["stories"].pk),
            link("扶贫产品目录", url="/catalogue/"),
            link("地方馆", page=areas["pavilions"].pk),
            link("商务部", url="https://www.mofcom.gov.cn/"),
        ],
        footer=[
            ("逛馆", [link("全部商品", page=areas["catalog"].pk), link("直播", page=areas["live"].pk)]),
            ("帮扶服务", [link("证书核验", url="/verify/"), link("收益查询", url="/statement/?from=footer")]),
        ],
    )

    html = client.get("/").content.decode()

    assert header_menu(html) == [
        ("/stories/", "帮扶故事"),
        ("/catalogue/", "扶贫产品目录"),
        ("/pavilions/", "地方馆"),
        ("https://www.mofcom.gov.cn/", "商务部"),
    ]
    assert footer_menu(html) == [
        ("逛馆", [("/products/", "全部商品"), ("/live/", "直播")]),
        ("帮扶服务", [("/verify/", "证书核验"), ("/statement/?from=footer", "收益查询")]),
    ]


def test_the_item_of_the_page_shown_is_marked_current(client, areas):
    set_menus(
        header=[link("帮扶故事", page=areas["stories"].pk), link("专题活动", page=areas["campaigns"].pk)],
        footer=[("逛馆", [link("全部商品", url="/products/"), link("故事", page=areas["stories"].pk)])],
    )
    article = story(areas["stories"])

    assert current_items(client.get("/stories/").content.decode()) == ["帮扶故事", "故事"]
    assert current_items(client.get(article.url).content.decode()) == ["帮扶故事", "故事"]  # under it
    assert current_items(client.get("/products/").content.decode()) == ["全部商品"]
    assert current_items(client.get("/").content.decode()) == []


def test_english_pages_show_the_english_label_where_there_is_one(client, areas):
    set_menus(header=[link("帮扶故事", label_en="Stories", page=areas["stories"].pk), link("地方馆", url="/p/")])
    client.cookies["django_language"] = "en"

    assert header_menu(client.get("/").content.decode()) == [("/stories/", "Stories"), ("/p/", "地方馆")]


def test_a_page_link_follows_the_page_when_it_is_renamed_or_moved(client, areas):
    article = story(areas["stories"])
    set_menus(header=[link("帮扶故事", page=areas["stories"].pk), link("菏泽", page=article.pk)])
    assert header_menu(client.get("/").content.decode()) == [("/stories/", "帮扶故事"), ("/stories/heze/", "菏泽")]

    stories = ArticleIndexPage.objects.get(pk=areas["stories"].pk)
    stories.slug = "gushi"
    stories.save_revision().publish()
    assert header_menu(client.get("/").content.decode()) == [("/gushi/", "帮扶故事"), ("/gushi/heze/", "菏泽")]

    home = areas["home"]
    home.refresh_from_db()
    news = home.add_child(instance=ArticleIndexPage(title="公告", slug="news"))
    ArticlePage.objects.get(pk=article.pk).move(news, pos="last-child")
    assert header_menu(client.get("/").content.decode()) == [("/gushi/", "帮扶故事"), ("/news/heze/", "菏泽")]


def test_the_item_of_an_unpublished_page_disappears_until_it_is_published_again(client, areas):
    set_menus(
        header=[link("专题活动", page=areas["campaigns"].pk), link("地方馆", page=areas["pavilions"].pk)],
        footer=[("逛馆", [link("专题活动", page=areas["campaigns"].pk)]), ("服务", [link("核验", url="/verify/")])],
    )
    campaigns = CampaignIndexPage.objects.get()

    campaigns.unpublish()
    html = client.get("/").content.decode()
    assert header_menu(html) == [("/pavilions/", "地方馆")]
    assert footer_menu(html) == [("服务", [("/verify/", "核验")])]  # a column left empty is left out

    campaigns.save_revision().publish()
    assert header_menu(client.get("/").content.decode()) == [("/campaigns/", "专题活动"), ("/pavilions/", "地方馆")]


def test_a_deleted_page_leaves_the_menu(client, areas):
    article = story(areas["stories"])
    set_menus(header=[link("菏泽", page=article.pk), link("核验", url="/verify/")])
    assert header_menu(client.get("/").content.decode()) == [("/stories/heze/", "菏泽"), ("/verify/", "核验")]

    ArticlePage.objects.get(pk=article.pk).delete()

    assert header_menu(client.get("/").content.decode()) == [("/verify/", "核验")]


# --- the default menus ----------------------------------------------------------------------------------------------

DEFAULT_HEADER = [
    ("/campaigns/", "专题活动"),
    ("/pavilions/", "地方馆"),
    ("/live/", "直播带货"),
    ("/stories/", "帮扶故事"),
    ("/catalogue/", "扶贫产品目录"),
    ("/verify/", "证书核验"),
    ("/statement/", "收益查询"),
]
DEFAULT_FOOTER = [
    (
        "逛馆",
        [
            ("/products/", "全部商品"),
            ("/campaigns/", "专题活动"),
            ("/pavilions/", "地方馆"),
            ("/live/", "直播带货"),
            ("/stories/", "帮扶故事"),
        ],
    ),
    ("帮扶服务", [("/catalogue/", "扶贫产品目录"), ("/verify/", "证书核验"), ("/statement/", "收益查询")]),
    ("我的", [("/orders/", "我的订单"), ("/cart/", "购物车")]),
]


def test_without_menus_the_default_ones_reach_every_public_area(client, areas):
    html = client.get("/").content.decode()

    assert header_menu(html) == DEFAULT_HEADER
    assert footer_menu(html) == DEFAULT_FOOTER
    for _label, items in footer_menu(html):
        for href, _ in items:
            assert client.get(href).status_code in (200, 302), href  # /orders/ asks to sign in


def test_the_default_menus_leave_out_areas_whose_page_is_not_live(client, storefront):
    routing.clear_storefront_url_cache()
    html = client.get("/").content.decode()

    assert header_menu(html) == [("/catalogue/", "扶贫产品目录"), ("/verify/", "证书核验"), ("/statement/", "收益查询")]
    assert footer_menu(html)[0] == ("逛馆", [("/products/", "全部商品")])


def test_an_empty_header_in_the_setting_keeps_the_default_one(client, areas):
    set_menus(footer=[("关于", [link("证书核验", url="/verify/")])])
    html = client.get("/").content.decode()

    assert header_menu(html) == DEFAULT_HEADER
    assert footer_menu(html) == [("关于", [("/verify/", "证书核验")])]


def test_setup_fills_the_menus_with_the_default_items_as_editable_ones(client, areas):
    assert ensure_navigation_menus() is True

    setting = NavigationSettings.objects.get()
    header = [block.value for block in setting.header]
    assert [(item["label"], item["page"].specific_class if item["page"] else item["url"]) for item in header] == [
        ("专题活动", CampaignIndexPage),
        ("地方馆", PavilionIndexPage),
        ("直播带货", LiveIndexPage),
        ("帮扶故事", ArticleIndexPage),
        ("扶贫产品目录", "/catalogue/"),
        ("证书核验", "/verify/"),
        ("收益查询", "/statement/"),
    ]
    html = client.get("/").content.decode()
    assert header_menu(html) == DEFAULT_HEADER
    assert footer_menu(html) == DEFAULT_FOOTER

    # An administrator's menu is kept.
    set_menus(header=[link("故事", page=areas["stories"].pk)])
    assert ensure_navigation_menus() is False
    assert header_menu(client.get("/").content.decode()) == [("/stories/", "故事")]


# --- editing the menus in the admin ---------------------------------------------------------------------------------


def no_menu_saved() -> bool:
    # (The admin's edit page makes the setting's row on first view; its menus stay empty.)
    return all(not len(s.header) and not len(s.footer) for s in NavigationSettings.objects.all())


def settings_url():
    site = Site.objects.get(is_default_site=True)
    return reverse("wagtailsettings:edit", args=["cms", "navigationsettings", site.pk])


def menu_form(*header_links, footer=()):
    def value(item):
        return {
            "label": item.get("label", ""),
            "label_en": item.get("label_en", ""),
            "page": item.get("page") or "",
            "url": item.get("url", ""),
        }

    groups = [
        (
            "group",
            {
                "title": title,
                "title_en": "",
                "links": {
                    "count": str(len(links)),
                    **{
                        str(n): {"value": value(item), "deleted": "", "order": str(n), "id": ""}
                        for n, item in enumerate(links)
                    },
                },
            },
        )
        for title, links in footer
    ]
    return nested_form_data(
        {"header": streamfield([("link", value(item)) for item in header_links]), "footer": streamfield(groups)}
    )


def test_an_administrator_edits_the_menus_in_the_admin(client, areas, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    assert client.get(settings_url()).status_code == 200

    data = menu_form(
        {"label": "地方馆", "page": areas["pavilions"].pk},
        {"label": "核验", "url": " /verify/ "},
        footer=[("逛馆", [{"label": "全部商品", "url": "https://shop.example.cn/products/"}])],
    )
    response = client.post(settings_url(), data)

    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert header_menu(html) == [("/pavilions/", "地方馆"), ("/verify/", "核验")]
    assert footer_menu(html) == [("逛馆", [("https://shop.example.cn/products/", "全部商品")])]


@pytest.mark.parametrize(
    "item, field, message",
    [
        ({"label": "看看", "url": "javascript:alert(1)"}, "url", "链接只能是本站路径"),
        ({"label": "看看", "url": "JavaScript:alert(1)"}, "url", "链接只能是本站路径"),
        ({"label": "看看", "url": "data:text/html,hi"}, "url", "链接只能是本站路径"),
        ({"label": "看看", "url": "catalogue/"}, "url", "链接只能是本站路径"),
        ({"label": "看看", "url": "//evil.example.com/"}, "url", "站外链接请写完整地址"),
        ({"label": "看看", "url": "/cata logue/"}, "url", "链接中不能有空格"),
        ({"label": "看看"}, "page", "请选择一个页面或填写链接。"),
        ({"label": "", "url": "/verify/"}, "label", "必需字段"),
    ],
)
def test_the_admin_refuses_a_bad_menu_item_with_a_message(client, areas, django_user_model, item, field, message):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))

    response = client.post(settings_url(), menu_form({"label": "核验", "url": "/verify/"}, item))

    assert response.status_code == 200
    errors = response.context["form"].errors["header"].as_data()[0].block_errors[1].block_errors
    assert message in " ".join(errors[field].messages)
    assert no_menu_saved()


def test_the_admin_refuses_a_page_and_a_link_together(client, areas, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))

    response = client.post(settings_url(), menu_form({"label": "地方馆", "page": areas["pavilions"].pk, "url": "/p/"}))

    assert response.status_code == 200
    errors = response.context["form"].errors["header"].as_data()[0].block_errors[0].block_errors
    assert errors["url"].messages == ["页面和链接只能填一个：选了页面就请清空链接。"]
    assert no_menu_saved()


@pytest.mark.parametrize("who", ["operator", "officer", "buyer"])
def test_only_administrators_edit_the_menus(client, areas, regions, who):
    user = {
        "operator": lambda: UserFactory(roles=[Role.SHOP_OPERATOR]),
        "officer": lambda: officer_for(regions[2]),
        "buyer": lambda: UserFactory(roles=[Role.BUYER]),
    }[who]()
    client.force_login(user)

    assert client.get(settings_url()).status_code in (302, 403)
    response = client.post(settings_url(), menu_form({"label": "冒名", "url": "https://evil.example.com/"}))
    assert response.status_code in (302, 403)
    assert no_menu_saved()
    assert "evil.example.com" not in client.get("/").content.decode()


# --- breadcrumbs ------------------------------------------------------------------------------------------------------


def breadcrumbs(html: str) -> list[tuple[str, str | None, str]]:
    """(name, href or None, position) of the breadcrumb trail."""
    nav = html[html.index('<nav class="breadcrumb" aria-label="面包屑">') :]
    nav = nav[: nav.index("</nav>")]
    assert 'itemscope itemtype="https://schema.org/BreadcrumbList"' in nav
    return [
        (name, href or None, position)
        for href, name, position in re.findall(
            r'<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
            r'(?:<a itemprop="item" href="([^"]*)">)?<span itemprop="name"[^>]*>([^<]*)</span>(?:</a>)?'
            r'<meta itemprop="position" content="(\d+)"></li>',
            nav,
        )
    ]


def test_breadcrumbs_of_an_article_under_the_stories_index(client, areas):
    article = story(areas["stories"])

    html = client.get(article.url).content.decode()

    assert breadcrumbs(html) == [
        ("首页", "/", "1"),
        ("助农故事", "/stories/", "2"),
        ("菏泽：一条网线、一台电脑、一个网店", None, "3"),
    ]
    assert '<span itemprop="name" aria-current="page">菏泽：一条网线、一台电脑、一个网店</span>' in html
    assert breadcrumbs(client.get("/stories/").content.decode()) == [("首页", "/", "1"), ("助农故事", None, "2")]
    assert breadcrumbs(client.get("/live/").content.decode()) == [("首页", "/", "1"), ("直播间", None, "2")]
    assert 'class="breadcrumb"' not in client.get("/").content.decode()  # not on the home page


def test_breadcrumbs_of_catalogue_routes_end_with_what_they_show(client, storefront, shop, categories):
    from .builders import make_product

    product = make_product(shop, categories["tubers"], title="菏泽铁棍山药")

    assert breadcrumbs(client.get(f"/products/{product.pk}/").content.decode()) == [
        ("首页", "/", "1"),
        ("扶贫产品", "/products/", "2"),
        ("果蔬", "/products/category/fruit-veg/", "3"),
        ("薯类山药", "/products/category/tubers/", "4"),
        ("菏泽铁棍山药", None, "5"),
    ]
    assert breadcrumbs(client.get("/products/category/tubers/").content.decode()) == [
        ("首页", "/", "1"),
        ("扶贫产品", "/products/", "2"),
        ("果蔬", "/products/category/fruit-veg/", "3"),
        ("薯类山药", None, "4"),
    ]
    assert breadcrumbs(client.get("/products/shop/lizhuang/").content.decode()) == [
        ("首页", "/", "1"),
        ("扶贫产品", "/products/", "2"),
        ("李庄村电商网店", None, "3"),
    ]
    assert breadcrumbs(client.get("/products/").content.decode()) == [("首页", "/", "1"), ("扶贫产品", None, "2")]


# --- cost -------------------------------------------------------------------------------------------------------------


def test_the_menus_cost_no_query_however_many_items(client, areas, django_assert_num_queries):
    """Resolved once, then cached until something they are made of changes: the home page
    runs as many queries with 5 items as with 15 (and as with the default menus)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def home_queries():
        client.get("/")  # the menus are resolved and cached
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    default = home_queries()
    pages = [areas[name].pk for name in ("catalog", "campaigns", "pavilions", "live", "stories")]

    set_menus(header=[link(f"项{n}", page=pages[n % 5]) for n in range(5)])
    assert home_queries() == default
    assert len(header_menu(client.get("/").content.decode())) == 5

    set_menus(
        header=[link(f"项{n}", page=pages[n % 5]) for n in range(15)],
        footer=[("栏目", [link(f"链{n}", page=pages[n % 5]) for n in range(15)])],
    )
    client.get("/")
    with django_assert_num_queries(default):
        html = client.get("/").content.decode()
    assert len(header_menu(html)) == 15 and len(footer_menu(html)[0][1]) == 15

    # Resolving them (after a change) is two queries whatever their size: the setting, the pages.
    menus.clear_menu_cache()
    with django_assert_num_queries(default + 2):
        client.get("/")
