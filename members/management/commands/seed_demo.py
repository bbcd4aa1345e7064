"""Load the deterministic demo data: ``python manage.py seed_demo [--scale demo]``.

Each of our apps may provide a ``<app>.demo`` module with ``seed(ctx)``. The modules are
found through the app registry (in INSTALLED_APPS order, which is also the dependency
order members ← alliances ← projects/workshops ← evaluations), so this command never
imports the later apps directly. Everything runs in one transaction; running it again
creates and changes nothing.
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
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from members.demo import DEMO_ACCOUNTS, DEMO_SEED, DEMO_TODAY, SCALES, DemoContext
from members.models import Region

DEMO_APPS = ("members", "alliances", "projects", "workshops", "evaluations")


def demo_modules() -> list[tuple[AppConfig, ModuleType]]:
    """``(app config, <app>.demo)`` for each of our apps that has a demo module, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if config.label not in DEMO_APPS:
            continue
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is None:
            continue
        found.append((config, importlib.import_module(name)))
    return found


def display_width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


class Command(BaseCommand):
    help = "Load the deterministic demo data set (regions, organizations, people, alliances, ...) and demo accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="demo",
            help="How much data to generate (default: demo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
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
