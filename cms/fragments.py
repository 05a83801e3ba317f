"""Product cards and the unchanging parts of a product's page kept rendered, for every
visitor (signed in or not, page cache on or off).

A card is kept under the versions of the tags that cover what it shows (``core.page_cache``:
``all``, ``site`` for its shop's and origin's names and pictures, ``product:<id>`` for
the product, its pictures and certificates) and the language. It is found again only while
none of those has changed: a change seen on the next request, as for kept pages.

Kept only when the tags every page names (``ALWAYS_READ``) still have the versions read
before the view read its rows (``versions_at_start``): otherwise a card rendered from rows
read before a change could be kept under the versions after it. Such a request renders its
cards and keeps none.

A product's page keeps its pictures, name and certificate, facts, benefit, description and
one page of reviews (``product_page_parts``), keyed by the same tags, the day (a
certificate lapses at midnight) and the query string (the reviews' page links), until the
linkage in force changes by itself; what changes with every order or by the minute (price,
live price, stock, the form) is rendered on each request.

A page of 24 cards then asks the cache twice (tag versions, cards) instead of rendering 24
templates with 48 rendition look-ups and two queries for the pictures, which are fetched
only for the cards not found (``catalog.models.prefetch_card_images``)."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from catalog.models import Product, prefetch_card_images
from core import page_cache
from core.page_cache import ALWAYS_READ, EVERYTHING, SITE, product_tag
from orders import selectors as order_selectors

from . import selectors

CARD_TEMPLATE = "cms/includes/product_card.html"
FRAGMENT_PREFIX = "pc:f:card:"
# Kept cards whose versions are old are never found again: this only bounds their memory.
CARD_TIMEOUT = 24 * 60 * 60


def _versions_if_undisturbed(request, product_ids) -> dict[str, str] | None:
    """The current versions of ``ALWAYS_READ`` and of the products' own tags, or None when
    nothing may be kept: fragments off, the cache away, or a change since the request began."""
    start = page_cache.versions_at_start(request) if page_cache.fragments_enabled() else None
    if not start:
        return None
    current = page_cache.versions([*ALWAYS_READ, *(product_tag(pk) for pk in product_ids)], fresh=True)
    if not all(current.values()) or any(current[tag] != start.get(tag) for tag in ALWAYS_READ):
        return None
    return current


def _card_keys(request, products, data_attrs: bool) -> dict[int, str] | None:
    """The cache key of each product's card, or None when cards may not be kept now."""
    current = _versions_if_undisturbed(request, [p.pk for p in products])
    if current is None:
        return None
    prefix = f"{FRAGMENT_PREFIX}{get_language()}:{int(data_attrs)}:{current[EVERYTHING]}.{current[SITE]}:"
    return {p.pk: f"{prefix}{p.pk}.{current[product_tag(p.pk)]}" for p in products}


def fetch_pictures_together(products) -> None:
    """``products`` are shown in several grids of one page (the home page's blocks): the
    first grid with a card not kept fetches the pictures of all of them, so that the page
    asks for pictures twice at most, however many grids it has."""
    batch = list(products)
    for product in batch:
        product._card_batch = batch


def product_cards(request, products, *, data_attrs: bool = False) -> SafeString:
    """The HTML of ``products``' cards, in order: kept ones from the cache, the others
    rendered (their pictures fetched first) and kept."""
    products = list(products)
    if not products:
        return mark_safe("")
    keys = _card_keys(request, products, data_attrs)
    found = cache.get_many(list(keys.values())) if keys else {}
    html = {pk: found[key] for pk, key in (keys or {}).items() if key in found}
    missing = [p for p in products if p.pk not in html]
    if missing:
        if any(p.get_deferred_fields() for p in missing):
            # A list that read only which products (catalog.selectors.card_products): the
            # cards not found are read in full now (after the versions: kept safely).
            full = Product.objects.card_rows().in_bulk([p.pk for p in missing])
            missing = [full[p.pk] for p in missing if p.pk in full]
        together = {id(p): p for m in missing for p in getattr(m, "_card_batch", (m,))}
        prefetch_card_images(together.values())
        template = get_template(CARD_TEMPLATE)
        for product in missing:
            html[product.pk] = template.render({"product": product, "data_attrs": data_attrs})
        if keys:
            cache.set_many({keys[p.pk]: html[p.pk] for p in missing}, timeout=CARD_TIMEOUT)
    return mark_safe("".join(html[p.pk] for p in products if p.pk in html))  # our own templates' output


# --- a product's page ------------------------------------------------------------------------------------------------

PRODUCT_PAGE_PARTS = {
    "gallery": "cms/includes/product_gallery.html",
    "head": "cms/includes/product_head.html",
    "facts": "cms/includes/product_facts.html",
    "below": "cms/includes/product_below.html",
}


@dataclass(frozen=True)
class ProductPageParts:
    images: list  # the pictures, with their detail renditions (the page's share tags)
    review_summary: order_selectors.ReviewSummary
    html: dict[str, str]  # PRODUCT_PAGE_PARTS rendered


def _product_page_key(request, product: Product, now: dt.datetime) -> str | None:
    current = _versions_if_undisturbed(request, [product.pk])
    if current is None:
        return None
    query = hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()[:16]
    versions = ".".join((current[EVERYTHING], current[SITE], current[product_tag(product.pk)]))
    return f"pc:f:product:{get_language()}:{product.pk}:{timezone.localdate(now).isoformat()}:{query}:{versions}"


def product_page_parts(request, product: Product, review_page: int) -> ProductPageParts:
    """The kept parts of ``product``'s page (a row of ``selectors.listed_product_row``): no
    query while kept; eight at most to render (pictures, renditions, certificate, origin,
    linkage and households, review summary, one page of reviews with their photos)."""
    now = timezone.now()
    key = _product_page_key(request, product, now)
    kept = cache.get(key) if key else None
    if kept is not None:
        return kept
    images = selectors.product_pictures(product)
    extras = selectors.product_extras(product, now)
    product.current_certificates = [extras.certificate] if extras.certificate is not None else []
    review_summary = order_selectors.product_review_summary(product.pk)
    context = {
        "product": product,
        "images": images,
        "origin_full_name": extras.origin_full_name,
        "benefit": extras.benefit,
        "review_summary": review_summary,
        "reviews": order_selectors.product_reviews_page(product.pk, review_summary, review_page),
    }
    parts = ProductPageParts(
        images=images,
        review_summary=review_summary,
        html={name: get_template(path).render(context, request) for name, path in PRODUCT_PAGE_PARTS.items()},
    )
    if key:
        ends = [now + dt.timedelta(seconds=CARD_TIMEOUT), page_cache.next_midnight(now)]
        if extras.until is not None:
            ends.append(extras.until)
        timeout = int((min(ends) - now).total_seconds())
        if timeout >= 1:
            cache.set(key, parts, timeout)
    return parts
