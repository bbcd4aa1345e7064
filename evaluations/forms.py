from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import Alliance
from members.access import scope_for
from members.widgets import DateInput

from .models import AssessmentScheme, Indicator, VetoKind


class ManualScoreForm(forms.Form):
    alliance = forms.ModelChoiceField(queryset=Alliance.objects.none(), label=_("联盟"))
    indicator = forms.ModelChoiceField(queryset=Indicator.objects.none(), label=_("指标"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    score = forms.DecimalField(label=_("得分"), max_digits=6, decimal_places=2, min_value=0)
    evidence = forms.CharField(label=_("佐证说明"), widget=forms.Textarea, required=False)
    evidence_file = forms.FileField(
        label=_("佐证材料"), required=False, help_text=_("JPEG、PNG、WebP 图片或 PDF，不超过 10 MB。")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = Alliance.objects.visible_to(user).order_by("code")
        schemes = AssessmentScheme.objects.visible_to(user).filter(status="active")
        self.fields["indicator"].queryset = (
            Indicator.objects.filter(scheme__in=schemes, metric="").select_related("scheme").order_by("scheme", "order")
        )
        self.fields["indicator"].label_from_instance = lambda i: f"{i.scheme.name} · {i.code} {i.name}（{i.max_score}）"
        self.fields["year"].initial = timezone.localdate().year
        self.can_score = scope_for(user).is_staff_role


class VetoFindingForm(forms.Form):
    alliance = forms.ModelChoiceField(queryset=Alliance.objects.none(), label=_("联盟"))
    kind = forms.ChoiceField(choices=VetoKind.choices, label=_("底线"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("情况说明"), widget=forms.Textarea)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = Alliance.objects.visible_to(user).order_by("code")
        self.fields["year"].initial = timezone.localdate().year


class ObservationVisitForm(forms.Form):
    alliance = forms.ModelChoiceField(queryset=Alliance.objects.none(), label=_("联盟"))
    visited_on = forms.DateField(label=_("观摩日期"), widget=DateInput())
    score = forms.DecimalField(label=_("观摩得分"), max_digits=5, decimal_places=2, min_value=0, max_value=100)
    notes = forms.CharField(label=_("观摩意见"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, user: Any, proposed_codes: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = Alliance.objects.visible_to(user).filter(code__in=proposed_codes)
