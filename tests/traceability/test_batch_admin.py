"""Batches in the admin, through HTTP: who sees and changes which batch, inspection reports
and their files, suppliers, unit codes, the label sheet and the shipped-units floor."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from traceability.models import CODE_ALPHABET, Batch, BatchSupplier, InspectionReport, UnitCode
from traceability.services import add_inspection

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db

INDEX = "/admin/traceability/batches/"


def edit_url(batch):
    return f"/admin/traceability/batches/edit/{batch.pk}/"


def inspect_url(batch):
    return f"/admin/traceability/batches/inspect/{batch.pk}/"


def edit_data(batch, **changes):
    data = {
        "product": batch.product_id,
        "producer": batch.producer_id,
        "origin": batch.origin_id,
        "origin_place": batch.origin_place,
        "produced_on": batch.produced_on.isoformat(),
        "quantity": batch.quantity,
        "shelf_life_days": batch.shelf_life_days,
        "notes": batch.notes,
    }
    data.update(changes)
    return data


def test_operator_lists_only_own_shops_batches(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    body = client.get(INDEX).content.decode()
    assert w.batch_a.code in body
    assert w.batch_b.code not in body


def test_operator_cannot_open_or_edit_another_shops_batch(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    assert client.get(inspect_url(w.batch_b)).status_code == 404
    assert client.get(edit_url(w.batch_b)).status_code == 404
    response = client.post(edit_url(w.batch_b), edit_data(w.batch_b, quantity=1))
    assert response.status_code == 404
    assert Batch.objects.get(pk=w.batch_b.pk).quantity == 80
    for action in ("close", "units", "suppliers", "inspections"):
        assert client.post(f"/admin/traceability/batches/{w.batch_b.pk}/{action}/", {"count": 3}).status_code == 404
    assert client.get(f"/admin/traceability/batches/{w.batch_b.pk}/labels.pdf").status_code == 404
    assert Batch.objects.get(pk=w.batch_b.pk).closed_at is None
    assert UnitCode.objects.filter(batch=w.batch_b).count() == 0


def test_operator_edits_own_batch(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    response = client.post(edit_url(w.batch_a), edit_data(w.batch_a, quantity=180, notes="分级后 180 箱"))
    assert response.status_code == 302
    assert response.url == inspect_url(w.batch_a)
    batch = Batch.objects.get(pk=w.batch_a.pk)
    assert (batch.quantity, batch.notes) == (180, "分级后 180 箱")


def test_operator_adds_a_batch_with_the_linkages_suppliers(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    data = edit_data(w.batch_a, quantity=50, origin_place="", notes="")
    response = client.post("/admin/traceability/batches/new/", data)
    assert response.status_code == 302
    batch = Batch.objects.exclude(pk__in=[w.batch_a.pk, w.batch_b.pk]).get()
    assert response.url == inspect_url(batch)
    assert len(batch.code) == 10 and set(batch.code) <= set(CODE_ALPHABET)
    assert batch.created_by == w.operator_a
    households = set(
        BatchSupplier.objects.filter(batch=batch, household__isnull=False).values_list("household", flat=True)
    )
    assert households == {w.zhang.pk, w.li.pk, w.wang.pk}
    assert list(
        BatchSupplier.objects.filter(batch=batch, collective__isnull=False).values_list("collective", flat=True)
    ) == [w.collective.pk]


def test_operator_cannot_add_a_batch_of_another_shops_product(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    data = edit_data(w.batch_b)
    response = client.post("/admin/traceability/batches/new/", data)
    assert response.status_code == 200  # the form again, with the product refused
    assert Batch.objects.count() == 2


def test_officer_reads_their_regions_batches_and_changes_none(client, trace_world):
    w = trace_world
    client.force_login(w.officer_a)
    body = client.get(INDEX).content.decode()
    assert w.batch_a.code in body and w.batch_b.code not in body
    page = client.get(inspect_url(w.batch_a))
    assert page.status_code == 200
    assert "<form" not in page.content.decode().split("溯源码与标签")[1]  # no forms for a reader
    assert client.get(inspect_url(w.batch_b)).status_code == 404
    response = client.post(edit_url(w.batch_a), edit_data(w.batch_a, quantity=1))
    assert response.status_code == 302 and response.url == "/admin/"  # Wagtail's "no permission"
    for action in ("close", "units", "suppliers", "inspections"):
        refused = client.post(f"/admin/traceability/batches/{w.batch_a.pk}/{action}/", {"count": 3})
        assert (refused.status_code, refused.url) == (302, "/admin/")  # PermissionDenied, as the admin shows it
    assert UnitCode.objects.filter(batch=w.batch_a).count() == 0
    batch = Batch.objects.get(pk=w.batch_a.pk)
    assert (batch.quantity, batch.closed_at) == (200, None)
    assert client.get(f"/admin/traceability/batches/{w.batch_a.pk}/labels.pdf").status_code == 200


def test_city_officer_and_admin_see_both(client, trace_world):
    w = trace_world
    for user in (w.officer_city, w.admin):
        client.force_login(user)
        body = client.get(INDEX).content.decode()
        assert w.batch_a.code in body and w.batch_b.code in body


def test_inspection_report_uploaded_and_served_only_in_scope(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    data = pdf_bytes("SGS 2026")
    response = client.post(
        f"/admin/traceability/batches/{w.batch_a.pk}/inspections/",
        {
            "agency": "菏泽市农产品质量检测中心",
            "inspected_on": "2026-11-20",
            "result": "passed",
            "file": SimpleUploadedFile("report.pdf", data, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    report = InspectionReport.objects.get(batch=w.batch_a)
    assert (report.original_name, report.content_type, report.result) == ("report.pdf", "application/pdf", "passed")
    url = f"/admin/traceability/inspections/{report.pk}/file/"

    for user in (w.operator_a, w.officer_a, w.officer_city, w.admin):
        client.force_login(user)
        served = client.get(url)
        assert served.status_code == 200, user
        assert b"".join(served.streaming_content) == data
        assert served["Content-Type"] == "application/pdf"
    for user in (w.operator_b, w.officer_b):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(w.buyer)
    assert client.get(url).status_code in (302, 403)
    client.logout()
    refused = client.get(url)
    assert refused.status_code == 302 and refused.url.startswith("/admin/login/")


def test_inspection_report_not_a_pdf_or_picture_is_refused(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    response = client.post(
        f"/admin/traceability/batches/{w.batch_a.pk}/inspections/",
        {
            "agency": "检测中心",
            "inspected_on": "2026-11-20",
            "result": "passed",
            "file": SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>" * 10, content_type="application/pdf"),
        },
        follow=True,
    )
    assert (
        "检测报告未上传：只接受 JPEG、PNG、WebP 图片或 PDF 文件（按文件内容判断，与扩展名无关）。"
        in response.content.decode()
    )
    assert InspectionReport.objects.count() == 0


def test_suppliers_only_within_the_linkage(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    url = f"/admin/traceability/batches/{w.batch_a.pk}/suppliers/"
    response = client.post(url, {"suppliers": [f"h:{w.zhang.pk}", f"h:{w.chen.pk}"]}, follow=True)
    assert "供货户只能从该产品生产日期当时生效的利益联结的受益对象中选择。" in response.content.decode()
    assert BatchSupplier.objects.filter(batch=w.batch_a).count() == 4  # unchanged
    client.post(url, {"suppliers": [f"h:{w.zhang.pk}", f"c:{w.collective.pk}"]})
    kept = BatchSupplier.objects.filter(batch=w.batch_a)
    assert {(s.household_id, s.collective_id) for s in kept} == {(w.zhang.pk, None), (None, w.collective.pk)}


def test_close_batch(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    client.post(f"/admin/traceability/batches/{w.batch_a.pk}/close/")
    assert Batch.objects.get(pk=w.batch_a.pk).closed_at is not None


def test_unit_codes_continue_their_serials_and_the_label_sheet_has_one_label_each(client, trace_world):
    w = trace_world
    client.force_login(w.operator_a)
    units = f"/admin/traceability/batches/{w.batch_a.pk}/units/"
    client.post(units, {"count": 45})
    client.post(units, {"count": 5})
    client.post(units, {"count": 2001})  # refused by the form
    made = list(UnitCode.objects.filter(batch=w.batch_a).order_by("serial"))
    assert [u.serial for u in made] == list(range(1, 51))
    codes = [u.code for u in made]
    assert len(set(codes)) == 50 and all(len(c) == 12 and set(c) <= set(CODE_ALPHABET) for c in codes)

    page = client.get(inspect_url(w.batch_a)).content.decode()
    assert f"/admin/traceability/batches/{w.batch_a.pk}/labels.pdf?units=1&amp;from=1&amp;to=50" in page

    response = client.get(f"/admin/traceability/batches/{w.batch_a.pk}/labels.pdf?units=1")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3  # 21 labels a page: 21 + 21 + 8
    texts = [page.extract_text() for page in reader.pages]
    found = [re.findall(r"[2-9A-HJ-NP-Z]{12}", text) for text in texts]
    assert [len(f) for f in found] == [21, 21, 8]
    assert [c for page in found for c in page] == codes
    assert "No. 0050" in texts[2]

    hostile = client.get(f"/admin/traceability/batches/{w.batch_a.pk}/labels.pdf?units=1&from=-5&to={10**30}")
    assert len(PdfReader(io.BytesIO(hostile.content)).pages) == 3  # out of range: clamped, every unit

    part = client.get(f"/admin/traceability/batches/{w.batch_a.pk}/labels.pdf?units=1&from=46&to=50")
    part_reader = PdfReader(io.BytesIO(part.content))
    assert len(part_reader.pages) == 1
    assert re.findall(r"[2-9A-HJ-NP-Z]{12}", part_reader.pages[0].extract_text()) == codes[45:]

    single = PdfReader(io.BytesIO(client.get(f"/admin/traceability/batches/{w.batch_a.pk}/labels.pdf").content))
    assert len(single.pages) == 1
    assert re.findall(r"\b[2-9A-HJ-NP-Z]{10}\b", single.pages[0].extract_text()) == [w.batch_a.code]


def test_quantity_not_below_units_shipped(client, trace_world, shipped_hook):
    w = trace_world
    shipped_hook(lambda batch_id: 30 if batch_id == w.batch_a.pk else 0)
    client.force_login(w.operator_a)
    response = client.post(edit_url(w.batch_a), edit_data(w.batch_a, quantity=29))
    assert response.status_code == 200
    assert "批次数量不能少于已从该批次发出的 30 件。" in response.content.decode()
    assert Batch.objects.get(pk=w.batch_a.pk).quantity == 200
    response = client.post(edit_url(w.batch_a), edit_data(w.batch_a, quantity=30))
    assert response.status_code == 302
    assert Batch.objects.get(pk=w.batch_a.pk).quantity == 30


def test_batch_page_lists_reports_and_suppliers_masked_for_none_in_scope(client, trace_world):
    w = trace_world
    add_inspection(
        w.batch_a,
        SimpleUploadedFile("r.pdf", pdf_bytes()),
        agency="菏泽市农产品质量检测中心",
        inspected_on=w.batch_a.produced_on,
        result="passed",
    )
    client.force_login(w.operator_a)
    body = client.get(inspect_url(w.batch_a)).content.decode()
    assert "菏泽市农产品质量检测中心" in body
    assert "张小文" in body  # the operator's own village's household, in full
    assert "帮扶户 3 户，村集体 1 个。" in body


def test_the_printed_labels_qr_codes_and_links_lead_to_the_trace_pages(client, trace_world, settings):
    """The label sheet read as a phone and a reader would: each page rendered to pixels
    (PDFium) and its QR codes decoded (zxing-cpp) give exactly the units' trace addresses,
    in order; each label's link annotation gives the same; following one opens the unit's
    trace page, and scanning it twice shows the first scan's time."""
    import pypdfium2
    import zxingcpp

    settings.SITE_URL = "https://xfbf.example.cn"
    w = trace_world
    client.force_login(w.operator_a)
    client.post(f"/admin/traceability/batches/{w.batch_a.pk}/units/", {"count": 24})
    codes = list(UnitCode.objects.filter(batch=w.batch_a).order_by("serial").values_list("code", flat=True))
    expected = [f"https://xfbf.example.cn/trace/{code}/" for code in codes]
    pdf = client.get(f"/admin/traceability/batches/{w.batch_a.pk}/labels.pdf?units=1").content

    scanned = []
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=200 / 72).to_pil()  # 200 dpi, as a label printer prints
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        # Reading order: rows top to bottom, then left to right.
        found.sort(key=lambda b: (round(b.position.top_left.y / 100), b.position.top_left.x))
        scanned += [b.text for b in found]
        page.close()
    document.close()
    assert scanned == expected

    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in PdfReader(io.BytesIO(pdf)).pages
        for annotation in page.get("/Annots", [])
    ]
    assert links == expected

    client.logout()
    path = scanned[4].removeprefix("https://xfbf.example.cn")
    first = client.get(path)
    assert first.status_code == 200 and f"{codes[4]}（第 5 号）" in first.content.decode()
    second = client.get(path).content.decode()
    assert "首次扫码于" in second
