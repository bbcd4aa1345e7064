# Copies the in-app notices of members.Notice (Friday reminders) into notices.Notice:
# kind → event, the week's Monday → key, message → title; a reminder that was e-mailed
# gets its e-mail delivery recorded as sent.

from django.db import migrations


def copy_notices(apps, schema_editor):
    Old = apps.get_model("members", "Notice")
    Notice = apps.get_model("notices", "Notice")
    Delivery = apps.get_model("notices", "Delivery")
    for old in Old.objects.order_by("pk").iterator():
        notice, created = Notice.objects.get_or_create(
            recipient_id=old.user_id,
            event=old.kind,
            key=old.period_start.isoformat(),
            defaults={"title": old.message, "link": old.link, "read_at": old.read_at},
        )
        if not created:
            continue
        # created_at is auto_now_add: keep the original time.
        Notice.objects.filter(pk=notice.pk).update(created_at=old.created_at)
        if old.emailed:
            Delivery.objects.create(
                notice=notice, channel="email", state="sent", attempts=1, sent_at=old.created_at, address=""
            )


def copy_back(apps, schema_editor):
    Old = apps.get_model("members", "Notice")
    Notice = apps.get_model("notices", "Notice")
    for notice in Notice.objects.filter(event="progress_reminder").iterator():
        Old.objects.get_or_create(
            user_id=notice.recipient_id,
            kind=notice.event,
            period_start=notice.key,
            defaults={
                "message": notice.title[:300],
                "link": notice.link[:200],
                "read_at": notice.read_at,
                "emailed": notice.deliveries.filter(channel="email", state="sent").exists(),
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0001_notices_deliveries_preferences_robots"),
        ("members", "0008_user_api_tokens_hashed"),
    ]

    operations = [migrations.RunPython(copy_notices, copy_back)]
