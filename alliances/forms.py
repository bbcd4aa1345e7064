from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import ScopedModelForm, regions_for
from members.models import MemberOrganization, Person

from .models import Alliance, Membership, TeamRole


class DateInput(forms.DateInput):
    input_type = "date"


class AllianceForm(ScopedModelForm):
    class Meta:
        model = Alliance
        fields = [
            "code",
            "name",
            "formation_mode",
            "formation_mode_other",
            "scope",
            "lead_region",
            "founded_on",
            "status",
            "is_demonstration",
            "demonstration_year",
            "covenant",
            "description",
        ]
        widgets = {"founded_on": DateInput()}

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        self.fields["lead_region"].queryset = regions_for(user).filter(
            level__in=["city", "county", "township", "village"]
        )
        if self.instance.pk:
            # The version the editor loaded: alliance_update refuses the save if it is stale.
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version, min_value=1
            )


class MembershipForm(ScopedModelForm):
    scoped_fields = {"organization": MemberOrganization}

    class Meta:
        model = Membership
        fields = ["organization", "role", "joined_on"]
        widgets = {"joined_on": DateInput()}


class MembershipEndForm(forms.Form):
    left_on = forms.DateField(label=_("退出日期"), widget=DateInput())


class TeamRoleForm(ScopedModelForm):
    scoped_fields = {"person": Person}

    class Meta:
        model = TeamRole
        fields = ["person", "role", "started_on"]
        widgets = {"started_on": DateInput()}


class TeamRoleEndForm(forms.Form):
    ended_on = forms.DateField(label=_("离任日期"), widget=DateInput())
