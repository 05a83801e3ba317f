"""Which catalogue changes touch the search index, and how.

A product's own database entry is rewritten at once, inside the transaction that saves
it. Everything that fans out to many products, and every Elasticsearch push, goes
through ``schedule_reindex``: ids gathered per transaction, sent to Celery after commit
in batches (one Elasticsearch bulk request each).

Certificates change no text: the database backend checks validity at query time, and so
does Elasticsearch (certificate periods are in the document); the push after a
certificate is issued, revoked or recorded as expired updates those periods and removes
a product that is off the storefront. Queryset ``update()`` calls send no signals: that is
why validity is never left to the index alone, and the selector re-checks every id."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog.models import Category, Product, Shop
from certification.models import Certificate
from producers.models import Producer, Region

from .indexing import index_products
from .selectors import SYNONYMS_CACHE_KEY
from .tasks import schedule_reindex

# Saving only these (every order changes stock and units sold) leaves the text alone:
# the database backend reads them from the product row, Elasticsearch gets a push.
NON_TEXT_FIELDS = frozenset({"stock", "units_sold", "price_fen", "is_listed", "updated_at"})


@receiver(post_save, sender=Product, dispatch_uid="search_product_saved")
def product_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is None or not set(update_fields) <= NON_TEXT_FIELDS:
        index_products([instance.pk])
    schedule_reindex([instance.pk], database=False)


@receiver(post_delete, sender=Product, dispatch_uid="search_product_deleted")
def product_deleted(sender, instance, **kwargs):
    # The database entry goes with the product (cascade); the document must be deleted.
    schedule_reindex([instance.pk], database=False)


@receiver(post_save, sender=Shop, dispatch_uid="search_shop_saved")
def shop_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        schedule_reindex(Product.objects.filter(shop=instance).values_list("pk", flat=True))


@receiver(post_save, sender=Producer, dispatch_uid="search_producer_saved")
def producer_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        schedule_reindex(Product.objects.filter(producer=instance).values_list("pk", flat=True))


@receiver(post_save, sender=Category, dispatch_uid="search_category_saved")
def category_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        schedule_reindex(
            Product.objects.filter(
                category__in=[instance.pk, *instance.children.values_list("pk", flat=True)]
            ).values_list("pk", flat=True)
        )


@receiver(post_save, sender=Region, dispatch_uid="search_region_saved")
def region_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        schedule_reindex(
            Product.objects.filter(origin_region__code__startswith=instance.code).values_list("pk", flat=True)
        )


@receiver(post_save, sender=Certificate, dispatch_uid="search_certificate_saved")
@receiver(post_delete, sender=Certificate, dispatch_uid="search_certificate_deleted")
def certificate_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule_reindex([instance.product_id], database=False)


def _forget_synonyms(**kwargs):
    cache.delete(SYNONYMS_CACHE_KEY)


post_save.connect(_forget_synonyms, sender="product_search.SynonymGroup", dispatch_uid="search_synonyms_saved")
post_delete.connect(_forget_synonyms, sender="product_search.SynonymGroup", dispatch_uid="search_synonyms_deleted")
