"""Base classes every API viewset builds on: scoped rows, writes through services."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Mapping
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from rest_framework import mixins, relations, serializers, status, viewsets
from rest_framework.fields import Field, SkipField
from rest_framework.response import Response

from .access import scope_for

# A field of the representation plan: its name, the field, the attribute path read straight
# off the row (None: ask the field), the function turning a non-null value into output, and
# the type of value that function returns unchanged (None: always call it).
PlanStep = tuple[str, Field, tuple[str, ...] | None, Callable[[Any], Any], type | None]


def _direct_path(field: Field, model: type | None) -> tuple[tuple[str, ...] | None, Callable[[Any], Any]]:
    """Where ``field`` reads its value on a row, when DRF's ``get_attribute`` would only walk
    the source with ``getattr``; and how the value becomes output."""
    if isinstance(field, relations.PrimaryKeyRelatedField) and field.use_pk_only_optimization():
        # DRF reads the key column (``serializable_value``) and wraps it in a PKOnlyObject.
        if model is None or len(field.source_attrs) != 1:
            return None, field.to_representation
        try:
            column = model._meta.get_field(field.source_attrs[0]).attname
        except FieldDoesNotExist:  # not a model field: DRF reads the attribute itself
            return None, field.to_representation
        pk_field = field.pk_field
        return (column,), (pk_field.to_representation if pk_field is not None else _same)
    if isinstance(field, serializers.ManyRelatedField) or field.source == "*":
        return None, field.to_representation
    reads_plainly = type(field).get_attribute is Field.get_attribute or (
        isinstance(field, relations.RelatedField) and type(field).get_attribute is relations.RelatedField.get_attribute
    )
    return (tuple(field.source_attrs) if reads_plainly else None), field.to_representation


def _same(value: Any) -> Any:
    return value


# DRF's own ``to_representation`` of these fields returns a value of this exact type as it is
# (``str(value)``, ``int(value)``, a bool for a bool): the plan skips the call for it.
_PASSES_THROUGH: dict[Callable[..., Any], type] = {
    serializers.CharField.to_representation: str,
    serializers.IntegerField.to_representation: int,
    serializers.BooleanField.to_representation: bool,
    serializers.FloatField.to_representation: float,
}


def _passes_through(field: Field) -> type | None:
    """The type of value ``field`` outputs unchanged, if any. A choice field does so for a
    string when its choices are strings (it maps the value to the equal choice key)."""
    method = type(field).to_representation
    if method is serializers.ChoiceField.to_representation:
        keys = field.choice_strings_to_values.values()
        return str if all(type(key) is str for key in keys) else None
    return _PASSES_THROUGH.get(method)


_MISSING = object()


class FastRepresentationMixin:
    """``to_representation`` without DRF's per-field dispatch where it only reads attributes.

    For each row DRF asks every field for its attribute (``Field.get_attribute``: a walk of
    the source with error handling and a callable check; a primary-key relation builds a
    ``PKOnlyObject`` from the key column), then for its output. A list of 50 rows of 30
    fields makes 1,500 such calls. The plan, built once per serializer (a list's child
    serves every row), notes for each field the attribute path DRF would walk, and reads it
    with ``getattr``; a value DRF's field would return as it is (a text field's string, an
    integer, a bool) is not handed to the field at all. A field that computes its attribute
    (``source="*"``, method fields, many-to-many, overridden ``get_attribute``), and any row
    where the walk fails, meets ``None`` midway or finds a callable, goes through DRF's own
    code, so the output is DRF's (``tests/demo/test_api_representation.py`` compares both
    on every endpoint).
    """

    def _representation_plan(self) -> list[PlanStep]:
        plan = self.__dict__.get("_representation_steps")
        if plan is None:
            model = getattr(getattr(self, "Meta", None), "model", None)
            plan = [
                (field.field_name, field, *_direct_path(field, model), _passes_through(field))
                for field in self._readable_fields
            ]
            self.__dict__["_representation_steps"] = plan
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, Mapping):
            return super().to_representation(instance)
        ret: dict[str, Any] = {}
        for name, field, path, represent, plain in self._representation_plan():
            if path is not None:
                value = instance
                for attr in path:
                    try:
                        value = getattr(value, attr)
                    except Exception:  # None midway too: DRF's walk raises, handles or skips it
                        value = _MISSING
                        break
                    if callable(value):  # DRF may call it
                        value = _MISSING
                        break
                if value is not _MISSING:
                    ret[name] = value if value is None or type(value) is plain else represent(value)
                    continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret


class FieldTemplateMixin:
    """``get_fields`` introspects the model once per class, not once per serializer.

    DRF's ``ModelSerializer.get_fields`` maps every model field to a serializer field on each
    instantiation (the model's options, validators, choices and error messages): 1 to 2 ms of
    every list request for a serializer of 30 fields. The unbound fields it returns depend
    only on the class (no serializer here overrides ``get_fields``, ``build_field`` or
    ``get_extra_kwargs``), so the first result is kept and each serializer gets a deep copy,
    which DRF's ``Field.__deepcopy__`` makes by calling each field's constructor again with
    its original arguments, as DRF already does for the declared fields. Validators are
    shared between the copies, as DRF shares those of declared fields.
    """

    _field_templates: ClassVar[dict[type, dict[str, Field]]] = {}

    def get_fields(self) -> dict[str, Field]:
        template = self._field_templates.get(type(self))
        if template is None:
            template = super().get_fields()
            self._field_templates[type(self)] = template
        return copy.deepcopy(template)


class ModelSerializer(FastRepresentationMixin, FieldTemplateMixin, serializers.ModelSerializer):
    """The project's model serializer: DRF's, with its fields built once per class and the
    fast read path above."""


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that only accepts objects the caller may see (else "does not exist")."""

    def __init__(self, model: type, **kwargs: Any):
        self.scoped_model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.scoped_model.objects.visible_to(getattr(request, "user", None))


class MaskedField(serializers.CharField):
    """A personal-data field shown whole only to roles that need it (see members.access)."""

    def __init__(self, mask, **kwargs: Any):
        self.mask = mask
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        if scope_for(getattr(request, "user", None)).sees_personal_data:
            return value
        return self.mask(value)


class ScopedQueryMixin:
    """The rows of ``model`` the caller may see, with what the serializer reads.

    ``optimize`` adds the joins and annotations a serializer needs. Like DRF's class-level
    ``queryset``, the optimized queryset is built once per process and cloned for each
    request, which adds the caller's scope (``visible_to``, a filter) to the clone:
    resolving a list's subquery annotations took 2 to 4 ms of every request. A viewset
    whose ``optimize`` depends on anything but the model names it in ``optimize_key``
    (the day, for flags computed against today); no viewset's depends on the request.
    """

    model: ClassVar[type]
    _optimized: ClassVar[dict[type, tuple[Hashable, Any]]] = {}

    def get_queryset(self):
        return self.optimized().visible_to(self.request.user)

    def optimized(self):
        key = self.optimize_key()
        cached = self._optimized.get(type(self))
        if cached is None or cached[0] != key:
            cached = (key, self.optimize(self.model.objects.all()))
            self._optimized[type(self)] = cached  # one entry per viewset: the newest key
        return cached[1].all()

    def optimize(self, queryset):
        return queryset

    def optimize_key(self) -> Hashable:
        return None


class ScopedViewSet(
    ScopedQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, retrieve, create and update rows the caller may see; no deletes.

    Subclasses name ``model`` and implement ``create_object`` / ``update_object`` by
    calling the app's services.
    """

    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_object(serializer.validated_data)
        return Response(self.output(instance), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        instance = self.update_object(instance, serializer.validated_data)
        return Response(self.output(instance))

    def output(self, instance: Any) -> dict:
        """The written object as the list and detail views show it (re-read with its joins)."""
        fresh = self.get_queryset().get(pk=instance.pk)
        return self.serializer_class(fresh, context=self.get_serializer_context()).data

    def create_object(self, data: dict) -> Any:  # pragma: no cover - every writable viewset overrides
        raise NotImplementedError

    def update_object(self, instance: Any, data: dict) -> Any:  # pragma: no cover
        raise NotImplementedError


class ReadOnlyScopedViewSet(
    ScopedQueryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    pass
