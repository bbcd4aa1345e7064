"""History tables append-only on PostgreSQL, declared with django-pgtrigger
(core.audit.APPEND_ONLY); members' migration drops the hand-installed trigger."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workshops', '0003_name_pinyin'),
    ]

    operations = [
        pgtrigger.migrations.AddTrigger(
            model_name='historicalworkshop',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='4dc0fdaddb097220f153b19bd48a6467edc28947', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_481dc', table='workshops_historicalworkshop', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='historicalworkshopreport',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='ce80dd3b38afcd4ac9a22e3e9ca6bc5c61d56038', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_3b9d0', table='workshops_historicalworkshopreport', when='BEFORE')),
        ),
    ]
