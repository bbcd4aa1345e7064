from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.models import Alliance
from core.widgets import DateInput, Textarea
from members.forms import SubmitOnceMixin
from members.models import Department

DATE = DateInput()


def department_choices(user: Any):
    return Department.objects.visible_to(user).active().select_related("county")


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class RaiseForm(SubmitOnceMixin, forms.Form):
    """Raise an item; with a department and a deadline it is assigned at once."""

    alliance = forms.ModelChoiceField(queryset=Alliance.objects.none(), label=_("联盟"))
    title = forms.CharField(label=_("事项"), max_length=200)
    detail = forms.CharField(label=_("具体情况"), widget=Textarea(attrs={"rows": 4}), required=False)
    assignee = DepartmentChoiceField(
        queryset=Department.objects.none(), label=_("承办部门"), required=False, help_text=_("可稍后交办。")
    )
    deadline = forms.DateField(label=_("办理期限"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any, fixed_alliance: Alliance | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = department_choices(user)
        if fixed_alliance is not None:
            del self.fields["alliance"]
        else:
            self.fields["alliance"].queryset = Alliance.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        if bool(data.get("assignee")) != bool(data.get("deadline")) and not self.errors:
            field = "deadline" if data.get("assignee") else "assignee"
            message = _("交办时请同时选择承办部门和办理期限。")
            self.add_error(field, message)
        return data


class AssignForm(SubmitOnceMixin, forms.Form):
    assignee = DepartmentChoiceField(
        queryset=Department.objects.none(),
        label=_("承办部门"),
        error_messages={"required": _("请选择承办部门。")},
    )
    deadline = forms.DateField(label=_("办理期限"), widget=DATE, error_messages={"required": _("请填写办理期限。")})
    note = forms.CharField(label=_("交办说明"), widget=Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = department_choices(user)


class NoteForm(SubmitOnceMixin, forms.Form):
    """A reply, a handling note or a reason to reopen: the text is the point."""

    note = forms.CharField(label=_("说明"), widget=Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, label: str, required_message: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = label
        self.fields["note"].error_messages["required"] = required_message


RATINGS = [(n, f"{n} ★") for n in range(5, 0, -1)]


class ConfirmForm(SubmitOnceMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请给出 1–5 分的满意度评价。")},
    )
    note = forms.CharField(label=_("评价（选填）"), widget=Textarea(attrs={"rows": 2}), required=False)
