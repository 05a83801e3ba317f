"""Bulk ordering from a CSV: every row checked, errors named by row, nothing in the cart
unless all pass; then checkout for the organisation."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.models import Certificate
from orders.models import CartItem
from procurement.models import Organisation
from tests.factories import UserFactory, valid_credit_code

from .helpers import organisation_post, sign_in

pytestmark = pytest.mark.django_db


def csv_file(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("order.csv", text.encode(encoding), content_type="text/csv")


def cart_of(user) -> dict[int, int]:
    return dict(CartItem.objects.filter(user=user).values_list("product_id", "quantity"))


def test_a_good_file_fills_the_cart_and_checkout_is_for_the_unit(unit, members, world):
    organisation, _admin = unit
    purchaser = members["purchaser"]
    client = sign_in(purchaser)
    client.post("/cart/add/", {"product_id": world.oil.pk, "quantity": 1})  # replaced by the file
    certificate = Certificate.objects.get(product=world.oil)
    text = f"商品编号,数量\n{world.yam.pk},20\n{certificate.number},3\n"
    response = client.post(f"/org/{organisation.pk}/bulk/", {"file": csv_file(text, "gb18030")})
    assert response.status_code == 302
    assert response["Location"] == f"/checkout/?for={organisation.pk}"
    assert cart_of(purchaser) == {world.yam.pk: 20, world.oil.pk: 3}
    page = client.get(response["Location"]).content.decode()
    assert re.search(rf'name="buying_for" value="{organisation.pk}"[^>]*checked', page)


def test_one_bad_row_puts_nothing_in_the_cart_and_names_every_bad_row(unit, members, world):
    organisation, _admin = unit
    purchaser = members["purchaser"]
    client = sign_in(purchaser)
    client.post("/cart/add/", {"product_id": world.oil.pk, "quantity": 1})
    text = "\n".join(
        [
            "编号,数量",
            f"{world.yam.pk},2",
            "999999,1",
            f"{world.oil.pk},0",
            f"{world.yam.pk},1",
            f"{world.oil.pk},600",
            f"{world.oil.pk}",
        ]
    )
    response = client.post(f"/org/{organisation.pk}/bulk/", {"file": csv_file(text)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有放入任何商品" in page
    assert "第 3 行：「999999」不是在售的认定产品" in page
    assert "第 4 行：数量" in page
    assert "第 5 行：与第 2 行是同一商品" in page
    assert "第 6 行：「成武牡丹籽油」库存仅剩 500 件" in page
    assert "第 7 行：须有商品编号和数量两列" in page
    assert "第 2 行" not in page.split("第 5 行")[0]  # the good row is not named
    assert cart_of(purchaser) == {world.oil.pk: 1}  # untouched


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "上传的文件是空的"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "无法读取文件"),
        (b"\xff\xfe\xfd" * 10, "无法读取文件"),
        (b"x" * (256 * 1024 + 1), "文件过大"),
    ],
)
def test_files_that_are_not_a_csv_are_refused_with_a_message(unit, members, world, content, message):
    organisation, _admin = unit
    client = sign_in(members["purchaser"])
    response = client.post(
        f"/org/{organisation.pk}/bulk/", {"file": SimpleUploadedFile("x.csv", content, content_type="text/csv")}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert cart_of(members["purchaser"]) == {}


def test_only_the_units_purchasers(unit, members, world):
    organisation, _admin = unit
    text = f"{world.yam.pk},1\n"
    for role in ("finance", "approver"):
        client = sign_in(members[role])
        assert client.get(f"/org/{organisation.pk}/bulk/").status_code == 403
        assert client.post(f"/org/{organisation.pk}/bulk/", {"file": csv_file(text)}).status_code == 403
        assert cart_of(members[role]) == {}
    stranger = UserFactory(username="edu", mobile="13600000008")
    sign_in(stranger).post(
        "/org/new/", organisation_post(name="单县教育局", credit_code=valid_credit_code("11371722MB0000002"))
    )
    assert Organisation.objects.count() == 2
    assert sign_in(stranger).post(f"/org/{organisation.pk}/bulk/", {"file": csv_file(text)}).status_code == 404
    assert cart_of(stranger) == {}
