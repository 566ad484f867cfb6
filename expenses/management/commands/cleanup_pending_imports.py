"""`manage.py cleanup_pending_imports [--quiet]`: delete the bank statement uploads that
expired before anyone confirmed or cancelled them.

Each new upload removes the expired ones too; this is for cron, so that a statement nobody came
back to does not wait in the database until someone uploads again.
"""

from django.core.management.base import BaseCommand

from expenses.imports import services


class Command(BaseCommand):
    help = "Delete expired bank statement uploads (never confirmed or cancelled)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="print nothing on success")

    def handle(self, *args, quiet: bool = False, **options):
        deleted = services.remove_expired_pending_imports()
        if not quiet:
            self.stdout.write(
                f"Deleted {deleted} expired pending import{'s' if deleted != 1 else ''}."
            )
