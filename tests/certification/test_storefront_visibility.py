"""Only products holding a certificate valid now are listed, searchable and shown;
revocation and expiry take effect on the very next request."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from certification import services
from certification.models import Certificate
from cms.setup import ensure_storefront_pages

from .conftest import certified_for


@pytest.fixture
def storefront(db):
    return ensure_storefront_pages()


def _pages(client, product):
    return {
        "home": client.get("/").content.decode(),
        "catalogue": client.get("/products/").content.decode(),
        "search": client.get(reverse("search"), {"q": "山药"}).content.decode(),
    }


@pytest.mark.django_db
def test_uncertified_product_is_nowhere_and_its_page_says_not_available(world, storefront, client):
    pages = _pages(client, world.product_a)
    assert all(world.product_a.title not in body for body in pages.values())
    response = client.get(world.product_a.get_absolute_url())
    assert response.status_code == 404 and "该商品暂不可售" in response.content.decode()


@pytest.mark.django_db
def test_certified_product_is_listed_with_its_badge_then_revoked_vanishes(world, storefront, client):
    app = certified_for(world)
    number = app.certificate.number
    pages = _pages(client, world.product_a)
    assert all(world.product_a.title in body for body in pages.values())
    detail = client.get(world.product_a.get_absolute_url())
    body = detail.content.decode()
    assert detail.status_code == 200
    assert f'href="{reverse("certificate_verify", args=[number])}"' in body
    assert number in body and "单县商务局认定" in body

    services.apply_transition(app.pk, "revoke", by=world.officer_a, note="抽检不合格")
    pages = _pages(client, world.product_a)
    assert all(world.product_a.title not in body for body in pages.values())
    response = client.get(world.product_a.get_absolute_url())
    assert response.status_code == 404 and "该商品暂不可售" in response.content.decode()


@pytest.mark.django_db
def test_product_leaves_the_storefront_at_midnight_shanghai_time(world, storefront, client):
    app = certified_for(world)
    Certificate.objects.filter(pk=app.certificate.pk).update(
        valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2026, 12, 31)
    )
    shanghai = ZoneInfo("Asia/Shanghai")
    url = world.product_a.get_absolute_url()
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=shanghai)):
        assert client.get(url).status_code == 200
        assert world.product_a.title in client.get("/products/").content.decode()
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2027, 1, 1, 0, 0, 0, tzinfo=shanghai)):
        assert client.get(url).status_code == 404
        assert world.product_a.title not in client.get("/products/").content.decode()
