"""Reviews (评价): once the shop's parcel is received, the order's buyer rates each line 1–5
with text and up to three photos, once; the shop's operator replies once in the admin; a
platform administrator hides a review with a reason. Everyone else is refused."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from orders.models import Review, ReviewPhoto
from orders.services import apply_transition
from orders.transitions import Actor, Target
from payments.services import confirm_payment
from tests.factories import place_order_for, review_for

pytestmark = pytest.mark.django_db


def png(name="photo.png", size=(40, 30), color=(200, 120, 40)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def received(world, order, shop):
    """Ship ``shop``'s parcel of ``order`` and have the buyer confirm receipt."""
    sub = order.suborders.get(shop=shop)
    operator = world.operator_a if shop == world.shop_a else world.operator_b
    apply_transition(
        Target.SUBORDER, sub.pk, "ship", by=operator, actor=Actor.OPERATOR, carrier="中国邮政", tracking_number="E1"
    )
    apply_transition(Target.SUBORDER, sub.pk, "complete", by=order.user, actor=Actor.BUYER, token=order.token)
    return sub


@pytest.fixture
def bought(shop_world):
    """The buyer's two-shop order, paid; shop A's parcel received, shop B's not shipped."""
    order = place_order_for([(shop_world.yam, 2), (shop_world.oil, 1)], user=shop_world.buyer)
    confirm_payment(order.pk, amount_fen=order.total_fen, currency="CNY", method="transfer", reference="ICBC-9")
    received(shop_world, order, shop_world.shop_a)
    yam_line = order.suborders.get(shop=shop_world.shop_a).lines.get()
    oil_line = order.suborders.get(shop=shop_world.shop_b).lines.get()
    shop_world.buyer.name = "陈静"
    shop_world.buyer.save()
    return order, yam_line, oil_line


def review_url(order, line):
    return reverse("orders:review", args=[order.number, line.pk])


def token_review_url(order, line):
    return reverse("orders:review_by_token", args=[order.token, line.pk])


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the buyer ----------------------------------------------------------------------------------------------


def test_order_pages_link_review_for_received_lines_only(client, shop_world, bought):
    order, yam_line, oil_line = bought
    client.force_login(shop_world.buyer)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert f'href="{review_url(order, yam_line)}">评价</a>' in page
    assert review_url(order, oil_line) not in page  # shop B's parcel is not even shipped
    client.logout()
    page = client.get(reverse("orders:by_token", args=[order.token])).content.decode()
    assert f'href="{token_review_url(order, yam_line)}">评价</a>' in page
    assert token_review_url(order, oil_line) not in page


def test_buyer_reviews_a_received_line_with_a_photo_and_sees_it(client, shop_world, bought):
    order, yam_line, _ = bought
    client.force_login(shop_world.buyer)
    form_page = client.get(review_url(order, yam_line))
    assert form_page.status_code == 200
    assert 'enctype="multipart/form-data"' in form_page.content.decode()

    response = client.post(
        review_url(order, yam_line), {"rating": "4", "text": "  山药很粉，包装结实。 ", "photos": [png()]}, follow=True
    )

    assert response.redirect_chain[-1][0] == review_url(order, yam_line)
    assert flashes(response) == ["评价已提交，谢谢您！"]
    review = Review.objects.get()
    assert (review.line, review.product, review.user, review.author_name) == (
        yam_line,
        shop_world.yam,
        shop_world.buyer,
        "陈静",
    )
    assert (review.rating, review.text, review.reply, review.hidden) == (4, "山药很粉，包装结实。", "", False)
    photo = ReviewPhoto.objects.get()
    assert (photo.review, photo.content_type, photo.original_name) == (review, "image/png", "photo.png")
    assert photo.file.name.startswith("reviews/") and photo.file.name.endswith(".png")
    html = response.content.decode()
    assert "★★★★☆" in html and "山药很粉，包装结实。" in html
    assert reverse("orders:review_photo", args=[photo.pk]) in html
    assert 'name="rating"' not in html
    # The order page now shows the stars instead of the link.
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "已评价 ★★★★☆" in page


def test_a_line_is_reviewed_once(client, shop_world, bought):
    order, yam_line, _ = bought
    client.force_login(shop_world.buyer)
    client.post(review_url(order, yam_line), {"rating": "5", "text": "好"}, follow=True)
    response = client.post(token_review_url(order, yam_line), {"rating": "1", "text": "再评一次"}, follow=True)
    assert flashes(response) == ["这件商品已经评价过了：每个订单的每件商品只能评价一次。"]
    assert list(Review.objects.values_list("rating", "text")) == [(5, "好")]


def test_a_line_not_yet_received_cannot_be_reviewed(client, shop_world, bought):
    order, _, oil_line = bought
    client.force_login(shop_world.buyer)
    page = client.get(review_url(order, oil_line)).content.decode()
    assert "确认收货后即可评价这件商品。" in page and 'name="rating"' not in page
    response = client.post(review_url(order, oil_line), {"rating": "5", "text": "好"}, follow=True)
    assert flashes(response) == ["确认收货后才能评价。"]
    assert not Review.objects.exists()


def test_another_buyer_gets_404_and_nothing_is_written(client, shop_world, bought):
    order, yam_line, _ = bought
    client.force_login(shop_world.other_buyer)
    assert client.get(review_url(order, yam_line)).status_code == 404
    assert client.post(review_url(order, yam_line), {"rating": "1", "text": "差"}).status_code == 404
    wrong_token = reverse("orders:review_by_token", args=["x" * 43, yam_line.pk])
    assert client.post(wrong_token, {"rating": "1", "text": "差"}).status_code == 404
    # Nor through the buyer's own order with somebody else's line.
    own = place_order_for([(shop_world.yam, 1)], user=shop_world.other_buyer)
    assert client.post(review_url(own, yam_line), {"rating": "1"}).status_code == 404
    assert client.post(token_review_url(own, yam_line), {"rating": "1"}).status_code == 404
    assert not Review.objects.exists()


def test_signed_out_buyer_is_sent_to_sign_in(client, bought):
    order, yam_line, _ = bought
    response = client.get(review_url(order, yam_line))
    assert response.status_code == 302 and response["Location"].startswith(reverse("orders:login"))


def test_anonymous_buyer_reviews_through_the_secret_link(client, shop_world):
    order = place_order_for([(shop_world.yam, 1)], contact_name="欧阳娜娜")
    confirm_payment(order.pk, amount_fen=order.total_fen, currency="CNY", method="transfer", reference="ICBC-1")
    received(shop_world, order, shop_world.shop_a)
    line = order.suborders.get().lines.get()
    response = client.post(token_review_url(order, line), {"rating": "5", "text": "", "photos": [png()]}, follow=True)
    assert flashes(response) == ["评价已提交，谢谢您！"]
    review = Review.objects.get()
    assert (review.user, review.author_name, review.rating, review.text) == (None, "欧阳娜娜", 5, "")
    photo = review.photos.get()
    assert reverse("orders:review_photo_by_token", args=[order.token, photo.pk]) in response.content.decode()


@pytest.mark.parametrize("rating", ["", "0", "6", "-1", "4.5", "abc", "５", "99999999999999999999999"])
def test_a_rating_outside_1_to_5_is_a_form_error(client, shop_world, bought, rating):
    order, yam_line, _ = bought
    client.force_login(shop_world.buyer)
    response = client.post(review_url(order, yam_line), {"rating": rating, "text": "保留的文字"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"rating": ["请选择 1 到 5 星。"]}
    assert "保留的文字" in response.content.decode()  # what the buyer wrote is kept
    assert not Review.objects.exists()


def test_text_over_500_characters_is_a_form_error(client, shop_world, bought):
    order, yam_line, _ = bought
    client.force_login(shop_world.buyer)
    response = client.post(review_url(order, yam_line), {"rating": "5", "text": "好" * 501})
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["评价内容最多 500 个字。"]
    assert client.post(review_url(order, yam_line), {"rating": "5", "text": "好" * 500}).status_code == 302
    assert len(Review.objects.get().text) == 500


@pytest.mark.parametrize("line", ["abc", "-1", "1.5", "99999999999999999999999"])
def test_a_malformed_line_is_a_400(client, shop_world, bought, line):
    order, _, _ = bought
    client.force_login(shop_world.buyer)
    url = reverse("orders:review", args=[order.number, line])
    assert client.post(url, {"rating": "5"}).status_code == 400
    assert not Review.objects.exists()


# --- photos -------------------------------------------------------------------------------------------------


def test_a_text_file_renamed_jpg_is_refused(client, shop_world, bought):
    order, yam_line, _ = bought
    client.force_login(shop_world.buyer)
    fake = SimpleUploadedFile("photo.jpg", "这不是图片".encode() * 20, content_type="image/jpeg")
    response = client.post(review_url(order, yam_line), {"rating": "5", "text": "好", "photos": [png(), fake]})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "photos": ["第 2 张照片未通过：照片只接受 JPEG、PNG 或 WebP 图片（按文件内容判断，与扩展名无关）。"]
    }
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()


@override_settings(MAX_UPLOAD_BYTES=2 * 1024 * 1024)
def test_an_oversized_image_is_refused(client, shop_world, bought):
    order, yam_line, _ = bought
    client.force_login(shop_world.buyer)
    buf = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(buf, format="PNG")  # noise: ~3 MB
    big = SimpleUploadedFile("big.png", buf.getvalue(), content_type="image/png")
    assert big.size > 2 * 1024 * 1024
    response = client.post(review_url(order, yam_line), {"rating": "5", "photos": [big]})
    megabytes = f"{big.size / 1048576:.1f}"
    assert response.context["form"].errors == {
        "photos": [f"第 1 张照片未通过：文件过大（{megabytes} MB），上限为 2 MB。"]
    }
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()


def test_a_pdf_is_refused_and_four_photos_are_too_many(client, shop_world, bought):
    order, yam_line, _ = bought
    client.force_login(shop_world.buyer)
    pdf = SimpleUploadedFile(
        "a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )
    response = client.post(review_url(order, yam_line), {"rating": "5", "photos": [pdf]})
    assert response.context["form"].errors["photos"] == [
        "第 1 张照片未通过：照片只接受 JPEG、PNG 或 WebP 图片（按文件内容判断，与扩展名无关）。"
    ]
    response = client.post(review_url(order, yam_line), {"rating": "5", "photos": [png(f"{n}.png") for n in range(4)]})
    assert response.context["form"].errors == {"photos": ["最多上传 3 张照片，您选了 4 张。"]}
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()


# --- the shop's reply, hiding, who sees what ------------------------------------------------------------------


@pytest.fixture
def reviewed(client, shop_world, bought):
    order, yam_line, _ = bought
    client.force_login(shop_world.buyer)
    client.post(review_url(order, yam_line), {"rating": "2", "text": "有几根断了", "photos": [png()]})
    client.logout()
    return order, Review.objects.get()


def assert_refused(response):
    """Wagtail turns PermissionDenied in an admin view into a redirect to the dashboard."""
    assert response.status_code == 302 and response["Location"] == "/admin/"


def admin_url(name, review):
    return reverse(f"orders_admin:{name}", args=[review.pk])


def test_operator_replies_once_and_the_reply_shows_on_the_product_page(client, shop_world, reviewed):
    order, review = reviewed
    client.force_login(shop_world.operator_a)
    assert review.product.title in client.get(reverse("orders_admin:reviews")).content.decode()
    assert 'name="reply"' in client.get(admin_url("review", review)).content.decode()
    response = client.post(admin_url("review_reply", review), {"reply": "抱歉，已为您补寄。"}, follow=True)
    assert flashes(response) == ["回复已发布。"]
    review.refresh_from_db()
    assert (review.reply, review.replied_by) == ("抱歉，已为您补寄。", shop_world.operator_a)
    assert review.replied_at is not None
    assert 'name="reply"' not in response.content.decode()

    response = client.post(admin_url("review_reply", review), {"reply": "第二次回复"}, follow=True)
    assert flashes(response) == ["这条评价已经回复过了：每条评价只能回复一次。"]
    review.refresh_from_db()
    assert review.reply == "抱歉，已为您补寄。"
    page = client.get(shop_world.yam.get_absolute_url()).content.decode()
    assert "店家回复：</strong>抱歉，已为您补寄。" in page


def test_an_empty_reply_is_refused(client, shop_world, reviewed):
    _, review = reviewed
    client.force_login(shop_world.operator_a)
    response = client.post(admin_url("review_reply", review), {"reply": "   "}, follow=True)
    assert flashes(response) == ["请填写回复内容。"]
    review.refresh_from_db()
    assert review.reply == ""


def test_another_shops_operator_the_officer_and_the_admin_may_not_reply(client, shop_world, reviewed):
    _, review = reviewed
    client.force_login(shop_world.operator_b)
    assert client.get(admin_url("review", review)).status_code == 404
    assert client.post(admin_url("review_reply", review), {"reply": "不是我的店"}).status_code == 404
    assert review.product.title not in client.get(reverse("orders_admin:reviews")).content.decode()
    client.force_login(shop_world.officer)
    assert_refused(client.get(reverse("orders_admin:reviews")))
    assert_refused(client.get(admin_url("review", review)))
    assert_refused(client.post(admin_url("review_reply", review), {"reply": "官方回复"}))
    client.force_login(shop_world.admin)
    response = client.post(admin_url("review_reply", review), {"reply": "平台代回"}, follow=True)
    assert flashes(response)[-1] == "只有本店的运营人员可以回复评价。"  # after the officer's refusals
    client.force_login(shop_world.buyer)
    response = client.post(admin_url("review_reply", review), {"reply": "自己回"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    review.refresh_from_db()
    assert review.reply == ""


def test_admin_hides_with_a_reason_and_the_buyer_still_sees_it(client, shop_world, reviewed):
    order, review = reviewed
    product_url = shop_world.yam.get_absolute_url()
    assert "有几根断了" in client.get(product_url).content.decode()
    client.force_login(shop_world.admin)
    response = client.post(admin_url("review_hide", review), {"reason": "  "}, follow=True)
    assert flashes(response) == ["隐藏评价须填写原因。"]
    review.refresh_from_db()
    assert not review.hidden

    response = client.post(admin_url("review_hide", review), {"reason": "含有联系方式"}, follow=True)
    assert flashes(response) == ["评价已隐藏，商品页不再显示。"]
    review.refresh_from_db()
    assert (review.hidden, review.hidden_reason, review.hidden_by) == (True, "含有联系方式", shop_world.admin)
    client.logout()
    page = client.get(product_url).content.decode()
    assert "有几根断了" not in page and "暂无评价" in page
    photo = review.photos.get()
    assert client.get(reverse("orders:review_photo", args=[photo.pk])).status_code == 404
    # The buyer: on their review page, marked hidden, with the reason and the photo.
    page = client.get(token_review_url(order, review.line)).content.decode()
    assert "这条评价已被平台隐藏，其他人看不到。原因：含有联系方式" in page and "有几根断了" in page
    assert client.get(reverse("orders:review_photo_by_token", args=[order.token, photo.pk])).status_code == 200
    client.force_login(shop_world.buyer)
    assert client.get(reverse("orders:review_photo", args=[photo.pk])).status_code == 200
    client.force_login(shop_world.operator_a)
    assert client.get(reverse("orders:review_photo", args=[photo.pk])).status_code == 200
    for outsider in (shop_world.operator_b, shop_world.other_buyer, shop_world.officer):
        client.force_login(outsider)
        assert client.get(reverse("orders:review_photo", args=[photo.pk])).status_code == 404

    client.force_login(shop_world.admin)
    response = client.post(admin_url("review_show", review), follow=True)
    assert flashes(response) == ["评价已恢复显示。"]
    client.logout()
    assert "有几根断了" in client.get(product_url).content.decode()


def test_operators_and_officers_may_not_hide(client, shop_world, reviewed):
    _, review = reviewed
    for user in (shop_world.operator_a, shop_world.operator_b, shop_world.officer):
        client.force_login(user)
        assert_refused(client.post(admin_url("review_hide", review), {"reason": "不喜欢"}))
    review.refresh_from_db()
    assert not review.hidden


def test_a_shown_reviews_photo_is_public(client, reviewed):
    _, review = reviewed
    response = client.get(reverse("orders:review_photo", args=[review.photos.get().pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("orders:review_photo", args=["abc"])).status_code == 400
    assert client.get(reverse("orders:review_photo", args=["999999"])).status_code == 404


def test_the_admin_review_list_is_scoped_and_its_queries_do_not_grow(client, shop_world, django_assert_num_queries):
    for n in range(2):
        review_for(shop_world.yam, 5, text=f"山药{n}", photos=2)
    review_for(shop_world.oil, 3, text="别家的油")
    client.force_login(shop_world.operator_a)
    url = reverse("orders_admin:reviews")
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    assert "山药0" in html and "山药1" in html and "别家的油" not in html
    for n in range(2, 20):
        review_for(shop_world.yam, 4, text=f"山药{n}", photos=2, reply="谢谢")
    with django_assert_num_queries(len(ctx.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("2 张照片") == 20
    assert client.get(url + "?show=unreplied").content.decode().count("待回复</strong>") == 2
    client.force_login(shop_world.admin)
    assert "别家的油" in client.get(url).content.decode()
