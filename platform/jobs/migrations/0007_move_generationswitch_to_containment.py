# The kill switch moved to containment (issue 15). State only: the table and its row stay;
# containment 0001 takes the model over under the same table name.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("containment", "0001_initial"),
        ("jobs", "0006_estimate_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="GenerationSwitch")],
            database_operations=[],
        ),
    ]
