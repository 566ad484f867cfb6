"""Email today's reminders to everyone who opted in (cron-friendly, at most one a day each).

Exit codes: 0 done (sent, or nothing to send); 1 at least one email could not be delivered (it
is retried on the next run); 2 bad arguments, or this server sends no email (EMAIL_URL unset).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from colony.mail import email_enabled
from reminders.services import send_reminders

EXIT_DELIVERY_FAILED = 1
EXIT_USAGE = 2


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--date {value!r} is not a YYYY-MM-DD date.", returncode=EXIT_USAGE
        ) from None


class Command(BaseCommand):
    help = (
        "Email each person who turned reminders on what is due in their next days. Safe to run "
        "more than once a day. Exit 1 when an email could not be delivered, 2 without email."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="on_date", help="Remind as if today were this YYYY-MM-DD date."
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing on success.")

    def handle(self, *args, on_date=None, quiet=False, **options):
        today = _date(on_date) if on_date else timezone.localdate()
        if not email_enabled():
            raise CommandError(
                "This server sends no email (EMAIL_URL is not set): no reminders sent.",
                returncode=EXIT_USAGE,
            )
        summary = send_reminders(today=today)
        line = (
            f"Reminders for {today.isoformat()}: {len(summary.sent)} sent, "
            f"{len(summary.already_sent)} already sent today, "
            f"{len(summary.nothing_due)} with nothing due, {len(summary.failed)} failed."
        )
        if summary.failed:
            raise CommandError(line, returncode=EXIT_DELIVERY_FAILED)
        if not quiet:
            self.stdout.write(line)
