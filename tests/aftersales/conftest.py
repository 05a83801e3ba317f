"""After-sales tests run on the ledger world (tests/worlds.py): a two-shop order paid by bank
transfer — 3 × 单县铁棍山药 (¥38.80, shop A, operator op-a) and 1 × 成武牡丹籽油 (¥128.00,
shop B, operator op-b) — bought by the signed-in buyer ``buyer-1``."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core import sms
from orders.models import OrderLine
from tests.payments.conftest import deliver_event, fake_stripe  # noqa: F401 - Stripe fixtures, shared
from tests.worlds import buy_and_pay


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def w(ledger_world):
    return ledger_world


@pytest.fixture
def order(w):
    return buy_and_pay(w, [(w.yam, 3), (w.oil, 1)], user=w.buyer)


def line_of(order, product) -> OrderLine:
    return OrderLine.objects.select_related("suborder").get(suborder__order=order, product=product)


def png(name="破损.png", size=(64, 48)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as the page's form does, running what is sent after commit (e-mails, SMS, Stripe)."""

    def _post(url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return _post


def ask_url(line: OrderLine, token: str | None = None) -> str:
    if token:
        return reverse("aftersales:new_by_token", args=[token, line.suborder_id])
    return reverse("aftersales:new", args=[line.suborder_id])


def ask_data(quantities: dict, *, kind="refund_only", reason="not_wanted", description="", photos=()) -> dict:
    data = {f"qty_{line.pk}": str(q) for line, q in quantities.items()}
    data.update(kind=kind, reason=reason, description=description)
    if photos:
        data["photos"] = list(photos)
    return data


def act_url(after_sale, action: str) -> str:
    return reverse("aftersales_admin:act", args=[after_sale.pk, action])
