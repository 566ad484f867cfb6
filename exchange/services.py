"""Storing fetched rates, and converting money with them.

Rates: `get_rate` answers with the freshest stored rate on or before a date — direct (A→B),
inverse (1 / B→A) or cross through a common base (C→B / C→A) — preferring direct, then inverse,
then cross when they are equally fresh. A rate is quantized once to 10 decimal places (what a
rate snapshot column holds), so a converted amount can be recomputed exactly from its snapshot.

Money: `convert` multiplies exactly and rounds once, half-even, to the target currency's minor
units. Only `Decimal` goes in; a float is a TypeError.

Caching: there is deliberately no process-wide cache. Colony runs many gunicorn workers; a
cache kept for the life of a process would keep serving yesterday's "latest" rate (or a "no
rate" answer) after `refresh_rates` or an admin fix in another process. Instead a `RateBook`
holds the rates for one unit of work — a request, a report, a command — and answers any number
of conversions from memory with a small, fixed number of queries. Use one whenever you convert
more than one amount: `book = RateBook(on_or_before=cycle.end_date, since=cycle.start_date)`,
or `rate_book_for_request(request)` to share one across a request.
"""

from __future__ import annotations

import bisect
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import (
    ROUND_05UP,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)

from django.conf import settings
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from accounts.models import Household
from formats.currencies import Currency, get_currency, is_known_currency

from .client import FetchedRates, RatesClient
from .exceptions import ExchangeProviderError, RatesRefreshFailed, RateUnavailable, UnknownCurrency
from .models import ExchangeRate
from .signals import rates_refreshed

logger = logging.getLogger("colony.exchange")

RATE_QUANTUM = Decimal("1E-10")  # ExchangeRate.rate and rate snapshots: decimal_places=10
# Division rounds to 34 digits with ROUND_05UP, which makes the later half-even rounding to 10
# places exact (no double-rounding error), whatever the quotient.
_DIVISION = Context(prec=34, rounding=ROUND_05UP, traps=[InvalidOperation, DivisionByZero])
# Multiplication must be exact so that money is rounded only once: trap anything inexact.
_EXACT = Context(prec=60, traps=[InvalidOperation, Overflow, Inexact])
_ROUNDING = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, Overflow])

SOURCE_IDENTITY = "identity"
SOURCE_DIRECT = "direct"
SOURCE_INVERSE = "inverse"
SOURCE_CROSS = "cross"
_PREFERENCE = {SOURCE_DIRECT: 0, SOURCE_INVERSE: 1, SOURCE_CROSS: 2}


@dataclass(frozen=True)
class RateQuote:
    """One unit of `from_currency` is worth `rate` units of `to_currency` (as of `rate_date`)."""

    rate: Decimal
    rate_date: date
    source: str
    from_currency: str = ""
    to_currency: str = ""
    via: str = ""  # the common base of a cross rate


@dataclass(frozen=True)
class StoreResult:
    """What one fetch changed. `skipped`: already stored for that date with another value, kept.
    `ignored`: currencies Colony does not know, not stored."""

    base: str
    rate_date: date
    provider: str
    created: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()


# -- currency and amount checks ----------------------------------------------------------------


def _currency(code: str) -> Currency:
    if not isinstance(code, str) or not is_known_currency(code):
        raise UnknownCurrency(str(code))
    return get_currency(code)


def _as_decimal(amount) -> Decimal:
    if isinstance(amount, bool | float) or not isinstance(amount, Decimal | int):
        raise TypeError(
            f"Money must be a Decimal (or int), not {type(amount).__name__}: "
            "floats cannot hold amounts exactly."
        )
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"Cannot convert a non-finite amount ({amount}).")
    return amount


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    return _DIVISION.divide(numerator, denominator).quantize(
        RATE_QUANTUM, rounding=ROUND_HALF_EVEN, context=_ROUNDING
    )


def inverse_rate(rate: Decimal) -> Decimal:
    """1 / `rate`, to 10 decimal places (half-even)."""
    return _ratio(Decimal(1), rate)


def apply_rate(amount: Decimal, rate: Decimal, to_currency: str) -> Decimal:
    """`amount` times `rate`, computed exactly and rounded once (half-even) to the currency's minor
    units. Use it to recompute an amount from a stored rate snapshot."""
    amount = _as_decimal(amount)
    rate = _as_decimal(rate)
    product = _EXACT.multiply(amount, rate)
    result = product.quantize(
        _currency(to_currency).quantum, rounding=ROUND_HALF_EVEN, context=_ROUNDING
    )
    return result.copy_abs() if result.is_zero() else result  # no "-0.00"


# -- reading rates -----------------------------------------------------------------------------


def _latest_per_pair(on_or_before: date):
    """One query: for every stored pair, its newest row dated on or before `on_or_before`."""
    return (
        ExchangeRate.objects.filter(rate_date__lte=on_or_before)
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=[F("base_currency"), F("quote_currency")],
                order_by=F("rate_date").desc(),
            )
        )
        .filter(newest=1)
        .values_list("base_currency", "quote_currency", "rate_date", "rate")
    )


class RateBook:
    """The stored rates for one unit of work, answering any number of conversions from memory.

    It covers the dates from `since` to `on_or_before` with at most two queries on first use
    (the newest rate of every pair as of the window's start, and every rate inside it); a date
    outside the window widens it with one or two more queries. Like any snapshot, it does not
    see rates stored after it loaded: make a new one per request or job.
    """

    def __init__(self, *, on_or_before: date | None = None, since: date | None = None):
        self._since = since
        self._until = on_or_before
        self._start: date | None = None
        self._end: date | None = None
        self._rates: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(dict)
        self._dates: dict[tuple[str, str], list[date]] = {}
        self._quotes_of_base: dict[str, set[str]] = defaultdict(set)
        self._answers: dict[tuple[str, str, date], RateQuote | None] = {}

    # -- loading ----------------------------------------------------------------------------

    def _add(self, rows: Iterable[tuple[str, str, date, Decimal]]) -> None:
        for base, quote, rate_date, rate in rows:
            self._rates[(base, quote)][rate_date] = rate
            self._quotes_of_base[base].add(quote)
        self._dates = {pair: sorted(by_date) for pair, by_date in self._rates.items()}

    def _between(self, after: date, until: date, *, inclusive: bool = True):
        rows = ExchangeRate.objects.filter(rate_date__gt=after)
        rows = rows.filter(rate_date__lte=until) if inclusive else rows.filter(rate_date__lt=until)
        return rows.values_list("base_currency", "quote_currency", "rate_date", "rate")

    def _cover(self, day: date) -> None:
        if self._start is None:
            start = min(self._since or day, day)
            end = max(self._until or day, day)
            self._add(_latest_per_pair(start))
            if end > start:
                self._add(self._between(start, end))
            self._start, self._end = start, end
        elif day > self._end:
            self._add(self._between(self._end, day))
            self._end = day
        elif day < self._start:
            self._add(_latest_per_pair(day))
            if self._start - day > timedelta(days=1):
                self._add(self._between(day, self._start, inclusive=False))
            self._start = day

    # -- answering --------------------------------------------------------------------------

    def _latest(self, base: str, quote: str, day: date) -> tuple[date, Decimal] | None:
        dates = self._dates.get((base, quote))
        if not dates:
            return None
        index = bisect.bisect_right(dates, day) - 1
        if index < 0:
            return None
        return dates[index], self._rates[(base, quote)][dates[index]]

    def _candidates(self, source: str, target: str, day: date) -> list[RateQuote]:
        found = []
        direct = self._latest(source, target, day)
        if direct:
            found.append(RateQuote(direct[1], direct[0], SOURCE_DIRECT, source, target))
        inverse = self._latest(target, source, day)
        if inverse:
            rate = _ratio(Decimal(1), inverse[1])
            found.append(RateQuote(rate, inverse[0], SOURCE_INVERSE, source, target))
        for via, quotes in self._quotes_of_base.items():
            if via in (source, target) or source not in quotes or target not in quotes:
                continue
            to_source = self._latest(via, source, day)
            to_target = self._latest(via, target, day)
            if to_source and to_target:
                rate = _ratio(to_target[1], to_source[1])
                # As old as its older leg: that is how stale the cross rate is.
                rate_date = min(to_source[0], to_target[0])
                found.append(RateQuote(rate, rate_date, SOURCE_CROSS, source, target, via))
        return found

    def rate(self, from_currency: str, to_currency: str, on_date: date) -> RateQuote:
        """The freshest rate on or before `on_date`; RateUnavailable when none can be made."""
        source, target = _currency(from_currency).code, _currency(to_currency).code
        if isinstance(on_date, datetime) or not isinstance(on_date, date):
            raise TypeError(f"on_date must be a date, not {type(on_date).__name__}.")
        if source == target:
            return RateQuote(Decimal(1), on_date, SOURCE_IDENTITY, source, target)
        key = (source, target, on_date)
        if key not in self._answers:
            self._cover(on_date)
            default_base = settings.DEFAULT_BASE_CURRENCY
            candidates = sorted(
                self._candidates(source, target, on_date),
                key=lambda q: (
                    -q.rate_date.toordinal(),
                    _PREFERENCE[q.source],
                    q.via != default_base,
                    q.via,
                ),
            )
            self._answers[key] = candidates[0] if candidates else None
        quote = self._answers[key]
        if quote is None:
            raise RateUnavailable(source, target, on_date)
        return quote

    def convert_with_quote(
        self, amount: Decimal, from_currency: str, to_currency: str, on_date: date
    ) -> tuple[Decimal, RateQuote]:
        amount = _as_decimal(amount)
        quote = self.rate(from_currency, to_currency, on_date)
        return apply_rate(amount, quote.rate, quote.to_currency), quote

    def convert(
        self, amount: Decimal, from_currency: str, to_currency: str, on_date: date
    ) -> Decimal:
        return self.convert_with_quote(amount, from_currency, to_currency, on_date)[0]


def rate_book_for_request(request) -> RateBook:
    """One RateBook shared by everything that converts during this request."""
    book = getattr(request, "_exchange_rate_book", None)
    if book is None:
        book = RateBook()
        request._exchange_rate_book = book
    return book


def get_rate(
    from_currency: str, to_currency: str, on_date: date, *, book: RateBook | None = None
) -> RateQuote:
    """The rate to use for `on_date`: identity, direct, inverse or cross, never a later one."""
    return (book or RateBook(on_or_before=on_date)).rate(from_currency, to_currency, on_date)


def convert_with_quote(
    amount: Decimal,
    from_currency: str,
    to_currency: str,
    on_date: date,
    *,
    book: RateBook | None = None,
) -> tuple[Decimal, RateQuote]:
    """`convert`, also returning the rate used, for callers that store a rate snapshot."""
    amount = _as_decimal(amount)
    book = book or RateBook(on_or_before=on_date)
    return book.convert_with_quote(amount, from_currency, to_currency, on_date)


def convert(
    amount: Decimal,
    from_currency: str,
    to_currency: str,
    on_date: date,
    *,
    book: RateBook | None = None,
) -> Decimal:
    """`amount` in `to_currency` at the rate for `on_date`, rounded once, half-even, to the
    target currency's minor units."""
    return convert_with_quote(amount, from_currency, to_currency, on_date, book=book)[0]


# -- storing rates -----------------------------------------------------------------------------


def store_rates(*, fetched: FetchedRates) -> StoreResult:
    """Store one fetch's rates for Colony's currencies in one transaction; a pair already stored
    for that date keeps its value (same value: unchanged, other value: skipped and logged)."""
    base = _currency(fetched.base).code
    wanted = {
        code: rate.quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN, context=_ROUNDING)
        for code, rate in fetched.rates.items()
        if code != base and is_known_currency(code)
    }
    ignored = tuple(sorted(code for code in fetched.rates if not is_known_currency(code)))
    with transaction.atomic():
        stored = dict(
            ExchangeRate.objects.filter(
                base_currency=base, rate_date=fetched.rate_date, quote_currency__in=list(wanted)
            ).values_list("quote_currency", "rate")
        )
        new_rows = [
            ExchangeRate(
                base_currency=base,
                quote_currency=code,
                rate=rate,
                rate_date=fetched.rate_date,
                provider=fetched.provider,
            )
            for code, rate in sorted(wanted.items())
            if code not in stored
        ]
        # ignore_conflicts: a concurrent refresh that stored the same pair first wins; history
        # is never overwritten.
        ExchangeRate.objects.bulk_create(new_rows, ignore_conflicts=True)
    skipped = tuple(sorted(code for code, rate in stored.items() if rate != wanted[code]))
    if skipped:
        logger.info(
            "provider changed stored rates; kept the stored ones",
            extra={"base": base, "rate_date": fetched.rate_date.isoformat(), "skipped": skipped},
        )
    return StoreResult(
        base=base,
        rate_date=fetched.rate_date,
        provider=fetched.provider,
        created=tuple(row.quote_currency for row in new_rows),
        unchanged=tuple(sorted(code for code, rate in stored.items() if rate == wanted[code])),
        skipped=skipped,
        ignored=ignored,
    )


def bases_in_use() -> list[str]:
    """The households' base currencies (the default one when there is no household yet)."""
    codes = {
        code.upper()
        for code in Household.objects.values_list("base_currency", flat=True).distinct()
    }
    return sorted(code for code in codes if is_known_currency(code)) or [
        settings.DEFAULT_BASE_CURRENCY
    ]


def refresh_rates(
    *,
    bases: list[str] | None = None,
    on_date: date | None = None,
    client: RatesClient | None = None,
    report: Callable[[str], None] | None = None,
) -> list[StoreResult]:
    """Fetch and store the rates of every base currency in use (or `bases`), one transaction
    per fetch; a base whose fetch fails stores nothing and is reported in RatesRefreshFailed
    after the others were stored. Sends `rates_refreshed` when anything was stored; its
    receivers pass `report` one line for each thing they had to leave out (e.g. an expense
    whose converted amount would not fit)."""
    codes = [_currency(code).code for code in bases] if bases else bases_in_use()
    codes = list(dict.fromkeys(codes))
    client = client or RatesClient()
    results: list[StoreResult] = []
    failed: list[tuple[str, ExchangeProviderError]] = []
    for code in codes:
        try:
            fetched = client.fetch(code, on_date=on_date)
        except ExchangeProviderError as error:
            failed.append((code, error))
            continue
        results.append(store_rates(fetched=fetched))
    if results:
        rates_refreshed.send(sender=ExchangeRate, results=results, report=report)
    if failed:
        reasons = "; ".join(error.message for _, error in failed)
        stored = f" (stored {', '.join(r.base for r in results)})" if results else ""
        raise RatesRefreshFailed(
            f"No rates stored for {', '.join(code for code, _ in failed)}: {reasons}{stored}",
            results=results,
            failed=[code for code, _ in failed],
        )
    return results
