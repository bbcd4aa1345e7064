from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alliances.models import Alliance
from core.uploads import ACCEPT, DOCUMENT_KINDS, MAX_UPLOAD_BYTES, check_upload, display_name
from core.widgets import DateInput, MoneyInput, NumberInput, Textarea
from members.forms import ChooseFilesAgainMixin, ScopedModelForm, SubmitOnceMixin
from members.models import MemberOrganization, Person

from .models import Milestone, Project, ProjectStatus, ReportStatus
from .services import INITIAL_STATUSES, MAX_FILES_PER_SUBMISSION, PROJECT_FIELDS
from .weeks import week_label


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each a photo or a PDF named as what it is (a PDF
    renamed .png is refused here, by its name); the service stores them."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        errors = []
        for upload in files:
            try:
                check_upload(upload, allowed=DOCUMENT_KINDS)
            except ValidationError as error:
                name = display_name(upload)
                errors += [
                    m if name in m else _("%(name)s：%(error)s") % {"name": name, "error": m} for m in error.messages
                ]
        if errors:
            raise ValidationError(errors)
        return files

    def has_changed(self, initial, data) -> bool:
        """Files were chosen (the input sends an empty list when none were)."""
        return not self.disabled and bool(data)


class ProjectForm(ScopedModelForm):
    scoped_fields = {"alliance": Alliance, "responsible_organization": MemberOrganization, "responsible_person": Person}
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = ["alliance", "status", *PROJECT_FIELDS]
        widgets = {
            "start_on": DateInput(),
            "due_on": DateInput(),
            "description": Textarea(attrs={"rows": 4}),
            **{name: MoneyInput() for name in PROJECT_FIELDS if name.startswith("funds_")},
            "planned_investment": MoneyInput(),
            "expected_income_increase": MoneyInput(),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            # The alliance is fixed, the status changes through its own form, the version travels along.
            del self.fields["alliance"]
            del self.fields["status"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]
            self.fields["alliance"].queryset = self.fields["alliance"].queryset.exclude(status="dissolved")
            self.fields["status"].choices = [(s.value, s.label) for s in INITIAL_STATUSES]


class ProjectStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, project: Project, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = project.allowed_statuses or [
            (project.status, ProjectStatus(project.status).label)
        ]


class MilestoneForm(SubmitOnceMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on"]
        widgets = {"due_on": DateInput(), "done_on": DateInput()}


class ReportForm(ChooseFilesAgainMixin, SubmitOnceMixin, forms.Form):
    """The leader's weekly report, phone first: numbers with numeric keyboards, photos from the camera."""

    period = forms.TypedChoiceField(label=_("填报周"), coerce=datetime.date.fromisoformat)
    percent_complete = forms.IntegerField(
        label=_("完成进度（%）"),
        widget=NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
    )
    investment_to_date = forms.DecimalField(
        label=_("累计完成投资（元）"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=MoneyInput(),
    )
    work_done = forms.CharField(label=_("本周完成情况"), widget=Textarea(attrs={"rows": 4}))
    blockers = forms.CharField(label=_("堵点难点"), required=False, widget=Textarea(attrs={"rows": 3}))
    needs_coordination = forms.BooleanField(label=_("需要上级协调"), required=False)
    coordination_request = forms.CharField(label=_("协调事项"), required=False, widget=Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(
        label=_("照片和附件"),
        required=False,
        # The page's photo script reads the limits: it shrinks photos and refuses a file
        # over the limit before anything is sent (the checks here still decide).
        widget=MultipleFileInput(
            attrs={
                "accept": ACCEPT,
                "data-max-bytes": MAX_UPLOAD_BYTES,
                "data-max-files": MAX_FILES_PER_SUBMISSION,
            }
        ),
    )

    def __init__(
        self, *args: Any, weeks: list[datetime.date] | None = None, removable: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if removable:
            # A report still waiting for review: the files sent with it may be taken back.
            self.fields["remove_attachments"] = forms.ModelMultipleChoiceField(
                label=_("删除已上传的附件"),
                queryset=removable,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        # Set here, in the request's language: ``gettext_lazy(...) % values`` on the class
        # would be translated once, at import, in the default language.
        self.fields["attachments"].help_text = _(
            "JPEG、PNG、WebP 照片或 PDF 文件，每个不超过 %(mb)s MB，每次最多 %(n)s 个；照片中的位置信息会被删除。"
        ) % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024), "n": MAX_FILES_PER_SUBMISSION}
        if weeks is None:
            del self.fields["period"]
        else:
            self.fields["period"].choices = [(monday.isoformat(), week_label(monday)) for monday in weeks]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if "remove_attachments" in data:
            data["remove"] = list(data.pop("remove_attachments"))
        if data.get("investment_to_date") is None:
            data.pop("investment_to_date", None)
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[(ReportStatus.ACCEPTED.value, _("通过")), (ReportStatus.RETURNED.value, _("退回修改"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填；进度比上期下降时，通过也须说明原因。"),
    )
