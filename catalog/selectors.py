"""Reads of the catalogue behind the storefront's product lists, its category navigation
and search. Every product list starts from ``Product.objects.listed()``, so whatever
decides "may be shown" (``listing.py``) applies here too."""

import datetime as dt
import re

from django.db.models import Exists, OuterRef, Q

from . import caching
from .models import Category, Product, ProductQuerySet, Shop, ShopQuerySet

# ?sort= values the product lists accept; the first is the default.
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-pk"),
    "price_asc": ("price_fen", "-pk"),
    "price_desc": ("-price_fen", "-pk"),
}
DEFAULT_SORT = "newest"


def clean_sort(value: str | None) -> str:
    return value if value in SORTS else DEFAULT_SORT


def _listed(category_ids: list[int] | None, shop: Shop | None) -> ProductQuerySet:
    qs: ProductQuerySet = Product.objects.listed()
    if category_ids is not None:
        qs = qs.filter(category_id__in=category_ids)
    if shop is not None:
        qs = qs.filter(shop=shop)
    return qs


# What a product list reads of each product itself: which ones, in which order, and where
# a page ends (``cursor_after``). The cards are kept rendered; those not found are read in
# full by the card renderer (``cms/fragments.py``), with their pictures.
LIST_FIELDS = ("pk", "created_at", "price_fen")


def card_products(*, category_ids: list[int] | None = None, shop: Shop | None = None, sort: str = DEFAULT_SORT):
    """Listed products, filtered and sorted, for product cards: ``LIST_FIELDS`` only (one
    table, no joins)."""
    return _listed(category_ids, shop).only(*LIST_FIELDS).order_by(*SORTS[clean_sort(sort)])


# Keyset pagination: the "下一页" link of a product list carries where the page ended (its
# last product's sort value and id, ``cursor_after``), and the next page starts there
# (``starting_after``) instead of skipping N rows with OFFSET, which at page 2,000 of
# 100,000 products meant sorting and skipping 48,000 rows. Page numbers still work for any
# other link (``?page=N`` alone is an OFFSET, as before).
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURSOR = re.compile(r"(-?\d{1,20})\.(\d{1,20})")


def _sort_value(product: Product, sort: str) -> int:
    if sort == "newest":
        return (product.created_at - _EPOCH) // dt.timedelta(microseconds=1)
    return product.price_fen


def cursor_after(product: Product, sort: str) -> str:
    """Where a page ending with ``product`` ended, for the next page's link."""
    return f"{_sort_value(product, clean_sort(sort))}.{product.pk}"


def starting_after(qs: ProductQuerySet, sort: str, cursor: str | None) -> ProductQuerySet | None:
    """``qs`` (sorted by ``sort``) from the product after ``cursor`` on; None when the
    cursor is not one ``cursor_after`` made. The first condition on the sort column alone
    lets the database start its index scan at the cursor (SORTS' indexes on Product)."""
    match = _CURSOR.fullmatch(cursor or "")
    if match is None:
        return None
    value, pk = int(match[1]), int(match[2])
    sort = clean_sort(sort)
    if sort == "newest":
        try:
            at = _EPOCH + dt.timedelta(microseconds=value)
        except OverflowError:
            return None
        return qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk), created_at__lte=at)
    if sort == "price_asc":
        return qs.filter(Q(price_fen__gt=value) | Q(price_fen=value, pk__lt=pk), price_fen__gte=value)
    return qs.filter(Q(price_fen__lt=value) | Q(price_fen=value, pk__lt=pk), price_fen__lte=value)


def card_count(*, category_ids: list[int] | None = None, shop: Shop | None = None) -> int:
    """How many products ``card_products`` lists with these filters: kept in the cache
    for the day until a product, shop, category or certificate changes (``caching.py``),
    so a list page does not count the whole listed catalogue on each request."""
    name = "all" if category_ids is None else "c" + ".".join(map(str, sorted(category_ids)))
    if shop is not None:
        name += f":s{shop.pk}"
    return caching.kept_for_listing(name, lambda: _listed(category_ids, shop).count())


def top_level_categories() -> list[Category]:
    return category_tree().get(None, [])


def category_tree() -> dict[int | None, list[Category]]:
    """All categories grouped by parent id: one query (the table is small), then kept in
    the cache and in the process until a category changes. Read only: never change the
    categories it holds."""
    return caching.cached(caching.categories, "tree", _category_tree, in_process=True)


def _category_tree() -> dict[int | None, list[Category]]:
    children: dict[int | None, list[Category]] = {}
    for category in Category.objects.all():
        children.setdefault(category.parent_id, []).append(category)
    return children


def descendant_ids(category: Category, tree: dict[int | None, list[Category]]) -> list[int]:
    """The category and every category under it, at any depth."""
    ids, stack = [], [category]
    while stack:
        node = stack.pop()
        ids.append(node.pk)
        stack.extend(tree.get(node.pk, []))
    return ids


def ancestors(category: Category, tree: dict[int | None, list[Category]]) -> list[Category]:
    """Top-level category first, down to ``category`` itself (for breadcrumbs)."""
    by_id = {c.pk: c for group in tree.values() for c in group}
    chain = [category]
    while chain[0].parent_id is not None and chain[0].parent_id in by_id and len(chain) < 10:
        chain.insert(0, by_id[chain[0].parent_id])
    return chain


def shops_with_listed_products() -> ShopQuerySet:
    """Open shops with at least one product on sale. Which ones is kept for the listing
    (``caching.kept_for_listing``: dropped by any product, shop or certificate change and at
    midnight): the test itself looks into each shop's products, which at 100,000 products
    cost the home page 12 ms a request."""
    ids = caching.kept_for_listing(
        "shops-with-listed-products",
        lambda: sorted(
            Shop.objects.active()
            .filter(Exists(Product.objects.listed().filter(shop=OuterRef("pk"))))
            .values_list("pk", flat=True)
        ),
    )
    return Shop.objects.active().filter(pk__in=ids).select_related("region")


def active_shop(slug: str) -> Shop | None:
    return Shop.objects.active().select_related("region").filter(slug=slug).first()
