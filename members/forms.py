from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .access import scope_for
from .imports import MAX_UPLOAD_BYTES, FileRefused, check_container
from .models import ApiToken, MemberOrganization, Person, Region


def regions_for(user: Any):
    """The regions a user may attach new data to: their own subtree (all for superusers)."""
    scope = scope_for(user)
    if scope.kind == "all":
        return Region.objects.all()
    if scope.kind == "region":
        return Region.objects.filter(code__startswith=scope.region_prefix)
    return Region.objects.none()


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose foreign-key choices are limited to what the user may see."""

    scoped_fields: dict[str, Any] = {}

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, model in self.scoped_fields.items():
            if name in self.fields:
                self.fields[name].queryset = model.objects.visible_to(user)
        if "region" in self.fields:
            self.fields["region"].queryset = regions_for(user)


class OrganizationForm(ScopedModelForm):
    scoped_fields = {"secretary": Person}

    class Meta:
        model = MemberOrganization
        fields = ["name", "kind", "region", "star_rating", "secretary", "contact_phone"]


class PersonForm(ScopedModelForm):
    scoped_fields = {"organization": MemberOrganization}

    class Meta:
        model = Person
        fields = ["name", "mobile", "id_number", "organization", "title", "is_party_member"]


class ImportUploadForm(forms.Form):
    """An .xlsx upload, refused before parsing when too big or not a real workbook."""

    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("不超过 5 MB、20,000 行；格式与列表页“导出 Excel”的文件相同。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件大小 %(size)s MB，超过上限 5 MB，请拆分后分批导入。") % {"size": f"{upload.size / 1048576:.1f}"}
            )
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            check_container(data)
        except FileRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


class ApiTokenForm(ScopedModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "region"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"].queryset = regions_for(user).exclude(level="village")
