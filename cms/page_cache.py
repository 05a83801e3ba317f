"""Which storefront pages the anonymous page cache (``core/page_cache.py``) keeps, and
what drops them: every change below is a tag bumped when its transaction commits.

* ``products`` + ``product:<id>``: a product, its pictures, its certificates (issued,
  revoked, changed), its reviews and review photos. Stock and units sold are product
  fields (``catalog.services`` saves them), so an order moves them too.
* ``site``: anything else a page shows — categories, shops (a shop closed hides its
  products), regions, producers, households, collectives and benefit linkages (a product
  page's benefit summary), live events and their featured products and shops, Wagtail
  pages (published, unpublished, moved, deleted), sites, the navigation setting, pictures.
* ``sales``: the ledger booked entries (campaign progress, an ended event's results).

Time does the rest: a page is kept until the next live event or published campaign starts
or ends (``next_change``), a banner's window opens or shuts (``block_data``), or
midnight (core). Wagtail's scheduled publishing publishes through ``page_published``."""

import datetime as dt

from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from attribution.events import entries_booked
from catalog.models import Category, Product, ProductImage, Shop
from certification.models import Certificate
from core import page_cache
from core.models import Bureau
from core.page_cache import PRODUCTS, SALES, SITE
from live.models import FeaturedProduct, LiveEvent
from orders.models import Review, ReviewPhoto
from producers.models import BenefitLinkage, BenefitShare, Collective, Household, Producer, Region

from .models import CampaignPage
from .navigation import NavigationSettings


def next_change(now: dt.datetime) -> dt.datetime | None:
    """The next moment a live event or a live campaign page starts or ends (two queries)."""
    events = LiveEvent.objects.with_window().aggregate(
        start=Min("window_start_at", filter=Q(window_start_at__gt=now)),
        end=Min("window_end_at", filter=Q(window_end_at__gt=now)),
    )
    campaigns = CampaignPage.objects.live().aggregate(
        start=Min("starts_at", filter=Q(starts_at__gt=now)),
        end=Min("ends_at", filter=Q(ends_at__gt=now)),
    )
    moments = [m for m in (*events.values(), *campaigns.values()) if m is not None]
    # An ended event's page shows its post-live window (refunds still count) until it closes.
    ended = LiveEvent.objects.with_window().filter(window_end_at__lte=now).order_by("-window_end_at").first()
    if ended is not None and ended.post_live_end > now:
        moments.append(ended.post_live_end)
    return min(moments) if moments else None


# --- what drops kept pages -------------------------------------------------------------------------------------------


def _product_changed(sender, instance, **kwargs):
    page_cache.changed(PRODUCTS, page_cache.product_tag(instance.pk))


def _product_part_changed(sender, instance, **kwargs):
    page_cache.changed(PRODUCTS, page_cache.product_tag(instance.product_id))


def _review_photo_changed(sender, instance, **kwargs):
    page_cache.changed(PRODUCTS, page_cache.product_tag(instance.review.product_id))


def _site_changed(sender=None, **kwargs):
    page_cache.changed(SITE)


def _sales_changed(sender=None, **kwargs):
    page_cache.changed(SALES)


def _page_saved(sender, **kwargs):
    if issubclass(sender, Page):
        page_cache.changed(SITE)


def _connect() -> None:
    post_save.connect(_product_changed, sender=Product, dispatch_uid="page_cache:Product:save")
    post_delete.connect(_product_changed, sender=Product, dispatch_uid="page_cache:Product:delete")
    for model in (ProductImage, Certificate, Review):
        post_save.connect(_product_part_changed, sender=model, dispatch_uid=f"page_cache:{model.__name__}:save")
        post_delete.connect(_product_part_changed, sender=model, dispatch_uid=f"page_cache:{model.__name__}:delete")
    post_save.connect(_review_photo_changed, sender=ReviewPhoto, dispatch_uid="page_cache:ReviewPhoto:save")
    post_delete.connect(_review_photo_changed, sender=ReviewPhoto, dispatch_uid="page_cache:ReviewPhoto:delete")
    site_models = (
        Category,
        Shop,
        Region,
        Producer,
        Household,
        Collective,
        BenefitLinkage,
        BenefitShare,
        LiveEvent,
        FeaturedProduct,
        Site,
        NavigationSettings,
        Bureau,
        get_image_model(),
    )
    for model in site_models:
        post_save.connect(_site_changed, sender=model, dispatch_uid=f"page_cache:{model.__name__}:save")
        post_delete.connect(_site_changed, sender=model, dispatch_uid=f"page_cache:{model.__name__}:delete")
    # A page saved or deleted directly (not only published): any page type.
    post_save.connect(_page_saved, dispatch_uid="page_cache:page:save")
    post_delete.connect(_page_saved, dispatch_uid="page_cache:page:delete")
    m2m_changed.connect(_site_changed, sender=LiveEvent.shops.through, dispatch_uid="page_cache:LiveEvent.shops")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_site_changed, dispatch_uid=f"page_cache:{signal}")
    entries_booked.connect(_sales_changed, dispatch_uid="page_cache:entries_booked")
    page_cache.expiry_sources.append(next_change)


_connect()
