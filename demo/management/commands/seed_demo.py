"""Load the deterministic demo data: ``python manage.py seed_demo [--scale demo]``.

The demo app has one module per domain with ``seed(ctx)`` (``demo.members``,
``demo.alliances``, ...) and, for the large scales, ``demo.bulk.<domain>`` with ``load(ctx)``.
They run in the order of ``DOMAINS``, which is the dependency order members ← alliances ←
projects/workshops ← tracking ← evaluations. Everything runs in one transaction; running it
again creates and changes nothing.

The command exists where the demo app is installed: the local and test settings, not
production.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import time
import unicodedata
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from demo.bulk.members import LARGE_SCALES, LargeScale, require_empty
from demo.members import DEMO_ACCOUNTS, DEMO_SEED, DEMO_TODAY, SCALES, DemoContext
from members.models import Region

# The domains in the order they are seeded; each names an app (its models are counted).
DOMAINS = ("members", "alliances", "projects", "workshops", "tracking", "evaluations")
PRODUCTION_SETTINGS = "config.settings.production"


def demo_modules(kind: str = "demo") -> list[tuple[AppConfig, ModuleType]]:
    """``(app config, module)`` for each domain that has a module of this kind (``demo``:
    ``demo.<domain>`` for the curated scale, ``bulk``: ``demo.bulk.<domain>`` for the large
    ones), in the order of ``DOMAINS``."""
    package = "demo" if kind == "demo" else f"demo.{kind}"
    found = []
    for label in DOMAINS:
        name = f"{package}.{label}"
        if importlib.util.find_spec(name) is None:
            continue
        found.append((apps.get_app_config(label), importlib.import_module(name)))
    return found


def in_production() -> bool:
    """The production settings with DEBUG off: a site real users sign in to."""
    return not settings.DEBUG and settings.SETTINGS_MODULE == PRODUCTION_SETTINGS


def display_width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


class Command(BaseCommand):
    help = "Load the deterministic demo data set (regions, organizations, people, alliances, ...) and demo accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES | LARGE_SCALES),
            default="demo",
            help="How much data to generate (default: demo). county and province need an empty database.",
        )
        parser.add_argument(
            "--fraction",
            type=float,
            default=1.0,
            help="For county/province: generate this fraction of the counties (e.g. 0.1 for a tenth of a province).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even under the production settings (its accounts share a published password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if in_production() and not options["force"]:
            raise CommandError(
                "seed_demo refuses to run under the production settings: the demo accounts sign in with "
                "passwords printed in the README, and its made-up data would mix with real records. "
                "Load it on a local or staging copy; --force loads it here anyway."
            )
        if options["scale"] in LARGE_SCALES:
            if connection.vendor != "postgresql":
                raise CommandError(
                    f"--scale {options['scale']} loads by PostgreSQL's COPY: point DATABASE_URL at PostgreSQL."
                )
            self.handle_large(LARGE_SCALES[options["scale"]].scaled(options["fraction"]))
            return
        started = time.monotonic()
        ctx = DemoContext(rng=random.Random(DEMO_SEED), stdout=self.stdout, today=DEMO_TODAY, scale=options["scale"])
        modules = demo_modules()
        with transaction.atomic():
            for config, module in modules:
                self.stdout.write(f"Seeding {config.label} ...")
                ctx.reseed(config.label)
                module.seed(ctx)
        self.print_counts(ctx, [config for config, _module in modules])
        self.print_accounts()
        elapsed = time.monotonic() - started
        self.stdout.write(f"\nDone in {elapsed:.1f} s (scale {ctx.scale}, reference date {ctx.today}).")

    def handle_large(self, spec: LargeScale) -> None:
        """Generate a county or a province in one transaction, loading by PostgreSQL's COPY."""
        started = time.perf_counter()
        modules = demo_modules("bulk")
        models = [get_user_model()] + [model for config, _module in modules for model in config.get_models()]
        busy = require_empty(models[1:])
        if busy:
            raise CommandError(
                f"--scale {spec.name} needs an empty database (no regions, organizations, alliances, ...); "
                f"these tables hold rows: {', '.join(busy)}. Run it on a freshly migrated database."
            )
        ctx = DemoContext(rng=random.Random(DEMO_SEED), stdout=self.stdout, today=DEMO_TODAY, scale=spec.name)
        ctx.shared["large_spec"] = spec
        self.stdout.write(f"Generating {spec.name} scale: {spec.counties} counties, {spec.townships} townships")
        with transaction.atomic():
            for config, module in modules:
                ctx.reseed(config.label)
                module.load(ctx)
        rows, seconds = ctx.shared["bulk"].writer.summary()
        self.stdout.write(f"Loaded {rows:,} rows in {seconds:.1f} s of writing: {rows / seconds:,.0f} rows/s.")
        if not connection.in_atomic_block:
            # Only after a committed load: inside a caller's transaction (the tests) the rows
            # may be rolled back, and ANALYZE's row estimates would outlive them. VACUUM as
            # well, as autovacuum does to a live database in time: it marks the new rows'
            # pages all-visible, without which an index-only scan reads every row's page (a
            # city's reports waiting for review counted in 105 ms instead of 26).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
        self.print_totals(models)
        self.stdout.write(f"\nDone in {time.perf_counter() - started:.1f} s (scale {spec.name}).")

    def print_totals(self, models: list) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("Rows per model:"))
        width = max(len(model._meta.label) for model in models)
        for model in models:
            self.stdout.write(f"  {model._meta.label:<{width}}  {model._default_manager.count():>10,}")

    def print_counts(self, ctx: DemoContext, configs: list[AppConfig]) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("Rows per model (created / updated by this run):"))
        models = [get_user_model()] + [model for config in configs for model in config.get_models()]
        width = max(len(model._meta.label) for model in models)
        for model in models:
            label = model._meta.label
            created = ctx.tally[("created", label)]
            updated = ctx.tally[("updated", label)]
            changes = f"  (+{created} / ~{updated})" if created or updated else ""
            self.stdout.write(f"  {label:<{width}}  {model._default_manager.count():>6}{changes}")

    def print_accounts(self) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("\nDemo accounts:"))
        codes = [account.region_code for account in DEMO_ACCOUNTS if account.region_code]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        rows = [("username", "password", "role", "region", "sees")]
        for account in DEMO_ACCOUNTS:
            region = f"{names.get(account.region_code, '?')} {account.region_code}" if account.region_code else "-"
            rows.append((account.username, account.password, account.role, region, account.sees))
        widths = [max(display_width(row[index]) for row in rows) for index in range(4)]
        for row in rows:
            cells = [cell + " " * (width - display_width(cell)) for cell, width in zip(row[:4], widths, strict=True)]
            self.stdout.write("  " + "  ".join(cells) + "  " + row[4])
