# The cycle table's snapshot (a cycle's highest expense id) read from an index, not the rows.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("expenses", "0011_amounts_that_fit_every_currency"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="expense",
            index=models.Index(fields=["cycle", "id"], name="expenses_expense_cycle_id_id"),
        ),
    ]
