"""What a product's search entry holds: its title and everything else searchable about
it (summary, description, producer, shop, categories, origin), as jieba tokens, pinyin
and plain text. The database index (``indexing.py``) stores ``entry_for``; the
Elasticsearch backend builds its documents from the same texts (``other_texts``)."""

from django.db import connection

from catalog.models import Product

from .models import ProductSearchEntry
from .text import document_tokens, normalise, pinyin_tokens

BATCH_SIZE = 1000


def products_for_indexing():
    return Product.objects.select_related(
        "shop", "producer", "category__parent", "origin_region__parent__parent__parent__parent"
    ).order_by("pk")


def region_names(region) -> list[str]:
    """The origin and its ancestors' names, village up to province."""
    names = []
    while region is not None:
        names.append(region.name)
        region = region.parent
    return names


def category_names(category) -> list[str]:
    return [category.name] + ([category.parent.name] if category.parent_id else [])


def other_texts(product: Product) -> list[str]:
    """Everything searchable about a product besides its title: summary, description,
    producer, shop, categories and origin (village up to province)."""
    return [
        product.summary,
        product.description,
        product.producer.name,
        product.shop.name,
        *category_names(product.category),
        *region_names(product.origin_region),
    ]


def entry_for(product: Product) -> ProductSearchEntry:
    """The search row of one product (its relations loaded as by ``products_for_indexing``)."""
    regions = region_names(product.origin_region)
    categories = category_names(product.category)
    others = other_texts(product)
    title_tokens = document_tokens([product.title])
    # Bigrams for the title only: elsewhere they would double the index for little gain.
    body_tokens = [t for t in document_tokens(others, with_bigrams=False) if t not in set(title_tokens)]
    body_tokens += pinyin_tokens([*categories, *regions])
    body_tokens = list(dict.fromkeys(body_tokens))
    title_pinyin = " ".join(pinyin_tokens([product.title]))[:500]
    raw = " | ".join(normalise(t) for t in [product.title, *others] if t)
    return ProductSearchEntry(
        product_id=product.pk,
        title_tokens=" ".join(title_tokens),
        title_pinyin=title_pinyin,
        body_tokens=" ".join(body_tokens),
        # PostgreSQL matches on the generated tsvector; the substring column would only
        # make its rows (and every scan of them) wider.
        document=""
        if connection.vendor == "postgresql"
        else f" {' '.join(title_tokens)} {title_pinyin} {' '.join(body_tokens)} | {raw} ",
    )
