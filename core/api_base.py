"""Base classes every API viewset builds on: scoped rows, writes through services."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from .scope import scope_for


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
    """The rows of ``model`` the caller may see, with what the serializer reads
    (``optimize`` adds the joins and annotations a serializer needs)."""

    model: ClassVar[type]

    def get_queryset(self):
        return self.optimize(self.model.objects.all()).visible_to(self.request.user)

    def optimize(self, queryset):
        return queryset


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
