"""A real Celery worker process consumes our tasks, and Wagtail's, through Redis.

The test process sends through its own Celery app (broker and result backend on Redis,
not eager) on a queue of its own; the worker is ``celery -A marketplace worker`` with the
development settings, pointed at the test database and the test media root."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from celery import current_app as current_celery_app
from django.db import connection
from wagtail.images import get_image_model
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from catalog.models import CARD_RENDITION, DETAIL_RENDITION
from catalog.tasks import generate_product_renditions
from cms.models import ArticleIndexPage, ArticlePage
from cms.setup import ensure_storefront_pages
from tests.factories import ProductFactory, ProductImageFactory, make_image

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def worker_database_url() -> str:
    """DATABASE_URL of the database this test runs on (the test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), "a worker process cannot share an in-memory database"
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    assert connection.vendor == "postgresql", f"no worker test for {connection.vendor}"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{db['HOST']}{port}/{quote(db['NAME'], safe='')}"


@dataclass
class RunningWorker:
    process: subprocess.Popen
    log_path: Path

    def wait_until(self, done: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not done():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode} before {what}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} within {WAIT_SECONDS} s")
            time.sleep(0.2)


@pytest.fixture
def celery_worker(redis_broker_url, transactional_db, settings, tmp_path) -> Iterator[RunningWorker]:
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev",
        "CELERY_BROKER_URL": redis_broker_url,
        "CELERY_RESULT_BACKEND": redis_broker_url,
        "DATABASE_URL": worker_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    log_path = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool=solo", "--concurrency=1"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"]
    command += [f"--queues={queue}", f"--hostname={queue}@%h"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)

    # Our own sending app, made current so that shared tasks (ours and the django-tasks
    # bridge) are published through Redis onto the worker's queue; the test settings'
    # eager mode is switched off for the CeleryTaskBackend.
    app = Celery("marketplace-worker-test", broker=redis_broker_url, backend=redis_broker_url, set_as_current=False)
    app.conf.task_default_queue = queue
    previous_app = current_celery_app._get_current_object()
    app.set_current()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield RunningWorker(process=process, log_path=log_path)
    finally:
        previous_app.set_current()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        app.close()
        client = redis.Redis.from_url(redis_broker_url)
        for key in client.scan_iter(match=f"*{queue}*"):  # the queue's bindings
            client.delete(key)
        client.close()
        # pytest shows a test's teardown output only when it failed: the worker's log.
        print(f"--- celery worker log ({log_path}) ---\n{log_path.read_text()}")


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
        (image.pk, spec) for image in images for spec in (CARD_RENDITION, DETAIL_RENDITION)
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
