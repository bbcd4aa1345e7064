# The in-app notice moved to the notices app (its rows copied by notices 0002).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0008_user_api_tokens_hashed'),
        ('notices', '0002_copy_members_notices'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Notice',
        ),
    ]
