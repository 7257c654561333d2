# The notification rows now belong to the notifications app (issue 15). State only: the
# table ``portal_notification`` stays where it is, with its rows, and is
# ``notifications.Notification`` from notifications' 0002 on.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_notification_kind_and_job"),
        ("notifications", "0002_notification"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
