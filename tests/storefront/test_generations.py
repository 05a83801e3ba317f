"""Every kept read's generation and the tags every page names are read in one cache round
trip at the start of a GET (core/generations.py), not once each where they are used: a
warm product list asks the cache five times, whatever it shows."""

import pytest
from django.core.cache import caches
from django.test import Client

from catalog.models import Category

from .builders import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_reads(monkeypatch):
    """The cache reads (get, get_many) made while the test runs, by method: round trips to
    Redis (local memory's get_many calls get for each key: counted once)."""
    reads = []
    depth = [0]
    cache = caches["default"]
    for name in ("get", "get_many"):
        original = getattr(cache, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            if not depth[0]:
                reads.append(_name)
            depth[0] += 1
            try:
                return _original(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, name, counted)
    return reads


@pytest.fixture
def listed(storefront, shop, categories, producer):
    return [
        make_product(shop, categories["tubers"], producer=producer, title=f"山药{n}", with_image=True) for n in range(6)
    ]


def test_a_warm_list_reads_the_cache_five_times(settings, listed, cache_reads):
    settings.FRAGMENT_CACHE = True
    client = Client()
    client.get("/products/")
    client.get("/products/")
    cache_reads.clear()
    assert client.get("/products/").status_code == 200
    # The versions (one get_many), the list's count, Wagtail's site root paths, the cards'
    # versions (read again: anything changed since the start?), the cards. The category
    # tree and the menus are kept in the process under the versions read at the start
    # (core.generations.in_process). (Each generation read where it is used: 7 more.)
    assert cache_reads == ["get_many", "get", "get", "get_many", "get_many"]


def test_a_change_between_two_requests_is_read_by_the_second(settings, listed, cache_reads):
    settings.FRAGMENT_CACHE = True
    client = Client()
    client.get("/products/")
    assert "新品类" not in client.get("/products/").content.decode()
    Category.objects.create(name="新品类", slug="new-category", sort_order=9)
    assert "新品类" in client.get("/products/").content.decode()


def test_without_the_cache_nothing_is_kept_in_the_process_either(settings, listed):
    """The category tree and the menus are kept in the process under the versions read
    from the cache; with the cache away there are none, and every request reads afresh."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = Client()
    assert "新品类" not in client.get("/products/").content.decode()
    Category.objects.create(name="新品类", slug="new-category", sort_order=9)
    assert "新品类" in client.get("/products/").content.decode()
