"""The public side: verification by number or QR, certificate downloads, and the
catalogue (扶贫产品目录) with its exports."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from certification import services
from certification.documents import QR_SCALE, qr_png, qr_position, verification_url
from certification.models import Certificate

from .conftest import certified_for


@pytest.mark.django_db
def test_verify_valid_revoked_expired_and_unknown(world, client):
    app = certified_for(world)
    number = app.certificate.number
    response = client.get(reverse("certificate_verify", args=[number]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "证书有效" in body and "菏泽铁棍山药" in body and "单县浮岗山药专业合作社" in body
    assert "山东省 菏泽市 单县 浮岗镇" in body

    # the search form redirects to the number's page, forgiving case and spaces
    response = client.get(reverse("certificate_verify_form"), {"number": f" {number.lower()} "})
    assert response.status_code == 302 and response["Location"] == reverse("certificate_verify", args=[number])

    services.apply_transition(app.pk, "revoke", by=world.officer_a, note="抽检农残超标")
    body = client.get(reverse("certificate_verify", args=[number])).content.decode()
    assert "证书已撤销" in body and "抽检农残超标" in body

    other = certified_for(world, world.product_b)
    Certificate.objects.filter(pk=other.certificate.pk).update(
        valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2021, 12, 31)
    )
    body = client.get(reverse("certificate_verify", args=[other.certificate.number])).content.decode()
    assert "证书已过期" in body and "2021年12月31日" in body

    response = client.get(reverse("certificate_verify", args=["FP000000000000000"]))
    assert response.status_code == 404
    assert "未找到证书编号「FP000000000000000」" in response.content.decode()
    response = client.get("/verify/%3Cscript%3E/")
    assert response.status_code == 404 and "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_certificate_png_and_pdf(world, client, settings):
    settings.SITE_URL = "http://testserver-site"
    number = certified_for(world).certificate.number
    response = client.get(reverse("certificate_png", args=[number]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1600, 1130)
    # the QR code drawn on it is exactly the verification URL's, pixel for pixel
    assert verification_url(number) == f"http://testserver-site/verify/{number}/"
    qr = Image.open(io.BytesIO(qr_png(number, scale=QR_SCALE))).convert("RGB")
    left, top = qr_position(qr.size, image.size)
    pasted = image.convert("RGB").crop((left, top, left + qr.size[0], top + qr.size[1]))
    assert list(pasted.get_flattened_data()) == list(qr.get_flattened_data())
    response = client.get(reverse("certificate_pdf", args=[number]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(reverse("certificate_png", args=["NOPE"])).status_code == 404


@pytest.mark.django_db
def test_certificate_png_has_chinese_glyphs_not_boxes(world):
    """Text drawn with a real CJK font covers many more pixels than the tofu boxes a
    Latin-only font would draw; compare the title band with and without text."""
    from certification.documents import certificate_png

    cert = certified_for(world).certificate
    image = Image.open(io.BytesIO(certificate_png(cert))).convert("L")
    title_band = image.crop((400, 90, 1200, 190))
    dark = sum(1 for p in title_band.get_flattened_data() if p < 128)
    assert dark > 4000


def _catalogue_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_catalogue_lists_valid_certificates_and_exports_the_same(world, client):
    a = certified_for(world).certificate
    b = certified_for(world, world.product_b).certificate
    revoked_product = world.product_b
    response = client.get(reverse("certified_catalogue"))
    body = response.content.decode()
    assert response.status_code == 200 and "共 2 个" in body
    assert a.number in body and b.number in body

    rows = _catalogue_rows(client.get(reverse("certified_catalogue"), {"format": "csv"}))
    assert rows[0] == [
        "证书编号",
        "产品名称",
        "品类",
        "生产主体",
        "统一社会信用代码",
        "产地",
        "认定部门",
        "发证日期",
        "有效期起",
        "有效期至",
    ]
    assert sorted(r[0] for r in rows[1:]) == sorted([a.number, b.number])
    row_a = next(r for r in rows if r[0] == a.number)
    assert row_a[1:7] == [
        "菏泽铁棍山药",
        world.product_a.category.name,
        "单县浮岗山药专业合作社",
        world.coop_a.credit_code,
        "山东省 菏泽市 单县 浮岗镇 " + world.village_a.name,
        "单县商务局",
    ]
    assert row_a[8:] == [a.valid_from.isoformat(), a.valid_until.isoformat()]

    response = client.get(reverse("certified_catalogue"), {"format": "xlsx", "region": "371722"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "证书编号" and [r[0] for r in values[1:]] == [a.number]

    # filters: category, bureau, dates
    rows = _catalogue_rows(client.get(reverse("certified_catalogue"), {"format": "csv", "bureau": b.bureau_id}))
    assert [r[0] for r in rows[1:]] == [b.number]
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    rows = _catalogue_rows(client.get(reverse("certified_catalogue"), {"format": "csv", "issued_from": tomorrow}))
    assert rows[1:] == []

    services.apply_transition(b.application_id, "revoke", by=world.officer_b, note="停产")
    rows = _catalogue_rows(client.get(reverse("certified_catalogue"), {"format": "csv"}))
    assert [r[0] for r in rows[1:]] == [a.number]
    assert revoked_product.title not in client.get(reverse("certified_catalogue")).content.decode()


@pytest.mark.django_db
def test_catalogue_bad_filter_is_a_clear_400(world, client):
    response = client.get(reverse("certified_catalogue"), {"issued_from": "2026-13-45"})
    assert response.status_code == 400
    assert "有效的日期" in response.content.decode() or "Enter a valid date" in response.content.decode()
    response = client.get(reverse("certified_catalogue"), {"issued_from": "2026-05-01", "issued_to": "2026-04-01"})
    assert response.status_code == 400 and "开始日期不能晚于结束日期" in response.content.decode()


@pytest.mark.django_db
def test_catalogue_query_count_does_not_grow_with_rows(world, client, django_assert_max_num_queries):
    from tests.factories import ProductFactory

    certified_for(world)
    client.get(reverse("certified_catalogue"))  # warm the per-site caches (the menus: two queries, once)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("certified_catalogue"))
        client.get(reverse("certified_catalogue"), {"format": "xlsx"})
    for i in range(8):
        product = ProductFactory(
            shop=world.shop_a,
            producer=world.coop_a,
            category=world.product_a.category,
            title=f"山药礼盒{i}",
            certified=False,
        )
        from producers.services import ShareSpec, revise_benefit_linkage

        revise_benefit_linkage(
            product, [ShareSpec(share_bp=100, mode="purchase", collective=world.village_a.collective)]
        )
        certified_for(world, product)
    client.get(reverse("certified_catalogue"))  # the new certificates dropped the kept count and region choices
    with django_assert_max_num_queries(20) as large:
        client.get(reverse("certified_catalogue"))
        client.get(reverse("certified_catalogue"), {"format": "xlsx"})
    assert len(large.captured_queries) == len(small.captured_queries)
