"""A small, explicit certification world: Heze city with two counties (单县, 成武县),
one shop in each, their operators and officers (the two-county world of tests/worlds.py),
and a cooperative in each county with a product not yet certified."""

import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certification import services
from certification.models import Evidence
from producers.models import BenefitMode, Producer
from producers.services import ShareSpec, revise_benefit_linkage
from tests.factories import CollectiveFactory, HouseholdFactory, ProducerFactory, ProductFactory, valid_credit_code
from tests.worlds import area_world, build_two_county_world


def png_upload(name="合格证.png", size=(60, 40)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def pdf_upload(name="收购协议.pdf") -> SimpleUploadedFile:
    """A real one-page PDF (ReportLab's): the upload check reads a PDF with pypdf."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    document = canvas.Canvas(buf)
    document.drawString(100, 750, "agreement")
    document.save()
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/pdf")


@dataclass
class World:
    province: object
    city: object
    county_a: object
    county_b: object
    village_a: object
    village_b: object
    shop_a: object
    shop_b: object
    operator_a: object
    operator_b: object
    officer_a: object
    officer_b: object
    officer_city: object
    coop_a: object
    product_a: object
    product_b: object


@pytest.fixture
def world(db) -> World:
    w = build_two_county_world(operators=("op-a", "op-b"), shops=("浮岗镇电商服务站", "汶上镇电商服务站"))
    coop_a = ProducerFactory(
        shop=w.shop_a,
        name="单县浮岗山药专业合作社",
        kind=Producer.Kind.COOPERATIVE,
        credit_code=valid_credit_code("93371722MA3C4XWE1"),
    )
    coop_b = ProducerFactory(
        shop=w.shop_b,
        name="成武县汶上芦笋合作社",
        kind=Producer.Kind.COOPERATIVE,
        credit_code=valid_credit_code("93371723MA3D5ABC2"),
    )
    product_a = ProductFactory(shop=w.shop_a, producer=coop_a, title="菏泽铁棍山药", price_fen=5990, certified=False)
    product_b = ProductFactory(shop=w.shop_b, producer=coop_b, title="成武绿芦笋", price_fen=3800, certified=False)
    for product, village in ((product_a, w.village_a), (product_b, w.village_b)):
        h1 = HouseholdFactory(village=village, head_name="王建国")
        h2 = HouseholdFactory(village=village, head_name="李秀英")
        coll = CollectiveFactory(village=village)
        revise_benefit_linkage(
            product,
            [
                ShareSpec(share_bp=3000, mode=BenefitMode.GUARANTEED_PURCHASE, household=h1),
                ShareSpec(share_bp=2000, mode=BenefitMode.EMPLOYMENT, household=h2),
                ShareSpec(share_bp=1000, mode=BenefitMode.DIVIDEND, collective=coll),
            ],
        )
    w.add_staff(officers=("officer-a", "officer-b", "officer-city"))
    return area_world(World, w, coop_a=coop_a, product_a=product_a, product_b=product_b)


def draft_for(world: World, product=None, operator=None):
    product = product or world.product_a
    operator = operator or world.operator_a
    application = services.create_application(
        product=product,
        producer=product.producer,
        benefit_modes=[BenefitMode.GUARANTEED_PURCHASE, BenefitMode.EMPLOYMENT],
        households_count=2,
        by=operator,
    )
    services.add_evidence(application, png_upload(), Evidence.Kind.COMPLIANCE, by=operator)
    return application


def certified_for(world: World, product=None):
    product = product or world.product_a
    operator = world.operator_a if product.shop_id == world.shop_a.pk else world.operator_b
    officer = world.officer_a if product.shop_id == world.shop_a.pk else world.officer_b
    application = draft_for(world, product, operator)
    services.apply_transition(application.pk, "submit", by=operator)
    services.apply_transition(application.pk, "start_review", by=officer)
    return services.apply_transition(application.pk, "certify", by=officer, note="材料齐全")
