"""Checks for uploaded photos and documents, for every feature that accepts files.

A file is recognised by its content, never by its name or the browser's content type:
- JPEG, PNG and WebP photos are opened and verified by Pillow (only those three decoders
  are tried), then decoded and re-encoded. Re-encoding drops every metadata block (EXIF
  with its GPS position, XMP, comments), applies the EXIF orientation first so the photo
  still stands upright, and scales very large photos down;
- PDF documents must start with the ``%PDF-`` signature and are stored as they are;
- anything else, and anything over ``MAX_UPLOAD_BYTES``, is refused with a
  ValidationError naming the field.

The result is a :class:`CleanFile` whose ``content`` the caller saves through Django's
storage API (``FileField.save`` or ``default_storage.save``), so production can keep the
files anywhere Django's storage can reach.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The longest side of a stored photo; larger photos are scaled down (phone photos stay legible).
MAX_PHOTO_SIDE = 2560
# Refuse images whose pixel count could exhaust memory while decoding.
MAX_PIXELS = 60_000_000
PDF_SIGNATURE = b"%PDF-"

PHOTO_FORMATS = {
    # Pillow format: (content type, extension)
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile
    name: str  # a fresh, safe storage name: <uuid>.<ext>
    original_name: str
    content_type: str
    kind: str  # "photo" or "document"
    size: int


def refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def clean_upload(upload: Any, *, field: str = "attachments") -> CleanFile:
    """Check one uploaded file and return what may be stored; raise ValidationError otherwise."""
    original = get_valid_filename(str(getattr(upload, "name", "") or "file"))[-150:]
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise refuse(field, too_large_message(original))
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise refuse(field, too_large_message(original))
    if not data:
        raise refuse(field, _("文件“%(name)s”是空的。") % {"name": original})
    if data.startswith(PDF_SIGNATURE):
        return CleanFile(
            content=ContentFile(data),
            name=f"{uuid.uuid4().hex}.pdf",
            original_name=original,
            content_type="application/pdf",
            kind="document",
            size=len(data),
        )
    image_format, encoded = reencode_photo(data, original=original, field=field)
    content_type, extension = PHOTO_FORMATS[image_format]
    return CleanFile(
        content=ContentFile(encoded),
        name=f"{uuid.uuid4().hex}.{extension}",
        original_name=original,
        content_type=content_type,
        kind="photo",
        size=len(encoded),
    )


def clean_uploads(uploads: list[Any] | None, *, field: str = "attachments", limit: int = 9) -> list[CleanFile]:
    """Check several files; every error is reported under ``field``."""
    uploads = [upload for upload in uploads or [] if upload]
    if len(uploads) > limit:
        raise refuse(field, _("每次最多上传 %(n)s 个文件。") % {"n": limit})
    cleaned, errors = [], []
    for upload in uploads:
        try:
            cleaned.append(clean_upload(upload, field=field))
        except ValidationError as error:
            errors.extend(error.message_dict[field])
    if errors:
        raise ValidationError({field: errors})
    return cleaned


def too_large_message(name: str) -> str:
    return _("文件“%(name)s”超过 %(mb)s MB。") % {"name": name, "mb": MAX_UPLOAD_BYTES // (1024 * 1024)}


def not_allowed_message(name: str) -> str:
    return _("文件“%(name)s”不是 JPEG、PNG、WebP 图片或 PDF 文件。") % {"name": name}


def reencode_photo(data: bytes, *, original: str, field: str) -> tuple[str, bytes]:
    """(Pillow format, the photo re-encoded without any metadata)."""
    formats = list(PHOTO_FORMATS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as probe:
                image_format = probe.format
                if probe.width * probe.height > MAX_PIXELS:
                    raise refuse(field, _("图片“%(name)s”的像素过大。") % {"name": original})
                probe.verify()
            # verify() leaves the image unusable: open again to decode it.
            with Image.open(io.BytesIO(data), formats=formats) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise refuse(field, not_allowed_message(original)) from exc
    except Image.DecompressionBombWarning as exc:
        raise refuse(field, _("图片“%(name)s”的像素过大。") % {"name": original}) from exc
    if image_format not in PHOTO_FORMATS:  # pragma: no cover - Image.open only tried these formats
        raise refuse(field, not_allowed_message(original))

    if upright.mode == "P":  # keep the colours: a fresh palette image would lose the palette
        upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
    upright.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    # A fresh image holds pixels only: no info dict, no EXIF, no XMP, no ICC text chunks.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if image_format == "JPEG" and clean.mode not in {"RGB", "L", "CMYK"}:
        clean = clean.convert("RGB")
    output = io.BytesIO()
    options: dict[str, Any] = {"JPEG": {"quality": 85, "optimize": True}, "WEBP": {"quality": 85}, "PNG": {}}[
        image_format
    ]
    clean.save(output, format=image_format, **options)
    return image_format, output.getvalue()
