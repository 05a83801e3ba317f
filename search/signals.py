"""Which catalogue changes touch the search index, and how.

A product's own row is re-indexed in the database at once, inside the transaction that
saves it. Everything that fans out to many products, and every Elasticsearch push, goes
through ``schedule_reindex`` (Celery, after commit). Certificates do not change any text:
the database backend joins ``Product.objects.listed()`` at query time, and Elasticsearch
results are filtered through it too; the push only removes the revoked product from the
Elasticsearch index."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog.models import Category, Product, Shop
from marketplace.certification.models import Certificate
from producers.models import Producer, Region

from .indexing import elasticsearch_enabled, index_products, schedule_reindex


@receiver(post_save, sender=Product, dispatch_uid="search_product_saved")
def product_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    index_products([instance.pk])
    if elasticsearch_enabled():
        schedule_reindex([instance.pk])


@receiver(post_delete, sender=Product, dispatch_uid="search_product_deleted")
def product_deleted(sender, instance, **kwargs):
    if elasticsearch_enabled():
        schedule_reindex([instance.pk])


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
    if not raw and elasticsearch_enabled():
        schedule_reindex([instance.product_id])


def _forget_synonyms(**kwargs):
    from django.core.cache import cache

    from .selectors import SYNONYMS_CACHE_KEY

    cache.delete(SYNONYMS_CACHE_KEY)


post_save.connect(_forget_synonyms, sender="product_search.SynonymGroup", dispatch_uid="search_synonyms_saved")
post_delete.connect(_forget_synonyms, sender="product_search.SynonymGroup", dispatch_uid="search_synonyms_deleted")
