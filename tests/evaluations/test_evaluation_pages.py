"""Staff enter staff-scored indicators (with evidence) and veto findings on pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations.models import AssessmentScheme, Indicator, ManualScore, VetoFinding
from tests.alliances.factories import AllianceFactory
from tests.members.factories import RegionFactory, township
from tests.projects.factories import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand(world):
    scheme = AssessmentScheme.objects.create(name="宁波市考评", region=world.ningbo, year=2026, status="active")
    return Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌影响", max_score=10)


def test_staff_score_an_indicator_with_an_evidence_file(client, world, brand):
    client.force_login(world.alice)
    response = client.post(
        reverse("evaluations:score-create"),
        {
            "alliance": world.alliance_a.pk,
            "indicator": brand.pk,
            "year": 2026,
            "score": "8.5",
            "evidence": "",
            "evidence_file": pdf("获奖证书.pdf"),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    score = ManualScore.objects.get()
    assert score.score == Decimal("8.50") and score.evidence_file.name.endswith(".pdf")


def test_a_score_above_the_maximum_names_the_field_and_saves_nothing(client, world, brand):
    client.force_login(world.alice)
    response = client.post(
        reverse("evaluations:score-create"),
        {
            "alliance": world.alliance_a.pk,
            "indicator": brand.pk,
            "year": 2026,
            "score": "12",
            "evidence": "x",
        },
    )
    assert "score" in response.context["form"].errors
    assert not ManualScore.objects.exists()


def test_another_countys_alliance_is_not_offered(client, world, brand):
    client.force_login(world.alice)
    response = client.post(
        reverse("evaluations:score-create"),
        {
            "alliance": world.alliance_b.pk,
            "indicator": brand.pk,
            "year": 2026,
            "score": "5",
            "evidence": "x",
        },
    )
    assert "alliance" in response.context["form"].errors
    assert not ManualScore.objects.exists()


def offered_indicators(client) -> set[str]:
    form = client.get(reverse("evaluations:score-create")).context["form"]
    return {indicator.code for indicator in form.fields["indicator"].queryset}


def test_the_score_form_offers_only_the_indicators_of_the_schemes_that_apply(client, world, brand):
    """Ningbo's default (B1) applies in its counties until a county has its own scheme;
    then the county's staff are offered the county's (C2), and the city's staff both (B1
    still applies in Fenghua). Indicators computed from data (metric) and another city's
    scheme are never offered."""
    fenghua = RegionFactory(code="330213000000", name="奉化区", parent=world.ningbo)
    AllianceFactory(code="LM-F-1", name="奉化联盟", lead_region=township(fenghua, 1, "溪口镇"))
    own = AssessmentScheme.objects.create(name="鄞州区细则", region=world.county_a, year=2026, status="active")
    Indicator.objects.create(scheme=own, dimension="cohesion", code="C2", name="成员参与", max_score=5)
    Indicator.objects.create(
        scheme=own, dimension="cohesion", code="C9", name="周报及时", max_score=5, metric="report_timeliness"
    )
    zhoushan = AssessmentScheme.objects.create(
        name="舟山市考评", region=world.county_b.parent, year=2026, status="active"
    )
    Indicator.objects.create(scheme=zhoushan, dimension="brand", code="Z1", name="舟山品牌", max_score=10)

    client.force_login(world.alice)
    assert offered_indicators(client) == {"C2"}
    client.force_login(world.carol)
    assert offered_indicators(client) == {"B1", "C2"}
    own.status = "retired"
    own.save()
    client.force_login(world.alice)
    assert offered_indicators(client) == {"B1"}


def test_a_score_is_for_the_year_of_its_indicators_scheme(client, world, brand):
    last_year = AssessmentScheme.objects.create(name="宁波市考评2025", region=world.ningbo, year=2025, status="active")
    old_brand = Indicator.objects.create(scheme=last_year, dimension="brand", code="B1", name="品牌影响", max_score=10)
    client.force_login(world.alice)
    response = client.post(
        reverse("evaluations:score-create"),
        {"alliance": world.alliance_a.pk, "indicator": old_brand.pk, "score": "6", "evidence": "2025年路演"},
    )
    assert response.status_code == 302, response.context["form"].errors
    score = ManualScore.objects.get()
    assert (score.period_kind, score.period_start.isoformat(), score.score) == ("year", "2025-01-01", Decimal("6.00"))


def test_a_score_is_corrected_from_its_row_in_the_list(client, world, brand):
    client.force_login(world.alice)
    client.post(
        reverse("evaluations:score-create"),
        {"alliance": world.alliance_a.pk, "indicator": brand.pk, "score": "8.5", "evidence": "市级媒体报道"},
    )
    listing = client.get(reverse("evaluations:veto-list"))
    edit_url = f"{reverse('evaluations:score-create')}?alliance={world.alliance_a.pk}&indicator={brand.pk}"
    assert edit_url.replace("&", "&amp;") in listing.content.decode()

    form = client.get(edit_url).context["form"]
    assert {name: form[name].value() for name in ("alliance", "indicator", "score", "evidence")} == {
        "alliance": str(world.alliance_a.pk),
        "indicator": str(brand.pk),
        "score": Decimal("8.50"),
        "evidence": "市级媒体报道",
    }
    client.post(
        edit_url,
        {"alliance": world.alliance_a.pk, "indicator": brand.pk, "score": "7", "evidence": "市级媒体报道（核减）"},
    )
    assert list(ManualScore.objects.values_list("score", "evidence")) == [(Decimal("7.00"), "市级媒体报道（核减）")]


@pytest.mark.parametrize("query", ["?alliance=x&indicator=1", "?alliance=999999&indicator=999999", "?indicator=1"])
def test_the_score_form_opened_with_a_wrong_query_is_empty(client, world, brand, query):
    client.force_login(world.alice)
    response = client.get(reverse("evaluations:score-create") + query)
    assert response.status_code == 200
    assert response.context["form"]["score"].value() is None


def test_a_leader_cannot_open_the_scoring_pages(client, world, brand):
    client.force_login(world.lily)
    assert client.get(reverse("evaluations:score-create")).status_code == 403
    assert client.get(reverse("evaluations:veto-list")).status_code == 403


def test_a_veto_is_recorded_then_confirmed_and_out_of_scope_is_404(client, world):
    client.force_login(world.alice)
    client.post(
        reverse("evaluations:veto-create"),
        {
            "alliance": world.alliance_a.pk,
            "kind": "show_only",
            "year": 2026,
            "note": "活动只见展板",
        },
    )
    finding = VetoFinding.objects.get()
    assert finding.confirmed is False
    assert "活动只见展板" in client.get(reverse("evaluations:veto-list")).content.decode()
    # Its recorder cannot confirm it: the page says so, nothing changes.
    refused = client.post(reverse("evaluations:veto-confirm", args=[finding.pk]), follow=True)
    assert "记录人以外" in refused.content.decode()
    assert "待他人核实确认" in refused.content.decode()
    finding.refresh_from_db()
    assert finding.confirmed is False
    client.force_login(world.carol)
    client.post(reverse("evaluations:veto-confirm", args=[finding.pk]), {"verification": "走访核实"})
    finding.refresh_from_db()
    assert (finding.confirmed, finding.confirmed_by, finding.verification) == (True, world.carol, "走访核实")
    client.force_login(world.bob)
    assert client.post(reverse("evaluations:veto-confirm", args=[finding.pk])).status_code == 404


def test_staff_enter_a_visit_score_for_a_proposed_alliance(client, world):
    from core.periods import QUARTER, Period
    from evaluations.models import ObservationVisit
    from evaluations.services import rollup_produce

    rollup, _created = rollup_produce(
        kind="quarterly_observation", period=Period.parse(QUARTER, "2026-Q3"), region=world.county_a
    )
    client.force_login(world.alice)
    url = reverse("evaluations:rollup-visit", args=[rollup.pk])
    response = client.post(
        url,
        {"alliance": world.alliance_a.pk, "visited_on": "2026-10-15", "score": "92", "notes": "现场观摩：项目推进扎实"},
    )
    assert response.status_code == 302
    assert ObservationVisit.objects.get().score == Decimal("92.00")
    assert "项目推进扎实" in client.get(rollup.get_absolute_url()).content.decode()
    refused = client.post(url, {"alliance": world.alliance_b.pk, "visited_on": "2026-10-15", "score": "80"})
    assert "alliance" in refused.context["form"].errors
    client.force_login(world.bob)
    assert client.get(url).status_code == 404


def test_only_the_alliances_the_observation_proposes_can_be_scored_not_those_of_its_other_tables(client, world):
    from django.core.exceptions import ValidationError

    from core.periods import QUARTER, Period
    from evaluations.models import ObservationVisit, Rollup
    from evaluations.services import observation_visit_score

    period = Period.parse(QUARTER, "2026-Q3")
    columns = [{"key": "alliance", "label": "联盟编号", "type": "text"}]

    def listing(key, *alliances):
        return {"key": key, "title": key, "columns": columns, "rows": [[a.code] for a in alliances]}

    rollup = Rollup.objects.create(
        kind="quarterly_observation",
        period_key=period.key,
        period_start=period.start,
        region=world.county_a,
        report={
            "summary": [],
            "tables": [
                listing("top_movers", world.alliance_a),
                listing("laggards"),
                listing("projects_behind", world.alliance_a2),
            ],
        },
    )
    client.force_login(world.alice)
    url = reverse("evaluations:rollup-visit", args=[rollup.pk])
    offered = client.get(url).context["form"].fields["alliance"].queryset
    assert list(offered) == [world.alliance_a]
    refused = client.post(url, {"alliance": world.alliance_a2.pk, "visited_on": "2026-10-15", "score": "80"})
    assert "alliance" in refused.context["form"].errors
    with pytest.raises(ValidationError) as error:
        observation_visit_score(
            actor=world.alice, rollup=rollup, alliance=world.alliance_a2, visited_on="2026-10-15", score=80
        )
    assert "alliance" in error.value.message_dict
    assert not ObservationVisit.objects.exists()


def test_anonymous_users_are_sent_to_log_in_from_the_visit_score_form(client, world):
    from core.periods import QUARTER, Period
    from evaluations.models import ObservationVisit
    from evaluations.services import rollup_produce

    rollup, _created = rollup_produce(
        kind="quarterly_observation", period=Period.parse(QUARTER, "2026-Q3"), region=world.county_a
    )
    url = reverse("evaluations:rollup-visit", args=[rollup.pk])
    data = {"alliance": world.alliance_a.pk, "visited_on": "2026-10-15", "score": "92"}
    for response in (client.get(url), client.post(url, data)):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not ObservationVisit.objects.exists()


def record_finding(client, world, evidence_file):
    """Post the 记录底线问题 form for alliance A1 with ``evidence_file``."""
    fields = {"alliance": world.alliance_a.pk, "kind": "show_only", "year": 2026, "note": "联盟活动仅见于展板"}
    return client.post(reverse("evaluations:veto-create"), fields | {"evidence_file": evidence_file})


def test_a_veto_finding_is_recorded_with_its_evidence_which_goes_only_to_those_who_see_the_finding(client, world):
    """Journey 2.7: the finding's evidence (a photo or a document) is kept with it; the
    colleague who confirms opens it from the list; another county's staff get 404."""
    client.force_login(world.alice)
    response = record_finding(client, world, pdf("现场照片.pdf"))
    assert response.status_code == 302, response.context["form"].errors
    finding = VetoFinding.objects.get()
    assert finding.evidence_file.name.startswith("evidence/vetoes/") and finding.evidence_file.name.endswith(".pdf")
    evidence = reverse("evaluations:veto-evidence-file", args=[finding.pk])

    client.force_login(world.tina)
    assert (
        f'href="{evidence}"' in client.get(reverse("evaluations:veto-list"), {"state": "to_confirm"}).content.decode()
    )
    served = client.get(evidence)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content).startswith(b"%PDF")
    client.force_login(world.bob)
    assert client.get(evidence).status_code == 404


def test_a_veto_finding_with_a_file_that_is_not_a_photo_or_pdf_is_refused_keeping_what_was_typed(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.alice)
    response = record_finding(
        client, world, SimpleUploadedFile("材料.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    )
    assert response.status_code == 200 and "evidence_file" in response.context["form"].errors
    assert "联盟活动仅见于展板" in response.content.decode()
    assert not VetoFinding.objects.exists()
