"""sitemap.xml: an index of one sitemap per kind of public page, each paginated by Django's
sitemap framework (50,000 addresses a page, ``?p=2`` for the next).

- ``pages``: the live, public Wagtail pages of the default site (home, catalogue, stories,
  campaigns, pavilions…), with their last publication as lastmod;
- ``products``: every product of ``Product.objects.listed()`` and no other (a product that
  loses its certificate, is unlisted or whose shop closes drops out at once), lastmod its
  last change;
- ``shops``: the active shops; ``categories``: every category;
- ``live``: the published live events' public pages.

Every address is absolute from ``SITE_URL``, like the pages' canonical URLs. Each sitemap
page costs a fixed number of queries (a count and one page of rows), whatever the rows."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from wagtail.models import Page, Site

from catalog.models import Category, Product, Shop
from live.models import LiveEvent

from . import routing


class SiteURLSitemap(Sitemap):
    """Addresses on ``SITE_URL`` rather than on the host the crawler asked."""

    lastmod_field: str | None = None

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def queryset(self):
        raise NotImplementedError

    def items(self):
        return self.queryset()

    def lastmod(self, item):
        return getattr(item, self.lastmod_field) if self.lastmod_field else None

    def get_latest_lastmod(self):
        """One aggregate query (Django's default reads every row)."""
        if not self.lastmod_field:
            return None
        return self.queryset().aggregate(latest=Max(self.lastmod_field))["latest"]


def _served(url_of) -> bool:
    """Whether the routable page behind ``url_of`` is live (no page, no addresses)."""
    try:
        url_of()
    except NoReverseMatch:
        return False
    return True


class PageSitemap(SiteURLSitemap):
    lastmod_field = "last_published_at"

    def queryset(self):
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            return Page.objects.none()
        return (
            Page.objects.live()
            .public()
            .descendant_of(site.root_page, inclusive=True)
            .only("pk", "path", "depth", "url_path", "last_published_at")
            .order_by("path")
        )

    def location(self, item):
        return item.get_url_parts()[2]


class ProductSitemap(SiteURLSitemap):
    lastmod_field = "updated_at"

    def queryset(self):
        if not _served(routing.catalog_page_url):
            return Product.objects.none()
        return Product.objects.listed().only("pk", "updated_at").order_by("pk")


class ShopSitemap(SiteURLSitemap):
    def queryset(self):
        if not _served(routing.catalog_page_url):
            return Shop.objects.none()
        return Shop.objects.active().only("pk", "slug").order_by("pk")


class CategorySitemap(SiteURLSitemap):
    def queryset(self):
        if not _served(routing.catalog_page_url):
            return Category.objects.none()
        return Category.objects.only("pk", "slug").order_by("sort_order", "pk")


class LiveEventSitemap(SiteURLSitemap):
    lastmod_field = "updated_at"

    def queryset(self):
        if not _served(routing.live_page_url):
            return LiveEvent.objects.none()
        return LiveEvent.objects.published().only("pk", "code", "updated_at").order_by("pk")


SITEMAPS = {
    "pages": PageSitemap,
    "products": ProductSitemap,
    "shops": ShopSitemap,
    "categories": CategorySitemap,
    "live": LiveEventSitemap,
}


@x_robots_tag
def index(request):
    """The sitemap index: each section's sitemap, and each further page of it."""
    items = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        url = settings.SITE_URL.rstrip("/") + reverse("sitemap_section", kwargs={"section": section})
        lastmod = sitemap.get_latest_lastmod()
        items.append(SitemapIndexItem(url, lastmod))
        items.extend(SitemapIndexItem(f"{url}?p={n}", lastmod) for n in range(2, sitemap.paginator.num_pages + 1))
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml")


def section(request, section):
    return sitemap_view(request, SITEMAPS, section=section)
