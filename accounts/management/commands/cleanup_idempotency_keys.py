"""`manage.py cleanup_idempotency_keys [--quiet]`: delete the API's idempotency keys older than
IDEMPOTENCY_KEY_HOURS (24 h), with the answers they kept.

A key past its time is started afresh when it is sent again, so this is only for space: run it
from cron (hourly or daily) beside cleanup_pending_imports.
"""

from django.core.management.base import BaseCommand

from accounts import idempotency


class Command(BaseCommand):
    help = "Delete API idempotency keys older than 24 hours."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="print nothing on success")

    def handle(self, *args, quiet: bool = False, **options):
        deleted = idempotency.remove_expired_idempotency_keys()
        if not quiet:
            self.stdout.write(
                f"Deleted {deleted} expired idempotency key{'s' if deleted != 1 else ''}."
            )
