"""FilterSets shared by the browser list pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import (
    ApiToken,
    Department,
    DepartmentKind,
    MemberOrganization,
    OrganizationKind,
    Person,
    PinyinNamed,
    Region,
    RegionLevel,
    in_subtree,
)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a star rating, an id): ``?star_rating=0.5`` is a 400, not a match."""

    field_class = forms.IntegerField


class StrictNullBooleanSelect(forms.NullBooleanSelect):
    """全部 / 是 / 否 as ``""`` / ``true`` / ``false``; an unknown value is passed on (and
    refused) instead of being read as "any"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]

    @staticmethod
    def value_text(value) -> str:
        return {True: "true", False: "false", "true": "true", "false": "false"}.get(value, "")

    def format_value(self, value):
        # A select's chosen options are a list (``Select.format_value``): a bare string would
        # have every option whose value it contains chosen, the empty 全部 first.
        return [self.value_text(value)]

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


class StrictNullBooleanHidden(forms.HiddenInput):
    """The same values in a hidden field: a yes/no filter a page offers as a tab, kept in the
    filter form while the other filters change."""

    def format_value(self, value):
        return StrictNullBooleanSelect.value_text(value)

    value_from_datadict = StrictNullBooleanSelect.value_from_datadict


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


class OrderingFilter(django_filters.OrderingFilter):
    """A list's sort choice; its descending choices read 名称（降序） in Chinese and
    "Name (descending)" in English, in the language of the page (the library's own label
    has no Chinese catalog, and is formatted once, in the language of the start-up)."""

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        ascending = dict(choices[0::2])
        return [
            (param, format_lazy(_("{}（降序）"), ascending[param[1:]]) if param.startswith("-") else label)
            for param, label in choices
        ]


class LookupInput(forms.TextInput):
    """A text box with a type-ahead: static/js/region-lookup.js fills its datalist, as the
    user types, from the JSON view named ``lookup`` (rows of the user's own scope). Never a
    list of every row: a city's forms held 5,000 organizations or people in one select."""

    lookup = ""  # the URL name of the lookup view
    lookup_attribute = "data-lookup"
    placeholder = ""

    def __init__(self, attrs=None):
        defaults = {"autocomplete": "off"} | ({"placeholder": self.placeholder} if self.placeholder else {})
        super().__init__({**defaults, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["list"] = f"{widget_attrs.get('id') or name}-options"
        widget_attrs[self.lookup_attribute] = reverse(self.lookup)
        return context

    def render(self, name, value, attrs=None, renderer=None):
        options = f"{(attrs or {}).get('id') or self.attrs.get('id') or name}-options"
        return format_html('{}<datalist id="{}"></datalist>', super().render(name, value, attrs, renderer), options)


class RegionInput(LookupInput):
    """A text box for a region's code or name, with a type-ahead (``members:region-lookup``;
    without scripts the typed code or name is looked up on submit). Never a list of every region."""

    lookup = "members:region-lookup"
    lookup_attribute = "data-region-lookup"
    placeholder = _("区划代码、名称或拼音首字母")

    def format_value(self, value):
        return value.code if isinstance(value, Region) else super().format_value(value)


class RegionField(forms.CharField):
    """A region typed as its 12-digit code (any region: ``?region=CODE`` of the API) or
    its exact name, looked up among ``regions`` (the user's own)."""

    widget = RegionInput
    default_error_messages = {
        "unknown": _("未找到区域“%(value)s”，请输入区划代码或名称。"),
        "ambiguous": _("有多个区域名为“%(value)s”，请输入区划代码。"),
    }

    def __init__(self, *, regions=None, **kwargs):
        self.regions = regions
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        region = Region.objects.filter(code=value).first()
        if region is not None:
            return region
        regions = self.regions if self.regions is not None else Region.objects.all()
        named = list(regions.filter(name=value)[:2])
        if len(named) == 1:
            return named[0]
        code = "ambiguous" if named else "unknown"
        raise forms.ValidationError(self.error_messages[code], code=code, params={"value": value})


@extend_schema_field(OpenApiTypes.STR)
class RegionSubtreeFilter(django_filters.Filter):
    """``?region=330212000000``: rows whose region is that region or anywhere below it.

    ``path`` is the lookup path from the filtered model to its ``Region`` foreign key
    (empty when filtering regions themselves).
    One indexed ``LIKE 'prefix%'`` on the region code, never a walk of the tree. On a
    page the region may also be typed by its name, among the regions of the user's scope.
    """

    field_class = RegionField

    def __init__(self, *args, path: str = "region", **kwargs):
        kwargs.setdefault("label", _("区域（含下级）"))
        super().__init__(*args, **kwargs)
        self.path = path

    @property
    def field(self):
        if not hasattr(self, "_field"):
            user = getattr(getattr(self.parent, "request", None), "user", None)
            self.extra["regions"] = Region.objects.in_scope_of(user)
        return super().field

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(in_subtree(value.prefix, self.path))


class SearchFilter(django_filters.CharFilter):
    """``?q=text``: case-insensitive match on any of the given fields. A name (or project
    title) with pinyin columns (``PinyinNamed``) is also found by its pinyin initials:
    ``?q=jsz`` finds 姜山镇, ``?q=zmt`` 走马塘村党委."""

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
        if value.isascii() and value.isalpha():
            for path in initials_paths(qs.model, self.search_fields):
                condition |= Q(**{f"{path}__startswith": value.lower()})
        return qs.filter(condition)


def initials_paths(model, fields: tuple[str, ...]) -> list[str]:
    """``name_initials`` lookups beside the searched fields that are pinyin-named names."""
    paths = []
    for field in fields:
        *relations, last = field.split("__")
        target = model
        for part in relations:
            target = target._meta.get_field(part).related_model
        if issubclass(target, PinyinNamed) and last == target.pinyin_source:
            paths.append("__".join([*relations, "name_initials"]))
    return paths


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
    ordering = OrderingFilter(
        fields=(("name_pinyin", "name"), ("star_rating", "star_rating"), ("region__code", "region")),
        field_labels={"name_pinyin": _("名称"), "star_rating": _("星级"), "region__code": _("区域")},
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


class DepartmentFilterSet(django_filters.FilterSet):
    county = RegionSubtreeFilter(path="county", label=_("区县"))
    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices, label=_("部门类型"))
    retired = BooleanFilter(field_name="retired_at", lookup_expr="isnull", exclude=True, label=_("已停用"))
    q = SearchFilter(fields=("name",))

    class Meta:
        model = Department
        fields = ["county", "kind", "retired", "q"]
