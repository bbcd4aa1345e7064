from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .access import scope_for
from .imports import MAX_UPLOAD_BYTES, FileRefused, check_container
from .models import ApiToken, Department, MemberOrganization, Person, Region, RegionLevel


def regions_for(user: Any):
    """The regions a user may attach new data to: their own subtree (all for superusers)."""
    scope = scope_for(user)
    if scope.kind == "all":
        return Region.objects.all()
    if scope.kind == "region":
        return Region.objects.subtree(scope.region_prefix)
    return Region.objects.none()


# How long a submitted form's token is remembered: long enough for a back button and a
# second tap, short enough to keep the cache small.
SUBMITTED_FOR = 24 * 3600
SUBMISSION = "submission"
SUBMITTED_TWICE = _(
    "这张表单刚才已经提交并保存过（可能点了两次或刷新了页面），没有再保存一次。请返回查看已保存的内容。"
)


class SubmitOnceMixin:
    """A form saved at most once, whatever the taps, reloads or back buttons.

    The form carries a hidden one-time token. The first valid submission claims it in
    the shared cache (an atomic add, so two simultaneous taps cannot both win); a later
    submission of the same token is refused with a message saying it was already saved.
    A refusal after the claim (the service's errors come back through ``add_error``)
    gives the token back, so the user can correct the form and send it again. A request
    without a token (a script, a test) is not protected and not refused.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields[SUBMISSION] = forms.CharField(
            widget=forms.HiddenInput, required=False, max_length=64, initial=uuid.uuid4().hex
        )
        self._claimed: str | None = None

    def _post_clean(self) -> None:
        super()._post_clean()
        token = self.cleaned_data.pop(SUBMISSION, "")
        if not token:
            return
        key = f"form-submitted:{token}"
        if self._errors:
            # Refused anyway; if it is a second tap, say so rather than what the first changed.
            if cache.get(key):
                self.add_error(None, SUBMITTED_TWICE)
        elif cache.add(key, 1, timeout=SUBMITTED_FOR):
            self._claimed = key
        else:
            self.add_error(None, SUBMITTED_TWICE)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if self._claimed:
            cache.delete(self._claimed)
            self._claimed = None


class ChooseFilesAgainMixin:
    """A browser cannot be given back the files chosen in a form: when the form comes back
    with an error, each file field whose files were chosen says so, next to the field."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._files_noted: set[str] = set()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name, value in self.fields.items():
            if name == field or name in self._files_noted or not isinstance(value, forms.FileField):
                continue
            if any(self.files.getlist(self.add_prefix(name))):
                self._files_noted.add(name)
                super().add_error(name, _("表单有错误，所选文件没有保存：请改正后重新选择文件。"))


class ScopedModelForm(SubmitOnceMixin, forms.ModelForm):
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


class DepartmentForm(ScopedModelForm):
    """A county's department: the county is chosen when it is added, then fixed."""

    class Meta:
        model = Department
        fields = ["county", "name", "kind"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        counties = regions_for(user).filter(level=RegionLevel.COUNTY)
        if self.instance.pk:
            del self.fields["county"]
        else:
            self.fields["county"].queryset = counties
            if counties.count() == 1:
                self.fields["county"].initial = counties.first()
