"""A batch's recall (召回): exactly the orders shipped from the batch, one e-mail and one
text message per buyer after a confirmation step, once per batch per day; platform
administrators send, the batch's shop operators read masked, everyone else is refused."""

import pytest
from django.core import mail

from core import sms
from core.errors import DomainError
from orders.models import RecallNotice
from orders.services import send_recall
from tests.factories import place_order_for
from tests.trace_batches import make_batch, ship_parcel

pytestmark = pytest.mark.django_db


def assert_refused(response):
    """Wagtail turns PermissionDenied in an admin view into a redirect to the dashboard."""
    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def recall_world(shop_world):
    w = shop_world
    w.batch = make_batch(w.yam, code="RECALL0001", quantity=50, days_ago=20)
    w.other_batch = make_batch(w.yam, code="OTHER00001", quantity=50, days_ago=10)
    liu = {"contact_name": "刘洋", "email": "liu@example.cn", "mobile": "13900000001"}
    zhao = {"contact_name": "赵敏", "email": "zhao@example.cn", "mobile": "13900000002"}
    sun = {"contact_name": "孙丽", "email": "sun@example.cn", "mobile": "13900000003"}
    qian = {"contact_name": "钱多", "email": "qian@example.cn", "mobile": "13900000004"}

    def shipped(quantity, batch, **buyer):
        order = _paid(w, [(w.yam, quantity)], **buyer)
        parcel = order.suborders.get()
        ship_parcel(parcel, w.operator_a, batches={parcel.lines.get().pk: batch.pk})
        return order

    w.liu_first = shipped(2, w.batch, **liu)
    w.zhao = shipped(1, w.batch, **zhao)
    w.liu_again = shipped(3, w.batch, **liu)  # the same buyer again: one e-mail, one SMS
    w.sun_other_batch = shipped(1, w.other_batch, **sun)
    w.qian_not_shipped = _paid(w, [(w.yam, 1)], **qian)
    return w


def _paid(world, products_quantities, **buyer):
    from payments import services as payments

    order = place_order_for(products_quantities, **buyer)
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference=f"R{order.pk}", by=world.admin)
    return order


def _listed_numbers(html: str) -> list[str]:
    import re

    return re.findall(r'<tr class="recall-order" data-number="([^"]+)"', html)


def test_the_recall_lists_exactly_the_orders_shipped_from_the_batch(recall_world, client):
    w = recall_world
    client.force_login(w.admin)
    response = client.get(f"/admin/traceability/recall/{w.batch.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(_listed_numbers(html)) == sorted([w.liu_first.number, w.zhao.number, w.liu_again.number])
    assert "共 6 件" in html
    assert "13900000001" in html and "liu@example.cn" in html  # admins see contacts in full
    assert w.sun_other_batch.number not in html and w.qian_not_shipped.number not in html


def test_sending_writes_once_to_each_buyer_after_confirmation(recall_world, client, django_capture_on_commit_callbacks):
    w = recall_world
    client.force_login(w.admin)
    mail.outbox.clear()
    sms.outbox.clear()
    confirm = client.get(f"/admin/traceability/recall/{w.batch.pk}/send/")
    assert "2 封邮件和 2 条短信" in confirm.content.decode()
    assert mail.outbox == [] and list(sms.outbox) == [] and not RecallNotice.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/traceability/recall/{w.batch.pk}/send/", {"message": "请停止食用并联系网店退款。"}
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["liu@example.cn", "zhao@example.cn"]
    assert all(m.subject == f"召回通知：{w.yam.title}（批次 RECALL0001）" for m in mail.outbox)
    assert all("请停止食用并联系网店退款。" in m.body and "/trace/RECALL0001/" in m.body for m in mail.outbox)
    assert sorted(m.mobile for m in sms.outbox) == ["13900000001", "13900000002"]
    assert all(m.template == "batch_recall" and "RECALL0001" in m.text for m in sms.outbox)
    notice = RecallNotice.objects.get()
    assert (notice.batch_id, notice.sent_by, notice.orders_count, notice.emails_count, notice.sms_count) == (
        w.batch.pk,
        w.admin,
        3,
        2,
        2,
    )

    # The same day again: refused, nobody written to twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/admin/traceability/recall/{w.batch.pk}/send/", {"message": "再次提醒。"}, follow=True)
    assert "每批次每天只发送一次" in again.content.decode()
    assert len(mail.outbox) == 2 and len(sms.outbox) == 2 and RecallNotice.objects.count() == 1


def test_the_batch_shop_operator_reads_masked_and_cannot_send(recall_world, client):
    w = recall_world
    client.force_login(w.operator_a)
    html = client.get(f"/admin/traceability/recall/{w.batch.pk}/").content.decode()
    assert len(_listed_numbers(html)) == 3
    assert "139****0001" in html and "l***@example.cn" in html and "刘*" in html
    assert "13900000001" not in html and "liu@example.cn" not in html
    assert "/send/" not in html
    assert_refused(client.get(f"/admin/traceability/recall/{w.batch.pk}/send/"))
    assert_refused(client.post(f"/admin/traceability/recall/{w.batch.pk}/send/", {"message": "x"}))
    with pytest.raises(DomainError, match="只有平台管理员"):
        send_recall(w.batch.pk, by=w.operator_a, message="x")
    assert not RecallNotice.objects.exists()


@pytest.mark.parametrize("who", ["operator_b", "officer", "buyer"])
def test_anyone_else_is_refused(recall_world, client, who):
    w = recall_world
    client.force_login(getattr(w, who))
    for url in (f"/admin/traceability/recall/{w.batch.pk}/", f"/admin/traceability/recall/{w.batch.pk}/send/"):
        response = client.get(url)
        # Officers and other shops' operators reach the admin and are refused (Wagtail sends
        # them to the dashboard); a buyer cannot enter the admin at all (its sign-in page).
        assert response.status_code == 302, url
        if who == "buyer":
            assert response["Location"].startswith("/admin/login/"), url
        else:
            assert response["Location"] == "/admin/", url
    response = client.post(f"/admin/traceability/recall/{w.batch.pk}/send/", {"message": "x"})
    assert response.status_code == 302 and not RecallNotice.objects.exists()
