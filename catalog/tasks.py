"""Background work of the catalogue, run by Celery workers (eagerly with no broker)."""

from celery import shared_task

from .models import CARD_RENDITIONS, DETAIL_RENDITIONS, ProductImage


@shared_task(name="catalog.generate_product_renditions")
def generate_product_renditions(product_id: int) -> int:
    """Make the card and detail renditions of a product's images (each at full and half
    size, for srcset) ahead of the first visitor, so no storefront request pays for
    resizing. Returns how many images."""
    images = [pi.image for pi in ProductImage.objects.filter(product_id=product_id).select_related("image")]
    for image in images:
        image.get_renditions(*CARD_RENDITIONS, *DETAIL_RENDITIONS)
    return len(images)
