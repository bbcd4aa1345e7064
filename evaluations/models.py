"""Assessment schemes, scores and the immutable periodic rollups."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.access import ScopedQuerySet, scope_for
from members.models import Region, region_prefix

from .periods import Period
from .rollups import KIND_CHOICES, PERIOD_OF_KIND


class RollupQuerySet(ScopedQuerySet):
    """Staff see the rollups of their region and everything below it, and of the regions
    above it (county staff read the city bulletin), never a sibling's."""

    region_path = "region"
    alliance_path = None

    def visible_to(self, user) -> RollupQuerySet:
        scope = scope_for(user)
        if scope.kind != "region":
            return super().visible_to(user)
        prefix = scope.region_prefix or ""
        ancestors = [region_prefix(prefix.ljust(12, "0"), level).ljust(12, "0") for level in _levels_above(len(prefix))]
        return self.filter(Q(region__code__startswith=prefix) | Q(region__code__in=ancestors))


def _levels_above(digits: int) -> list[str]:
    from members.models import LEVEL_DIGITS

    return [level for level, n in LEVEL_DIGITS.items() if n < digits]


class Rollup(models.Model):
    """One periodic report for (kind, period, region): written once, never changed."""

    kind = models.CharField(_("类型"), max_length=30, choices=KIND_CHOICES)
    period_key = models.CharField(_("期间"), max_length=10)
    period_start = models.DateField(_("期间开始"))
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    report = models.JSONField(_("内容"), encoder=DjangoJSONEncoder)
    produced_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = RollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("调度通报")
        verbose_name_plural = _("调度通报")
        ordering = ["-period_start", "kind", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start", "region"], name="rollup_one_per_kind_period_region")
        ]
        indexes = [models.Index(fields=["region", "kind", "-period_start"], name="rollup_region_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.period.label} · {self.region}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("调度通报生成后不可修改。"))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("evaluations:rollup-detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise ValidationError(_("调度通报生成后不可删除。"))

    @property
    def period(self) -> Period:
        return Period(PERIOD_OF_KIND[self.kind], self.period_start)
