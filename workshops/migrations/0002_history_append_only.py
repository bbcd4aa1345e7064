"""History tables are append-only on PostgreSQL: a trigger refuses UPDATE and DELETE."""

from django.db import migrations

from core.audit import append_only_history


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial"), ("members", "0005_history_append_only")]

    operations = [append_only_history("workshops_historicalworkshop", "workshops_historicalworkshopreport")]
