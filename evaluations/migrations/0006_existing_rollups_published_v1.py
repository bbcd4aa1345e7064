"""Every rollup produced before drafts existed was final: it becomes version 1, published
when it was produced. (Published versions are immutable by a trigger declared on
Rollup.Meta.)"""

from django.db import migrations
from django.db.models import F


def existing_are_version_one(apps, schema_editor):
    Rollup = apps.get_model("evaluations", "Rollup")
    Rollup.objects.filter(published_at__isnull=True).update(
        status="published", version=1, published_at=F("produced_at")
    )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0005_rollup_drafts_and_versions")]
    operations = [
        migrations.RunPython(existing_are_version_one, migrations.RunPython.noop),
    ]
