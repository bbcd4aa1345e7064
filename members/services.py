"""Every write to regions, organizations and people, with its business rules."""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import imports
from core.constraints import validate, validated_save

from .access import require_write, scope_for
from .models import (
    AccessProfile,
    Department,
    ImportJob,
    ImportJobRow,
    ImportState,
    MemberOrganization,
    Person,
    PinyinNamed,
    Region,
)

User = get_user_model()
logger = logging.getLogger(__name__)


def apply_changes(instance: models.Model, fields: dict[str, Any], allowed: set[str]) -> list[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("该字段不可修改。") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(instance, name, value)
    return list(fields)


def region_create(*, actor: Any, code: str, name: str, level: str, parent: Region | None) -> Region:
    if not scope_for(actor).kind == "all":
        require_write(actor, parent)
    return validated_save(Region(code=code, name=name, level=level, parent=parent))


ORGANIZATION_FIELDS = {"name", "kind", "region", "star_rating", "secretary", "contact_phone"}


def _new_organization(actor: Any, fields: dict[str, Any]) -> MemberOrganization:
    organization = MemberOrganization()
    apply_changes(organization, fields, ORGANIZATION_FIELDS)
    require_write(actor, fields.get("region"))
    return organization


def organization_create(*, actor: Any, **fields: Any) -> MemberOrganization:
    return validated_save(_new_organization(actor, fields), actor=actor)


def organization_build(*, actor: Any, **fields: Any) -> MemberOrganization:
    """A new organization checked as ``organization_create`` checks it, not yet saved: for
    ``insert_new`` (the Excel import writes a sheet's new rows at once)."""
    organization = _new_organization(actor, fields)
    validate(organization)
    return organization


@transaction.atomic
def organization_update(*, actor: Any, organization: MemberOrganization, **fields: Any) -> MemberOrganization:
    require_write(actor, organization.region)
    apply_changes(organization, fields, ORGANIZATION_FIELDS)
    require_write(actor, organization.region)
    return validated_save(organization, actor=actor)


PERSON_FIELDS = {"name", "mobile", "id_number", "organization", "title", "is_party_member", "user"}


def _person_region(person: Person) -> Region | None:
    return person.organization.region if person.organization_id else None


def person_create(*, actor: Any, **fields: Any) -> Person:
    return validated_save(_new_person(actor, fields), actor=actor)


def person_build(*, actor: Any, **fields: Any) -> Person:
    """A new person checked as ``person_create`` checks them, not yet saved (``insert_new``)."""
    person = _new_person(actor, fields)
    validate(person)
    return person


def _new_person(actor: Any, fields: dict[str, Any]) -> Person:
    person = Person()
    apply_changes(person, fields, PERSON_FIELDS)
    if person.organization_id is None and scope_for(actor).kind != "all":
        # A person outside every organization would be outside every scope but the superuser's.
        errors: dict[str, list] = {"organization": [_("请选择所在单位。")]}
        try:
            person.full_clean(exclude=["organization"])
        except ValidationError as exc:
            errors |= exc.message_dict
        raise ValidationError(errors)
    require_write(actor, _person_region(person))
    return person


def insert_new(model: type[PinyinNamed], rows: list, *, actor: Any, batch_size: int = 1000) -> list:
    """Insert rows made by ``organization_build`` / ``person_build`` in batches, each with
    its history record by ``actor``, as their ``*_create`` would one by one."""
    from simple_history.utils import bulk_create_with_history

    for row in rows:
        row.set_pinyin()
    if not rows:
        return rows
    try:
        with transaction.atomic():
            return bulk_create_with_history(rows, model, batch_size=batch_size, default_user=actor)
    except IntegrityError as exc:
        raise ValidationError(_("数据与已有记录冲突，请刷新后重试。")) from exc


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    require_write(actor, _person_region(person))
    apply_changes(person, fields, PERSON_FIELDS)
    require_write(actor, _person_region(person))
    return validated_save(person, actor=actor)


DEPARTMENT_FIELDS = {"county", "name", "kind"}


def department_create(*, actor: Any, **fields: Any) -> Department:
    """Add a department (or a township as assignee) to a county's list: the county's staff
    (or the city's above it)."""
    department = Department()
    apply_changes(department, fields, DEPARTMENT_FIELDS)
    require_write(actor, fields.get("county"))
    return validated_save(department, actor=actor)


@transaction.atomic
def department_update(*, actor: Any, department: Department, **fields: Any) -> Department:
    """Rename a department or change its kind; it stays in its county."""
    require_write(actor, department.county)
    apply_changes(department, fields, DEPARTMENT_FIELDS - {"county"})
    return validated_save(department, actor=actor)


@transaction.atomic
def department_retire(*, actor: Any, department: Department) -> Department:
    """Retire a department: it takes no new items; its items and history stay."""
    require_write(actor, department.county)
    if department.retired_at is not None:
        raise ValidationError(_("该部门已停用。"))
    department.retired_at = timezone.now()
    department.save(update_fields=["retired_at", "updated_at"])
    return department


@transaction.atomic
def department_restore(*, actor: Any, department: Department) -> Department:
    require_write(actor, department.county)
    if department.retired_at is None:
        raise ValidationError(_("该部门未停用。"))
    department.retired_at = None
    department.save(update_fields=["retired_at", "updated_at"])
    return department


@transaction.atomic
def user_with_role(
    *,
    username: str,
    password: str,
    role: str,
    region: Region | None = None,
    email: str = "",
    person: Person | None = None,
    department: Department | None = None,
    full_name: str | None = None,
) -> Any:
    """Create or update a log-in account with its access profile (used by seed and admin).
    ``full_name``: the name pages show for an account that belongs to no person record
    (staff, a viewer), kept whole in ``first_name`` as a Chinese name is written."""
    user, _created = User.objects.get_or_create(username=username, defaults={"email": email})
    user.email = email
    if full_name is not None:
        user.first_name, user.last_name = full_name, ""
    user.set_password(password)
    user.save()
    profile = AccessProfile.objects.filter(user=user).first() or AccessProfile(user=user)
    profile.role = role
    profile.region = region
    profile.department = department
    validated_save(profile)
    if person is not None and person.user_id != user.pk:
        Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
        person.user = user
        person.save(update_fields=["user"])
    return user


# ------------------------------------------------------------------ Excel import jobs

IMPORT_ROW_BATCH = 1000
PROGRESS_TTL = 6 * 3600


def import_progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:progress"


def import_job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in all) of a running job: the task reports it through the cache, as
    its own writes stay invisible until its transaction ends."""
    from django.core.cache import cache

    if job.is_running:
        found = cache.get(import_progress_key(job.pk))
        if found:
            return found
    return job.rows_done, job.rows_total


def import_job_create(*, actor: Any, data: bytes, filename: str, next_url: str = "") -> ImportJob:
    """Keep the checked upload privately and queue its preview (validation) in the background."""
    from core.jobs import enqueue

    from .tasks import preview_import

    if not scope_for(actor).is_staff_role:
        raise PermissionDenied(_("只有组织部门工作人员可以使用此功能。"))
    job = ImportJob(
        owner=actor,
        region_id=scope_for(actor).region_id,
        filename=filename[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        next_url=next_url[:500],
    )
    imports.purge_stale_uploads()
    import_job_purge_files()
    with transaction.atomic():
        job.file.save(f"{secrets.token_hex(16)}.xlsx", ContentFile(data), save=False)
        job.save()
        enqueue(preview_import, job.pk)
    return job


def _job_data(job: ImportJob) -> bytes:
    """The kept file, refused if it is gone or changed since it was uploaded."""
    try:
        with job.file.open("rb") as handle:
            data = handle.read(imports.MAX_UPLOAD_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise imports.FileRefused(_("上传的文件已失效，请重新上传。")) from exc
    if hashlib.sha256(data).hexdigest() != job.sha256:
        raise imports.FileRefused(_("上传的文件已失效，请重新上传。"))
    return data


def _progress_reporter(job: ImportJob):
    from django.core.cache import cache

    def report(done: int, total: int) -> None:
        cache.set(import_progress_key(job.pk), (done, total), PROGRESS_TTL)

    return report


def _summary(report: imports.ImportReport) -> dict:
    return {
        "ok": report.ok,
        "committed": report.committed,
        "changes_anything": report.changes_anything,
        "counts": report.counts,
        "sheets": [
            {"title": sheet.title, "counts": sheet.counts, "errors": [str(e) for e in sheet.errors]}
            for sheet in report.sheets
        ],
        "ignored": list(report.ignored_sheets),
    }


def _store_rows(job: ImportJob, report: imports.ImportReport) -> None:
    """Replace the job's rows by the report's (those that change nothing are only counted)."""
    job.rows.all().delete()
    rows = (
        ImportJobRow(
            job=job,
            position=position,
            sheet=sheet.title[:100],
            number=row.number,
            label=row.label[:300],
            action=row.action,
            changes=[list(change) for change in row.changes],
            errors=[list(error) for error in row.errors],
        )
        for position, (sheet, row) in enumerate(
            ((sheet, row) for sheet in report.sheets for row in sheet.rows if row.action != imports.UNCHANGED),
            start=1,
        )
    )
    ImportJobRow.objects.bulk_create(rows, batch_size=IMPORT_ROW_BATCH)


def _job_failed(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportState.FAILED, message=str(message), finished_at=timezone.now()
    )


def import_job_preview(job_id: int) -> None:
    """Check every row (the import run and rolled back) and keep the outcome on the job.
    Run by the preview task; a job already checked is left alone."""
    started = ImportJob.objects.filter(pk=job_id, state__in=[ImportState.QUEUED, ImportState.PREVIEWING]).update(
        state=ImportState.PREVIEWING
    )
    if not started:
        return
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    try:
        report = imports.run_import(_job_data(job), actor=job.owner, commit=False, progress=_progress_reporter(job))
    except imports.FileRefused as exc:
        _job_failed(job_id, str(exc))
        return
    except Exception:
        logger.exception("Import job %s: the preview failed", job_id)
        _job_failed(job_id, _("检查文件时出错，未导入任何数据。请重新上传；如仍出错，请联系管理员。"))
        return
    total = sum(len(sheet.rows) for sheet in report.sheets)
    with transaction.atomic():
        _store_rows(job, report)
        ImportJob.objects.filter(pk=job_id, state=ImportState.PREVIEWING).update(
            state=ImportState.PREVIEWED,
            summary=_summary(report),
            rows_total=total,
            rows_done=total,
            previewed_at=timezone.now(),
        )


def import_job_request_confirm(*, actor: Any, job: ImportJob) -> bool:
    """Queue the import of a previewed job without errors; False when it was already
    confirmed (or cannot be): a second confirmation imports nothing twice."""
    from core.jobs import enqueue

    from .tasks import confirm_import

    if job.owner_id != actor.pk:
        raise PermissionDenied(_("只有上传人可以确认导入。"))
    with transaction.atomic():
        moved = ImportJob.objects.filter(pk=job.pk, state=ImportState.PREVIEWED, summary__ok=True).update(
            state=ImportState.CONFIRMING, confirmed_at=timezone.now(), rows_done=0
        )
        if moved:
            enqueue(confirm_import, job.pk)
    return bool(moved)


def import_job_confirm(job_id: int) -> None:
    """Import a confirmed job, all or nothing; its move to 已导入 commits with the rows, so
    a task delivered twice imports once. Run by the confirm task."""
    job = ImportJob.objects.select_related("owner").filter(pk=job_id, state=ImportState.CONFIRMING).first()
    if job is None:
        return
    try:
        data = _job_data(job)
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().filter(pk=job_id, state=ImportState.CONFIRMING).first()
            if locked is None:
                return
            report = imports.run_import(data, actor=job.owner, commit=True, progress=_progress_reporter(job))
            if report.committed:
                locked.state = ImportState.DONE
                locked.summary = _summary(report)
                locked.rows_done = locked.rows_total = sum(len(sheet.rows) for sheet in report.sheets)
                locked.finished_at = timezone.now()
                locked.save()
    except imports.FileRefused as exc:
        _job_failed(job_id, str(exc))
        return
    except Exception:
        logger.exception("Import job %s: the import failed", job_id)
        _job_failed(job_id, _("导入时出错，未导入任何数据。请重新上传；如仍出错，请联系管理员。"))
        return
    if report.committed:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job_id).update(file="")
        return
    # Something changed since the preview (a code taken meanwhile...): show why, import nothing.
    with transaction.atomic():
        _store_rows(job, report)
        ImportJob.objects.filter(pk=job_id, state=ImportState.CONFIRMING).update(
            state=ImportState.FAILED,
            summary=_summary(report),
            message=_("文件中有错误，未导入任何数据。请修改后重新上传。"),
            finished_at=timezone.now(),
        )


def import_job_cancel(*, actor: Any, job: ImportJob) -> bool:
    """Drop a job that is not being imported and was not imported: its file is deleted."""
    if job.owner_id != actor.pk:
        raise PermissionDenied(_("只有上传人可以取消导入。"))
    moved = ImportJob.objects.filter(
        pk=job.pk, state__in=[ImportState.QUEUED, ImportState.PREVIEWING, ImportState.PREVIEWED, ImportState.FAILED]
    ).update(state=ImportState.FAILED, message=_("已取消导入。"), file="", finished_at=timezone.now())
    if moved and job.file:
        job.file.delete(save=False)
    return bool(moved)


def import_job_purge_files(*, now: Any = None) -> int:
    """Delete the files of jobs uploaded more than a day ago and never imported (the job
    records stay, for audit); an import under way keeps its file."""
    cutoff = (now or timezone.now()) - imports.PENDING_MAX_AGE
    stale = ImportJob.objects.filter(created_at__lt=cutoff).exclude(file="").exclude(state=ImportState.CONFIRMING)
    removed = 0
    for job in stale:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        removed += 1
    return removed
