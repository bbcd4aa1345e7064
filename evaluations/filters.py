from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from members.filters import IntegerFilter, RegionSubtreeFilter

from .models import Rollup
from .rollups import KIND_CHOICES


class RollupFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=KIND_CHOICES, label=_("类型"))
    region = RegionSubtreeFilter(path="region")
    period = django_filters.CharFilter(field_name="period_key", label=_("期间"))
    year = IntegerFilter(field_name="period_start__year", min_value=2000, max_value=2100, label=_("年份"))

    class Meta:
        model = Rollup
        fields = ["kind", "region", "period", "year"]
