"""The whole workflow through the Wagtail admin, as operators and officers click it."""

import pytest
from django.urls import reverse

from certification.models import Application, Certificate, Status
from tests.factories import UserFactory

from .conftest import pdf_upload, png_upload


@pytest.mark.django_db
def test_operator_applies_officer_certifies_then_revokes(world, client):
    client.force_login(world.operator_a)
    index = client.get(reverse("certification_admin:index"))
    body = index.content.decode()
    assert index.status_code == 200
    assert "菏泽铁棍山药" in body and "成武绿芦笋" not in body  # only the operator's own products

    response = client.post(
        reverse("certification_admin:create", args=[world.product_a.pk]),
        {"producer": world.coop_a.pk, "benefit_modes": ["purchase", "employment"], "households_count": 2},
    )
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("certification_admin:detail", args=[app.pk])
    assert (app.status, app.benefit_modes, app.households_count) == (Status.DRAFT, ["purchase", "employment"], 2)

    client.post(
        reverse("certification_admin:evidence_upload", args=[app.pk]), {"kind": "compliance", "file": png_upload()}
    )
    client.post(reverse("certification_admin:evidence_upload", args=[app.pk]), {"kind": "roster", "file": pdf_upload()})
    client.post(reverse("certification_admin:transition", args=[app.pk, "submit"]))
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.evidence.count() == 2

    # the operator has no review buttons; a forged POST is refused and changes nothing
    detail = client.get(reverse("certification_admin:detail", args=[app.pk])).content.decode()
    assert "认定通过" not in detail and "开始审核" not in detail
    response = client.post(reverse("certification_admin:transition", args=[app.pk, "start_review"]), follow=True)
    assert "辖区" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED

    # the county officer's queue shows it, with the evidence inline
    client.force_login(world.officer_a)
    queue = client.get(reverse("certification_admin:index")).content.decode()
    assert "菏泽铁棍山药" in queue
    detail = client.get(reverse("certification_admin:detail", args=[app.pk])).content.decode()
    evidence = list(app.evidence.order_by("pk"))
    assert f'<img src="{reverse("certification_admin:evidence_file", args=[evidence[0].pk])}"' in detail
    assert reverse("certification_admin:evidence_file", args=[evidence[1].pk]) in detail
    assert "王建国" in detail  # officers in jurisdiction see the linkage in full
    client.post(reverse("certification_admin:transition", args=[app.pk, "start_review"]))
    client.post(reverse("certification_admin:transition", args=[app.pk, "certify"]), {"note": "材料齐全"})
    app.refresh_from_db()
    assert app.status == Status.CERTIFIED
    cert = Certificate.objects.get(application=app)

    # revoke without a reason is refused with the reason asked for
    response = client.post(
        reverse("certification_admin:transition", args=[app.pk, "revoke"]), {"note": ""}, follow=True
    )
    assert "必须填写原因" in response.content.decode()
    client.post(reverse("certification_admin:transition", args=[app.pk, "revoke"]), {"note": "抽检不合格"})
    cert.refresh_from_db()
    assert cert.revoked_at is not None and cert.revoke_reason == "抽检不合格"


@pytest.mark.django_db
def test_officer_of_another_county_sees_nothing_and_cannot_act(world, client):
    client.force_login(world.operator_a)
    client.post(
        reverse("certification_admin:create", args=[world.product_a.pk]),
        {"producer": world.coop_a.pk, "benefit_modes": ["purchase"], "households_count": 1},
    )
    app = Application.objects.get()
    client.force_login(world.officer_b)
    assert "菏泽铁棍山药" not in client.get(reverse("certification_admin:index") + "?tab=all").content.decode()
    assert client.get(reverse("certification_admin:detail", args=[app.pk])).status_code == 404
    assert client.post(reverse("certification_admin:transition", args=[app.pk, "start_review"])).status_code == 404


@pytest.mark.django_db
def test_operator_cannot_apply_for_another_shops_product(world, client):
    client.force_login(world.operator_b)
    url = reverse("certification_admin:create", args=[world.product_a.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"producer": world.coop_a.pk, "benefit_modes": ["purchase"], "households_count": 1}
        ).status_code
        == 404
    )
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_buyer_is_refused_the_certification_admin(world, client):
    from core.roles import Role

    client.force_login(UserFactory(roles=[Role.BUYER]))
    response = client.get(reverse("certification_admin:index"))
    assert response.status_code in (302, 403)
