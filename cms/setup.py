"""Creating the storefront's page tree (home, catalogue, live events) and its menus: used by
the demo data command and by tests."""

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page, Site

from . import menus
from .models import CatalogPage, HomePage, LiveIndexPage, NavigationSettings

CATALOG_SLUG = "products"


def default_home_body(products_shown: int = 12) -> list[dict]:
    """The blocks a new home page starts with, what the home page showed before it was
    built from blocks: live and upcoming events, category tiles, the newest products
    (with a link to the catalogue) and the shops. (Migration 0005 gives an existing home
    page with an empty body the same blocks.)"""
    return [
        {"type": "live_strip", "value": {"title": "", "region": None, "count": 6}},
        {"type": "category_tiles", "value": {"title": "", "categories": []}},
        {
            "type": "product_grid",
            "value": {
                "title": "",
                "source": "newest",
                "products": [],
                "category": None,
                "region": None,
                "shop": None,
                "sort": "newest",
                "count": products_shown,
                "more": {"page": None, "url": ""},
            },
        },
        {
            "type": "shop_list",
            "value": {"title": "", "source": "region", "shops": [], "region": None, "count": 12},
        },
    ]


@transaction.atomic
def ensure_storefront_pages(site_name: str = "消费帮扶馆") -> tuple[HomePage, CatalogPage]:
    """Make sure the default site's root is a HomePage with a live CatalogPage under it
    (slug ``products``). Replaces Wagtail's placeholder welcome page. Idempotent."""
    home = HomePage.objects.first()
    new_home = home is None
    if new_home:
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(
                title=site_name,
                slug="storefront",
                intro="<p>买扶贫产品，助乡村振兴。每一笔消费都记到受益农户和村集体。</p>",
            )
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=site_name)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = site_name
        site.save()
    # Wagtail's placeholder welcome page, if still there, is of no use to anyone.
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore", content_type__model="page").delete()
    catalog = CatalogPage.objects.first()
    if catalog is None:
        home.refresh_from_db()
        catalog = home.add_child(instance=CatalogPage(title="扶贫产品", slug=CATALOG_SLUG))
    if new_home:
        home.refresh_from_db()
        home.body = default_home_body()
        home.save(update_fields=["body"])
    return home, catalog


LIVE_SLUG = "live"


@transaction.atomic
def ensure_live_page() -> LiveIndexPage:
    """A live ``LiveIndexPage`` (slug ``live``, the events' public pages) under the home
    page. Idempotent."""
    page = LiveIndexPage.objects.first()
    if page is None:
        home, _catalog = ensure_storefront_pages()
        home.refresh_from_db()
        page = home.add_child(
            instance=LiveIndexPage(
                title="直播间",
                slug=LIVE_SLUG,
                intro="<p>村播带货：正在直播、直播预告和精彩回放。通过直播链接下单，成交计入这场直播。</p>",
            )
        )
    return page


def _menu_link(area_name: str) -> dict | None:
    """A menu item for one of the public areas (``cms.menus.AREAS``): a page link for an
    area that is a page of the tree, a URL for the others; None while its page is not live."""
    area = menus.AREAS[area_name]
    with translation.override("zh-hans"):
        label = str(area.label)
    with translation.override("en"):
        label_en = str(area.label)
    link = {"label": label, "label_en": label_en, "page": None, "url": ""}
    if area.page is not None:
        link["page"] = area.page.model.objects.live().order_by("path").first()
        if link["page"] is None:
            return None
    else:
        link["url"] = reverse(area.url_name)
    return link


@transaction.atomic
def ensure_navigation_menus(site: Site | None = None, *, replace: bool = False) -> bool:
    """Fill the site's header and footer menus (设置 › 网站导航; the default site's unless
    another is given) with the default ones, as editable items, unless an administrator has
    already made them (or ``replace``). Areas whose page is not live yet are left out, so
    call this after the pages are made. Returns whether the menus were filled."""
    site = site or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return False
    setting = NavigationSettings.objects.filter(site=site).first() or NavigationSettings(site=site)
    if not replace and (len(setting.header) or len(setting.footer)):
        return False
    header = [_menu_link(name) for name in menus.DEFAULT_HEADER]
    setting.header = [("link", link) for link in header if link is not None]
    footer = []
    for title, area_names in menus.DEFAULT_FOOTER:
        links = [link for link in map(_menu_link, area_names) if link is not None]
        if links:
            with translation.override("zh-hans"):
                group = {"title": str(title), "links": links}
            with translation.override("en"):
                group["title_en"] = str(title)
            footer.append(("group", group))
    setting.footer = footer
    setting.save()
    return True
