"""The demo's certification: real workflow records, a review queue for the county
officer, a product left for the operator to apply for, and bulk certificates at scale."""

import io

import pytest
from django.core.management import call_command

from catalog.models import Product
from certification.models import Application, Certificate, Status, TransitionRecord
from core.models import User
from core.scoping import scope_queryset
from demo.certification import HANDS_ON_SHOP
from demo.data import VILLAGES

DEMO_PRODUCTS = sum(len(v.products) for v in VILLAGES)


def load_demo(*args):
    call_command("load_demo", *args, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_demo_products_go_through_the_workflow():
    load_demo("--no-images")
    by_status = {s: Application.objects.filter(status=s).count() for s in Status.values}
    assert by_status == {
        Status.DRAFT: 0,
        Status.SUBMITTED: 2,
        Status.UNDER_REVIEW: 1,
        Status.CERTIFIED: 72,
        Status.REJECTED: 1,
        Status.EXPIRED: 0,
        Status.REVOKED: 1,
    }
    assert Application.objects.count() == DEMO_PRODUCTS - 1
    # every decision has its audit line: submit (77) + start_review (75) + certify (73) + reject + revoke
    assert TransitionRecord.objects.count() == 77 + 75 + 73 + 1 + 1
    # listed = certified now, active shop, listed by the operator
    listed = Product.objects.listed()
    assert (
        listed.count()
        == Certificate.objects.valid_now().filter(product__shop__is_active=True, product__is_listed=True).count()
    )
    revoked = Certificate.objects.exclude(revoked_at=None).get()
    assert not listed.filter(pk=revoked.product_id).exists()


@pytest.mark.django_db
def test_hands_on_shop_and_queue_for_the_county_officer():
    load_demo("--no-images")
    operator = User.objects.get(username="operator-a")
    officer = User.objects.get(username="officer-shanxian")
    shop_products = Product.objects.filter(shop__slug=HANDS_ON_SHOP).order_by("pk")
    assert not Application.objects.filter(product=shop_products[0]).exists()  # left for the operator to apply
    assert Application.objects.get(product=shop_products[1]).status == Status.SUBMITTED
    queue = scope_queryset(Application.objects.filter(status__in=[Status.SUBMITTED, Status.UNDER_REVIEW]), officer)
    assert shop_products[1].pk in set(queue.values_list("product_id", flat=True))
    assert queue.count() == 2  # 单县 has two demo shops; the other's waits under review
    assert all(a.producer.region.code.startswith("371722") for a in queue.select_related("producer__region"))
    # officer-shanxian issued 单县's certificates, numbered with 单县's code
    numbers = Certificate.objects.filter(bureau=officer.bureau).values_list("number", flat=True)
    assert numbers and all(n.startswith("FP371722") for n in numbers)
    assert scope_queryset(Application.objects.all(), operator).count() == shop_products.count() - 1


@pytest.mark.django_db(transaction=True)  # --reset signs in as the tables' owner: outside any transaction of the test
def test_scale_products_are_certified_and_reset_wipes_the_audit_trail():
    load_demo("--no-images", "--products", "150")
    assert Certificate.objects.count() == 73 + 150
    assert Certificate.objects.values("number").distinct().count() == 73 + 150
    load_demo("--no-images", "--reset")
    assert Certificate.objects.count() == 73
    assert TransitionRecord.objects.count() == 227
