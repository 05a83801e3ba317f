"""The catalogue's reads that every storefront page would otherwise repeat, kept in the
shared cache and dropped exactly when what they are made of changes:

* the category tree (the navigation, category pages, search's facets): dropped on any
  save or delete of a category;
* the number of listed products of a product list (and the public catalogue's count and
  region choices, ``certification/views.py``) (its "共 N 件商品" and page count, which
  would otherwise be a ``COUNT(*)`` over the whole listed catalogue on every request):
  dropped on any save or delete of a product, shop or category, and of a certificate
  (``certification/apps.py`` connects ``listing_changed``); the key also carries the day
  (Asia/Shanghai), because a certificate lapses or starts at midnight without any save.

Each is keyed by a generation (``core/generations.py``) that the receivers replace. The
timeout only bounds a change that bypassed the signals (a queryset ``update``, a change
made by hand in the database, a bulk load)."""

import hashlib

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from core import generations
from core.generations import Generation

from .models import Category, Product, Shop

TIMEOUT = 3600
categories = Generation("catalog:categories")
listing = Generation("catalog:listing")


def cached(generation: Generation, name: str, compute, *, in_process: bool = False):
    """``compute()``, kept under ``name`` for the generation's current value (and in the
    process too with ``in_process``: for values only read, ``generations.in_process``)."""
    version = generation.current()
    # Hashed: a name may carry filters with spaces (memcached's key rules, Django's warning).
    key = f"catalog:{hashlib.sha256(name.encode()).hexdigest()[:32]}:{version}"

    def load():
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, TIMEOUT)
        return value

    # No version without the cache: nothing kept then, in the process either.
    return generations.in_process(key, load) if in_process and version else load()


def kept_for_listing(name: str, compute):
    """A read over what is listed (a count of listed products, of valid certificates),
    kept for today (Asia/Shanghai) and the listing's generation."""
    return cached(listing, f"listed:{timezone.localdate().isoformat()}:{name}", compute)


def listing_changed(**kwargs) -> None:
    """What is listed may have changed: drop every kept count."""
    listing.replace()


def categories_changed(**kwargs) -> None:
    categories.replace()
    listing.replace()


def connect() -> None:
    for model in (Product, Shop):
        post_save.connect(listing_changed, sender=model, dispatch_uid=f"catalog_listing_saved_{model.__name__}")
        post_delete.connect(listing_changed, sender=model, dispatch_uid=f"catalog_listing_deleted_{model.__name__}")
    post_save.connect(categories_changed, sender=Category, dispatch_uid="catalog_categories_saved")
    post_delete.connect(categories_changed, sender=Category, dispatch_uid="catalog_categories_deleted")
