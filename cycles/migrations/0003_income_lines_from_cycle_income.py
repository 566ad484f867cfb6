"""Each cycle's single `income` number becomes one income line, nothing lost: same amount, in
the base currency, expected on the cycle's first day, received when the cycle is completed."""

from django.db import migrations
from django.db.models import F


def income_to_lines(apps, schema_editor):
    Cycle = apps.get_model("cycles", "Cycle")
    IncomeLine = apps.get_model("cycles", "IncomeLine")
    cycles = Cycle.objects.filter(income__gt=0, income_lines__isnull=True).select_related(
        "household"
    )
    lines, received = [], []
    for cycle in cycles.iterator(chunk_size=500):
        done = cycle.status == "completed"
        lines.append(
            IncomeLine(
                cycle_id=cycle.pk,
                description="Income",
                amount=cycle.income,
                currency=cycle.household.base_currency,
                expected_date=cycle.start_date,
                is_received=done,
                received_on=(cycle.completed_at.date() if cycle.completed_at else cycle.end_date)
                if done
                else None,
                base_amount=cycle.income,
                rate=1,
                rate_date=cycle.start_date,
                rate_source="same",
            )
        )
        if done:
            received.append(cycle.pk)
    IncomeLine.objects.bulk_create(lines, batch_size=500)
    for start in range(0, len(received), 500):
        Cycle.objects.filter(pk__in=received[start : start + 500]).update(
            income_received=F("income")
        )


def lines_to_income(apps, schema_editor):
    # `income` was kept equal to the lines' total, so going back only drops the lines.
    Cycle = apps.get_model("cycles", "Cycle")
    Cycle.objects.update(income_received=0)


class Migration(migrations.Migration):
    dependencies = [("cycles", "0002_budgets_income_lines_and_events")]

    operations = [migrations.RunPython(income_to_lines, lines_to_income)]
