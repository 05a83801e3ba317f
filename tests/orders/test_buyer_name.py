"""The buyer's 姓名 as Chinese people write it: checkout's contact name is prefilled with
it ("陈静", never Django's "静 陈" nor the username), and the migration that introduced the
one field filled it from the old first/last name columns the same way."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from core.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_checkout_prefills_the_buyers_name_as_written(client, shop_world):
    buyer = shop_world.buyer
    buyer.name, buyer.first_name, buyer.last_name = "陈静", "静", "陈"
    buyer.save()
    client.force_login(buyer)
    client.post(reverse("orders:cart_add"), {"product_id": shop_world.yam.pk, "quantity": "1"})
    form = client.get(reverse("orders:checkout")).context["form"]
    assert form["contact_name"].value() == "陈静"
    assert (buyer.get_full_name(), str(buyer)) == ("陈静", "陈静 (buyer-1)")


def test_a_buyer_without_a_name_is_asked_for_one_not_given_the_username(client, shop_world):
    client.force_login(shop_world.other_buyer)
    client.post(reverse("orders:cart_add"), {"product_id": shop_world.yam.pk, "quantity": "1"})
    form = client.get(reverse("orders:checkout")).context["form"]
    assert form["contact_name"].value() in ("", None)


def test_the_migration_copies_surname_then_given_name():
    migration = importlib.import_module("core.migrations.0004_user_name")
    chen = UserFactory(first_name="静", last_name="陈")
    ouyang = UserFactory(first_name="娜娜", last_name="欧阳")
    latin = UserFactory(first_name="Anna", last_name="Smith")
    only_surname = UserFactory(last_name="王")
    named = UserFactory(first_name="静", last_name="陈", name="陈小静")
    nobody = UserFactory()
    migration.copy_names(apps, None)
    names = dict(User.objects.values_list("pk", "name"))
    assert [names[u.pk] for u in (chen, ouyang, latin, only_surname, named, nobody)] == [
        "陈静",
        "欧阳娜娜",
        "Anna Smith",
        "王",
        "陈小静",
        "",
    ]
