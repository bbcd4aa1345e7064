"""User accounts' API tokens move from DRF's authtoken (the key stored in clear) to
django-rest-knox (only the key's SHA-512 stored, with an expiry). Each existing key keeps
working, now hashed and expiring API_TOKEN_TTL_DAYS after this migration; then the old
table, and the clear keys in it, are dropped. Not reversible: the keys are gone."""

import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if "authtoken_token" not in connection.introspection.table_names(cursor):
            return
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
    AuthToken = apps.get_model("knox", "AuthToken")
    expiry = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    AuthToken.objects.using(connection.alias).bulk_create(
        [
            AuthToken(digest=hash_token(key), token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id, expiry=expiry)
            for key, user_id in rows
        ]
    )
    schema_editor.execute("DROP TABLE authtoken_token", params=None)
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("knox", "0009_extend_authtoken_field"),
        ("members", "0007_history_append_only_declared"),
    ]

    operations = [migrations.RunPython(hash_drf_tokens, elidable=True)]
