"""Invoice files are judged by content, through the one upload validator (core/uploads.py):
PDF (read by pypdf) or OFD (a ZIP whose root holds OFD.xml with an ofd:OFD root, its sizes
checked before anything is unpacked). Each refusal says why, and nothing is stored."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.errors import DomainError
from core.uploads import INVOICE_REFUSED, INVOICE_TYPES, check_upload
from invoices import services
from invoices.models import Invoice

from .conftest import OFD_XML, action_url, issue_url, normal_request, ofd_bytes, parcel, pdf_bytes, upload

pytestmark = pytest.mark.django_db

NUMBER = "26372000000000009876"


def stored_invoice_files() -> set[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "invoices"
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def invoice(w, order):
    return services.request_invoice(parcel(order, w.shop_a).pk, by=w.buyer, **normal_request())


def broken_pdf() -> bytes:
    """A real PDF's first 300 bytes (header and the start of its first object), then %%EOF:
    it looks like a PDF by its signature and its end, but has no body or cross-references."""
    return pdf_bytes()[:300] + b"\n%%EOF\n"


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("发票.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, str(INVOICE_REFUSED)),
        ("发票.pdf", broken_pdf(), "PDF 文件不完整或已损坏。"),
        ("发票.pdf", b"%PDF-1.7\n" + b"0" * 4000, "PDF 文件不完整或已损坏。"),
        ("发票.ofd", ofd_bytes(entries={"Doc_0/Document.xml": "<x/>"}), "OFD 文件根目录缺少 OFD.xml"),
        ("发票.ofd", ofd_bytes(entries={"OFD.xml": "<OFD/>"}), "OFD.xml 的根元素不是 ofd:OFD"),
        ("发票.ofd", b"PK\x03\x04" + b"\x00" * 300, "OFD 文件无法读取或已损坏。"),
        ("发票.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, str(INVOICE_REFUSED)),
    ],
    ids=["renamed-exe", "broken-pdf", "pdf-without-eof", "zip-without-ofd-xml", "wrong-root", "broken-zip", "png"],
)
def test_a_refused_file_says_why_and_nothing_is_stored(client, post, w, invoice, name, data, message):
    before = stored_invoice_files()
    client.force_login(w.operator_a)
    response = post(issue_url(invoice), {"medium": "electronic", "number": NUMBER, "file": upload(name, data)})
    assert response.status_code == 400
    assert message in response.content.decode()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number, invoice.file.name) == ("requested", "", "")
    assert stored_invoice_files() == before


def test_an_oversized_file_is_refused_with_its_size(client, post, w, invoice, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    data = pdf_bytes() + b"%" + b"0" * (1024 * 1024 + 200_000) + b"\n%%EOF\n"
    before = stored_invoice_files()
    client.force_login(w.operator_a)
    response = post(issue_url(invoice), {"medium": "electronic", "number": NUMBER, "file": upload("大.pdf", data)})
    assert response.status_code == 400
    assert "文件过大（1.2 MB），上限为 1 MB。" in response.content.decode()
    assert Invoice.objects.get().status == "requested" and stored_invoice_files() == before


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", OFD_XML)
        archive.writestr("Doc_0/Res/zeros.bin", b"\x00" * (20 * 1024 * 1024))  # 20 MB → ~20 kB packed
    data = buf.getvalue()
    assert len(data) < 100_000
    with pytest.raises(DomainError, match="OFD 文件解压后过大，疑似压缩炸弹，已拒绝。"):
        check_upload(upload("炸弹.ofd", data, "application/ofd"), allowed=INVOICE_TYPES, refused=INVOICE_REFUSED)


def test_an_ofd_with_a_document_type_is_refused():
    xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'
    with pytest.raises(DomainError, match="根元素不是 ofd:OFD"):
        check_upload(
            upload("a.ofd", ofd_bytes(entries={"OFD.xml": xml})), allowed=INVOICE_TYPES, refused=INVOICE_REFUSED
        )


def test_a_zip_is_not_taken_where_ofd_is_not_allowed():
    with pytest.raises(DomainError, match="只接受 JPEG、PNG、WebP 图片或 PDF 文件"):
        check_upload(upload("a.ofd", ofd_bytes()))


def test_a_valid_ofd_is_accepted_and_downloaded_by_the_buyer_only(client, post, w, order, invoice):
    data = ofd_bytes()
    client.force_login(w.operator_a)
    response = post(issue_url(invoice), {"medium": "electronic", "number": NUMBER, "file": upload("发票.zip", data)})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.content_type, invoice.size, invoice.original_name) == (
        "issued",
        "application/ofd",
        len(data),
        "发票.zip",
    )
    assert invoice.file.name.endswith(".ofd")

    client.force_login(w.buyer)
    download = client.get(reverse("invoices:file", args=[invoice.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/ofd"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;") and ".ofd" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == data
    client.logout()
    by_link = client.get(reverse("invoices:file_by_token", args=[order.token, invoice.pk]))
    assert by_link.status_code == 200 and b"".join(by_link.streaming_content) == data
    for outsider in (w.operator_b, w.officer_a):
        client.force_login(outsider)
        assert client.get(reverse("invoices:file", args=[invoice.pk])).status_code == 404
    assert post(action_url(invoice, "confirm")).status_code == 404


def test_a_valid_pdf_is_accepted_whatever_its_name(client, post, w, invoice):
    data = pdf_bytes()
    client.force_login(w.operator_a)
    response = post(issue_url(invoice), {"medium": "electronic", "number": NUMBER, "file": upload("scan.bin", data)})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.content_type, invoice.size) == ("application/pdf", len(data))
    assert invoice.file.name.endswith(".pdf") and Path(invoice.file.path).read_bytes() == data
