"""The choosers the page blocks open (catalog/choosers.py): an editor picks among what the
storefront shows and what their own scope holds, never another shop's unlisted product."""

import re

import pytest

from catalog.models import Product

from .helpers import url

pytestmark = pytest.mark.django_db


def titles(client, **params) -> set[str]:
    response = client.get(url("product_chooser:choose_results"), params)
    assert response.status_code == 200
    return set(re.findall(r"单县铁棍山药|成武绿芦笋", response.content.decode()))


def test_product_chooser_offers_listed_products_and_own_unlisted_ones_only(world, login):
    Product.objects.filter(pk=world.product_b.pk).update(is_listed=False)  # shop B's, not for sale

    assert titles(login(world.op_a)) == {"单县铁棍山药"}
    assert titles(login(world.op_b)) == {"单县铁棍山药", "成武绿芦笋"}  # its own, unlisted
    assert titles(login(world.admin)) == {"单县铁棍山药", "成武绿芦笋"}
    assert titles(login(world.admin), q="芦笋") == {"成武绿芦笋"}

    client = login(world.op_a)
    assert client.get(url("product_chooser:chosen", world.product_a.pk)).status_code == 200
    assert client.get(url("product_chooser:chosen", world.product_b.pk)).status_code == 404
    assert client.get(url("product_chooser:chosen", "abc")).status_code == 404
    refused = client.get(url("product_chooser:create"))  # rows are made in their own admin
    assert (refused.status_code, refused.url) == (302, "/admin/")


def test_shop_chooser_hides_closed_shops_outside_ones_scope(world, login):
    world.shop_b.is_active = False
    world.shop_b.save()
    assert login(world.op_a).get(url("shop_chooser:chosen", world.shop_b.pk)).status_code == 404
    assert login(world.op_b).get(url("shop_chooser:chosen", world.shop_b.pk)).status_code == 200
    assert login(world.op_a).get(url("shop_chooser:chosen", world.shop_a.pk)).status_code == 200
