"""The projects' triggers, declared with django-pgtrigger: history tables append-only and
each project's copy of its alliance's code (projects/ordering.py). The triggers a
``post_migrate`` receiver used to reinstall go, on PostgreSQL and on SQLite (where the ORM
now keeps the copy)."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


HAND_INSTALLED = {
    'postgresql': [
        'DROP TRIGGER IF EXISTS projects_project_alliance_code ON projects_project',
        'DROP TRIGGER IF EXISTS alliances_alliance_code_to_projects ON alliances_alliance',
        'DROP FUNCTION IF EXISTS projects_project_alliance_code()',
        'DROP FUNCTION IF EXISTS alliances_alliance_code_to_projects()',
    ],
    'sqlite': [
        'DROP TRIGGER IF EXISTS projects_project_alliance_code_insert',
        'DROP TRIGGER IF EXISTS projects_project_alliance_code_update',
        'DROP TRIGGER IF EXISTS alliances_alliance_code_to_projects',
    ],
}


def drop_hand_installed(apps, schema_editor):
    for statement in HAND_INSTALLED.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0006_name_pinyin'),
    ]

    operations = [
        migrations.RunPython(drop_hand_installed, migrations.RunPython.noop, elidable=True),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalmilestone',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='3bea8e3b669b18a5d892b36eaca11f39830edfc6', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_e334d', table='projects_historicalmilestone', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalproject',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='8c1f2d4aa8d46a11b4fb320896aaad87eba902b9', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_31b01', table='projects_historicalproject', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='project',
            trigger=pgtrigger.compiler.Trigger(name='alliance_code_copy', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.alliance_code := (SELECT code FROM alliances_alliance WHERE id = NEW.alliance_id); RETURN NEW;', hash='7906ce63620a16eaecf5b8da1176013532c3da7d', operation='INSERT OR UPDATE OF "alliance_id", "alliance_code"', pgid='pgtrigger_alliance_code_copy_1dc8c', table='projects_project', when='BEFORE')),
        ),
    ]
