"""Every alliance's scorecard in the demo adds up to its total, for the latest month assessed."""

from __future__ import annotations

import pytest

from core.periods import Period
from evaluations import scorecard
from evaluations.models import Assessment
from tests.evaluations.test_scorecard import assert_adds_up

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_every_demo_alliances_scorecard_adds_up_to_its_total(demo_db):
    latest = Assessment.objects.filter(period_kind="month").latest("period_start").period_start
    assessments = list(Assessment.objects.filter(period_kind="month", period_start=latest).select_related("alliance"))
    assert len(assessments) >= 50
    period = Period("month", latest)
    computed = 0
    for assessment in assessments:
        card = scorecard.build(assessment.alliance, period)
        assert_adds_up(card)
        computed += sum(1 for d in card.dimensions for line in d.indicators if line.rows is not None)
    assert computed >= 7 * len(assessments)
