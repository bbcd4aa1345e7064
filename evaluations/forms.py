from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import Alliance
from core.periods import Period
from core.widgets import DateInput, PhotoInput, Textarea
from members.access import scope_for
from members.forms import RegionChoiceField
from members.models import Region

from .models import AssessmentScheme, Indicator, VetoKind
from .rollups import KIND_CHOICES, KINDS, PERIOD_OF_KIND


class ManualScoreForm(forms.Form):
    """A staff-scored indicator of an alliance. Only the indicators of the schemes that apply
    to the user's alliances are offered (a county's own scheme hides its city's default),
    and the year is the scheme's: a score cannot name a year its indicator was not for."""

    alliance = forms.ModelChoiceField(queryset=Alliance.objects.none(), label=_("联盟"))
    indicator = forms.ModelChoiceField(queryset=Indicator.objects.none(), label=_("指标"))
    score = forms.DecimalField(label=_("得分"), max_digits=6, decimal_places=2, min_value=0)
    evidence = forms.CharField(label=_("佐证说明"), widget=Textarea, required=False)
    evidence_file = forms.FileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("JPEG、PNG、WebP 图片或 PDF，不超过 10 MB。"),
        widget=PhotoInput(),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        alliances = Alliance.objects.visible_to(user)
        self.fields["alliance"].queryset = alliances.order_by("code")
        self.fields["indicator"].queryset = (
            Indicator.objects.filter(scheme__in=AssessmentScheme.objects.applying_to(alliances), metric="")
            .select_related("scheme")
            .order_by("-scheme__year", "scheme__region__code", "order")
        )
        self.fields["indicator"].label_from_instance = lambda i: (
            _("%(scheme)s · %(code)s %(name)s（满分 %(max)s）")
            % {
                "scheme": i.scheme.name,
                "code": i.code,
                "name": i.name,
                "max": i.max_score,
            }
        )
        self.can_score = scope_for(user).is_staff_role


class VetoFindingForm(forms.Form):
    alliance = forms.ModelChoiceField(queryset=Alliance.objects.none(), label=_("联盟"))
    kind = forms.ChoiceField(choices=VetoKind.choices, label=_("底线"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("情况说明"), widget=Textarea)
    evidence_file = forms.FileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("现场照片或书面材料：JPEG、PNG、WebP 图片或 PDF，不超过 10 MB。"),
        widget=PhotoInput(),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = Alliance.objects.visible_to(user).order_by("code")
        self.fields["year"].initial = timezone.localdate().year


class ObservationVisitForm(forms.Form):
    alliance = forms.ModelChoiceField(queryset=Alliance.objects.none(), label=_("联盟"))
    visited_on = forms.DateField(label=_("观摩日期"), widget=DateInput())
    score = forms.DecimalField(label=_("观摩得分"), max_digits=5, decimal_places=2, min_value=0, max_value=100)
    notes = forms.CharField(label=_("观摩意见"), widget=Textarea, required=False)

    def __init__(self, *args: Any, user: Any, proposed_codes: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = Alliance.objects.visible_to(user).filter(code__in=proposed_codes)


# Up to this many staff scores pending, the publication form asks a reason for each.
WAIVER_FIELDS = 20
WAIVE_ALL = "waive-all"


class RollupPublishForm(forms.Form):
    """Publish a draft: a correction's reason, and a reason for each staff score still
    pending that staff choose to publish without."""

    reason = forms.CharField(
        label=_("更正原因"),
        widget=Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("已发布过的通报再次发布即为更正，必须说明原因。"),
    )

    def __init__(self, *args: Any, pending: list, is_correction: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not is_correction:
            self.fields["reason"].label = _("发布说明")
            self.fields["reason"].help_text = _("选填。")
        # A field per pending score while they are few; beyond, one reason for them all
        # (each still recorded as its own waiver): a city's thousand fields weighed a megabyte.
        self.waiver_keys = [item.key for item in pending]
        self.waive_all = len(pending) > WAIVER_FIELDS
        if self.waive_all:
            self.fields[WAIVE_ALL] = forms.CharField(
                label=_("暂缓理由（适用于全部 %(count)s 项待录入评分）") % {"count": len(pending)},
                required=False,
                help_text=_("不录入这些评分即发布时必填；每项各记为一条缺项说明。"),
            )
            return
        for item in pending:
            self.fields[item.key] = forms.CharField(
                label=f"{item.alliance.name} · {item.indicator.code} {item.indicator.name}",
                required=False,
                help_text=_("暂缓理由：不录入该项评分即发布时必填。"),
            )

    def waivers(self) -> dict[str, str]:
        if self.waive_all:
            reason = self.cleaned_data.get(WAIVE_ALL, "")
            return dict.fromkeys(self.waiver_keys, reason)
        return {key: self.cleaned_data.get(key, "") for key in self.waiver_keys}


class RollupDraftForm(forms.Form):
    """Draft a rollup the schedule has not made (yet), for a region the user may publish for."""

    kind = forms.ChoiceField(label=_("类型"), choices=KIND_CHOICES)
    period = forms.CharField(
        label=_("期间"), max_length=10, help_text=_("如 2026-W05（周）、2026-03（月）、2026-Q1（季）、2026（年）。")
    )
    region = RegionChoiceField(queryset=Region.objects.none(), label=_("区域"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        levels = {level for spec in KINDS.values() for level in spec.region_levels}
        regions = Region.objects.filter(level__in=levels).order_by("code")
        if scope.kind != "all":
            regions = regions.subtree(scope.region_prefix) if scope.is_staff_role else regions.none()
        self.fields["region"].queryset = regions

    def clean(self):
        data = super().clean()
        kind, key, region = data.get("kind"), data.get("period"), data.get("region")
        if kind and key:
            try:
                data["period"] = Period.parse(PERIOD_OF_KIND[kind], key.strip())
            except ValidationError as error:
                self.add_error("period", error.message_dict["period"])
        if kind and region and region.level not in KINDS[kind].region_levels:
            self.add_error("region", _("该类型不按此级区域生成。"))
        return data
