"""The operations' history tables (meetings, activities, mentorships, platforms and their
shareholders, needs, resources, claims) are append-only on PostgreSQL like the others."""

from django.db import migrations

from core.audit import append_only_history


class Migration(migrations.Migration):
    dependencies = [("alliances", "0004_history_append_only")]

    operations = [
        append_only_history(
            "alliances_historicalmeeting",
            "alliances_historicalactivity",
            "alliances_historicalmentorship",
            "alliances_historicalentityplatform",
            "alliances_historicalshareholding",
            "alliances_historicalneed",
            "alliances_historicalresource",
            "alliances_historicalclaim",
        )
    ]
