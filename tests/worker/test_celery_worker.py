"""A real Celery worker process consumes our tasks, and Wagtail's, through Redis.

The test process sends through its own Celery app (broker and result backend on Redis,
not eager) on a queue of its own; the worker is ``celery -A marketplace worker`` with the
development settings, pointed at the test database and the test media root."""

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from wagtail.images import get_image_model
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from catalog.models import CARD_RENDITIONS, DETAIL_RENDITIONS
from catalog.tasks import generate_product_renditions
from cms.models import ArticleIndexPage, ArticlePage
from cms.setup import ensure_storefront_pages
from tests.factories import ProductFactory, ProductImageFactory, make_image
from tests.processes import RunningWorker, sending_app, start_celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker(redis_broker_url, transactional_db, settings, tmp_path) -> Iterator[RunningWorker]:
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    worker = start_celery_worker(broker_url=redis_broker_url, queue=queue, log_path=tmp_path / "worker.log")
    try:
        with sending_app(redis_broker_url, queue, settings):
            yield worker
    finally:
        worker.stop()
        # pytest shows a test's teardown output only when it failed: the worker's log.
        print(f"--- celery worker log ({worker.log_path}) ---\n{worker.log_path.read_text()}")


def test_worker_generates_product_renditions_through_redis(celery_worker):
    product = ProductFactory(title="菏泽铁棍山药")
    images = [ProductImageFactory(product=product, sort_order=i).image for i in range(2)]
    renditions = get_image_model().get_rendition_model().objects.filter(image__in=images)
    assert renditions.count() == 0

    result = generate_product_renditions.apply_async(args=[product.pk])
    celery_worker.wait_until(result.ready, "result of catalog.generate_product_renditions")

    assert result.get(timeout=5) == 2
    result.forget()
    assert sorted(renditions.values_list("image_id", "filter_spec")) == sorted(
        (image.pk, spec) for image in images for spec in (*CARD_RENDITIONS, *DETAIL_RENDITIONS)
    )
    # The worker wrote the files into this test's media root.
    for rendition in renditions:
        assert rendition.file.storage.exists(rendition.file.name)


def test_worker_runs_wagtail_django_tasks_enqueued_through_celery_backend(celery_worker):
    home, _catalog = ensure_storefront_pages()
    cover = make_image(title="单县山药丰收")
    with disable_reference_index_auto_update():
        stories = home.add_child(instance=ArticleIndexPage(title="助农故事", slug="stories"))
        article = stories.add_child(
            instance=ArticlePage(title="铁棍山药上线", slug="yam", date=date(2024, 11, 1), cover=cover)
        )
    references = ReferenceIndex.get_references_to(cover).filter(object_id=str(article.pk))
    assert not references.exists()

    task_result = update_reference_index_task.enqueue("cms", "articlepage", str(article.pk))

    # Not run in this process (the immediate backend would report it finished already).
    assert task_result.status == "READY"
    celery_worker.wait_until(references.exists, "reference index row written by the worker")
    assert list(references.values_list("model_path", flat=True)) == ["cover"]
