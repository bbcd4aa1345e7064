from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from alliances.models import Alliance
from core.widgets import DateInput, MoneyInput, Textarea
from members.forms import ScopedModelForm, SubmitOnceMixin, regions_for
from members.models import MemberOrganization, Person, RegionLevel

from .models import CHECKLIST_FIELDS, FIGURE_FIELDS, Workshop, WorkshopReport
from .months import MonthField, add_months, format_month, last_complete_month
from .services import filed_message


class WorkshopForm(ScopedModelForm):
    scoped_fields = {"host": MemberOrganization, "alliance": Alliance, "steward": Person}

    class Meta:
        model = Workshop
        fields = [
            "name",
            "type",
            "region",
            "host",
            "alliance",
            "partner_enterprise",
            "steward",
            "opened_on",
            "status",
            *CHECKLIST_FIELDS,
            "description",
        ]
        widgets = {"opened_on": DateInput(), "description": Textarea()}

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"].queryset = regions_for(user).filter(level=RegionLevel.VILLAGE)


class WorkshopReportForm(SubmitOnceMixin, forms.ModelForm):
    """One month's figures of one workshop (the workshop comes from the page's address)."""

    month = MonthField(label=_("月份"), help_text=_("格式 YYYY-MM，例如 2025-03。"))
    filed: WorkshopReport | None = None  # the report of the month offered or chosen, when already filed
    # ``filed`` is the month sent in the form: its error on the month says what to do instead.
    filed_chosen = False
    # The month to file next when the last complete month is filed: the current one, once over.
    next_month: Any = None

    class Meta:
        model = WorkshopReport
        fields = ["month", *FIGURE_FIELDS, "notes"]
        widgets = {
            "notes": Textarea(attrs={"rows": 3}),
            **{name: MoneyInput() for name in ("wages_paid", "income_increase_per_person", "sales")},
        }

    def __init__(self, *args: Any, workshop: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.instance.workshop = workshop
        self.user = user
        if self.instance.pk:
            self.fields["month"].disabled = True
            return
        # Offer the last complete month, unless it is already filed (then the page links to
        # it, to correct it); say which month was filed last. The picker stops there.
        month = last_complete_month(timezone.localdate())
        self.fields["month"].widget.attrs["max"] = format_month(month)
        latest = workshop.reports.aggregate(latest=Max("month"))["latest"]
        if latest is None or latest < month:
            self.fields["month"].initial = month
        else:
            self.filed = workshop.reports.filter(month=month).first()
            self.next_month = add_months(month, 1)
        if latest is not None:
            self.fields["month"].help_text = _("格式 YYYY-MM。最近已填报：%(month)s。") % {
                "month": date_format(latest, "YEAR_MONTH_FORMAT")
            }

    def clean_month(self):
        """Only a finished month can be reported in full: the current one waits for next month."""
        month = self.cleaned_data.get("month")
        last = last_complete_month(timezone.localdate())
        if month and not self.instance.pk and month > last:
            raise forms.ValidationError(
                _("%(month)s 尚未结束，不能填报；请填报 %(last)s 或更早的月份。")
                % {"month": date_format(month, "YEAR_MONTH_FORMAT"), "last": date_format(last, "YEAR_MONTH_FORMAT")},
                code="unfinished_month",
            )
        return month

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        employed, low_income = data.get("employed"), data.get("low_income_employed")
        if employed is not None and low_income is not None and low_income > employed:
            self.add_error("low_income_employed", _("低收入就业人数不能超过带动就业人数。"))
        month = data.get("month")
        if month and not self.instance.pk:
            taken = WorkshopReport.objects.filter(workshop=self.instance.workshop, month=month).first()
            if taken:
                self.filed, self.filed_chosen = taken, True
                self.add_error("month", filed_message(self.user, self.instance.workshop, month))
        return data


class SummaryMonthForm(forms.Form):
    """The month a summary is for (default: the last complete month)."""

    month = MonthField(label=_("月份"), required=False, help_text=_("年度累计为当年1月至所选月份。"))

    def cleaned_month(self):
        return self.cleaned_data.get("month") or last_complete_month(timezone.localdate())


class SummaryOptionsForm(SummaryMonthForm):
    """The API's summary also chooses the region level it groups by (default: county)."""

    level = forms.ChoiceField(
        label=_("汇总层级"),
        required=False,
        choices=[(value, label) for value, label in RegionLevel.choices if value != RegionLevel.PROVINCE],
    )

    def cleaned_level(self) -> str:
        return self.cleaned_data.get("level") or RegionLevel.COUNTY
