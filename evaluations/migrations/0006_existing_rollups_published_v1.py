"""Every rollup produced before drafts existed was final: it becomes version 1, published
when it was produced. Then published versions are made immutable in the database: an
UPDATE or DELETE of a published row is refused; a draft may be regenerated and published."""

from django.db import migrations
from django.db.models import F

FORBID = """
CREATE OR REPLACE FUNCTION evaluations_rollup_published_is_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION USING MESSAGE = 'published rollups are immutable: ' || TG_OP || ' on evaluations_rollup refused';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS evaluations_rollup_published_immutable ON evaluations_rollup;
CREATE TRIGGER evaluations_rollup_published_immutable BEFORE UPDATE OR DELETE ON evaluations_rollup
    FOR EACH ROW EXECUTE FUNCTION evaluations_rollup_published_is_immutable();
"""
ALLOW = """
DROP TRIGGER IF EXISTS evaluations_rollup_published_immutable ON evaluations_rollup;
DROP FUNCTION IF EXISTS evaluations_rollup_published_is_immutable();
"""


def existing_are_version_one(apps, schema_editor):
    Rollup = apps.get_model("evaluations", "Rollup")
    Rollup.objects.filter(published_at__isnull=True).update(status="published", version=1, published_at=F("produced_at"))


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0005_rollup_drafts_and_versions")]
    operations = [
        migrations.RunPython(existing_are_version_one, migrations.RunPython.noop),
        migrations.RunPython(forbid, allow),
    ]
