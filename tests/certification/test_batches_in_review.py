"""An application's page — the operator's and the reviewing officer's — lists the product's
batches with their inspection reports (agency, date, result), each report linked to its
file (``traceability_admin:inspection_file``, served to those in scope)."""

import re

import pytest
from django.urls import reverse

from certification import services
from tests.trace_batches import add_inspection, make_batch

from .conftest import draft_for

pytestmark = pytest.mark.django_db


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()


def _batch_rows(html: str) -> list[tuple[str, list[str]]]:
    """(code, ["agency · date · result", ...]) of each batch row, in page order."""
    rows = re.findall(r'<tr class="product-batch" data-code="([^"]+)">(.*?)</tr>', html, re.S)
    return [
        (code, [_text(i) for i in re.findall(r'<div class="inspection">(.*?)</div>', body, re.S)])
        for code, body in rows
    ]


@pytest.fixture
def under_review(world):
    old = make_batch(world.product_a, code="CERTOLD234", days_ago=60)
    new = make_batch(world.product_a, code="CERTNEW234", days_ago=10)
    make_batch(world.product_b, code="OTHERPROD2", days_ago=5)
    add_inspection(old, agency="菏泽市农产品质量检测中心", days_ago=55, result="passed")
    add_inspection(old, agency="单县检验检测中心", days_ago=50, result="failed")
    application = draft_for(world)
    services.apply_transition(application.pk, "submit", by=world.operator_a)
    services.apply_transition(application.pk, "start_review", by=world.officer_a)
    return application, old, new


@pytest.mark.parametrize("who", ["operator_a", "officer_a"])
def test_the_application_page_lists_the_products_batches_and_reports(world, client, under_review, who):
    application, old, _new = under_review
    client.force_login(getattr(world, who))
    html = client.get(reverse("certification_admin:detail", args=[application.pk])).content.decode()
    day = {r.agency: r.inspected_on.strftime("%Y-%m-%d") for r in old.inspections.all()}
    assert _batch_rows(html) == [
        ("CERTNEW234", []),
        (
            "CERTOLD234",
            [
                f"单县检验检测中心 · {day['单县检验检测中心']} · 不合格 · 报告文件",
                f"菏泽市农产品质量检测中心 · {day['菏泽市农产品质量检测中心']} · 合格 · 报告文件",
            ],
        ),
    ]
    assert "OTHERPROD2" not in html and "无检测报告" in html
    assert 'href="/trace/CERTOLD234/"' in html
    # Each report links its file (served to those in scope: tests/traceability).
    links = re.findall(r'<a href="(/admin/traceability/inspections/\d+/file/)"[^>]*>报告文件</a>', html)
    assert links == [f"/admin/traceability/inspections/{r.pk}/file/" for r in old.inspections.order_by("-inspected_on")]


def test_a_product_without_batches_says_so(world, client):
    application = draft_for(world)
    client.force_login(world.operator_a)
    html = client.get(reverse("certification_admin:detail", args=[application.pk])).content.decode()
    assert "该产品尚未登记生产批次，无法溯源。" in html and "product-batch" not in html
