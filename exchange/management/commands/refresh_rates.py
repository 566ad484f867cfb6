"""Fetch and store today's exchange rates for every base currency in use (cron-friendly).

Exit codes: 0 stored (or nothing new), 1 the provider failed for at least one base currency
(nothing stored for it; previous rates untouched), 2 bad arguments (unknown currency, bad date).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from exchange.exceptions import ExchangeProviderError, RatesRefreshFailed, UnknownCurrency
from exchange.services import StoreResult, refresh_rates

EXIT_PROVIDER_FAILED = 1
EXIT_USAGE = 2


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--date {value!r} is not a YYYY-MM-DD date.", returncode=EXIT_USAGE
        ) from None


def describe(result: StoreResult) -> str:
    line = (
        f"{result.base} {result.rate_date.isoformat()} from {result.provider}: "
        f"{len(result.created)} stored, {len(result.unchanged)} unchanged"
    )
    if result.skipped:
        line += (
            f", {len(result.skipped)} skipped (already stored with another value, kept): "
            + " ".join(result.skipped)
        )
    if result.ignored:
        line += f", {len(result.ignored)} ignored (currencies Colony does not offer)"
    return line + "."


class Command(BaseCommand):
    help = (
        "Fetch exchange rates for every household base currency (or --base) and store them. "
        "Exit 1 when the provider fails, 2 on bad arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base",
            dest="bases",
            action="extend",
            nargs="+",
            metavar="CODE",
            help="Base currencies to fetch (default: every household's base currency).",
        )
        parser.add_argument(
            "--date",
            dest="on_date",
            help="Fetch the rates for this YYYY-MM-DD date (needs {DATE} in EXCHANGE_RATES_URL).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing on success.")

    def _skipped(self, line: str) -> None:
        # Even with --quiet: something was left out and someone should know.
        self.stderr.write(f"Skipped: {line}")

    def handle(self, *args, bases=None, on_date=None, quiet=False, **options):
        day = _date(on_date) if on_date else None
        try:
            results = refresh_rates(bases=bases, on_date=day, report=self._skipped)
        except UnknownCurrency as error:
            raise CommandError(error.message, returncode=EXIT_USAGE) from None
        except RatesRefreshFailed as error:
            if not quiet:
                for result in error.results:
                    self.stdout.write(describe(result))
            raise CommandError(error.message, returncode=EXIT_PROVIDER_FAILED) from None
        except ExchangeProviderError as error:
            raise CommandError(error.message, returncode=EXIT_PROVIDER_FAILED) from None
        if not quiet:
            for result in results:
                self.stdout.write(describe(result))
