"""``manage.py remove_orphan_files [--hours 6] [--dry-run]``: delete stored files that no
row names (core.orphans)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.orphans import ORPHAN_MIN_AGE, remove_orphan_files


class Command(BaseCommand):
    help = "Delete uploaded files that no row names, once they are older than --hours."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            default=ORPHAN_MIN_AGE.total_seconds() / 3600,
            help="Only files older than this (default: %(default)s).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List them, delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hours"] < 1:
            raise CommandError("--hours must be at least 1: a younger file may belong to a request still running.")
        removed = remove_orphan_files(min_age=datetime.timedelta(hours=options["hours"]), dry_run=options["dry_run"])
        for name in removed:
            self.stdout.write(name)
        verb = "would be removed" if options["dry_run"] else "removed"
        self.stdout.write(f"{len(removed)} files no row names {verb}.")
