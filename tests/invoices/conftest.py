"""Invoice tests run on the ledger world (tests/worlds.py): a two-shop order paid by bank
transfer — 3 × 单县铁棍山药 (¥38.80, shop A, operator op-a) and 1 × 成武牡丹籽油 (¥128.00,
shop B, operator op-b) — bought by the signed-in individual buyer ``buyer-1`` (王芳); and,
when asked, a budget unit's order (单县财政局) of the same shops."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.models import SubOrder
from tests.worlds import buy_and_pay

OFD_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.1" DocType="OFD">'
    "<ofd:DocBody><ofd:DocInfo><ofd:DocID>6f1f3a</ofd:DocID></ofd:DocInfo>"
    "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


def pdf_bytes(text: str = "电子发票 12345678") -> bytes:
    """A real one-page PDF, as ReportLab writes it."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    document = canvas.Canvas(buf)
    document.drawString(100, 750, text)
    document.save()
    return buf.getvalue()


def ofd_bytes(*, entries: dict | None = None) -> bytes:
    """An OFD container: a ZIP with OFD.xml (an ofd:OFD root) and a document under Doc_0/."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in (
            entries if entries is not None else {"OFD.xml": OFD_XML, "Doc_0/Document.xml": "<x/>"}
        ).items():
            archive.writestr(name, body)
    return buf.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def w(ledger_world):
    return ledger_world


@pytest.fixture
def order(w):
    return buy_and_pay(w, [(w.yam, 3), (w.oil, 1)], user=w.buyer)


@pytest.fixture
def unit_order(w):
    return buy_and_pay(w, [(w.yam, 10)], buyer_type="budget_unit", user=w.buyer, email="caizheng@example.cn")


def parcel(order, shop) -> SubOrder:
    return SubOrder.objects.get(order=order, shop=shop)


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as the page's form does, running what is sent after commit (the e-mail)."""

    def _post(url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return _post


def new_url(suborder, token: str | None = None) -> str:
    if token:
        return reverse("invoices:new_by_token", args=[token, suborder.pk])
    return reverse("invoices:new", args=[suborder.pk])


def normal_request(**overrides) -> dict:
    data = {"kind": "normal", "title_type": "personal", "title": "王芳", "email": "wangfang@example.cn"}
    data.update(overrides)
    return data


def issue_url(invoice) -> str:
    return reverse("invoices_admin:issue", args=[invoice.pk])


def action_url(invoice, action: str, token: str | None = None) -> str:
    if token:
        return reverse("invoices:action_by_token", args=[token, invoice.pk, action])
    return reverse("invoices:action", args=[invoice.pk, action])
