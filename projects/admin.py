"""Admin: projects and milestones are written through the services (the same rules as the
pages and the API); reports, their files and review history are read-only here, with an
action that accepts submitted reports through the review service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_base import ScopedAdmin, ScopedInline, register_history

from .models import Milestone, ProgressReport, ProgressReportRevision, Project, ReportAttachment, ReportStatus
from .services import (
    PROJECT_FIELDS,
    check_milestone,
    check_responsible,
    check_version,
    milestone_create,
    milestone_update,
    project_create,
    project_update,
    report_accept,
)
from .weeks import local_today


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MilestoneInline(ReadOnlyAdminMixin, ScopedInline):
    model = Milestone
    fields = ["title", "due_on", "done_on"]
    readonly_fields = fields


class ProjectAdminForm(forms.ModelForm):
    # The version the editor started from (the model's own field is read-only here).
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = ["alliance", *PROJECT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["based_on_version"].initial = self.instance.version

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk:
            try:
                check_version(Project.objects.get(pk=self.instance.pk), self.cleaned_data.get("based_on_version"))
            except ValidationError as error:
                self.add_error("based_on_version", error.message_dict["version"])
        if self.instance.alliance_id:
            try:
                check_responsible(self.instance)
            except ValidationError as error:
                self._update_errors(error)


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    form = ProjectAdminForm
    list_display = ["title", "alliance", "year", "category", "status", "start_on", "due_on", "version"]
    list_filter = ["status", "category", "year"]
    search_fields = ["title", "description", "alliance__name", "alliance__code"]
    raw_id_fields = ["alliance", "responsible_organization", "responsible_person"]
    list_select_related = ["alliance"]
    readonly_fields = ["status", "version"]
    date_hierarchy = "due_on"
    inlines = [MilestoneInline]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "alliance"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in PROJECT_FIELDS}
        if change:
            saved = project_update(
                actor=request.user, project=obj, expected_version=form.cleaned_data.get("based_on_version"), **data
            )
        else:
            saved = project_create(actor=request.user, alliance=obj.alliance, **data)
        obj.pk, obj.version = saved.pk, saved.version


class MilestoneAdminForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["project", "title", "due_on", "done_on"]

    def _post_clean(self):
        super()._post_clean()
        if self.instance.project_id:
            try:
                check_milestone(self.instance, local_today())
            except ValidationError as error:
                self._update_errors(error)


@admin.register(Milestone)
class MilestoneAdmin(ScopedAdmin):
    form = MilestoneAdminForm
    list_display = ["title", "project", "due_on", "done_on"]
    search_fields = ["title", "project__title"]
    raw_id_fields = ["project"]
    list_select_related = ["project"]
    date_hierarchy = "due_on"

    def get_readonly_fields(self, request, obj=None):
        return ["project"] if obj else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("title", "due_on", "done_on")}
        saved = (
            milestone_update(actor=request.user, milestone=obj, **data)
            if change
            else milestone_create(actor=request.user, project=obj.project, **data)
        )
        obj.pk = saved.pk


class AttachmentInline(ReadOnlyAdminMixin, ScopedInline):
    model = ReportAttachment
    fields = ["original_name", "kind", "content_type", "size", "revision", "uploaded_at"]
    readonly_fields = fields


class RevisionInline(ReadOnlyAdminMixin, ScopedInline):
    model = ProgressReportRevision
    fields = ["number", "decision", "review_comment", "reviewed_by", "reviewed_at", "percent_complete"]
    readonly_fields = fields


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["project", "period", "percent_complete", "status", "revision", "submitted_at", "reviewed_at"]
    list_filter = ["status", "needs_coordination"]
    search_fields = ["project__title", "project__alliance__name", "work_done"]
    list_select_related = ["project"]
    date_hierarchy = "period"
    inlines = [AttachmentInline, RevisionInline]
    actions = ["accept_reports"]

    @admin.action(description=_("通过所选的待审核报告"))
    def accept_reports(self, request, queryset):
        accepted = 0
        for report in queryset.filter(status=ReportStatus.SUBMITTED).select_related("project__alliance__lead_region"):
            try:
                report_accept(actor=request.user, report=report)
                accepted += 1
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, f"{report}: {' '.join(getattr(error, 'messages', [str(error)]))}")
        if accepted:
            messages.success(request, _("已通过 %(n)s 份报告。") % {"n": accepted})


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["original_name", "report", "kind", "content_type", "size", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "report__project__title"]
    list_select_related = ["report__project"]


@admin.register(ProgressReportRevision)
class ProgressReportRevisionAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["report", "number", "decision", "reviewed_by", "reviewed_at"]
    list_filter = ["decision"]
    search_fields = ["report__project__title", "review_comment"]
    list_select_related = ["report__project", "reviewed_by"]


register_history(Project, Milestone)
