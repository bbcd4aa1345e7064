"""The months whose monthly bulletin was published before closings were recorded are
closed as publishing closes them now (workshops.ClosedMonth): at the first published
version's time, by its publisher (the later versions conflict and are left out)."""

from django.db import migrations


def close_published_months(apps, schema_editor):
    Rollup = apps.get_model("evaluations", "Rollup")
    ClosedMonth = apps.get_model("workshops", "ClosedMonth")
    first_versions = (
        Rollup.objects.filter(kind="monthly_bulletin", version__isnull=False)  # published versions
        .order_by("region_id", "period_start", "version")
        .values_list("region_id", "period_start", "published_at", "published_by_id")
    )
    ClosedMonth.objects.bulk_create(
        [
            ClosedMonth(region_id=region, month=month, closed_at=at, closed_by_id=by)
            for region, month, at, by in first_versions
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0011_veto_unique_names_its_field"),
        ("workshops", "0005_closed_month"),
    ]

    operations = [migrations.RunPython(close_published_months, migrations.RunPython.noop)]
