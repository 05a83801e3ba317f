"""Evidence is judged by content: allowed types only, a size limit, no decompression
bombs; a refused upload says why and loses nothing already on the application."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from certification import services
from certification.models import Evidence
from core.errors import DomainError

from .conftest import draft_for, pdf_upload, png_upload


@pytest.mark.django_db
def test_png_and_pdf_are_accepted_and_typed_by_content(world):
    app = draft_for(world)  # has one PNG already
    pdf = services.add_evidence(app, pdf_upload("协议.png"), Evidence.Kind.AGREEMENT, by=world.operator_a)
    assert pdf.content_type == "application/pdf"  # named .png, but it is a PDF
    assert pdf.file.name.endswith(".pdf") and pdf.original_name == "协议.png"
    assert list(app.evidence.values_list("content_type", flat=True)) == ["image/png", "application/pdf"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("合格证.png", b"just some text, not a picture", content_type="image/png"), "只接受"),
        (SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/png"), "只接受"),
        (SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"), "空的"),
        (SimpleUploadedFile("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, content_type="image/png"), "无法读取"),
        (SimpleUploadedFile("cut.pdf", b"%PDF-1.4\n1 0 obj<<>>", content_type="application/pdf"), "PDF"),
    ],
    ids=["text-as-png", "exe", "empty", "broken-png", "truncated-pdf"],
)
def test_bad_files_are_refused_with_a_reason_and_nothing_is_lost(world, upload, message):
    app = draft_for(world)
    with pytest.raises(DomainError, match=message):
        services.add_evidence(app, upload, Evidence.Kind.PHOTO, by=world.operator_a)
    assert app.evidence.count() == 1


@pytest.mark.django_db
def test_size_limit(world, settings):
    app = draft_for(world)
    settings.MAX_UPLOAD_BYTES = 1000
    buf = io.BytesIO()
    Image.effect_noise((400, 400), 100).convert("RGB").save(buf, format="PNG")
    big = SimpleUploadedFile("big.png", buf.getvalue(), content_type="image/png")
    assert big.size > 1000
    with pytest.raises(DomainError, match="文件过大"):
        services.add_evidence(app, big, Evidence.Kind.PHOTO, by=world.operator_a)


@pytest.mark.django_db
def test_decompression_bomb_is_refused(world, monkeypatch):
    app = draft_for(world)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100)
    with pytest.raises(DomainError, match="解压炸弹"):
        services.add_evidence(app, png_upload(size=(150, 150)), Evidence.Kind.PHOTO, by=world.operator_a)
    assert app.evidence.count() == 1


@pytest.mark.django_db
def test_rejected_upload_through_the_admin_says_why(world, client):
    app = draft_for(world)
    client.force_login(world.operator_a)
    url = reverse("certification_admin:evidence_upload", args=[app.pk])
    bad = SimpleUploadedFile("合格证.png", b"not an image at all", content_type="image/png")
    response = client.post(url, {"kind": "compliance", "file": bad}, follow=True)
    assert response.status_code == 200
    assert "材料未上传：只接受 JPEG、PNG、WebP 图片或 PDF 文件" in response.content.decode()
    assert app.evidence.count() == 1
    response = client.post(url, {"kind": "agreement", "file": pdf_upload()}, follow=True)
    assert "材料已上传" in response.content.decode()
    assert app.evidence.count() == 2


@pytest.mark.django_db
def test_evidence_files_are_private_to_the_scope(world, client):
    app = draft_for(world)
    evidence = app.evidence.get()
    url = reverse("certification_admin:evidence_file", args=[evidence.pk])
    client.force_login(world.operator_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    # Served as every private file is (core.uploads.private_file_response): inline, never
    # sniffed into another type, never kept by a shared cache (the admin adds no-store).
    assert (response["Content-Disposition"], response["X-Content-Type-Options"]) == ("inline", "nosniff")
    assert response["Cache-Control"].startswith("private")
    client.force_login(world.officer_a)
    assert client.get(url).status_code == 200
    for outsider in (world.operator_b, world.officer_b):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 403)
    # A row whose file is gone (a restored database) is a 404, not a 500.
    evidence.file.storage.delete(evidence.file.name)
    client.force_login(world.operator_a)
    assert client.get(url).status_code == 404
    # not under MEDIA_ROOT, so never reachable as a public media URL
    from django.conf import settings

    assert not evidence.file.path.startswith(str(settings.MEDIA_ROOT))
