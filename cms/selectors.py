"""Reads behind the storefront pages that go beyond the catalogue's own lists
(``catalog.selectors``): a product's page with its certificate and who it benefits, and the
live events' public pages with their prices of the moment and results. Every product
shown starts from ``Product.objects.listed()`` so that whatever decides "may be shown"
applies here too."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from wagtail.images import get_image_model

from catalog import selectors as catalog_selectors
from catalog.models import DETAIL_RENDITIONS, Product, ProductImage
from certification.models import Certificate
from live.models import EventStatus, LiveEvent, Platform
from live.pricing import quotes_at
from live_results.selectors import event_results
from producers.models import Collective
from producers.selectors import households_benefited_by, linkage_in_force, next_linkage_change

from .renditions import ARTICLE_CARD_RENDITION, BANNER_RENDITIONS


def listed_product_row(pk: int) -> Product | None:
    """A listed product with what its buy box and its share tags show (its shop and
    producer joined; its category chain from the kept category tree), or None if it is
    not (or no longer) for sale: one query of three tables. The rest of its page is kept
    rendered (``cms/fragments.py``), read only when it is not."""
    product = next(
        iter(Product.objects.listed().select_related("shop", "producer").filter(pk=pk).order_by()[:1]),
        None,
    )
    if product is not None:
        tree = catalog_selectors.category_tree()
        by_id = {c.pk: c for group in tree.values() for c in group}
        if product.category_id in by_id:
            product.category = by_id[product.category_id]
        product.category_chain = catalog_selectors.ancestors(product.category, tree)
    return product


def product_pictures(product: Product) -> list:
    """The product's pictures in order, with their detail renditions: two queries."""
    image_qs = ProductImage.objects.select_related("image").prefetch_related(
        Prefetch(
            "image__renditions",
            queryset=get_image_model().get_rendition_model().objects.filter(filter_spec__in=DETAIL_RENDITIONS),
        )
    )
    prefetch_related_objects([product], Prefetch("images", queryset=image_qs))
    return [pi.image for pi in product.images.all()]


@dataclass(frozen=True)
class ProductExtras:
    certificate: Certificate | None  # the certificate valid today shown in the badge, bureau joined
    origin_full_name: str
    benefit: "BenefitSummary"
    until: dt.datetime | None  # when the linkage in force changes by itself (a version put in force later)


def product_extras(product: Product, now: dt.datetime) -> ProductExtras:
    """What a product's page shows beside the product itself: four queries (its page is kept
    rendered: ``cms/fragments.py``)."""
    return ProductExtras(
        certificate=Certificate.objects.valid_now()
        .select_related("bureau")
        .filter(product=product)
        .order_by("-valid_until")
        .first(),
        origin_full_name=product.origin_region.full_name(),
        benefit=benefit_summary(product),
        until=next_linkage_change(product, now),
    )


def banner_image(image_id: int | None):
    """The banner picture of a campaign or pavilion page with its banner renditions and
    share rendition prefetched (two queries), or None."""
    if image_id is None:
        return None
    rendition_qs = get_image_model().get_rendition_model().objects.filter(filter_spec__in=BANNER_RENDITIONS)
    return (
        get_image_model()
        .objects.prefetch_related(Prefetch("renditions", queryset=rendition_qs))
        .filter(pk=image_id)
        .first()
    )


def page_banner(page):
    """``banner_image`` of a campaign or pavilion page, also kept as the page's ``banner``
    so that what else reads it (its share picture) asks no more."""
    banner = banner_image(page.banner_id)
    if banner is not None:
        page.banner = banner
    return banner


def with_card_picture(qs, field: str):
    """``qs`` (pages or events) with the picture in ``field`` and its card rendition
    (``ARTICLE_CARD_RENDITION``) fetched along: two queries more, however many rows."""
    rendition_qs = get_image_model().get_rendition_model().objects.filter(filter_spec=ARTICLE_CARD_RENDITION)
    return qs.select_related(field).prefetch_related(Prefetch(f"{field}__renditions", queryset=rendition_qs))


def card_renditions_together(*groups) -> None:
    """The card renditions (``ARTICLE_CARD_RENDITION``) of the pictures of several lists of
    one page, in one query: ``groups`` are (rows, field) pairs, each list loaded with the
    picture in ``field`` joined (``select_related``)."""
    images = {}
    for rows, field in groups:
        for row in rows:
            image = getattr(row, field)
            if image is not None:
                images.setdefault(image.pk, []).append(image)
    if images:
        rendition_qs = get_image_model().get_rendition_model().objects.filter(filter_spec=ARTICLE_CARD_RENDITION)
        prefetch_related_objects(
            [image for same in images.values() for image in same], Prefetch("renditions", queryset=rendition_qs)
        )


@dataclass(frozen=True)
class BenefitSummary:
    """What the public may know of a product's benefit linkage: a household count and
    collective names. Household names and numbers never leave the admin."""

    household_count: int
    collectives: list[str]


def benefit_summary(product: Product) -> BenefitSummary:
    linkage = linkage_in_force(product)
    if linkage is None:
        return BenefitSummary(household_count=0, collectives=[])
    collectives = list(
        Collective.objects.filter(shares__linkage=linkage).order_by("name").values_list("name", flat=True)
    )
    return BenefitSummary(household_count=households_benefited_by(linkage), collectives=collectives)


# --- live events' public pages -------------------------------------------------------------------------------------


def _with_cover(qs):
    return with_card_picture(qs, "cover")


def current_events(now: dt.datetime):
    """Live and upcoming published events (with their covers), by start."""
    return (
        _with_cover(LiveEvent.objects.published().with_window())
        .filter(window_end_at__gt=now)
        .order_by("window_start_at", "pk")
    )


def live_first(events: list[LiveEvent], now: dt.datetime) -> list[LiveEvent]:
    """``events`` with those on air first, then by start."""
    return sorted(events, key=lambda e: (e.status_at(now) != EventStatus.LIVE, e.window_start, e.pk))


def public_event_lists(now: dt.datetime) -> dict[str, list[LiveEvent]]:
    published = _with_cover(LiveEvent.objects.published().with_window())
    current = list(current_events(now)[:50])
    return {
        "live": [e for e in current if e.status_at(now) == EventStatus.LIVE],
        "upcoming": [e for e in current if e.status_at(now) == EventStatus.UPCOMING],
        "past": list(published.filter(window_end_at__lte=now).order_by("-window_end_at", "-pk")[:12]),
    }


@dataclass
class PublicFeature:
    product: Product
    price_fen: int
    regular_fen: int
    event_price_fen: int | None
    buyable: bool


def public_event_context(code: str, now: dt.datetime) -> dict | None:
    """What one event's public page shows, or None when there is no such published event."""
    event = _with_cover(LiveEvent.objects.published()).prefetch_related("shops").filter(code=code.upper()).first()
    if event is None:
        return None
    features = list(event.featured.select_related("product").order_by("sort_order", "pk"))
    products = {p.pk: p for p in Product.objects.listed().for_cards().filter(pk__in=[f.product_id for f in features])}
    quotes = quotes_at(products.values(), now)
    status = event.status_at(now)
    rows = [
        PublicFeature(
            product=products[f.product_id],
            price_fen=quotes[f.product_id].price_fen,
            regular_fen=products[f.product_id].price_fen,
            event_price_fen=f.event_price_fen,
            buyable=status == EventStatus.LIVE and products[f.product_id].stock > 0,
        )
        for f in features
        if f.product_id in products
    ]
    return {
        "event": event,
        "event_status": status,
        "features": rows,
        "seconds_to_start": max(0, int((event.window_start - now).total_seconds())),
        "results": event_results(event, now=now) if status == EventStatus.ENDED else None,
        "in_post_live": status == EventStatus.ENDED and now < event.post_live_end,
        # The stream's player, framed on the page while on air (own platform only; the
        # others are links to their rooms). The page's policy allows this one origin.
        "player_url": event.embed_url if status == EventStatus.LIVE and event.platform == Platform.OWN else "",
    }
