"""Reads behind the storefront pages. Every product list starts from
``Product.objects.listed()`` so that whatever decides "may be shown" applies here too."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from wagtail.images import get_image_model

from catalog.models import DETAIL_RENDITION, Category, Product, ProductImage, ProductQuerySet, Shop, ShopQuerySet
from certification.models import Certificate
from producers.models import Collective
from producers.selectors import benefited_household_count, linkage_in_force

# ?sort= values the product lists accept; the first is the default.
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-pk"),
    "price_asc": ("price_fen", "-pk"),
    "price_desc": ("-price_fen", "-pk"),
}
DEFAULT_SORT = "newest"


def clean_sort(value: str | None) -> str:
    return value if value in SORTS else DEFAULT_SORT


def card_products(*, category_ids: list[int] | None = None, shop: Shop | None = None, sort: str = DEFAULT_SORT):
    """Listed products ready for product cards, filtered and sorted."""
    qs: ProductQuerySet = Product.objects.listed()
    if category_ids is not None:
        qs = qs.filter(category_id__in=category_ids)
    if shop is not None:
        qs = qs.filter(shop=shop)
    return qs.for_cards().order_by(*SORTS[clean_sort(sort)])


def top_level_categories() -> list[Category]:
    return list(Category.objects.filter(parent__isnull=True))


def category_tree() -> dict[int | None, list[Category]]:
    """All categories grouped by parent id, in one query (the table is small)."""
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
    return (
        Shop.objects.active()
        .filter(Exists(Product.objects.listed().filter(shop=OuterRef("pk"))))
        .select_related("region")
    )


def active_shop(slug: str) -> Shop | None:
    return Shop.objects.active().select_related("region").filter(slug=slug).first()


def listed_product_for_detail(pk: int) -> Product | None:
    """A listed product with what its page shows, or None if it is not (or no longer) for sale."""
    image_qs = ProductImage.objects.select_related("image").prefetch_related(
        Prefetch(
            "image__renditions",
            queryset=get_image_model().get_rendition_model().objects.filter(filter_spec=DETAIL_RENDITION),
        )
    )
    return (
        Product.objects.listed()
        .select_related("shop__region", "producer", "origin_region", "category__parent__parent")
        .prefetch_related(
            Prefetch("images", queryset=image_qs),
            Prefetch(
                "certificates",
                queryset=Certificate.objects.valid_now().select_related("bureau").order_by("-valid_until"),
                to_attr="current_certificates",
            ),
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class BenefitSummary:
    """What the public may know of a product's benefit linkage: a household count and
    collective names. Household names and numbers never leave the admin."""

    household_count: int
    collectives: list[str]


def benefit_summary(product: Product) -> BenefitSummary:
    linkage = linkage_in_force(product)
    collectives: list[str] = []
    if linkage is not None:
        collectives = list(
            Collective.objects.filter(shares__linkage=linkage).order_by("name").values_list("name", flat=True)
        )
    return BenefitSummary(household_count=benefited_household_count(product), collectives=collectives)
