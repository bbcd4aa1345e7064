"""History tables stay append-only on PostgreSQL, now by a trigger declared with
django-pgtrigger (core.audit.APPEND_ONLY). The hand-installed function goes, and with it
(CASCADE) the old trigger on every app's history tables."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


HAND_INSTALLED = {
    'postgresql': [
        'DROP FUNCTION IF EXISTS history_append_only() CASCADE',
    ],
}


def drop_hand_installed(apps, schema_editor):
    for statement in HAND_INSTALLED.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0006_name_pinyin'),
    ]

    operations = [
        migrations.RunPython(drop_hand_installed, migrations.RunPython.noop, elidable=True),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalmemberorganization',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='bbf8531471763e6a201534b240497d477f5c56f2', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_968e9', table='members_historicalmemberorganization', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalperson',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='306ebab9b2c8b3c4ebb07a943ba07392c1009979', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_0da6e', table='members_historicalperson', when='BEFORE')),
        ),
    ]
