"""Checking an upload by its content, never by its name: the one validator for every file
people upload (certification evidence, review and after-sales photos, invoices). The caller
says which kinds it takes (``allowed``: MIME type → extension); by default pictures (JPEG,
PNG, WebP) and PDF. The stored file gets a random name with the extension of what it
really is.

* Pictures are decoded by Pillow, with its decompression-bomb guard turned into a refusal.
* A PDF must end with ``%%EOF`` and be read by pypdf (its page tree found, at least one
  page): a file cut short or with a broken body is refused.
* OFD (GB/T 33190, China's e-invoice format) is a ZIP container whose root holds
  ``OFD.xml`` with an ``ofd:OFD`` root element. Only a readable ZIP with that entry is
  taken, and its entries' sizes are checked before anything is unpacked (no zip bombs).
"""

import io
import logging
import uuid
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image

from core.errors import DomainError

ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
ALLOWED_MESSAGE = _("只接受 JPEG、PNG、WebP 图片或 PDF 文件（按文件内容判断，与扩展名无关）。")
# Photos people attach (reviews, after-sales requests): pictures only.
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
IMAGE_REFUSED = _("照片只接受 JPEG、PNG 或 WebP 图片（按文件内容判断，与扩展名无关）。")
# Invoices (发票): PDF or OFD only.
OFD_TYPE = "application/ofd"
INVOICE_TYPES = {"application/pdf": "pdf", OFD_TYPE: "ofd"}
INVOICE_REFUSED = _("发票文件只接受 PDF 或 OFD 格式（按文件内容判断，与扩展名无关）。")
# An OFD's limits, checked from the ZIP's directory before anything is unpacked.
OFD_NAMESPACE = "http://www.ofdspec.org/2016"
OFD_MAX_ENTRIES = 2000
OFD_MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # every entry together, unpacked
OFD_MAX_XML_BYTES = 1024 * 1024  # OFD.xml itself (a few kB in a real invoice)
OFD_MAX_RATIO = 200  # unpacked / packed, per entry: text compresses ~10x, a bomb ~1000x


@dataclass(frozen=True)
class CheckedUpload:
    file: ContentFile
    original_name: str
    content_type: str
    size: int


def check_upload(
    upload: UploadedFile, *, allowed: dict[str, str] = ALLOWED_TYPES, refused: str = ALLOWED_MESSAGE
) -> CheckedUpload:
    """Accept a file of one of the ``allowed`` types (by default JPEG, PNG, WebP or PDF) up
    to ``MAX_UPLOAD_BYTES``, judged by content; anything else is refused with ``refused``.
    Images are opened with Pillow's decompression-bomb protection turned into an error."""
    limit = settings.MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size == 0:
        raise DomainError(gettext("上传的文件是空的。"))
    if size > limit:
        raise DomainError(
            gettext("文件过大（%(size).1f MB），上限为 %(limit).0f MB。")
            % {"size": size / 1048576, "limit": limit / 1048576}
        )
    upload.seek(0)
    data = upload.read()
    kind = filetype.guess(data[:8192])
    content_type = kind.mime if kind else ""
    if content_type == "application/zip" and OFD_TYPE in allowed:
        _check_ofd(data)  # refuses any ZIP that is not an OFD document
        content_type = OFD_TYPE
    if content_type not in allowed:
        raise DomainError(refused)
    if content_type == "application/pdf":
        _check_pdf(data)
    elif content_type != OFD_TYPE:
        _check_image(upload, data)
    name = (upload.name or "upload").rsplit("/", 1)[-1][:200]
    stored = ContentFile(data, name=f"{uuid.uuid4().hex}.{allowed[content_type]}")
    return CheckedUpload(file=stored, original_name=name, content_type=content_type, size=len(data))


def _check_pdf(data: bytes) -> None:
    """A PDF that pypdf reads: the trailer, the cross-reference table (or one rebuilt from
    the objects), the catalogue and at least one page."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    broken = DomainError(gettext("PDF 文件不完整或已损坏。"))
    if b"%%EOF" not in data[-2048:]:
        raise broken
    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # its warnings about repairs it makes are not ours to log
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
    except FileNotDecryptedError as exc:
        raise DomainError(gettext("PDF 文件已加密，无法查验，请上传未加密的文件。")) from exc
    except Exception as exc:  # pypdf raises many kinds (and plain ValueError, KeyError…) for a broken file
        raise broken from exc
    finally:
        quiet.setLevel(level)
    if pages < 1:
        raise broken


def _check_ofd(data: bytes) -> None:
    """An OFD document: a ZIP whose root holds ``OFD.xml`` with an ``ofd:OFD`` root element.
    The entries' sizes are read from the ZIP's directory and checked before any is
    unpacked; OFD.xml is then read no further than its limit (a directory can lie)."""
    unreadable = DomainError(gettext("OFD 文件无法读取或已损坏。"))
    bomb = DomainError(gettext("OFD 文件解压后过大，疑似压缩炸弹，已拒绝。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > OFD_MAX_ENTRIES:
                raise bomb
            if sum(e.file_size for e in entries) > OFD_MAX_UNPACKED_BYTES:
                raise bomb
            if any(e.file_size > OFD_MAX_RATIO * max(e.compress_size, 1) + 4096 for e in entries):
                raise bomb
            root = next((e for e in entries if e.filename == "OFD.xml"), None)
            if root is None:
                raise DomainError(gettext("OFD 文件根目录缺少 OFD.xml，不是有效的 OFD 文档。"))
            if root.file_size > OFD_MAX_XML_BYTES:
                raise bomb
            with archive.open(root) as handle:
                xml = handle.read(OFD_MAX_XML_BYTES + 1)
    except DomainError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise unreadable from exc  # damaged, encrypted or of an unknown compression
    if len(xml) > OFD_MAX_XML_BYTES:
        raise bomb
    not_ofd = DomainError(gettext("OFD.xml 的根元素不是 ofd:OFD，不是有效的 OFD 文档。"))
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:  # no document type, so no entity expansion
        raise not_ofd
    try:
        element = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise not_ofd from exc
    if element.tag != f"{{{OFD_NAMESPACE}}}OFD":
        raise not_ofd


def _check_image(upload: UploadedFile, data: bytes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise DomainError(gettext("图片像素过多，疑似解压炸弹，已拒绝。")) from exc
        except Exception as exc:  # Pillow raises many kinds for a broken file
            raise DomainError(gettext("图片文件无法读取或已损坏。")) from exc


def private_file_response(field_file, content_type: str, *, download_as: str | None = None):
    """Serve a file kept outside MEDIA_ROOT (review and after-sales photos, invoices, once
    the caller has decided the person may see it): shown inline — or, with ``download_as``,
    saved under that name (Content-Disposition: attachment) —, never sniffed into another
    type, cached by the browser only. A row that outlived its file is a 404."""
    from django.http import FileResponse, Http404

    try:
        handle = field_file.open("rb")
    except OSError as exc:  # a restored database, a wiped folder
        raise Http404 from exc
    if download_as:
        response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=download_as)
    else:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=600"
    return response
