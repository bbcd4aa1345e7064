"""The rollup machinery: one draft per (kind, period, region), published versions frozen,
scoped reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.periods import MONTH, Period
from evaluations import rollups
from evaluations.models import Rollup
from evaluations.services import rollup_produce, rollup_publish

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


def counting_report(period, region):
    CALLS.append(region.code)
    return {"summary": [rollups.summary_item("n", "计数", len(CALLS))], "tables": []}


@pytest.fixture
def test_kind(monkeypatch):
    CALLS.clear()
    kind = rollups.RollupKind(
        key=rollups.MONTHLY_BULLETIN,
        label="月通报",
        period_kind=MONTH,
        region_levels=("county", "city"),
        compute=counting_report,
    )
    monkeypatch.setitem(rollups.KINDS, rollups.MONTHLY_BULLETIN, kind)
    return kind


def published(world, rollup):
    return rollup_publish(actor=world.admin, rollup=rollup)


def test_producing_twice_keeps_one_draft_and_computes_once(world, test_kind):
    period = Period.parse(MONTH, "2026-03")
    first, created = rollup_produce(kind=test_kind.key, period=period, region=world.county_a)
    again, created_again = rollup_produce(kind=test_kind.key, period=period, region=world.county_a)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk and CALLS == ["330212000000"]
    assert Rollup.objects.count() == 1


def test_the_database_refuses_a_second_draft_or_a_second_version_one(world, test_kind):
    rollup, _ = rollup_produce(kind=test_kind.key, period=Period.parse(MONTH, "2026-03"), region=world.county_a)
    same = {"kind": rollup.kind, "period_key": "2026-03", "period_start": rollup.period_start, "region": world.county_a}
    with pytest.raises(IntegrityError), transaction.atomic():
        Rollup.objects.bulk_create([Rollup(**same, report={}, status="draft", version=None)])
    published(world, rollup)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rollup.objects.bulk_create([Rollup(**same, report={}, status="published", version=1)])
    assert Rollup.objects.count() == 1


def test_a_published_rollup_cannot_be_changed_or_deleted(world, test_kind):
    draft, _ = rollup_produce(kind=test_kind.key, period=Period.parse(MONTH, "2026-03"), region=world.county_a)
    rollup = published(world, draft)
    with pytest.raises(ValidationError):
        rollup.save()
    with pytest.raises(ValidationError):
        rollup.delete()
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        Rollup.objects.filter(pk=rollup.pk).update(report={"forged": True})
    rollup.refresh_from_db()
    assert rollup.report["summary"][0]["value"] == 1


def test_wrong_region_level_or_period_is_refused(world, test_kind):
    with pytest.raises(ValidationError) as excinfo:
        rollup_produce(kind=test_kind.key, period=Period.parse(MONTH, "2026-03"), region=world.town_a)
    assert "region" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        rollup_produce(kind=test_kind.key, period=Period.parse("week", "2026-W10"), region=world.county_a)
    assert "period" in excinfo.value.message_dict


def test_county_staff_see_their_county_and_city_rollups_never_another_county(world, test_kind, api, client):
    period = Period.parse(MONTH, "2026-03")
    own, city, other = (
        published(world, rollup_produce(kind=test_kind.key, period=period, region=region)[0])
        for region in (world.county_a, world.ningbo, world.county_b)
    )
    assert set(Rollup.objects.visible_to(world.alice)) == {own, city}
    assert set(Rollup.objects.visible_to(world.bob)) == {other}
    assert set(Rollup.objects.visible_to(world.carol)) == {own, city}
    assert list(Rollup.objects.visible_to(world.lily)) == []
    assert api.as_user(world.alice).get(f"/api/v1/rollups/{other.pk}/").status_code == 404
    client.force_login(world.alice)
    assert client.get(f"/evaluations/rollups/{other.pk}/").status_code == 404
    assert client.get(f"/evaluations/rollups/{other.pk}/xlsx/").status_code == 404
    assert client.get(f"/evaluations/rollups/{city.pk}/xlsx/")["Content-Type"].startswith("application/vnd.openxml")


def test_township_users_read_no_county_or_city_rollup_which_names_other_townships(world, test_kind, api, client):
    period = Period.parse(MONTH, "2026-03")
    county = published(world, rollup_produce(kind=test_kind.key, period=period, region=world.county_a)[0])
    city = published(world, rollup_produce(kind=test_kind.key, period=period, region=world.ningbo)[0])
    own = Rollup.objects.create(
        kind=test_kind.key, period_key="2026-03", period_start=period.start, region=world.town_a, report={}
    )
    assert list(Rollup.objects.visible_to(world.tina)) == [own]
    assert set(Rollup.objects.visible_to(world.alice)) == {own, county, city}
    client.force_login(world.tina)
    for rollup in (county, city):
        assert client.get(f"/evaluations/rollups/{rollup.pk}/").status_code == 404
        assert api.as_user(world.tina).get(f"/api/v1/rollups/{rollup.pk}/").status_code == 404
    assert client.get(f"/evaluations/rollups/{own.pk}/").status_code == 200


def test_rollup_command_produces_by_hand(world, test_kind):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("rollup", "monthly_bulletin", "--period", "2026-03", "--region", "330212000000", stdout=out)
    call_command("rollup", "monthly_bulletin", "--period", "2026-03", "--region", "330212000000", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("created") and lines[1].startswith("exists")
    assert Rollup.objects.count() == 1


def test_install_schedule_is_idempotent_and_in_shanghai(db):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("install_schedule", stdout=__import__("io").StringIO())
    call_command("install_schedule", stdout=__import__("io").StringIO())
    tasks = {t.name: t for t in PeriodicTask.objects.select_related("crontab")}
    assert set(tasks) >= {
        "rollup:weekly_dispatch",
        "rollup:monthly_bulletin",
        "rollup:quarterly_observation",
        "rollup:annual_review",
    }
    # Daily: each run drafts what the regions' cut-offs have made due.
    for name in ("rollup:weekly_dispatch", "rollup:quarterly_observation", "rollup:annual_review"):
        crontab = tasks[name].crontab
        assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == (
            "0",
            "6",
            "*",
            "*",
            "*",
        )
        assert str(crontab.timezone) == "Asia/Shanghai"


def test_the_rollup_workbook_lists_the_summary_under_headers_in_the_users_language(client, world, test_kind):
    from django.conf import settings

    from tests.core.factories import sheet_rows

    rollup, _created = rollup_produce(kind=test_kind.key, period=Period.parse(MONTH, "2026-03"), region=world.county_a)
    client.force_login(world.alice)
    url = f"/evaluations/rollups/{rollup.pk}/xlsx/"
    assert sheet_rows(client.get(url).content, "月通报") == [{"指标": "计数", "数值": 1}]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert sheet_rows(client.get(url).content, "Monthly bulletin") == [{"Indicator": "计数", "Value": 1}]


def test_a_score_is_shown_at_two_places_whatever_the_database_hands_back():
    # SQLite returns a score read through a subquery as it computed it (90.5, 0).
    assert rollups.score_text(Decimal("90.5")) == "90.50"
    assert rollups.score_text(Decimal("0")) == "0.00"
    assert rollups.score_text(Decimal("-4.5")) == "-4.50"
    assert rollups.score_text(None) is None
