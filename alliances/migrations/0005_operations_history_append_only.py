"""The operations' history tables (meetings, activities, mentorships, platforms and their
shareholders, needs, resources, claims) are append-only on PostgreSQL like the others."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("alliances", "0004_history_append_only")]

    # The trigger this migration once installed by hand is now declared with django-pgtrigger
    # (core.audit.APPEND_ONLY) and installed by each app's `history_append_only_declared` migration.
    operations = []
