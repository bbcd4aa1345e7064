"""Texts saved from a browser kept a CR before each line break; they are stored with LF,
as the forms now read them (core.widgets.Textarea)."""

from functools import partial

from django.db import migrations

from core.db import store_line_breaks_as_lf


class Migration(migrations.Migration):
    dependencies = [("alliances", "0008_triggers_declared")]

    operations = [
        migrations.RunPython(partial(store_line_breaks_as_lf, app_label="alliances"), migrations.RunPython.noop, elidable=True)
    ]
