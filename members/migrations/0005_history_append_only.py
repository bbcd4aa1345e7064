"""History tables are append-only on PostgreSQL: a trigger refuses UPDATE and DELETE."""

from django.db import migrations

from core.audit import append_only_history


class Migration(migrations.Migration):
    dependencies = [("members", "0004_notices")]

    operations = [append_only_history("members_historicalmemberorganization", "members_historicalperson")]
