"""Rollups were made immutable here by a trigger installed by hand; 0005 replaced it, and
the rule on published versions is now declared with django-pgtrigger on Rollup.Meta."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = []
