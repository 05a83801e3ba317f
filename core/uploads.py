"""Checking an upload by its content, never by its name: the one validator for every file
people upload (certification evidence today; inspection reports, pictures and the like
as they come). The caller says which kinds it takes (``allowed``: MIME type → extension);
by default pictures (JPEG, PNG, WebP) and PDF. The stored file gets a random name with
the extension of what it really is."""

import io
import uuid
import warnings
from dataclasses import dataclass

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
    if content_type not in allowed:
        raise DomainError(refused)
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise DomainError(gettext("PDF 文件不完整或已损坏。"))
    else:
        _check_image(upload, data)
    name = (upload.name or "upload").rsplit("/", 1)[-1][:200]
    stored = ContentFile(data, name=f"{uuid.uuid4().hex}.{allowed[content_type]}")
    return CheckedUpload(file=stored, original_name=name, content_type=content_type, size=len(data))


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


def private_file_response(field_file, content_type: str):
    """Serve a file kept outside MEDIA_ROOT (review and after-sales photos, once the caller
    has decided the person may see it): shown inline, never sniffed into another type,
    cached by the browser only. A row that outlived its file is a 404."""
    from django.http import FileResponse, Http404

    try:
        handle = field_file.open("rb")
    except OSError as exc:  # a restored database, a wiped folder
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=600"
    return response
