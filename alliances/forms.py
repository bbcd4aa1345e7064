from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import PHOTOS, DateInput, MoneyInput, PhotoInput, Textarea
from members.access import scope_for
from members.forms import ChooseFilesAgainMixin, ScopedModelForm, SubmitOnceMixin, regions_for, use_lookup_pickers
from members.models import MemberOrganization, Person

from .models import (
    Activity,
    Alliance,
    Claim,
    EntityPlatform,
    Meeting,
    Membership,
    Mentorship,
    Need,
    Resource,
    TeamRole,
)
from .services import (
    ACTIVITY_FIELDS,
    ALLIANCE_FIELDS,
    MEETING_FIELDS,
    MENTORSHIP_EDIT_FIELDS,
    MENTORSHIP_FIELDS,
    NEED_FIELDS,
    PLATFORM_FIELDS,
    RESOURCE_FIELDS,
    alliance_organizations,
    alliance_people,
    alliances_writable_by,
    organizations_claiming_for,
)


class AllianceForm(ScopedModelForm):
    class Meta:
        model = Alliance
        fields = list(ALLIANCE_FIELDS)
        widgets = {"founded_on": DateInput(), "covenant": Textarea(), "description": Textarea()}

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


# =========================================================================== operations


# Who was present at a meeting or an activity: offered from those of the alliance on its date.
ATTENDANCE_FIELDS = {
    "attending_organizations": alliance_organizations,
    "attendees": alliance_people,
    "participating_organizations": alliance_organizations,
    "participants": alliance_people,
}


class AllianceRecordForm(ChooseFilesAgainMixin, SubmitOnceMixin, forms.ModelForm):
    """A form about a record of one alliance: its people and organizations to choose from.

    Those present at a meeting or an activity are offered from the organizations that were
    members on its date (the date sent, else the record's, else today) and their people,
    with the alliance's team of that day; the service refuses, by name, anyone else."""

    def __init__(self, *args: Any, alliance: Alliance, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.alliance = alliance
        self.user = user
        for name in ("held_on", "posted_on"):
            if name in self.fields and not self.instance.pk:
                self.fields[name].initial = timezone.localdate()
        if "apprentice" in self.fields:
            self.fields["apprentice"].queryset = (
                alliance_people(alliance).select_related("organization").order_by("organization__name", "name")
            )
        attendance = [name for name in ATTENDANCE_FIELDS if name in self.fields]
        day = self.attendance_day() if attendance else None
        for name in attendance:
            pool = ATTENDANCE_FIELDS[name]
            # Also those of the alliance ticked on the page sent (or saved on the record): the
            # service's refusal then names them, and the ticks stay as they were.
            on_the_day = Q(pk__in=pool(alliance, on=day).values("pk"))
            queryset = pool(alliance).filter(on_the_day | Q(pk__in=self.ticked(name)))
            if pool is alliance_people:
                queryset = queryset.select_related("organization").order_by("organization__name", "name")
            else:
                queryset = queryset.order_by("name")
                self.fields[name].help_text = _("只列出该日期在册的成员单位；改了日期，保存后再编辑即按新日期列出。")
            self.fields[name].queryset = queryset

    def attendance_day(self) -> datetime.date:
        """The date whose members are offered: the one sent, else the record's, else today."""
        if self.is_bound and "held_on" in self.fields:
            field = self.fields["held_on"]
            sent = field.widget.value_from_datadict(self.data, self.files, self.add_prefix("held_on"))
            try:
                day = field.to_python(sent)
            except forms.ValidationError:
                day = None
            if day:
                return day
        return getattr(self.instance, "held_on", None) or timezone.localdate()

    def ticked(self, name: str) -> Any:
        """The ids ticked in the attendance field ``name``: sent, or else saved on the record."""
        if self.is_bound:
            sent = self.fields[name].widget.value_from_datadict(self.data, self.files, self.add_prefix(name)) or []
            if not isinstance(sent, list | tuple):
                sent = [sent]
            # Only ids a key can hold: anything else is refused by the field itself.
            return [int(value) for value in map(str, sent) if value.isascii() and value.isdigit() and len(value) < 19]
        if self.instance.pk:
            return getattr(self.instance, name).values("pk")
        return []


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.name}（{person.organization.name}）" if person.organization_id else person.name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.name}（{person.organization.name}）" if person.organization_id else person.name


class MeetingForm(AllianceRecordForm):
    attendees = PeopleChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("参会人员")
    )

    class Meta:
        model = Meeting
        fields = [*MEETING_FIELDS, "attending_organizations", "attendees"]
        widgets = {
            "held_on": DateInput(),
            "attending_organizations": forms.CheckboxSelectMultiple,
            "topics": Textarea(attrs={"rows": 3}),
            "decisions": Textarea(attrs={"rows": 3}),
            "minutes": Textarea(),
        }


class ActivityForm(AllianceRecordForm):
    participants = PeopleChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("参与人员")
    )

    class Meta:
        model = Activity
        fields = [*ACTIVITY_FIELDS, "participating_organizations", "participants"]
        widgets = {
            "held_on": DateInput(),
            "participating_organizations": forms.CheckboxSelectMultiple,
            "summary": Textarea(),
        }


class PhotoForm(ChooseFilesAgainMixin, SubmitOnceMixin, forms.Form):
    image = forms.FileField(
        label=_("照片"),
        help_text=_("JPEG、PNG 或 WebP，不超过 10 MB；照片中的位置信息会被删除。"),
        widget=PhotoInput(accept=PHOTOS),
    )
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)


class MentorshipForm(AllianceRecordForm):
    mentor = PersonChoiceField(queryset=Person.objects.none(), label=_("导师"))
    apprentice = PersonChoiceField(queryset=Person.objects.none(), label=_("徒弟"))

    class Meta:
        model = Mentorship
        fields = list(MENTORSHIP_FIELDS)
        widgets = {"started_on": DateInput(), "goals": Textarea()}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        people = Person.objects.visible_to(self.user)
        if scope_for(self.user).is_staff_role:  # all of the region's people: typed, never listed
            self.fields["mentor"].queryset = people
            use_lookup_pickers(self, "mentor")
        else:  # a leader's own alliances' people: a short select on the phone
            self.fields["mentor"].queryset = people.select_related("organization").order_by("name")


class MentorshipEditForm(SubmitOnceMixin, forms.ModelForm):
    class Meta:
        model = Mentorship
        fields = list(MENTORSHIP_EDIT_FIELDS)
        widgets = {"started_on": DateInput(), "goals": Textarea()}


class MentorshipEndForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=DateInput())


class PlatformForm(SubmitOnceMixin, forms.ModelForm):
    class Meta:
        model = EntityPlatform
        fields = list(PLATFORM_FIELDS)
        widgets = {
            "established_on": DateInput(),
            "registered_capital": MoneyInput(),
            "annual_revenue": MoneyInput(),
            "business_scope": Textarea(),
        }


class ShareholdingForm(forms.Form):
    alliance = forms.ModelChoiceField(queryset=Alliance.objects.none(), required=False, label=_("股东联盟"))
    organization = forms.ModelChoiceField(
        queryset=MemberOrganization.objects.none(), required=False, label=_("股东单位")
    )
    percentage = forms.DecimalField(
        label=_("持股比例（%）"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )
    capital_contribution = forms.DecimalField(
        label=_("出资额（元）"), max_digits=14, decimal_places=2, min_value=0, required=False, widget=MoneyInput()
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = Alliance.objects.visible_to(user).order_by("name")
        self.fields["organization"].queryset = MemberOrganization.objects.visible_to(user)
        use_lookup_pickers(self, "organization")  # a city's thousands: typed, never listed

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("alliance")) == bool(data.get("organization")):
            raise forms.ValidationError(_("请选择一个股东联盟或一个股东单位（二选一）。"))
        return data


class NeedForm(AllianceRecordForm):
    class Meta:
        model = Need
        fields = list(NEED_FIELDS)
        widgets = {"posted_on": DateInput(), "description": Textarea()}


class ResourceForm(AllianceRecordForm):
    class Meta:
        model = Resource
        fields = list(RESOURCE_FIELDS)
        widgets = {"posted_on": DateInput(), "description": Textarea()}


class ClaimForm(SubmitOnceMixin, forms.Form):
    claimant_alliance = forms.ModelChoiceField(queryset=Alliance.objects.none(), required=False, label=_("认领联盟"))
    claimant_organization = forms.ModelChoiceField(
        queryset=MemberOrganization.objects.none(),
        required=False,
        label=_("认领单位"),
        help_text=_("成员单位或政府部门（机关）；与认领联盟二选一。"),
    )
    offer = forms.CharField(label=_("认领说明"), widget=Textarea(attrs={"rows": 3}), required=False)
    claimed_on = forms.DateField(
        label=_("认领日期"), widget=DateInput(), initial=timezone.localdate, required=False, help_text=_("默认今天。")
    )

    def __init__(self, *args: Any, user: Any, poster: Alliance, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["claimant_alliance"].queryset = alliances_writable_by(user).exclude(pk=poster.pk).order_by("name")
        self.fields["claimant_organization"].queryset = organizations_claiming_for(user).order_by("name")
        if scope_for(user).is_staff_role:  # all of the region's: typed; a leader's few stay a select
            use_lookup_pickers(self, "claimant_organization")

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("claimant_alliance")) == bool(data.get("claimant_organization")):
            raise forms.ValidationError(_("请选择认领联盟或认领单位（二选一）。"))
        return data


class ClaimStartForm(forms.Form):
    started_on = forms.DateField(
        label=_("开始推进日期"),
        widget=DateInput(),
        initial=timezone.localdate,
        required=False,
        help_text=_("默认今天。"),
    )


class ClaimWithdrawForm(forms.Form):
    note = forms.CharField(label=_("撤回原因"), widget=Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(
        label=_("撤回日期"), widget=DateInput(), initial=timezone.localdate, required=False, help_text=_("默认今天。")
    )


class ClaimResolveForm(forms.Form):
    note = forms.CharField(label=_("办理结果"), widget=Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(
        label=_("办结日期"), widget=DateInput(), initial=timezone.localdate, required=False, help_text=_("默认今天。")
    )
    project_id = forms.IntegerField(
        label=_("解决该需求的项目编号"),
        min_value=1,
        required=False,
        help_text=_("如该需求由联盟项目解决，填写项目编号。"),
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if claim.need_id is None:
            del self.fields["project_id"]
