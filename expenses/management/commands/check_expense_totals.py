"""`manage.py check_expense_totals [--repair]`: recount every trigger total from the
expenses and report any drift (exit 1), or repair it.

The totals are kept by database triggers in the same transaction as every expense write, so
drift means something bypassed them (a restore from a dump without triggers, a hand-edited
row). Run it after such an event, or from cron as a watchdog.
"""

from django.core.management.base import BaseCommand, CommandError

from expenses import totals


class Command(BaseCommand):
    help = "Recount the trigger totals from the expenses; report (or --repair) any drift."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="rewrite the drifted totals from the expenses"
        )

    def handle(self, *args, repair: bool = False, **options):
        drift = totals.find_drift()
        if not drift:
            self.stdout.write("Expense totals match the expenses.")
            return
        for found in drift:
            self.stdout.write(f"drift: {found}")
        if not repair:
            raise CommandError(
                f"{len(drift)} trigger total{'s' if len(drift) != 1 else ''} differ from the "
                "expenses; run with --repair to recount them."
            )
        totals.rebuild(sorted({found.key[0] for found in drift}))
        left = totals.find_drift()
        if left:
            raise CommandError(f"{len(left)} totals still differ after the repair.")
        self.stdout.write(f"Repaired {len(drift)} total{'s' if len(drift) != 1 else ''}.")
