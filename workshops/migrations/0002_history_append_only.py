"""History tables are append-only on PostgreSQL: a trigger refuses UPDATE and DELETE."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial"), ("members", "0005_history_append_only")]

    # The trigger this migration once installed by hand is now declared with django-pgtrigger
    # (core.audit.APPEND_ONLY) and installed by each app's `history_append_only_declared` migration.
    operations = []
