"""The alliances' triggers, declared with django-pgtrigger on their models: history tables
append-only, a platform's shareholdings at most 100 %, and an alliance's new code copied to
its projects. The hand-installed shareholding trigger goes."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


HAND_INSTALLED = {
    'postgresql': [
        'DROP TRIGGER IF EXISTS shareholding_total_at_most_100 ON alliances_shareholding',
        'DROP FUNCTION IF EXISTS alliances_shareholding_total_check()',
    ],
}


def drop_hand_installed(apps, schema_editor):
    for statement in HAND_INSTALLED.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0004_project_alliance_code_for_list_order'),
        ('alliances', '0007_name_pinyin'),
    ]

    operations = [
        migrations.RunPython(drop_hand_installed, migrations.RunPython.noop, elidable=True),
        pgtrigger.migrations.AddTrigger(
            model_name='alliance',
            trigger=pgtrigger.compiler.Trigger(name='alliance_code_to_projects', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.code IS DISTINCT FROM NEW.code)', func='UPDATE projects_project SET alliance_code = NEW.code WHERE alliance_id = NEW.id; RETURN NULL;', hash='bf505f5532773667f5fc861bdec63cd0fa5de938', operation='UPDATE OF "code"', pgid='pgtrigger_alliance_code_to_projects_eda72', table='alliances_alliance', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalactivity',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='5ede93019edd685fe08c43e13927847e65ef883d', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_e6604', table='alliances_historicalactivity', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalalliance',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='9e816bf578c1a8c15b07f9dbe53b5f41f24060b8', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_1b993', table='alliances_historicalalliance', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalclaim',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='b8c344edfecc673817ed35ab8a48c29e2163ed44', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_d563b', table='alliances_historicalclaim', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalentityplatform',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='7df7b21699cb871bc2cab9994ce4eea20175e22f', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_07cb2', table='alliances_historicalentityplatform', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalmeeting',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='5b943e9feeb1ba402522fc20584504f9ba14ee0d', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_fdd19', table='alliances_historicalmeeting', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalmembership',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='820a1ec57f312b32bc54a915784cbbc7e0f2c2ef', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_b1410', table='alliances_historicalmembership', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalmentorship',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='6f6372b7ee97c642312401c7a4880405babfc3ce', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_36f77', table='alliances_historicalmentorship', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalneed',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='3de019fa5f5857f297c96831e7a8ab5837b612de', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_897d4', table='alliances_historicalneed', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalresource',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='f1d224f4cd31a1e5fbe3f867deee24612e7fe390', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_90830', table='alliances_historicalresource', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalshareholding',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='3eb26910360c6054b613a86b73fcee329d063179', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_49d06', table='alliances_historicalshareholding', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalteamrole',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='bd69bff2a120216d9b649f88205aba8adcb5b8a3', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_01254', table='alliances_historicalteamrole', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='shareholding',
            trigger=pgtrigger.compiler.Trigger(name='shareholding_total_at_most_100', sql=pgtrigger.compiler.UpsertTriggerSql(constraint='CONSTRAINT', declare='DECLARE total numeric;', func="\n                PERFORM 1 FROM alliances_entityplatform WHERE id = NEW.platform_id FOR NO KEY UPDATE;\n                SELECT COALESCE(SUM(percentage), 0) INTO total FROM alliances_shareholding\n                    WHERE platform_id = NEW.platform_id;\n                IF total > 100 THEN\n                    RAISE EXCEPTION 'shareholdings of platform % add up to % percent, more than 100',\n                        NEW.platform_id, total\n                        USING ERRCODE = 'check_violation', CONSTRAINT = 'shareholding_total_at_most_100';\n                END IF;\n                RETURN NULL;\n                ", hash='a1c9be0407abc14ad0205061f2daceed6d2e40c4', operation='INSERT OR UPDATE OF "percentage", "platform_id"', pgid='pgtrigger_shareholding_total_at_most_100_3d5c9', table='alliances_shareholding', timing='DEFERRABLE INITIALLY IMMEDIATE', when='AFTER')),
        ),
    ]
