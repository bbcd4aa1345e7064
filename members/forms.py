from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.cache import cache
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.imports import MAX_UPLOAD_BYTES, FileRefused, check_container
from core.widgets import FILES_KEPT

from .access import scope_for
from .filters import LookupInput, RegionInput
from .models import ApiToken, Department, MemberOrganization, Person, Region, RegionLevel


def regions_for(user: Any):
    """The regions a user may attach new data to: their own subtree (all for superusers)."""
    scope = scope_for(user)
    if scope.kind == "all":
        return Region.objects.all()
    if scope.kind == "region":
        return Region.objects.subtree(scope.region_prefix)
    return Region.objects.none()


class RegionChoiceInput(RegionInput):
    """A form's region picker: the type-ahead box of the list filters (never a list of
    every region), holding the chosen region's code, its name written beside it."""

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        code = self.format_value(value)
        region = Region.objects.filter(code=code).select_related("parent").first() if code else None
        if region is None:
            return box
        where = f"{region.name}（{region.parent.name}）" if region.parent_id else region.name
        return format_html('{} <small class="muted region-chosen">{}</small>', box, where)


class RegionChoiceField(forms.ModelChoiceField):
    """A region of ``queryset`` (the user's own, as the form narrows it), typed as its
    12-digit code or its exact name; the id a select used to send is still read. Anything
    outside the queryset is refused as not found, whatever the browser sent."""

    widget = RegionChoiceInput
    default_error_messages = {
        "invalid_choice": _("未找到区域“%(value)s”，请输入您管辖范围内的区划代码或名称。"),
        "ambiguous": _("有多个区域名为“%(value)s”，请输入区划代码。"),
    }

    def __init__(self, queryset: Any, **kwargs: Any):
        kwargs["to_field_name"] = "code"
        kwargs.pop("empty_label", None)
        super().__init__(queryset, empty_label=None, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Region):
            return value.code
        if isinstance(value, int):
            return Region.objects.filter(pk=value).values_list("code", flat=True).first() or ""
        return value

    def to_python(self, value: Any) -> Region | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        region = self.queryset.filter(code=text).first()
        if region is None:
            named = list(self.queryset.filter(name=text)[:2])
            if len(named) > 1:
                raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": text})
            region = named[0] if named else None
        if region is None and text.isdigit() and len(text) < 12:
            region = self.queryset.filter(pk=int(text)).first()
        if region is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
            )
        return region


def use_region_pickers(form: forms.BaseForm) -> None:
    """Turn each region select of ``form`` into the type-ahead (same queryset, label and
    help): a new form with a region is covered without anyone remembering it."""
    for name, field in list(form.fields.items()):
        if type(field) is forms.ModelChoiceField and field.queryset.model is Region:
            form.fields[name] = RegionChoiceField(
                field.queryset,
                required=field.required,
                label=field.label,
                help_text=field.help_text,
                initial=field.initial,
            )


class OrganizationInput(LookupInput):
    lookup = "members:organization-lookup"
    placeholder = _("单位名称或拼音首字母")


class PersonInput(LookupInput):
    lookup = "members:person-lookup"
    placeholder = _("姓名或拼音首字母")


# Where a picker says a row belongs, by the field that holds it: a person's organization,
# an organization's region.
PLACE = {Person: "organization", MemberOrganization: "region"}


def place_of(obj: MemberOrganization | Person) -> str:
    """The name of where the row belongs (:data:`PLACE`), or "" for a person of no organization."""
    where = getattr(obj, PLACE[type(obj)])
    return where.name if where is not None else ""


def chosen_text(obj: MemberOrganization | Person) -> str:
    """How a picker writes an organization or a person: the name, and where it belongs in
    brackets, e.g. 虞飞（新山村党总支）."""
    place = place_of(obj)
    return f"{obj.name}（{place}）" if place else obj.name


class LookupChoiceField(forms.ModelChoiceField):
    """An organization or a person of ``queryset`` (the user's own, as the form narrows
    it) chosen in a type-ahead box, never a select of every row: typed as the picker writes
    it (:func:`chosen_text`) or as a name alone when only one row bears it; the id a select
    used to send is still read. Anything outside the queryset is refused as not found."""

    default_error_messages = {
        "invalid_choice": _("未找到“%(value)s”，请输入后从出现的列表中选择。"),
        "ambiguous": _("有多个“%(value)s”，请从输入时出现的列表中选择（名称后括号内为所在单位或区域）。"),
    }

    def __init__(self, queryset: Any, **kwargs: Any):
        kwargs.pop("empty_label", None)
        model = queryset.model
        kwargs.setdefault("widget", PersonInput if model is Person else OrganizationInput)
        super().__init__(queryset, empty_label=None, **kwargs)
        self.where = PLACE[model]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            # Among the form's rows only: an id sent from outside them is not named back.
            value = self.queryset.select_related(self.where).filter(pk=value).first() or ""
        if isinstance(value, self.queryset.model):
            return chosen_text(value)
        return value

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        rows = self.queryset
        if text.isdigit() and len(text) < 19:
            found = list(rows.filter(pk=int(text))[:1])
        else:
            name, _bracket, where = text.removesuffix("）").rpartition("（")
            found = list(rows.filter(name=name, **{f"{self.where}__name": where})[:2]) if name and where else []
            found = found or list(rows.filter(name=text)[:2])
        if len(found) > 1:
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": text})
        if not found:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
            )
        return found[0]


def use_lookup_pickers(form: forms.BaseForm, *names: str) -> None:
    """Turn the named organization or person selects of ``form`` into type-ahead boxes (same
    queryset, label, help and requiredness)."""
    for name in names:
        field = form.fields.get(name)
        if field is None:
            continue
        form.fields[name] = LookupChoiceField(
            field.queryset, required=field.required, label=field.label, help_text=field.help_text, initial=field.initial
        )


# How long a submitted form's token is remembered: long enough for a back button and a
# second tap, short enough to keep the cache small.
SUBMITTED_FOR = 24 * 3600
SUBMISSION = "submission"
SUBMITTED_TWICE = _(
    "这张表单刚才已经提交并保存过（可能点了两次或刷新了页面），没有再保存一次。请返回查看已保存的内容。"
)


class SubmissionToken(forms.CharField):
    """The form's one-time token: not the user's data, so never a change to it."""

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


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
        self.fields[SUBMISSION] = SubmissionToken(
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
        if self.data.get(FILES_KEPT):
            # Sent by the page's photo script, which keeps the chosen files on the page when
            # the form comes back with an error: no hint to choose them again.
            self._files_noted.update(self.fields)

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
        use_region_pickers(self)
        for name, model in self.scoped_fields.items():
            if name in self.fields:
                self.fields[name].queryset = model.objects.visible_to(user)
        # A city's organizations and people are thousands: typed, never listed.
        use_lookup_pickers(
            self, *(n for n, model in self.scoped_fields.items() if model in (MemberOrganization, Person))
        )
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
