"""History tables are append-only on PostgreSQL: a trigger refuses UPDATE and DELETE."""

from django.db import migrations

from core.audit import append_only_history


class Migration(migrations.Migration):
    dependencies = [("alliances", "0003_alliance_version"), ("members", "0005_history_append_only")]

    operations = [
        append_only_history(
            "alliances_historicalalliance", "alliances_historicalmembership", "alliances_historicalteamrole"
        )
    ]
