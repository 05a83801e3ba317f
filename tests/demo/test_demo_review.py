"""The demo holds a completed order with a review (with a photo) and the shop's reply: the
demo buyer's order from the past live event, shipped and received; ``load_demo --reset``
wipes it with its photo file and builds it again."""

import pytest
from django.urls import reverse

from orders.models import FulfilmentStatus, Review, ReviewPhoto

from .test_load_demo import load_demo

# --reset signs in as the tables' owner: outside any transaction of the test
pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_buyer_reviewed_a_received_order_and_the_shop_replied(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    load_demo("--seed", "1")

    review = Review.objects.select_related("line__suborder__order", "product__shop").get()
    suborder = review.line.suborder
    assert (review.user.username, review.author_name, review.rating) == ("buyer", "陈静", 5)
    assert suborder.status == FulfilmentStatus.COMPLETED and suborder.shop.slug == "shanxian-zhulou"
    assert review.reply.startswith("谢谢陈女士支持") and review.replied_by.username == "operator-a"
    assert not review.hidden
    photo = review.photos.get()
    assert photo.content_type == "image/png" and photo.file.storage.exists(photo.file.name)

    page = client.get(review.product.get_absolute_url()).content.decode()
    assert "陈*" in page and "陈静" not in page and "店家回复" in page and "共 1 条" in page
    assert client.get(reverse("orders:review_photo", args=[photo.pk])).status_code == 200
    assert client.login(username="buyer", password="demo-buyer")
    order_page = client.get(reverse("orders:detail", args=[suborder.order.number])).content.decode()
    assert "已评价 ★★★★★" in order_page
    # Shipped from its product's batch: the order page links the batch's trace page, which opens.
    batch = review.line.batch
    assert batch is not None and batch.product_id == review.product.pk
    assert f'href="/trace/{batch.code}/"' in order_page
    assert client.get(f"/trace/{batch.code}/").status_code == 200

    old_file = photo.file.name
    load_demo("--seed", "1", "--reset", "--no-images")
    assert not photo.file.storage.exists(old_file)
    assert Review.objects.count() == 1 and not ReviewPhoto.objects.exists()  # no pictures asked for
