from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION evaluations_rollup_is_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'rollups are immutable: ' || TG_OP || ' on evaluations_rollup refused';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS evaluations_rollup_immutable ON evaluations_rollup;
CREATE TRIGGER evaluations_rollup_immutable BEFORE UPDATE OR DELETE ON evaluations_rollup
    FOR EACH ROW EXECUTE FUNCTION evaluations_rollup_is_immutable();
"""
ALLOW = """
DROP TRIGGER IF EXISTS evaluations_rollup_immutable ON evaluations_rollup;
DROP FUNCTION IF EXISTS evaluations_rollup_is_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
