"""``python manage.py rollup KIND --period P [--region CODE]``: draft a missing rollup by
hand (staff then check and publish it on its page); an existing draft or version is left
as it is."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.periods import EXAMPLES, Period
from members.models import Region

from ...rollups import KINDS, PERIOD_OF_KIND
from ...services import rollup_produce, rollup_regions


class Command(BaseCommand):
    help = "Draft one rollup (weekly_dispatch, monthly_bulletin, quarterly_observation, annual_review)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(PERIOD_OF_KIND))
        parser.add_argument(
            "--period", required=True, help="2026-W05 (week), 2026-03 (month), 2026-Q1 (quarter) or 2026 (year)"
        )
        parser.add_argument("--region", help="12-digit region code; default: every region the kind is produced for")

    def handle(self, *args: Any, kind: str, period: str, region: str | None, **options: Any) -> None:
        if kind not in KINDS:
            raise CommandError(f"{kind} is not available")
        try:
            parsed = Period.parse(PERIOD_OF_KIND[kind], period)
        except ValidationError as exc:
            raise CommandError(f"--period: expected like {EXAMPLES[PERIOD_OF_KIND[kind]]}") from exc
        if region:
            found = Region.objects.filter(code=region).first()
            if found is None:
                raise CommandError(f"--region: no region with code {region}")
            regions = [found]
        else:
            regions = rollup_regions(kind)
        for target in regions:
            try:
                rollup, created = rollup_produce(kind=kind, period=parsed, region=target)
            except ValidationError as exc:
                raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
            state = "created" if created else "exists"
            label = "draft" if rollup.is_draft else f"version {rollup.version}"
            self.stdout.write(f"{state:8} {kind} {parsed.key} {target.code} {target.name} (#{rollup.pk}, {label})")
