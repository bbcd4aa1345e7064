"""The audit trail: every change to an audited model is kept, attributed and shown.

A model is audited by ``history = HistoricalRecords()`` (django-simple-history): each save
and delete writes a row to its history table, with the user of the request
(``HistoryRequestMiddleware``) or the ``actor`` a service passes. Three helpers here:

- :data:`APPEND_ONLY` — the trigger that makes every history table append-only on
  PostgreSQL: it rejects every UPDATE and DELETE, so nobody (not even a superuser through
  the admin or a shell) edits or erases the trail;
- :func:`bulk_create_with_history` / :func:`bulk_update_with_history` — bulk writes for
  services and imports that still write one history row per object, attributed to the
  actor;
- :func:`change_log` — the "who, when, what changed (before → after)" list the detail
  pages show, with a fixed number of queries whatever the length of the history;
- :func:`value_then` — a field as the history had it at a moment, for the figures of a
  period read as of its end.

See docs/audit.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history import utils as history_utils

from .scope import scope_for
from .users import user_label
from .validators import mask_id_number, mask_phone

# --------------------------------------------------------------------------- append-only

# Nobody (not even a superuser through the admin or a shell) edits or erases the trail:
# on PostgreSQL this trigger, declared with django-pgtrigger on every history model
# (:func:`declare_append_only_history`) and installed by the migrations, rejects every
# UPDATE and DELETE of a history row. TRUNCATE stays possible (it needs the table's owner,
# and the test runner empties tables with it). SQLite gets no trigger.
APPEND_ONLY = pgtrigger.Trigger(
    name="append_only",
    when=pgtrigger.Before,
    operation=pgtrigger.Update | pgtrigger.Delete,
    func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP "
    "USING ERRCODE = 'insufficient_privilege';",
)


def declare_append_only_history() -> None:
    """Declare :data:`APPEND_ONLY` on every history model (called once the models are
    loaded: django-simple-history builds them, so they have no Meta of their own to edit)."""
    for model in historical_models():
        if APPEND_ONLY not in getattr(model._meta, "triggers", []):
            pgtrigger.register(APPEND_ONLY)(model)


def historical_models() -> list[type[models.Model]]:
    """Every history model of the project."""
    from django.apps import apps

    return [model for model in apps.get_models() if hasattr(model, "instance_type") and hasattr(model, "history_id")]


# --------------------------------------------------------------------------- bulk writes


def _touch(objs: Sequence[models.Model], model: type[models.Model], fields: list[str]) -> list[str]:
    """bulk_update skips auto_now: stamp ``updated_at`` ourselves when the model has it."""
    names = {f.name for f in model._meta.concrete_fields}
    if "updated_at" in names and "updated_at" not in fields:
        now = timezone.now()
        for obj in objs:
            obj.updated_at = now
        return [*fields, "updated_at"]
    return fields


def bulk_create_with_history(
    objs: Iterable[models.Model],
    model: type[models.Model],
    *,
    actor: Any,
    reason: str = "",
    batch_size: int = 500,
) -> list[models.Model]:
    """Insert many rows and one "+" history row each, attributed to ``actor``, in one
    transaction. The caller (a service) has validated the objects and checked permission."""
    objs = list(objs)
    return history_utils.bulk_create_with_history(
        objs,
        model,
        batch_size=batch_size,
        default_user=actor if getattr(actor, "pk", None) else None,
        default_change_reason=reason or None,
    )


def bulk_update_with_history(
    objs: Iterable[models.Model],
    model: type[models.Model],
    fields: list[str],
    *,
    actor: Any,
    reason: str = "",
    batch_size: int = 500,
) -> int:
    """Update ``fields`` of many rows and write one "~" history row each, attributed to
    ``actor``, in one transaction. Returns the number of rows updated."""
    objs = list(objs)
    fields = _touch(objs, model, list(fields))
    return history_utils.bulk_update_with_history(
        objs,
        model,
        fields,
        batch_size=batch_size,
        default_user=actor if getattr(actor, "pk", None) else None,
        default_change_reason=reason or None,
    )


# --------------------------------------------------------------------------- change log

# Personal data shown whole only to roles that need it (as on the pages and in the API).
MASKED_FIELDS: dict[str, Callable[[str], str]] = {
    "mobile": mask_phone,
    "contact_phone": mask_phone,
    "id_number": mask_id_number,
}

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class LogEntry:
    when: datetime.datetime
    who: str
    action: str  # created, changed or deleted
    subject: str  # which object: "联盟 · 姜山共富联盟"
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class HistorySource:
    """The history rows to show and how to name their object.

    ``records`` is a queryset of a history model (``Alliance.history.filter(id=pk)``);
    ``title`` names the field that labels the object: a text field (``"name"``) or a
    foreign key whose target's ``__str__`` is looked up in one batch (``"organization"``).
    A date title is shown in ``title_format`` (``"YEAR_MONTH_FORMAT"`` for a month's row).
    """

    records: models.QuerySet
    title: str = "name"
    title_format: str = "DATE_FORMAT"


def change_log(sources: Sequence[HistorySource], *, user: Any, limit: int = 50) -> list[LogEntry]:
    """Newest first, at most ``limit`` entries, each with its field changes.

    Queries: one per source, plus one per model that changed foreign keys point to (never
    one per row). The diff of each row against the row before it is simple-history's
    ``diff_against``, which compares values already loaded.
    """
    show_personal = scope_for(user).sees_personal_data
    loaded: list[tuple[HistorySource, list[Any]]] = []
    for source in sources:
        rows = list(source.records.select_related("history_user__person").order_by("history_date", "history_id"))
        loaded.append((source, rows))

    # Pair every row with the previous row of the same object and diff them.
    pending: list[tuple[HistorySource, Any, Any]] = []
    for source, rows in loaded:
        previous: dict[Any, Any] = {}
        for row in rows:
            pending.append((source, row, previous.get(row.id)))
            previous[row.id] = row
    pending.sort(key=lambda item: (item[1].history_date, item[1].history_id), reverse=True)
    pending = pending[:limit]

    # Names behind foreign keys, one query per target model.
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    diffs: dict[int, list] = {}
    for source, row, before in pending:
        model = type(row)
        changes = row.diff_against(before).changes if before is not None and row.history_type == "~" else []
        diffs[id(row)] = changes
        for name in [source.title, *(c.field for c in changes)]:
            target = _fk_target(model, name)
            if target is not None:
                for value in (getattr(row, _attname(model, name)), *_values(changes, name)):
                    if value is not None:
                        wanted[target].add(value)
    names = {target: _names(target, ids) for target, ids in wanted.items()}

    def show(model: type[models.Model], name: str, value: Any, date_format_name: str = "DATE_FORMAT") -> str:
        if value is None or value == "":
            return "—"
        target = _fk_target(model, name)
        if target is not None:
            return names.get(target, {}).get(value, f"#{value}")
        model_field = model._meta.get_field(name)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, datetime.date):
            return date_format(value, date_format_name)
        text = str(value)
        if name in MASKED_FIELDS and not show_personal:
            return MASKED_FIELDS[name](text)
        return text

    entries = []
    for source, row, _before in pending:
        model = type(row)
        title = show(model, source.title, getattr(row, _attname(model, source.title)), source.title_format)
        entries.append(
            LogEntry(
                when=row.history_date,
                who=user_label(row.history_user, default=_("系统")),
                action=ACTIONS.get(row.history_type, "changed"),
                subject=f"{row.instance_type._meta.verbose_name} · {title}",
                reason=row.history_change_reason or "",
                changes=[
                    FieldChange(
                        field=change.field,
                        label=str(model._meta.get_field(change.field).verbose_name),
                        before=show(model, change.field, change.old),
                        after=show(model, change.field, change.new),
                    )
                    for change in diffs[id(row)]
                ],
            )
        )
    return entries


def _names(target: type[models.Model], ids: set[Any]) -> dict[Any, str]:
    """How the log names the rows a foreign key points to: by ``str()``, except a user (a
    field such as 填报人 or 评分人), named as the page names who did something
    (:func:`~core.users.user_label`: their person's name, never a login's user name)."""
    rows = target._base_manager.filter(pk__in=ids)
    if target._meta.label == settings.AUTH_USER_MODEL:
        return {user.pk: user_label(user) for user in rows.select_related("person")}
    return {obj.pk: str(obj) for obj in rows}


def _fk_target(model: type[models.Model], name: str) -> type[models.Model] | None:
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return None
    if isinstance(model_field, models.ForeignKey) and name != "history_user":
        return model_field.related_model
    return None


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname


def _values(changes: list, name: str) -> tuple:
    for change in changes:
        if change.field == name:
            return (change.old, change.new)
    return ()


# --------------------------------------------------------------------------- as of a moment


def value_then(model: type[models.Model], field: str, moment: datetime.datetime, pk: str = "pk") -> models.Expression:
    """An expression of the queryset it annotates: ``field`` of the ``model`` row whose id is
    the outer row's ``pk`` (a path, e.g. ``organization_id``) as it stood at ``moment``: the
    value in its latest history row before it; without one (recorded after the moment, or
    written without history, as the large seeds are), its value now. It relies on every
    change being written with its history row, as the services and the bulk helpers above
    do: a ``QuerySet.update()`` leaves no row and is not seen here."""
    before = model.history.filter(id=models.OuterRef(pk), history_date__lt=moment)
    # No ordering: one row by its id (a model's default ordering would join its tables).
    now = model._default_manager.filter(pk=models.OuterRef(pk)).order_by()
    return models.Case(
        models.When(
            models.Exists(before),
            then=models.Subquery(before.order_by("-history_date").values(field)[:1]),
        ),
        default=models.Subquery(now.values(field)[:1]),
        output_field=model._meta.get_field(field),
    )
