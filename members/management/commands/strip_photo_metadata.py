"""Re-encode stored photos that still carry metadata (EXIF with a GPS position, XMP,
comments): ``python manage.py strip_photo_metadata [--dry-run]``.

Photos uploaded since meeting and activity photos and minutes became ``PhotoField`` and
``DocumentField`` are stored clean; this command cleans the files stored before. It can be
run again at any time: clean photos and PDFs are left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.uploads import strip_stored_photos


class Command(BaseCommand):
    help = "Re-encode stored photos that still carry metadata (EXIF with GPS, XMP, comments)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count the photos, change nothing")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        found = strip_stored_photos(dry_run=dry_run)
        verb = "would be re-encoded" if dry_run else "re-encoded"
        for label, count in found.items():
            self.stdout.write(f"{label}: {count} {verb}")
        self.stdout.write(self.style.SUCCESS(f"{sum(found.values())} photos {verb} in all"))
