"""Checks for the files users attach to meetings and activities (photos, minutes).

A file is accepted by what it contains, not by what it is called: images must open and
verify with Pillow as JPEG, PNG or WebP, PDFs must start with the ``%PDF-`` signature,
and nothing may exceed :data:`MAX_UPLOAD_BYTES`. The name's extension must agree with the
content (a PDF called ``photo.jpg`` is refused), and the stored name is a random one with
that extension, so a client-chosen name never reaches the storage.
"""

from __future__ import annotations

import posixpath
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# Detected kind -> the extensions a file of that kind may carry.
EXTENSIONS = {
    "jpeg": (".jpg", ".jpeg"),
    "png": (".png",),
    "webp": (".webp",),
    "pdf": (".pdf",),
}
IMAGE_KINDS = frozenset({"jpeg", "png", "webp"})
DOCUMENT_KINDS = IMAGE_KINDS | {"pdf"}
PILLOW_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}


def _read_head(file: Any, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def detect_kind(file: Any) -> str | None:
    """``"jpeg"``, ``"png"``, ``"webp"`` or ``"pdf"`` by content, else None."""
    if _read_head(file, 5) == b"%PDF-":
        return "pdf"
    try:
        file.seek(0)
        with Image.open(file) as image:
            image.verify()
            kind = PILLOW_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        file.seek(0)
    return kind


def check_upload(file: Any, *, allowed: frozenset[str]) -> str:
    """Raise ValidationError unless ``file`` is small enough and of an allowed kind; return its kind."""
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("文件不能超过 %(mb)s MB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}, code="file_too_large"
        )
    kind = detect_kind(file)
    if kind not in allowed:
        if allowed == IMAGE_KINDS:
            message = _("只能上传 JPEG、PNG 或 WebP 格式的图片。")
        else:
            message = _("只能上传 PDF 文件或 JPEG、PNG、WebP 格式的图片。")
        raise ValidationError(message, code="file_type")
    extension = posixpath.splitext(file.name or "")[1].lower()
    if extension not in EXTENSIONS[kind]:
        raise ValidationError(
            _("文件扩展名与内容不符：内容是 %(kind)s，请使用 %(ext)s 扩展名。")
            % {"kind": kind.upper(), "ext": " / ".join(EXTENSIONS[kind])},
            code="file_extension",
        )
    return kind


def _validate(value: Any, allowed: frozenset[str]) -> None:
    # A file already in storage was checked when it was uploaded; only new files are read.
    if not value or getattr(value, "_committed", False):
        return
    check_upload(getattr(value, "file", value), allowed=allowed)


def validate_photo(value: Any) -> None:
    """Model-field validator: a JPEG, PNG or WebP image of at most 10 MB."""
    _validate(value, IMAGE_KINDS)


def validate_document(value: Any) -> None:
    """Model-field validator: a PDF or an image of at most 10 MB."""
    _validate(value, DOCUMENT_KINDS)


def upload_to(instance: Any, filename: str) -> str:
    """``alliances/<model>/<yyyy>/<mm>/<random hex>.<ext>``: the client's name is not kept."""
    extension = posixpath.splitext(filename)[1].lower()
    today = timezone.localdate()
    return f"alliances/{instance._meta.model_name}/{today:%Y}/{today:%m}/{uuid.uuid4().hex}{extension}"
