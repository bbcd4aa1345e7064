"""Stored files that no row names: what a request leaves behind when it dies between
writing a file and committing its row (a worker killed by its timeout or a restart, a
lost database connection).

Every upload is written before its row's transaction commits, so that the row never
names a missing file. The price is that a request that dies in between leaves a file no
row names. :func:`remove_orphan_files` deletes those files once they are older than
``ORPHAN_MIN_AGE``, long after any request that could still commit a row naming them has
ended. It looks only in the folders where the site's file fields store their files
(``progress/``, ``alliances/meeting/``, …, from each field's ``upload_to``), so no other
file under MEDIA_ROOT is touched (the import uploads waiting for confirmation keep their
own clean-up). A name is kept while any row of any model names it, history rows included.

Run daily by Celery beat (``core.tasks.remove_orphan_files``, installed by
``manage.py install_schedule``), or by hand: ``manage.py remove_orphan_files``.
"""

from __future__ import annotations

import datetime
import logging
import posixpath
from collections.abc import Iterator

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.utils import timezone

from . import uploads

logger = logging.getLogger(__name__)

# Far longer than any request may run (gunicorn's timeout is 60 s): a file this old whose
# row has not committed never will.
ORPHAN_MIN_AGE = datetime.timedelta(hours=6)
BATCH = 500


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every file field of every installed model."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def folder_of(model: type[models.Model], field: models.FileField) -> str:
    """The folder under which ``field`` stores its files: the fixed part of its
    ``upload_to`` (``progress/`` of ``progress/%Y/%m/``), or ``<app>/<model>/`` for
    core.uploads.upload_to. Empty when the field may store anywhere (then it is skipped)."""
    upload_to = field.upload_to
    if upload_to is uploads.upload_to:
        return f"{model._meta.app_label}/{model._meta.model_name}/"
    if callable(upload_to):
        return ""
    fixed = str(upload_to).split("%", 1)[0]
    return fixed.rsplit("/", 1)[0] + "/" if "/" in fixed else ""


def referring_columns() -> list[tuple[type[models.Model], str]]:
    """(model, column) pairs whose values are stored file names: the file fields, and the
    columns of the history models that copy them."""
    columns = [(model, field.name) for model, field in file_fields()]
    names = {(model._meta.label_lower, name) for model, name in columns}
    for model in apps.get_models():
        original = getattr(model, "instance_type", None)  # a simple_history model
        if original is None:
            continue
        for field in model._meta.concrete_fields:
            if (original._meta.label_lower, field.name) in names:
                columns.append((model, field.name))
    return columns


def walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield posixpath.join(folder, name)
    for directory in directories:
        yield from walk(storage, posixpath.join(folder, directory) + "/")


def remove_orphan_files(
    *,
    min_age: datetime.timedelta = ORPHAN_MIN_AGE,
    now: datetime.datetime | None = None,
    storage: Storage | None = None,
    dry_run: bool = False,
) -> list[str]:
    """Delete (unless ``dry_run``) the files of the file fields' folders that are older
    than ``min_age`` and that no row names; return their names."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - min_age
    folders = sorted({folder for model, field in file_fields() if (folder := folder_of(model, field))})
    # A folder inside another one is walked with it.
    folders = [folder for folder in folders if not any(folder != f and folder.startswith(f) for f in folders)]
    columns = referring_columns()
    removed: list[str] = []
    for folder in folders:
        old = [name for name in walk(storage, folder) if storage.get_modified_time(name) < cutoff]
        for start in range(0, len(old), BATCH):
            batch = old[start : start + BATCH]
            named: set[str] = set()
            for model, column in columns:
                named.update(model._default_manager.filter(**{f"{column}__in": batch}).values_list(column, flat=True))
            for name in batch:
                if name in named:
                    continue
                if not dry_run:
                    storage.delete(name)
                removed.append(name)
    if removed:
        logger.info("%s %d stored files that no row names", "Found" if dry_run else "Removed", len(removed))
    return removed
