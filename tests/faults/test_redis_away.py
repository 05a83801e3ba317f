"""Redis — the cache and the Celery broker — stops in the middle of trading.

The test runs a redis-server of its own on a free port, points the cache
(``CACHE_URL``'s configuration, ``marketplace.settings.env.cache_from_url``) and the
broker at it, and stops it. The storefront keeps answering, a bank-transfer checkout
places its order and a live event's viewer numbers are taken (rate limits counted in the
cache are not enforced meanwhile); the work queued meanwhile (the order e-mail, a search
re-index, Wagtail's reference index, a Stripe event's processing) is kept in the database
(``core.PendingTask``) and sent when Redis is back, by the beat task
``core.resend_pending_tasks``."""

import base64
import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from core.models import PendingTask
from core.tasks import resend_pending_tasks
from live import services as live_services
from marketplace.settings.env import cache_from_url
from orders.models import Order, OrderStatus
from payments import stripe_gateway
from payments.stripe_models import StripeEvent
from tests.factories import LiveEventFactory, place_order_for
from tests.payments.conftest import deliver
from tests.processes import sending_app

from .conftest import checkout_post

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def queued(redis_client, queue: str) -> list[tuple[str, list, dict]]:
    """(task name, args, kwargs) of the messages waiting in ``queue``, oldest first."""
    out = []
    for raw in reversed(redis_client.lrange(queue, 0, -1)):  # kombu LPUSHes, workers BRPOP
        message = json.loads(raw)
        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        out.append((message["headers"]["task"], args, kwargs))
    return out


def wagtail_reference_index(model: str, pk: int) -> tuple[str, list, dict]:
    """Wagtail's django-tasks task, as CeleryTaskBackend sends it."""
    task = "wagtail.tasks.update_reference_index_task"
    return ("marketplace.run_django_task", [task, ["catalog", model, str(pk)], {}], {})


def buy_by_transfer(client, world, product) -> Order:
    before = set(Order.objects.values_list("pk", flat=True))
    response = client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": 1})
    assert response.status_code == 302
    response = client.post(reverse("orders:checkout"), checkout_post(world))
    (order,) = Order.objects.exclude(pk__in=before)
    assert response.status_code == 302 and response["Location"] == reverse("orders:by_token", args=[order.token])
    assert client.get(response["Location"]).status_code == 200
    return order


def test_storefront_and_checkout_keep_working_without_redis_and_queued_work_is_sent_when_it_is_back(
    own_redis, shop_world, fake_stripe, client, settings
):
    w = shop_world
    settings.CACHES = {"default": cache_from_url(own_redis.url)}
    queue = f"test-faults-{uuid.uuid4().hex[:12]}"
    storefront = ["/", "/products/", f"/products/category/{w.yam.category.slug}/", w.yam.get_absolute_url()]
    storefront += ["/search/?q=山药", "/cart/"]
    now = timezone.now()
    event_on_air = LiveEventFactory(shops=[w.shop_a], scheduled_start=now - dt.timedelta(hours=1))
    _token, viewer_token = live_services.issue_token(event_on_air.pk, by=w.operator_a)

    with sending_app(own_redis.url, queue, settings):
        # Redis answering: pages, and the order e-mail goes onto the queue.
        for url in storefront:
            assert client.get(url).status_code == 200, url
        first = buy_by_transfer(client, w, w.yam)
        assert queued(own_redis.client(), queue) == [
            wagtail_reference_index("product", w.yam.pk),  # its stock changed
            ("orders.send_order_email", ["received", first.pk], {}),
        ]

        own_redis.stop()

        for url in storefront:
            assert client.get(url).status_code == 200, url
        order = buy_by_transfer(client, w, w.oil)
        assert (order.status, order.total_fen) == (OrderStatus.AWAITING_PAYMENT, 12800)
        assert Product.objects.get(pk=w.oil.pk).stock == 4
        # An operator renames a shop: its products' search entries are rebuilt by a task.
        w.shop_a.name = "朱楼村电商服务站（新）"
        w.shop_a.save()
        # A live event's viewer numbers still come in (its rate limit is not counted meanwhile).
        viewers = {"at": timezone.now().isoformat(), "concurrent_viewers": 2970, "cumulative_views": 9000, "likes": 80}
        response = client.post(
            reverse("live:push_samples", args=[event_on_air.code]),
            data=json.dumps(viewers),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {viewer_token}",
        )
        assert response.status_code == 201, response.content
        # Stripe tells us a card order was paid: stored, answered 200, processed by a task.
        card_order = place_order_for([(w.yam, 2)], method="card")
        intent, _secret = stripe_gateway.ensure_payment_intent(card_order)
        assert deliver(client, fake_stripe.pay(intent.intent_id)).status_code == 200
        event = StripeEvent.objects.get()

        kept = [(t.task_name, t.args, t.kwargs) for t in PendingTask.objects.order_by("pk")]
        assert kept == [
            wagtail_reference_index("product", w.oil.pk),
            ("orders.send_order_email", ["received", order.pk], {}),
            ("search.reindex_products", [[w.yam.pk]], {"database_ids": [w.yam.pk]}),
            wagtail_reference_index("shop", w.shop_a.pk),
            wagtail_reference_index("product", w.yam.pk),
            ("orders.send_order_email", ["received", card_order.pk], {}),
            ("payments.process_stripe_event", [event.pk], {}),
        ]
        assert all("Connection refused" in t.last_error for t in PendingTask.objects.all())

        # Still away: the beat task sends nothing and keeps every row.
        assert resend_pending_tasks() == 0
        assert PendingTask.objects.count() == 7
        assert list(PendingTask.objects.values_list("attempts", flat=True)) == [2, 1, 1, 1, 1, 1, 1]

        own_redis.start()  # back, empty (no persistence): what it held before is gone

        assert resend_pending_tasks() == 7
        assert not PendingTask.objects.exists()
        assert queued(own_redis.client(), queue) == kept
        for url in storefront:
            assert client.get(url).status_code == 200, url
