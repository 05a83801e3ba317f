"""The header and footer menus as pages show them: the site's ``NavigationSettings``
(``cms/navigation.py``) resolved into labels and URLs, or, while a menu is empty there, the
default menu below, which reaches every public area.

Resolving a menu costs two queries (the setting, then every linked page at once), so the
result is kept in the shared cache, per host, and dropped whenever the setting, a page, its
place in the tree or a site changes (the receivers at the bottom). A page view then asks
the database nothing for its menus, however many items they have. The cache key carries a
generation (``core/generations.py``) that each change replaces, so that a process that read
the database just before a change cannot store the old menu under the key the next request
reads.

The default menus need no cache: their page URLs are ``cms/routing.py``'s per-process
ones."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from core.generations import Generation, in_process

from . import routing
from .navigation import NavigationSettings

generation = Generation("cms:menus")
MENU_KEY = "cms:menus:{generation}:{host}"
# The receivers drop the menus on every change; the timeout only bounds one they missed
# (a queryset update, a change made by hand in the database).
MENU_TIMEOUT = 3600


# --- the public areas and the default menus -------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A public area of the storefront: a page of the tree (one of routing's singletons)
    or a URL of the Django views."""

    label: str
    page: routing.SingletonPageURL | None = None
    url_name: str = ""

    def url(self) -> str:
        """The area's URL; "" while its page is not live."""
        try:
            return self.page.url() if self.page is not None else reverse(self.url_name)
        except NoReverseMatch:
            return ""


AREAS = {
    "products": Area(_("全部商品"), page=routing.catalog_page),
    "campaigns": Area(_("专题活动"), page=routing.campaign_index_page),
    "pavilions": Area(pgettext_lazy("menu", "地方馆"), page=routing.pavilion_index_page),
    "live": Area(_("直播带货"), page=routing.live_page),
    "stories": Area(_("帮扶故事"), page=routing.stories_page),
    "catalogue": Area(_("扶贫产品目录"), url_name="certified_catalogue"),
    "verify": Area(_("证书核验"), url_name="certificate_verify_form"),
    "statement": Area(_("收益查询"), url_name="attribution:lookup"),
    "orders": Area(_("我的订单"), url_name="orders:list"),
    "cart": Area(_("购物车"), url_name="orders:cart"),
}
# The header shows the menu after the product categories, which begin with 全部商品; the
# cart and the buyer's orders have their own links in the header row.
DEFAULT_HEADER = ["campaigns", "pavilions", "live", "stories", "catalogue", "verify", "statement"]
DEFAULT_FOOTER = [
    (_("逛馆"), ["products", "campaigns", "pavilions", "live", "stories"]),
    (_("帮扶服务"), ["catalogue", "verify", "statement"]),
    (_("我的"), ["orders", "cart"]),
]


# --- what templates get -----------------------------------------------------------------------------------------------


@dataclass
class MenuItem:
    label: str
    href: str
    current: bool = False


@dataclass
class MenuGroup:
    title: str
    items: list[MenuItem] = field(default_factory=list)


@dataclass
class Menus:
    header: list[MenuItem]
    footer: list[MenuGroup]


def menus_for_request(request) -> Menus:
    """The request's site's menus in the active language, the item of the page being
    shown marked ``current``. No query once the menus are cached (see the module)."""
    stored = stored_menus(request)
    english = (translation.get_language() or "").startswith("en")

    def label(chinese: str, english_label: str) -> str:
        return english_label if english and english_label else chinese

    if stored["header"] is None:
        header = _default_items(DEFAULT_HEADER)
    else:
        header = [MenuItem(label(*labels), href) for *labels, href in stored["header"]]
    if stored["footer"] is None:
        footer = [MenuGroup(str(title), _default_items(areas)) for title, areas in DEFAULT_FOOTER]
    else:
        footer = [
            MenuGroup(label(title, title_en), [MenuItem(label(*labels), href) for *labels, href in links])
            for title, title_en, links in stored["footer"]
        ]
    path = request.path if request is not None else ""
    _mark_current(header, path)
    _mark_current([item for group in footer for item in group.items], path)
    return Menus(header=header, footer=[group for group in footer if group.items])


def _default_items(areas: list[str]) -> list[MenuItem]:
    items = [MenuItem(str(AREAS[name].label), AREAS[name].url()) for name in areas]
    return [item for item in items if item.href]


def _mark_current(items: list[MenuItem], path: str) -> None:
    """Mark the item whose URL is the path, or else the longest one the path lies under
    (a story marks 帮扶故事); the home page's "/" only on the home page."""
    best = None
    for item in items:
        href = item.href
        if not href.startswith("/"):
            continue
        if href == path or (href != "/" and href.endswith("/") and path.startswith(href)):
            if best is None or len(href) > len(best.href):
                best = item
    if best is not None:
        for item in items:
            item.current = item.href == best.href


# --- the setting, resolved and cached ---------------------------------------------------------------------------------


def stored_menus(request) -> dict:
    """``{"header": [(label, label_en, href), ...] or None, "footer": [(title, title_en,
    [(label, label_en, href), ...]), ...] or None}`` for the request's site; None for a menu
    the setting leaves empty (the default one is shown)."""
    try:
        host = request.get_host() if request is not None else ""
    except DisallowedHost:  # the 400 page of a request for a host not served here
        host, request = "", None
    version = generation.current()
    key = MENU_KEY.format(generation=version, host=host)

    def load():
        menus = cache.get(key)
        if menus is None:
            site = (
                Site.find_for_request(request)
                if request is not None
                else Site.objects.filter(is_default_site=True).first()
            )
            menus = resolve_menus(site)
            cache.set(key, menus, MENU_TIMEOUT)
        return menus

    # Kept in the process too (the key carries the menus' version; none without the cache).
    return in_process(key, load) if version else load()


def _links_of(raw_group_value: dict) -> list[dict]:
    """A footer column's link values (a ListBlock: items as ``{"type": "item", "value":
    ...}``, or plain values in the older format)."""
    links = []
    for item in raw_group_value.get("links") or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            item = item["value"]
        links.append(item)
    return links


def resolve_menus(site: Site | None) -> dict:
    """The site's menus with every page link turned into the page's URL (one query for
    all the pages); links to pages that are not live, or that no site serves, are left
    out."""
    setting = NavigationSettings.objects.filter(site=site).first() if site is not None else None
    if setting is None:
        return {"header": None, "footer": None}
    header = [block["value"] for block in setting.header.raw_data if block.get("type") == "link"]
    footer = [block["value"] for block in setting.footer.raw_data if block.get("type") == "group"]
    links = header + [link for group in footer for link in _links_of(group)]
    page_ids = {link.get("page") for link in links if link.get("page")}
    urls = {}
    if page_ids:
        for page in Page.objects.live().filter(pk__in=page_ids):
            urls[page.pk] = page.get_url(current_site=site) or ""

    def resolved(values: list[dict]) -> list[tuple[str, str, str]]:
        out = []
        for value in values:
            href = urls.get(value.get("page"), "") if value.get("page") else value.get("url") or ""
            if href and value.get("label"):
                out.append((value["label"], value.get("label_en") or "", href))
        return out

    return {
        "header": resolved(header) if header else None,
        "footer": [
            (group.get("title") or "", group.get("title_en") or "", resolved(_links_of(group))) for group in footer
        ]
        if footer
        else None,
    }


def clear_menu_cache(**kwargs) -> None:
    """Forget every cached menu (a new generation: the old keys are never read again)."""
    generation.replace()


@receiver(post_save, dispatch_uid="cms_menus_saved")
@receiver(post_delete, dispatch_uid="cms_menus_deleted")
def _model_changed(sender, instance=None, **kwargs):
    # A page's URL changes when it (or a page above it) is saved with another slug; the
    # setting and the sites are the rest of what a menu is made from.
    if isinstance(instance, Page | NavigationSettings | Site):
        clear_menu_cache()


@receiver(page_published, dispatch_uid="cms_menus_published")
@receiver(page_unpublished, dispatch_uid="cms_menus_unpublished")
@receiver(post_page_move, dispatch_uid="cms_menus_moved")
def _page_changed(sender, **kwargs):
    clear_menu_cache()
