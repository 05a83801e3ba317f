"""Reads behind the regional pavilions (地方馆): what a pavilion finds by itself from its
region, and the pavilion index grouped province → city → county.

"In the region" means in it or anywhere under it, by division code prefix (a region's
code starts with its parents' codes: ``Region.objects.within``). A city's pavilion
therefore shows its counties' shops, products, events and stories too.

``models.py`` calls these from ``get_context`` and hands over its own querysets, so this
module does not import the page models (they import it)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.urls import NoReverseMatch

from catalog.caching import kept_for_listing
from catalog.models import Product, Shop
from core.page_urls import page_url
from live.models import EventStatus, LiveEvent
from producers.models import Region

from .selectors import card_renditions_together, page_banner, with_card_picture

PRODUCTS_PER_PAGE = 12
SHOWN_SHOPS = 24
SHOWN_EVENTS = 6
SHOWN_STORIES = 6


def region_shops(region: Region) -> list[Shop]:
    """The active shops whose village (or township, county …) lies in the region, by name."""
    return list(
        Shop.objects.active()
        .filter(region__code__startswith=region.code)
        .select_related("region")
        .order_by("name", "pk")[:SHOWN_SHOPS]
    )


def region_products(region: Region):
    """The listed products of the region, newest first, for product cards.

    The rule: a product belongs to the region of its **origin** (``Product.origin_region``,
    产地), wherever the shop selling it is. That is what a pavilion of local produce shows,
    and the region the search's region filter and the product cards' 产地 use."""
    return (
        Product.objects.listed()
        .filter(origin_region__code__startswith=region.code)
        .card_rows()
        .order_by("-created_at", "-pk")
    )


def region_events(region: Region, now: dt.datetime) -> list[LiveEvent]:
    """Published live events of the region: on air first, then coming ones by start, then
    past ones, latest ending first; at most ``SHOWN_EVENTS``, their covers joined (their
    renditions: ``card_renditions_together``). One query; none while there is no live
    events page to link them to."""
    try:
        page_url("live_event", "")  # cached per process (cms/routing.py): no query
    except NoReverseMatch:
        return []
    ended = Case(When(window_end_at__lte=now, then=Value(1)), default=Value(0), output_field=IntegerField())
    events = list(
        LiveEvent.objects.published()
        .select_related("cover")
        .with_window()
        .filter(region__code__startswith=region.code)
        .annotate(has_ended=ended)
        .order_by(
            "has_ended",
            Case(When(window_end_at__gt=now, then=F("window_start_at"))).asc(nulls_last=True),
            F("window_end_at").desc(),
            "pk",
        )[:SHOWN_EVENTS]
    )
    events.sort(key=lambda e: {EventStatus.LIVE: 0, EventStatus.UPCOMING: 1}.get(e.status_at(now), 2))  # stable
    return events


def region_stories(stories, region: Region):
    """Stories (``stories``: the live, public article pages) about the region, newest first,
    their covers joined."""
    return list(
        stories.select_related("cover")
        .filter(region__code__startswith=region.code)
        .order_by("-date", "-pk")[:SHOWN_STORIES]
    )


def pavilion_context(page, *, stories, children, now: dt.datetime, page_number: int) -> dict:
    """Everything a pavilion page shows beyond its own fields. ``stories``: the live,
    public article pages; ``children``: the live, public pavilion pages under this one."""
    region = page.region
    products = Paginator(region_products(region), PRODUCTS_PER_PAGE)
    # How many products the region lists, kept for the day until a product, shop, category,
    # certificate or region changes (catalog/caching.py): no COUNT(*) per request.
    products.count = kept_for_listing(f"region:{region.code}", region_products(region).count)
    live_events = region_events(region, now)
    stories = region_stories(stories, region)
    child_pavilions = list(children.select_related("region", "banner").order_by("path"))
    # The three lists' pictures at card size: one query for all.
    card_renditions_together((live_events, "cover"), (stories, "cover"), (child_pavilions, "banner"))
    return {
        "region": region,
        "region_full_name": region.full_name(),
        "banner": page_banner(page),
        "shops": region_shops(region),
        "products": products.get_page(page_number),
        "live_events": live_events,
        "stories": stories,
        "child_pavilions": child_pavilions,
    }


# --- the index -------------------------------------------------------------------------------------------------------


@dataclass
class Node:
    """One region of the index: its pavilion if it has one, and the nodes under it."""

    region: Region
    pavilion: object = None
    children: list["Node"] = field(default_factory=list)


def _counts_by_prefix(rows, prefixes: set[str]) -> Counter:
    """Sum counts kept per region code into every prefix (a pavilion's region) they fall under."""
    out: Counter = Counter()
    lengths = {len(p) for p in prefixes}
    for code, n in rows:
        for length in lengths:
            if code[:length] in prefixes:
                out[code[:length]] += n
    return out


def pavilion_tree(pavilions) -> list[Node]:
    """The live pavilions (``pavilions``) grouped province → city → county by their regions'
    codes, whatever their place in the page tree; a province or city without a pavilion of
    its own still heads its group. Each pavilion gets ``shop_count`` and
    ``product_count`` (active shops, listed products by origin, in or under its region).
    Five queries, however many pavilions."""
    pavilions = list(with_card_picture(pavilions.select_related("region"), "banner"))
    prefixes = {p.region.code for p in pavilions}
    shop_rows = Shop.objects.active().values_list("region__code").annotate(n=Count("pk")).order_by()
    product_rows = Product.objects.listed().values_list("origin_region__code").annotate(n=Count("pk")).order_by()
    shops, products = _counts_by_prefix(shop_rows, prefixes), _counts_by_prefix(product_rows, prefixes)
    for p in pavilions:
        p.shop_count, p.product_count = shops[p.region.code], products[p.region.code]

    heads = {code[:n] for code in prefixes for n in (2, 4) if len(code) > n}
    regions = {r.code: r for r in Region.objects.filter(code__in=heads | prefixes)}
    nodes = {code: Node(region=r) for code, r in regions.items()}
    for p in pavilions:
        nodes[p.region.code].pavilion = p
    roots: list[Node] = []
    for code in sorted(nodes):
        parent = next((nodes[code[:n]] for n in (9, 6, 4, 2) if n < len(code) and code[:n] in nodes), None)
        (parent.children if parent else roots).append(nodes[code])
    return roots
