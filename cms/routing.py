"""URLs of the storefront's routable pages, and of the domain objects they show.

Products, categories and shops are Django models served through the routable
``CatalogPage``; live events through the routable ``LiveIndexPage``. Each is one page
whose URL depends on where editors put it, so looking it up on every
``get_absolute_url`` would cost a query per product card. Instead each page's URL is
cached per process (``SingletonPageURL``) and dropped whenever such a page, its place in
the tree or a site changes (the receivers at the bottom).

The models below cms know their identifiers, not their pages: ``cms/apps.py`` registers
``storefront_url`` and ``live_event_url`` with ``core.page_urls``, which their
``get_absolute_url`` asks."""

import threading

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import NoReverseMatch
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import ArticleIndexPage, CampaignIndexPage, CatalogPage, LiveIndexPage, PavilionIndexPage


class SingletonPageURL:
    """The URL of the first live page of a page type there is one of (``max_count = 1``),
    cached per process; the absence is cached too, so that a page of product cards does
    not look the page up once per card."""

    def __init__(self, model: type[Page], how_to_create: str):
        self.model = model
        self.how_to_create = how_to_create
        self._url: str | None = None
        self._lock = threading.Lock()

    def url(self) -> str:
        """The page's URL, e.g. ``/products/`` (relative with one site). Raises
        ``NoReverseMatch`` while there is no such live page."""
        url = self._url
        if url is None:
            page = self.model.objects.live().order_by("path").first()
            url = (page.get_url() if page is not None else None) or ""
            with self._lock:
                self._url = url
        if not url:
            name = self.model._meta.verbose_name
            raise NoReverseMatch(f"没有已发布的{name} (none is live): run {self.how_to_create}.")
        return url

    def clear(self) -> None:
        with self._lock:
            self._url = None


catalog_page = SingletonPageURL(CatalogPage, "cms.setup.ensure_storefront_pages()")
live_page = SingletonPageURL(LiveIndexPage, "cms.setup.ensure_live_page()")
# The stories (the first article index page), linked from the header and footer of every page.
stories_page = SingletonPageURL(ArticleIndexPage, "load_demo, or add an article index page in the admin")
# 专题活动 and 地方馆, linked from the menus (cms/menus.py).
campaign_index_page = SingletonPageURL(CampaignIndexPage, "load_demo, or add a campaign index page in the admin")
pavilion_index_page = SingletonPageURL(PavilionIndexPage, "load_demo, or add a pavilion index page in the admin")


def catalog_page_url() -> str:
    """The live catalogue page's URL, e.g. ``/products/``."""
    return catalog_page.url()


def storefront_url(route_name: str, *args) -> str:
    """The URL of one of ``CatalogPage``'s routes, e.g. ``storefront_url("product", 42)``."""
    return catalog_page.url() + CatalogPage.get_resolver().reverse(route_name, *args)


def live_page_url() -> str:
    """The live events page's URL, e.g. ``/live/``."""
    return live_page.url()


def live_event_url(code: str) -> str:
    """One event's public page, e.g. ``/live/ABCD2345/``."""
    return f"{live_page.url()}{code}/"


def stories_page_url() -> str:
    """The stories page's URL, e.g. ``/stories/``."""
    return stories_page.url()


def clear_storefront_url_cache(**kwargs) -> None:
    """Forget the cached page URLs (they are looked up again on next use)."""
    catalog_page.clear()
    live_page.clear()
    stories_page.clear()
    campaign_index_page.clear()
    pavilion_index_page.clear()


@receiver(post_save, sender=CatalogPage)
@receiver(post_delete, sender=CatalogPage)
@receiver(post_save, sender=LiveIndexPage)
@receiver(post_delete, sender=LiveIndexPage)
@receiver(post_save, sender=ArticleIndexPage)
@receiver(post_delete, sender=ArticleIndexPage)
@receiver(post_save, sender=CampaignIndexPage)
@receiver(post_delete, sender=CampaignIndexPage)
@receiver(post_save, sender=PavilionIndexPage)
@receiver(post_delete, sender=PavilionIndexPage)
@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _pages_changed(sender, **kwargs):
    clear_storefront_url_cache()
