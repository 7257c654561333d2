# Worker heartbeats moved to jobs (issue 15; jobs 0008 takes the model over under the same
# table name). State only: no row moves.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("observability", "0001_initial"),
        ("jobs", "0008_workerheartbeat_from_observability"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="WorkerHeartbeat")],
            database_operations=[],
        ),
    ]
