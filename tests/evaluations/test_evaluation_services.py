from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.periods import YEAR, Period
from evaluations.models import AssessmentScheme, Indicator, ManualScore, VetoFinding
from evaluations.services import manual_score_set, scheme_new_version, veto_confirm, veto_record

pytestmark = pytest.mark.django_db
PERIOD = Period.parse(YEAR, "2025")


@pytest.fixture
def scheme(world):
    scheme = AssessmentScheme.objects.create(name="宁波市2025年度考评", region=world.ningbo, year=2025, status="active")
    Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌影响", max_score=10)
    Indicator.objects.create(
        scheme=scheme, dimension="development", code="D1", name="项目完成率", metric="project_completion", max_score=20
    )
    return scheme


def test_staff_score_a_manual_indicator_with_evidence(world, scheme):
    indicator = scheme.indicators.get(code="B1")
    manual_score_set(
        actor=world.alice,
        alliance=world.alliance_a,
        indicator=indicator,
        period=PERIOD,
        score=Decimal("8"),
        evidence="获评市级党建品牌",
    )
    record = manual_score_set(
        actor=world.alice,
        alliance=world.alliance_a,
        indicator=indicator,
        period=PERIOD,
        score=Decimal("9"),
        evidence="复核后调整",
    )
    assert ManualScore.objects.get().score == Decimal("9") and record.evidence == "复核后调整"


@pytest.mark.parametrize(
    ("code", "score", "evidence", "field"),
    [
        ("B1", Decimal("11"), "超出满分", "score"),
        ("B1", Decimal("5"), "  ", "evidence"),
        ("D1", Decimal("5"), "自动指标", "indicator"),
    ],
)
def test_bad_manual_scores_name_the_field_and_save_nothing(world, scheme, code, score, evidence, field):
    with pytest.raises(ValidationError) as excinfo:
        manual_score_set(
            actor=world.alice,
            alliance=world.alliance_a,
            indicator=scheme.indicators.get(code=code),
            period=PERIOD,
            score=score,
            evidence=evidence,
        )
    assert field in excinfo.value.message_dict
    assert not ManualScore.objects.exists()


@pytest.mark.parametrize("who", ["bob", "lily", "vera"])
def test_only_staff_of_the_alliance_may_score_or_record_a_veto(world, scheme, who):
    with pytest.raises(PermissionDenied):
        manual_score_set(
            actor=getattr(world, who),
            alliance=world.alliance_a,
            indicator=scheme.indicators.get(code="B1"),
            period=PERIOD,
            score=Decimal(5),
            evidence="x",
        )
    with pytest.raises(PermissionDenied):
        veto_record(actor=getattr(world, who), alliance=world.alliance_a, kind="show_only", year=2025, note="x")
    assert not ManualScore.objects.exists() and not VetoFinding.objects.exists()


def test_a_veto_is_recorded_once_a_year_and_confirmed_after_verification(world, scheme):
    finding = veto_record(actor=world.alice, alliance=world.alliance_a, kind="show_only", year=2025, note="墙上联盟")
    assert finding.confirmed is False
    with pytest.raises(ValidationError) as excinfo:
        veto_record(actor=world.alice, alliance=world.alliance_a, kind="show_only", year=2025, note="重复")
    assert "kind" in excinfo.value.message_dict
    with pytest.raises(ValidationError, match="记录人以外"):
        veto_confirm(actor=world.alice, finding=finding)  # its own recorder
    assert VetoFinding.objects.get().confirmed is False
    confirmed = veto_confirm(actor=world.carol, finding=finding, verification="实地走访三个成员村，活动仅见展板")
    assert (confirmed.confirmed, confirmed.confirmed_by, confirmed.recorded_by) == (True, world.carol, world.alice)
    assert confirmed.verification == "实地走访三个成员村，活动仅见展板" and confirmed.confirmed_at is not None


def test_a_finding_written_between_the_check_and_the_save_is_refused_on_its_kind(world, scheme, monkeypatch):
    """Two staff recording the same finding at once: the second save's check saw no row, the
    database refuses it (veto_unique_per_year) and the form is told on the kind field."""
    veto_record(actor=world.alice, alliance=world.alliance_a, kind="show_only", year=2025, note="墙上联盟")
    monkeypatch.setattr(VetoFinding, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError) as excinfo:
        veto_record(actor=world.carol, alliance=world.alliance_a, kind="show_only", year=2025, note="同时提交")
    assert excinfo.value.message_dict == {"kind": ["该联盟本年度已记录此项底线问题。"]}
    assert VetoFinding.objects.count() == 1


def test_the_database_refuses_a_finding_confirmed_by_its_recorder(world):
    from django.db import IntegrityError, transaction

    finding = veto_record(actor=world.alice, alliance=world.alliance_a, kind="show_only", year=2025, note="墙上联盟")
    with pytest.raises(IntegrityError), transaction.atomic():
        VetoFinding.objects.filter(pk=finding.pk).update(confirmed=True, confirmed_by=world.alice)


def test_a_new_version_copies_indicators_and_leaves_the_frozen_one_alone(world, scheme):
    AssessmentScheme.objects.filter(pk=scheme.pk).update(is_frozen=True)
    copy = scheme_new_version(actor=world.carol, scheme=scheme)
    assert (copy.version, copy.status, copy.is_frozen) == (2, "draft", False)
    assert sorted(copy.indicators.values_list("code", flat=True)) == ["B1", "D1"]
    assert scheme.indicators.count() == 2
