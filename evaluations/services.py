"""Producing rollups: one draft per (kind, period, region), however often and on however
many workers it is asked for; staff regenerate it until they publish it as a numbered,
frozen version. Also the staff scores, vetoes and observation visits."""

from __future__ import annotations

import datetime
import logging
import zlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alliances.models import Alliance
from core.constraints import validated_save
from core.periods import Period
from members.access import PUBLISHING_ROLES, Role, scope_for
from members.models import Region, in_subtree
from notices.models import Event
from notices.services import notify
from workshops.services import close_month

from .drafts import SCORED_KINDS, pending_scores, reporting_cutoff
from .models import (
    DEFAULT_CUTOFF_DAYS,
    Assessment,
    AssessmentScheme,
    Grade,
    Indicator,
    ManualScore,
    MemberResult,
    ObservationVisit,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Rollup,
    RollupSchedule,
    RollupStatus,
    RollupWaiver,
    SchemeStatus,
    VetoFinding,
)
from .reports import consequence_of, proposed_for_visit
from .rollups import ANNUAL_REVIEW, KINDS, MONTHLY_BULLETIN, PERIOD_OF_KIND, QUARTERLY_OBSERVATION
from .scoring import assessed_alliances, members_below_four_stars, members_on

logger = logging.getLogger(__name__)


def rollup_lock_key(kind: str, period: Period, region: Region) -> int:
    """A stable 63-bit key for PostgreSQL's advisory lock of one rollup."""
    raw = f"rollup:{kind}:{period.key}:{region.code}".encode()
    return zlib.crc32(raw) << 20 | (zlib.adler32(raw) & 0xFFFFF)


def _lock(key: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def rollup_regions(kind: str) -> list[Region]:
    return list(Region.objects.filter(level__in=KINDS[kind].region_levels).order_by("code"))


def _compute(spec, period: Period, region: Region) -> dict:
    """The report of ``spec``, its labels and values stored in the site's first language
    (the catalog's msgids, or phrases with parameters), whoever asked: pages, Excel files
    and the API show them in the reader's language (evaluations.texts ``stored_text``)."""
    with translation.override(settings.LANGUAGE_CODE):
        return spec.compute(period, region)


def _check_kind(kind: str, period: Period, region: Region):
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError({"kind": _("未知的调度通报类型：%(kind)s。") % {"kind": kind}})
    if period.kind != PERIOD_OF_KIND[kind]:
        raise ValidationError({"period": _("该类型的期间应按%(kind)s计。") % {"kind": PERIOD_OF_KIND[kind]}})
    if region.level not in spec.region_levels:
        raise ValidationError({"region": _("该类型按%(levels)s生成。") % {"levels": "、".join(spec.region_levels)}})
    return spec


def _rows_of(kind: str, period: Period, region: Region):
    """The draft and the versions of one rollup, the draft first, then the latest version."""
    return Rollup.objects.filter(kind=kind, period_start=period.start, region=region).order_by(
        F("version").desc(nulls_first=True)
    )


def _new_draft(kind: str, period: Period, region: Region, report: dict) -> Rollup:
    return Rollup.objects.create(
        kind=kind,
        period_key=period.key,
        period_start=period.start,
        region=region,
        report=report,
        status=RollupStatus.DRAFT,
        version=None,
    )


def rollup_produce(*, kind: str, period: Period, region: Region) -> tuple[Rollup, bool]:
    """Draft the rollup unless it has a draft or a published version already; return the
    draft (or, once published, the latest version). Returns ``(rollup, created)``.

    A transaction-scoped advisory lock serialises concurrent producers of the same
    rollup (the loser waits, then finds the winner's row); the database's one-draft
    constraint is the last guard, so a re-run or a run after a crash leaves one draft.
    """
    spec = _check_kind(kind, period, region)
    with transaction.atomic():
        _lock(rollup_lock_key(kind, period, region))
        existing = _rows_of(kind, period, region).first()
        if existing is not None:
            return existing, False
        report = _compute(spec, period, region)
        try:
            with transaction.atomic():
                rollup = _new_draft(kind, period, region, report)
        except IntegrityError:
            return _rows_of(kind, period, region).first(), False
        notify_rollup(rollup, Event.ROLLUP_DRAFT_READY)
    logger.info("rollup drafted: %s %s %s", kind, period.key, region.code)
    return rollup, True


def rollup_staff(rollup: Rollup, *, below: bool) -> list[int]:
    """City and county staff of the rollup's region (``below``: and of the regions under it,
    who read what their city publishes)."""
    region = rollup.region
    where = in_subtree(region.prefix, "access_profile__region") if below else Q(access_profile__region=region)
    return list(
        get_user_model()
        .objects.filter(where, is_active=True, access_profile__role__in=PUBLISHING_ROLES)
        .values_list("pk", flat=True)
    )


def notify_rollup(rollup: Rollup, event: str, *, actor=None) -> None:
    """A draft is ready: its publishers are told. A version is published: the staff who
    read it are told, except who published it."""
    names = {"kind": rollup.get_kind_display(), "period": rollup.period.label, "region": rollup.region.name}
    if event == Event.ROLLUP_DRAFT_READY:
        title = _("%(region)s%(period)s%(kind)s草稿已生成，请核对缺项后发布。") % names
        recipients = rollup_staff(rollup, below=False)
    else:
        names["version"] = rollup.version
        title = _("%(region)s%(period)s%(kind)s第%(version)s版已发布。") % names
        recipients = [pk for pk in rollup_staff(rollup, below=True) if pk != getattr(actor, "pk", None)]
    notify(
        event=event,
        recipients=recipients,
        key=f"rollup-{rollup.pk}",
        title=title,
        body=rollup.correction_reason,
        link=rollup.get_absolute_url(),
        region=rollup.region,
    )


def rollup_due_period(kind: str, region: Region, today: datetime.date, cutoffs: dict[str, int] | None = None) -> Period:
    """The latest period of ``kind`` whose data cut-off for ``region`` has come by ``today``:
    the schedule's day after the period's end and, for a scored rollup, the day its weekly
    reporting is final (``reporting_cutoff``: a month whose last Monday is the 30th counts
    the reports of that week, due by the 9th of the next month).
    ``cutoffs``: the schedule's days by region code (read once for many regions)."""
    if cutoffs is None:
        cutoffs = schedule_cutoffs(kind)
    days = next(
        (cutoffs[code] for code in reversed(region.lineage_codes()) if code in cutoffs), DEFAULT_CUTOFF_DAYS[kind]
    )

    def data_in(period: Period) -> bool:
        reporting = reporting_cutoff(kind, period)
        return period.last_day + datetime.timedelta(days=days) <= today and (
            reporting is None or timezone.localdate(reporting) <= today
        )

    period = Period.containing(PERIOD_OF_KIND[kind], today).previous()
    while not data_in(period):
        period = period.previous()
    return period


def schedule_cutoffs(kind: str) -> dict[str, int]:
    return dict(RollupSchedule.objects.filter(kind=kind).values_list("region__code", "cutoff_day"))


def rollups_due(kind: str, today: datetime.date) -> list[tuple[Region, Period]]:
    """The (region, period) of ``kind`` whose cut-off has come and that have no draft or
    version yet: what the daily beat task drafts."""
    cutoffs = schedule_cutoffs(kind)
    due = [(region, rollup_due_period(kind, region, today, cutoffs)) for region in rollup_regions(kind)]
    done = set(
        Rollup.objects.filter(kind=kind, period_start__in={period.start for _region, period in due}).values_list(
            "region_id", "period_start"
        )
    )
    return [(region, period) for region, period in due if (region.pk, period.start) not in done]


def require_rollup_staff(actor, rollup: Rollup) -> None:
    """City and county staff whose region holds the rollup's region draft, regenerate and publish it."""
    require_publisher(actor, rollup.region)


def require_publisher(actor, region: Region) -> None:
    scope = scope_for(actor)
    if not scope.publishes or not scope.covers_region(region):
        raise PermissionDenied(_("只有本区域或上级组织部门工作人员可以生成和发布调度通报。"))


def rollup_draft_by_hand(*, actor, kind: str, period: Period, region: Region) -> tuple[Rollup, bool]:
    """Staff draft a rollup the schedule has not made (yet): ``rollup_produce`` for them."""
    require_publisher(actor, region)
    return rollup_produce(kind=kind, period=period, region=region)


def rollup_regenerate(*, actor, rollup: Rollup) -> Rollup:
    """Recompute the draft of the rollup's kind, period and region from today's data. On a
    published version, this makes (or refreshes) the draft of its correction."""
    require_rollup_staff(actor, rollup)
    period, region = rollup.period, rollup.region
    spec = _check_kind(rollup.kind, period, region)
    with transaction.atomic():
        _lock(rollup_lock_key(rollup.kind, period, region))
        draft = _rows_of(rollup.kind, period, region).filter(status=RollupStatus.DRAFT).first()
        report = _compute(spec, period, region)
        if draft is None:
            draft = _new_draft(rollup.kind, period, region, report)
        else:
            Rollup.objects.filter(pk=draft.pk, status=RollupStatus.DRAFT).update(
                report=report, produced_at=timezone.now()
            )
            draft.refresh_from_db()
    logger.info("rollup regenerated: %s %s %s", rollup.kind, period.key, region.code)
    return draft


def rollup_publish(*, actor, rollup: Rollup, reason: str = "", waivers: dict[str, str] | None = None) -> Rollup:
    """Publish a draft as the next version, frozen from then on. A monthly bulletin closes
    its month's workshop figures in its region to stewards and leaders (``close_month``).

    A draft of a rollup already published is a correction: it needs a ``reason``. Every
    staff score still pending must be entered first, or waived: ``waivers`` gives a
    reason by pending item's key (``waive-<alliance id>-<indicator id>``); each is recorded.
    Refused with nothing changed otherwise.
    """
    require_rollup_staff(actor, rollup)
    reason = (reason or "").strip()
    given = {key: (text or "").strip() for key, text in (waivers or {}).items()}
    with transaction.atomic():
        _lock(rollup_lock_key(rollup.kind, rollup.period, rollup.region))
        draft = Rollup.objects.select_for_update().get(pk=rollup.pk)
        if draft.status != RollupStatus.DRAFT:
            raise ValidationError(_("该版本已发布，不能再次发布；如需更正，请先重新生成草稿。"))
        latest = _rows_of(draft.kind, draft.period, draft.region).filter(status=RollupStatus.PUBLISHED).first()
        errors: dict[str, list[str]] = {}
        cutoff = reporting_cutoff(draft.kind, draft.period)
        if cutoff is not None and draft.produced_at < cutoff:
            errors[NON_FIELD_ERRORS] = [
                _(
                    "本草稿生成于本期周报截止时点（%(cutoff)s）之前，最后一周的周报仍可报送，"
                    "按时报送率等尚未定局：请在截止时点后按当前数据重新生成草稿，再发布。"
                )
                % {"cutoff": date_format(timezone.localtime(cutoff), "DATETIME_FORMAT")}
            ]
        if latest is not None and not reason:
            errors["reason"] = [
                _("该通报已发布第%(version)s版，再次发布即为更正：请填写更正原因。") % {"version": latest.version}
            ]
        pending = pending_scores(draft.period, draft.region) if draft.kind in SCORED_KINDS else []
        unwaived = [item for item in pending if not given.get(item.key)]
        if unwaived:
            names = "；".join(f"{item.alliance.name}·{item.indicator.name}" for item in unwaived[:5])
            errors["waivers"] = [
                _("还有 %(count)s 项人工评分未录入（%(names)s%(more)s），不能发布：请先录入评分，或逐项填写暂缓理由。")
                % {"count": len(unwaived), "names": names, "more": _("等") if len(unwaived) > 5 else ""}
            ]
        if errors:
            raise ValidationError(errors)
        RollupWaiver.objects.bulk_create(
            [
                RollupWaiver(
                    rollup=draft,
                    alliance_id=item.alliance.pk,
                    indicator=item.indicator,
                    reason=given[item.key],
                    waived_by=actor,
                )
                for item in pending
            ]
        )
        Rollup.objects.filter(pk=draft.pk, status=RollupStatus.DRAFT).update(
            status=RollupStatus.PUBLISHED,
            version=(latest.version if latest else 0) + 1,
            published_at=timezone.now(),
            published_by=actor,
            correction_reason=reason,
        )
        draft.refresh_from_db()
        if draft.kind == MONTHLY_BULLETIN:
            # The bulletin's cut-off: stewards and leaders no longer change the month's figures.
            close_month(actor=actor, region=draft.region, month=draft.period.start)
        if draft.kind == ANNUAL_REVIEW and draft.region.level == "county":
            proposals_raise(draft)
        notify_rollup(draft, Event.BULLETIN_PUBLISHED, actor=actor)
    logger.info("rollup published: %s %s %s v%s", draft.kind, draft.period_key, draft.region.code, draft.version)
    return draft


def scheme_new_version(*, actor, scheme) -> AssessmentScheme:
    """Copy a scheme (with its indicators) into the next draft version: the way to change a
    scheme that a finished review has frozen."""
    if not scope_for(actor).is_staff_role:
        raise PermissionDenied(_("只有组织部门工作人员可以修订考评方案。"))
    with transaction.atomic():
        latest = (
            AssessmentScheme.objects.select_for_update()
            .filter(region=scheme.region, year=scheme.year)
            .order_by("-version")
            .first()
        )
        indicators = list(scheme.indicators.all())
        copy = AssessmentScheme.objects.get(pk=scheme.pk)
        copy.pk = None
        copy.version = latest.version + 1
        copy.status = SchemeStatus.DRAFT
        copy.is_frozen = False
        copy.save()
        for indicator in indicators:
            indicator.pk = None
            indicator.scheme = copy
        Indicator.objects.bulk_create(indicators)
    return copy


def _require_staff_for(actor, alliance) -> None:
    scope = scope_for(actor)
    if not scope.is_staff_role or not Alliance.objects.visible_to(actor).filter(pk=alliance.pk).exists():
        raise PermissionDenied(_("只有管辖该联盟的组织部门工作人员可以评分。"))


def manual_score_set(
    *, actor, alliance, indicator: Indicator, period: Period, score, evidence: str, evidence_file=None
) -> ManualScore:
    """Record (or correct) a staff-scored indicator with its evidence."""
    _require_staff_for(actor, alliance)
    errors = {}
    if indicator.metric:
        errors["indicator"] = _("该指标由系统根据数据自动计算，无需人工评分。")
    scheme = AssessmentScheme.objects.for_region(alliance.lead_region, period.start.year)
    if scheme is None or indicator.scheme_id != scheme.pk:
        errors["indicator"] = _("该指标不属于此联盟适用的%(year)s年度考评方案。") % {"year": period.start.year}
    if score is not None and (score < 0 or score > indicator.max_score):
        errors["score"] = _("得分应在 0 到 %(max)s 之间。") % {"max": indicator.max_score}
    if not (evidence or "").strip() and not evidence_file:
        errors["evidence"] = _("请填写佐证说明或上传佐证材料。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record, _created = ManualScore.objects.select_for_update().get_or_create(
            alliance=alliance,
            indicator=indicator,
            period_kind=period.kind,
            period_start=period.start,
            defaults={"score": score, "evidence": evidence, "scored_by": actor},
        )
        record.score = score
        record.evidence = evidence
        record.scored_by = actor
        if evidence_file:
            record.evidence_file = evidence_file
        record.full_clean()
        record.save()
    return record


def veto_record(*, actor, alliance, kind: str, year: int, note: str, evidence_file=None) -> VetoFinding:
    """Record a bottom line crossed, with what was found and, if any, a file of evidence
    (a photo or a document, already checked by ``core.uploads.clean_upload``)."""
    _require_staff_for(actor, alliance)
    finding = VetoFinding(alliance=alliance, kind=kind, year=year, note=note, recorded_by=actor)
    if evidence_file:
        finding.evidence_file = evidence_file
    # A second finding of the same kind and year is refused on its kind field, by full_clean()
    # or, when two requests race, by the database (veto_unique_per_year).
    return validated_save(finding, actor=actor)


def veto_confirm(*, actor, finding: VetoFinding, verification: str = "") -> VetoFinding:
    """Confirm a finding after verification: from now on the alliance fails its year. The
    person who recorded it cannot confirm it; who confirmed, when and what they checked
    are kept."""
    _require_staff_for(actor, finding.alliance)
    if finding.recorded_by_id == actor.pk:
        raise ValidationError({"verification": _("底线问题须由记录人以外的工作人员核实后确认；您是该问题的记录人。")})
    VetoFinding.objects.filter(pk=finding.pk, confirmed=False).update(
        confirmed=True, confirmed_by=actor, confirmed_at=timezone.now(), verification=(verification or "").strip()
    )
    finding.refresh_from_db()
    return finding


def observation_visit_score(*, actor, rollup: Rollup, alliance, visited_on, score, notes: str = "") -> ObservationVisit:
    """Score an on-site visit of an alliance the quarterly observation proposed."""
    _require_staff_for(actor, alliance)
    if rollup.kind != QUARTERLY_OBSERVATION:
        raise ValidationError({"rollup": _("只能为季观摩录入观摩评分。")})
    if alliance.code not in proposed_for_visit(rollup.report):
        raise ValidationError({"alliance": _("该联盟不在本季观摩名单中。")})
    if score is None or not 0 <= score <= 100:
        raise ValidationError({"score": _("观摩得分应在 0 到 100 之间。")})
    values = {"visited_on": visited_on, "score": score, "notes": notes, "scored_by": actor}
    visit = ObservationVisit.objects.filter(rollup=rollup, alliance=alliance).first()
    if visit is not None and all(getattr(visit, name) == value for name, value in values.items()):
        return visit  # the same score again (a second tap): scored when it was first given
    visit, _created = ObservationVisit.objects.update_or_create(rollup=rollup, alliance=alliance, defaults=values)
    return visit


# ------------------------------------------------------------------------------ proposals


def proposals_raise(rollup: Rollup) -> int:
    """Turn a published county annual review's consequences into proposals for staff to
    decide: each alliance's (整顿, 调整重组, 约谈, 示范候选) and each member organization's
    loss of 两优一先 eligibility. A proposal raised already (by an earlier version) is kept
    as it stands. Returns how many were raised."""
    period, region = rollup.period, rollup.region
    grades = dict(Grade.choices)
    raised = 0
    assessments = (
        Assessment.objects.filter(
            region.within("alliance__lead_region"), period_kind=period.kind, period_start=period.start
        )
        .select_related("alliance", "scheme")
        .annotate(code=F("alliance__code"))
    )
    below_four_stars = {
        row[0] for row in members_below_four_stars(assessed_alliances([region], period), period.last_day)
    }
    for assessment in assessments:
        outcome = consequence_of(assessment, assessment.scheme.demonstration_top_n, below_four_stars)
        if not outcome:
            continue
        basis = _("%(year)s年度考评：总分 %(total)s，等次%(grade)s，县内第%(rank)s名%(veto)s。") % {
            "year": period.start.year,
            "total": assessment.total_score,
            "grade": grades.get(assessment.grade, ""),
            "rank": assessment.county_rank or "—",
            "veto": _("，触碰底线") if assessment.vetoed else "",
        }
        _proposal, created = Proposal.objects.get_or_create(
            kind=outcome,
            year=period.start.year,
            alliance=assessment.alliance,
            defaults={"region": region, "rollup": rollup, "basis": basis},
        )
        raised += created
    results = MemberResult.objects.filter(
        region.within("organization__region"),
        period_kind=period.kind,
        period_start=period.start,
        loses_award_eligibility=True,
    ).select_related("organization")
    poor_alliances = poor_alliances_of([result.organization_id for result in results], period)
    for result in results:
        basis = _("%(year)s年度捆绑考评结果 %(total)s 分；所在联盟%(alliances)s年度考评等次为较差。") % {
            "year": period.start.year,
            "total": result.total_score,
            "alliances": "、".join(f"“{name}”" for name in poor_alliances.get(result.organization_id, [])),
        }
        _proposal, created = Proposal.objects.get_or_create(
            kind=ProposalKind.AWARD_INELIGIBLE,
            year=period.start.year,
            organization=result.organization,
            defaults={"region": region, "rollup": rollup, "basis": basis},
        )
        raised += created
    return raised


def poor_alliances_of(organization_ids: list[int], period: Period) -> dict[int, list[str]]:
    """The names of the alliances graded 较差 for the period that each organization was a
    member of on its last day: why the organization loses its 两优一先 eligibility."""
    poor = Assessment.objects.filter(period_kind=period.kind, period_start=period.start, grade=Grade.POOR)
    rows = (
        members_on(Alliance.objects.filter(pk__in=poor.values("alliance_id")), period.last_day)
        .filter(organization_id__in=organization_ids)
        .order_by("alliance__code")
        .values_list("organization_id", "alliance__name")
    )
    names: dict[int, list[str]] = {}
    for organization_id, name in rows:
        names.setdefault(organization_id, []).append(name)
    return names


# Who reads the proposals: the city and county staff who decide them, and viewers.
PROPOSAL_READERS = frozenset({Role.CITY_STAFF, Role.COUNTY_STAFF, Role.VIEWER})


def reads_proposals(user) -> bool:
    scope = scope_for(user)
    return scope.kind == "all" or scope.role in PROPOSAL_READERS


def may_decide(actor, proposal: Proposal) -> bool:
    """Staff of the region whose review made the proposal, or of a region above it."""
    scope = scope_for(actor)
    return scope.is_staff_role and scope.covers_region(proposal.region)


def proposal_decide(*, actor, proposal: Proposal, decision: str, reason: str) -> Proposal:
    """Confirm or overrule a proposal, with a reason (``may_decide``). A decision is final."""
    if not may_decide(actor, proposal):
        raise PermissionDenied(_("只有作出年度考评的区域及上级组织部门工作人员可以决定结果运用。"))
    errors = {}
    if decision not in (ProposalStatus.CONFIRMED, ProposalStatus.OVERRULED):
        errors["decision"] = _("请选择确认或不予采纳。")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("请填写决定理由。")
    if errors:
        raise ValidationError(errors)
    updated = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.PROPOSED).update(
        status=decision, reason=reason, decided_by=actor, decided_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"decision": _("该建议已作出决定，不能再改。")})
    proposal.refresh_from_db()
    return proposal
