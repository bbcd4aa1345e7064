"""Checks for uploaded photos and documents, for every feature that accepts files.

A file is recognised by its content, never by its name or the browser's content type:
- JPEG, PNG and WebP photos are opened and verified by Pillow (only those three decoders
  are tried) and refused when their pixel count could exhaust memory;
- PDF documents must start with the ``%PDF-`` signature;
- anything else, anything empty and anything over ``MAX_UPLOAD_BYTES`` is refused with a
  ValidationError (codes ``file_type``, ``file_empty``, ``file_too_large``, ``image_too_large``).

Two ways to use the checks, and both store a photo only as a re-encoded copy: decoding
and re-encoding drops every metadata block (EXIF with its GPS position, XMP, comments),
applies the EXIF orientation first so the photo still stands upright, and scales very
large photos down. A PDF is stored as sent.

- :func:`clean_upload` / :func:`clean_uploads` return a :class:`CleanFile` holding what
  may be stored, under a fresh name whose extension follows the content. The caller saves
  ``content`` through Django's storage API, so production can keep the files anywhere
  Django's storage can reach. Errors are reported under the form field named ``field``.
- :class:`PhotoField` / :class:`DocumentField` are model fields for a file kept on its
  record (meeting and activity photos, meeting minutes). A new file is checked by the
  field's validator (:func:`validate_photo` / :func:`validate_document`), then re-encoded
  when the model is cleaned, so a photo that cannot be decoded is an error of the field;
  a model saved without being cleaned has its new file re-encoded when it is saved.
  :func:`upload_to` names the stored file at random, with the extension of its content.
  The validators also refuse a file whose extension does not agree with its content (a
  PDF called ``photo.jpg``, code ``file_extension``).

Stored files are never published under ``MEDIA_URL``: each goes out through a view of its
app that finds the record with ``visible_to(request.user)`` and answers with
:func:`serve_file`. The ``url`` of a :class:`PhotoField` or :class:`DocumentField` file is
that view (the record's ``file_url(field_name)``), so the admin's links lead there too.
"""

from __future__ import annotations

import io
import logging
import posixpath
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The longest side of a stored photo; larger photos are scaled down (phone photos stay legible).
MAX_PHOTO_SIDE = 2560
# Refuse images whose pixel count could exhaust memory while decoding.
MAX_PIXELS = 60_000_000
PDF_SIGNATURE = b"%PDF-"

# Pillow format -> kind; the kinds a file may be, with their content type and extensions.
PILLOW_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}
EXTENSIONS = {"jpeg": (".jpg", ".jpeg"), "png": (".png",), "webp": (".webp",), "pdf": (".pdf",)}
IMAGE_KINDS = frozenset({"jpeg", "png", "webp"})
DOCUMENT_KINDS = IMAGE_KINDS | {"pdf"}
# A request body larger than this is refused before it is read: nine files at the limit
# and the form's own fields fit under it.
MAX_REQUEST_BYTES = 9 * MAX_UPLOAD_BYTES + 2 * 1024 * 1024
# For <input type="file" accept="...">: a hint to the browser, the checks here decide.
ACCEPT = ",".join(CONTENT_TYPES.values())


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile
    name: str  # a fresh, safe storage name: <uuid>.<ext>
    original_name: str
    content_type: str
    kind: str  # "photo" or "document"
    size: int


def content_to_store(upload: Any, *, allowed: frozenset[str]) -> tuple[bytes, str, str]:
    """What to store of an uploaded file of one of the ``allowed`` kinds: (the content, its
    kind, the client's name made safe). A photo is re-encoded, a PDF kept as sent; raise
    ValidationError for anything else."""
    original = display_name(upload)
    data = read_content(upload, original)
    kind = identify(data, original, allowed=allowed)
    if kind == "pdf":
        return data, kind, original
    return reencode_photo(data, kind, original=original, allowed=allowed), kind, original


def clean_upload(upload: Any, *, field: str = "attachments") -> CleanFile:
    """Check one uploaded file and return what may be stored; raise ValidationError otherwise."""
    try:
        encoded, kind, original = content_to_store(upload, allowed=DOCUMENT_KINDS)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from error
    return CleanFile(
        content=ContentFile(encoded),
        name=f"{uuid.uuid4().hex}{EXTENSIONS[kind][0]}",
        original_name=original,
        content_type=CONTENT_TYPES[kind],
        kind="document" if kind == "pdf" else "photo",
        size=len(encoded),
    )


def clean_uploads(uploads: list[Any] | None, *, field: str = "attachments", limit: int = 9) -> list[CleanFile]:
    """Check several files; every error is reported under ``field``."""
    uploads = [upload for upload in uploads or [] if upload]
    if len(uploads) > limit:
        raise ValidationError({field: [_("每次最多上传 %(n)s 个文件。") % {"n": limit}]})
    cleaned, errors = [], []
    for upload in uploads:
        try:
            cleaned.append(clean_upload(upload, field=field))
        except ValidationError as error:
            errors.extend(error.error_dict[field])
    if errors:
        raise ValidationError({field: errors})
    return cleaned


class RequestSizeLimitHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: a multipart body over ``MAX_REQUEST_BYTES`` is
    refused with the site's 400 page before any of it is read, so no worker spends its time
    receiving it. Files within the limit go on to the next handlers; each file is then
    checked by the form (a file over 10 MB is an error under its field)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > MAX_REQUEST_BYTES:
            raise RequestDataTooBig(f"Request body of {content_length} bytes is over {MAX_REQUEST_BYTES}.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def check_upload(file: Any, *, allowed: frozenset[str]) -> str:
    """Raise ValidationError unless ``file`` is small enough, of an allowed kind and named
    with an extension of that kind; return its kind. The file is left at its start."""
    name = display_name(file)
    kind = identify(read_content(file, name), name, allowed=allowed)
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


class StoredContent(ContentFile):
    """A new file's content as it is stored (see :func:`content_to_store`), named
    ``file.<extension of its kind>`` for ``upload_to``."""


class ServedFieldFile(FieldFile):
    """A stored file whose URL is its record's file view (``record.file_url(field_name)``),
    which checks who may see the record: never a public media URL."""

    @property
    def url(self) -> str:
        self._require_file()
        return self.instance.file_url(self.field.name)


def serve_file(field_file: Any, *, filename: str | None = None) -> FileResponse:
    """Stream a stored upload to a user the caller has found may see its record.

    The content type follows the stored name's extension, which the checks above made agree
    with the content; anything else is sent as a download of unknown type, never shown."""
    if not field_file:
        raise Http404
    extension = posixpath.splitext(field_file.name)[1].lower()
    kind = next((kind for kind, extensions in EXTENSIONS.items() if extension in extensions), None)
    response = FileResponse(
        field_file.open("rb"),
        content_type=CONTENT_TYPES[kind] if kind else "application/octet-stream",
        as_attachment=kind is None,
        filename=filename or posixpath.basename(field_file.name),
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


class PhotoField(models.FileField):
    """A JPEG, PNG or WebP photo of at most 10 MB, stored re-encoded without its metadata
    (see the module's docstring)."""

    attr_class = ServedFieldFile
    kinds = IMAGE_KINDS
    default_validators = [validate_photo]

    def clean(self, value: Any, model_instance: models.Model) -> Any:
        value = super().clean(value, model_instance)
        return self.stored_content(value) or value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        content = self.stored_content(getattr(model_instance, self.attname))
        if content is not None:
            setattr(model_instance, self.attname, content)
        return super().pre_save(model_instance, add)

    def stored_content(self, value: Any) -> StoredContent | None:
        """What to store of the field's new file; None for no file, a file already in
        storage or content already prepared."""
        if not value or getattr(value, "_committed", True):
            return None
        upload = getattr(value, "file", value)
        if isinstance(upload, StoredContent):
            return None
        content, kind, _original = content_to_store(upload, allowed=self.kinds)
        return StoredContent(content, name=f"file{EXTENSIONS[kind][0]}")


class DocumentField(PhotoField):
    """A PDF (stored as sent) or a photo (stored like a :class:`PhotoField`'s), at most 10 MB."""

    kinds = DOCUMENT_KINDS
    default_validators = [validate_document]


# What re-encoding drops and a stored photo must not hold: EXIF (with any GPS position),
# XMP, comments, ICC profiles; PNG text chunks are read apart (``PngImageFile.text``).
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile")


def carries_metadata(data: bytes) -> bool:
    """Whether a photo holds any metadata that :func:`reencode_photo` drops."""
    with Image.open(io.BytesIO(data)) as image:
        return (
            bool(image.getexif())
            or any(key in image.info for key in METADATA_KEYS)
            or bool(getattr(image, "text", None))
        )


def strip_stored_photos(*, dry_run: bool = False) -> dict[str, int]:
    """Re-encode the stored photos of every :class:`PhotoField` and :class:`DocumentField`
    that still carry metadata: files stored before these fields re-encoded them. Each clean
    copy is stored under a new name and its row saved with it (only if the row still names
    the old file), then the old file is deleted. Returns, per field, how many photos carried
    metadata (all rewritten, unless ``dry_run``). A second run finds none."""
    found: dict[str, int] = {}
    for model in apps.get_models():
        for field in model._meta.fields:
            if isinstance(field, PhotoField):
                found[f"{model._meta.label}.{field.name}"] = _strip_field(model, field, dry_run=dry_run)
    return found


def _strip_field(model: type[models.Model], field: PhotoField, *, dry_run: bool) -> int:
    storage, count = field.storage, 0
    stored = model._default_manager.exclude(**{field.name: ""}).order_by("pk").values_list("pk", field.name)
    for pk, name in stored.iterator():
        try:
            with storage.open(name, "rb") as file:
                data = file.read()
            kind = photo_kind(data, name)
            if kind is None or not carries_metadata(data):  # a PDF, or a clean photo
                continue
            clean = reencode_photo(data, kind, original=posixpath.basename(name))
        except (OSError, ValidationError) as error:  # missing, unreadable or undecodable: left as it is
            logger.warning("Stored file %s of %s.%s left as it is: %s", name, model._meta.label, field.name, error)
            continue
        count += 1
        if dry_run:
            continue
        new_name = storage.save(field.generate_filename(model(pk=pk), f"file{EXTENSIONS[kind][0]}"), ContentFile(clean))
        with transaction.atomic():
            row = model._default_manager.select_for_update().filter(pk=pk).first()
            moved = row is not None and getattr(row, field.attname) == name
            if moved:  # saved, not updated: a model with a history records the change
                setattr(row, field.attname, new_name)
                row.save(update_fields=[field.name])
        storage.delete(name if moved else new_name)
    return count


def upload_to(instance: Any, filename: str) -> str:
    """``<app>/<model>/<yyyy>/<mm>/<random hex>.<ext>``: the client's name is not kept."""
    extension = posixpath.splitext(filename)[1].lower()
    today = timezone.localdate()
    meta = instance._meta
    return f"{meta.app_label}/{meta.model_name}/{today:%Y}/{today:%m}/{uuid.uuid4().hex}{extension}"


def display_name(upload: Any) -> str:
    """The client's file name, made safe to show in a message or keep on record."""
    return get_valid_filename(str(getattr(upload, "name", "") or "file"))[-150:]


def read_content(upload: Any, name: str) -> bytes:
    """The whole content (at most one byte over the limit is read); the file is left at its start."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise too_large(name)
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large(name)
    if not data:
        raise ValidationError(_("文件“%(name)s”是空的。") % {"name": name}, code="file_empty")
    return data


def identify(data: bytes, name: str, *, allowed: frozenset[str]) -> str:
    """The kind of ``data`` (``"jpeg"``, ``"png"``, ``"webp"`` or ``"pdf"``) if it is one of ``allowed``."""
    if data.startswith(PDF_SIGNATURE):
        kind = "pdf"
    else:
        kind = photo_kind(data, name)
    if kind not in allowed:
        raise not_allowed(name, allowed)
    return kind


def photo_kind(data: bytes, name: str) -> str | None:
    """The kind of a photo Pillow opens and verifies as JPEG, PNG or WebP, else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(PILLOW_FORMATS)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise too_many_pixels(name)
                probe.verify()
                return PILLOW_FORMATS.get(probe.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    except Image.DecompressionBombWarning as exc:
        raise too_many_pixels(name) from exc


def reencode_photo(data: bytes, kind: str, *, original: str, allowed: frozenset[str] = DOCUMENT_KINDS) -> bytes:
    """The photo re-encoded in its own format without any metadata, upright and at most
    MAX_PHOTO_SIDE; a photo that cannot be decoded is refused as none of the ``allowed`` kinds."""
    image_format = {k: f for f, k in PILLOW_FORMATS.items()}[kind]
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        # verify() does not decode: a truncated photo is found here.
        raise not_allowed(original, allowed) from exc

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
    return output.getvalue()


def too_large(name: str) -> ValidationError:
    return ValidationError(
        _("文件“%(name)s”超过 %(mb)s MB。") % {"name": name, "mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        code="file_too_large",
    )


def too_many_pixels(name: str) -> ValidationError:
    return ValidationError(_("图片“%(name)s”的像素过大。") % {"name": name}, code="image_too_large")


def not_allowed(name: str, allowed: frozenset[str]) -> ValidationError:
    if allowed == IMAGE_KINDS:
        message = _("文件“%(name)s”不是 JPEG、PNG 或 WebP 图片。")
    else:
        message = _("文件“%(name)s”不是 JPEG、PNG、WebP 图片或 PDF 文件。")
    return ValidationError(message % {"name": name}, code="file_type")
