"""FilterSets shared by the browser list pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import ApiToken, MemberOrganization, OrganizationKind, Person, Region, RegionLevel


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a star rating, an id): ``?star_rating=0.5`` is a 400, not a match."""

    field_class = forms.IntegerField


class StrictNullBooleanSelect(forms.NullBooleanSelect):
    """全部 / 是 / 否 as ``""`` / ``true`` / ``false``; an unknown value is passed on (and
    refused) instead of being read as "any"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]

    def format_value(self, value):
        return {True: "true", False: "false", "true": "true", "false": "false"}.get(value, "")

    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        if raw in (None, "", "unknown"):
            return None
        return {
            "true": True,
            "True": True,
            "1": True,
            "false": False,
            "False": False,
            "0": False,
        }.get(raw, raw)


class StrictNullBooleanField(forms.NullBooleanField):
    widget = StrictNullBooleanSelect

    def to_python(self, value):
        if value in (True, False, None):
            return value
        raise forms.ValidationError(_("请填写 true 或 false。"), code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    """``?current=true``: ``?current=maybe`` is a 400 instead of being ignored. Every
    yes/no filter of pages and API is this one."""

    field_class = StrictNullBooleanField


@extend_schema_field(OpenApiTypes.STR)
class RegionSubtreeFilter(django_filters.ModelChoiceFilter):
    """``?region=330212000000``: rows whose region is that region or anywhere below it.

    ``path`` is the lookup path from the filtered model to its ``Region`` foreign key
    (empty when filtering regions themselves).
    One indexed ``LIKE 'prefix%'`` on the region code, never a walk of the tree.
    """

    def __init__(self, *args, path: str = "region", **kwargs):
        kwargs.setdefault("queryset", Region.objects.all())
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("label", _("区域（含下级）"))
        super().__init__(*args, **kwargs)
        self.path = path

    def filter(self, qs, value):
        if not value:
            return qs
        lookup = f"{self.path}__code__startswith" if self.path else "code__startswith"
        return qs.filter(**{lookup: value.prefix})


class SearchFilter(django_filters.CharFilter):
    """``?q=text``: case-insensitive match on any of the given fields."""

    def __init__(self, *args, fields: tuple[str, ...], **kwargs):
        kwargs.setdefault("label", _("搜索"))
        super().__init__(*args, **kwargs)
        self.search_fields = fields

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return qs.filter(condition)


class RegionFilterSet(django_filters.FilterSet):
    within = RegionSubtreeFilter(path="", label=_("区域（含下级）"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("层级"))
    parent = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), to_field_name="code", label=_("上级区划代码")
    )
    q = SearchFilter(fields=("name", "code"))

    class Meta:
        model = Region
        fields = ["within", "level", "parent", "q"]


class MemberOrganizationFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="region")
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("单位类型"))
    star_rating = IntegerFilter(label=_("星级"))
    min_stars = IntegerFilter(field_name="star_rating", lookup_expr="gte", label=_("最低星级"))
    q = SearchFilter(fields=("name",))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("star_rating", "star_rating"), ("region__code", "region")),
        field_labels={"name": _("名称"), "star_rating": _("星级"), "region__code": _("区域")},
        label=_("排序"),
    )

    class Meta:
        model = MemberOrganization
        fields = ["region", "kind", "star_rating", "min_stars", "q"]


class PersonFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="organization__region")
    organization = IntegerFilter(field_name="organization_id", label=_("所在单位"))
    is_party_member = BooleanFilter(label=_("党员"))
    q = SearchFilter(fields=("name", "title"))

    class Meta:
        model = Person
        fields = ["region", "organization", "is_party_member", "q"]


class ApiTokenFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="region")
    revoked = BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True, label=_("已撤销"))
    q = SearchFilter(fields=("name", "prefix"))

    class Meta:
        model = ApiToken
        fields = ["region", "revoked", "q"]
