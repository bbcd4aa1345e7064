"""Published rollups stay immutable, now by a trigger declared with django-pgtrigger on
Rollup.Meta; the hand-installed one goes."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


HAND_INSTALLED = {
    'postgresql': [
        'DROP TRIGGER IF EXISTS evaluations_rollup_published_immutable ON evaluations_rollup',
        'DROP FUNCTION IF EXISTS evaluations_rollup_published_is_immutable()',
    ],
}


def drop_hand_installed(apps, schema_editor):
    for statement in HAND_INSTALLED.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0009_pending_scores_and_visit_weight'),
    ]

    operations = [
        migrations.RunPython(drop_hand_installed, migrations.RunPython.noop, elidable=True),
        pgtrigger.migrations.AddTrigger(
            model_name='rollup',
            trigger=pgtrigger.compiler.Trigger(name='rollup_published_immutable', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."status" = \'published\')', func="RAISE EXCEPTION 'published rollups are immutable: % on evaluations_rollup refused', TG_OP;", hash='d1666e21642c148d0ffa51a35049a497321eb534', operation='UPDATE OR DELETE', pgid='pgtrigger_rollup_published_immutable_d7d04', table='evaluations_rollup', when='BEFORE')),
        ),
    ]
