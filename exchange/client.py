"""The HTTP client for the exchange-rate provider: fetch one base currency's rates, trust nothing.

Every way the provider can fail — unreachable, slow, 5xx, rate-limited, or a payload that is not
exactly what we expect — ends in `ExchangeProviderError` with one printable line. The whole
payload is validated before anything is returned, so a caller never stores half a set.

Settings (see colony/settings/base.py):
- `EXCHANGE_RATES_URL`: template with `{BASE}` (the base currency), optionally `{DATE}`
  (YYYY-MM-DD for a historical fetch, `latest` otherwise) and `{API_KEY}` (for providers that
  want the key in the path or query). Without `{DATE}` only the latest rates can be fetched.
- `EXCHANGE_RATES_API_KEY`: when set and the URL has no `{API_KEY}`, it is sent as
  `Authorization: Bearer <key>`. Never logged, never in an error message (we never print URLs).
- `EXCHANGE_RATES_PROVIDER_NAME`, `EXCHANGE_RATES_TIMEOUT` (connect, read) seconds per attempt,
  `EXCHANGE_RATES_DEADLINE` seconds for the whole fetch (every attempt and its body).

The body is streamed and counted after decompression, so neither a huge answer nor a gzip bomb
is ever held whole, and a provider that drips a byte at a time (each within the read timeout)
still ends at the deadline.

Two payload shapes are accepted: exchangerate-api v4 (`base`, `date`, `rates`, ...) and
Frankfurter/ECB (`amount`: 1, `base`, `date`, `rates`). Every rate is validated, including rates
for currencies Colony does not know (a broken value anywhere means a broken payload); which of
them are stored is the service's decision (`exchange.services.store_rates`).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.utils import timezone

from .exceptions import ExchangeProviderError

logger = logging.getLogger("colony.exchange")

CODE_RE = re.compile(r"^[A-Z]{3}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What fits ExchangeRate.rate (max_digits=20, decimal_places=10) without rounding to zero.
SMALLEST_RATE = Decimal("0.0000000001")
LARGEST_RATE = Decimal("1e10")
MAX_BODY_BYTES = 1_000_000
READ_CHUNK_BYTES = 64 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchedRates:
    """One validated answer of the provider: units of each quote currency per one `base`."""

    base: str
    rate_date: date
    rates: dict[str, Decimal] = field(repr=False)
    provider: str


def _reject_constant(name: str):
    raise ValueError(f"non-finite number {name}")


class RatesClient:
    """Fetches rates with timeouts and a bounded retry (connection errors, timeouts, 5xx, 429).

    `sleep` is injectable so tests can assert the back-off without waiting for it.
    """

    def __init__(
        self,
        *,
        url_template: str | None = None,
        api_key: str | None = None,
        provider_name: str | None = None,
        timeout: tuple[float, float] | None = None,
        deadline_seconds: float | None = None,
        max_attempts: int = 3,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 30.0,
        max_retry_after_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ):
        self.url_template = url_template or settings.EXCHANGE_RATES_URL
        self.api_key = settings.EXCHANGE_RATES_API_KEY if api_key is None else api_key
        self.provider_name = provider_name or settings.EXCHANGE_RATES_PROVIDER_NAME
        self.timeout = tuple(timeout or settings.EXCHANGE_RATES_TIMEOUT)
        self.deadline_seconds = deadline_seconds or settings.EXCHANGE_RATES_DEADLINE
        self.max_attempts = max(1, max_attempts)
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.max_retry_after_seconds = max_retry_after_seconds
        self.sleep = sleep
        self.session = session or requests.Session()

    # -- public -----------------------------------------------------------------------------

    def fetch(self, base: str, *, on_date: date | None = None) -> FetchedRates:
        """The provider's rates for `base` (latest, or for `on_date` when the URL allows it)."""
        base = (base or "").strip().upper()
        if not CODE_RE.match(base):
            raise ExchangeProviderError(f"“{base}” is not a three-letter currency code.")
        if on_date is not None and "{DATE}" not in self.url_template:
            raise ExchangeProviderError(
                "EXCHANGE_RATES_URL has no {DATE} placeholder, so this provider can only give "
                "the latest rates; leave out --date."
            )
        content = self._get(self._url(base, on_date), base)
        return self._parse(content, base=base, on_date=on_date)

    # -- HTTP -------------------------------------------------------------------------------

    def _url(self, base: str, on_date: date | None) -> str:
        return (
            self.url_template.replace("{BASE}", base)
            .replace("{DATE}", on_date.isoformat() if on_date else "latest")
            .replace("{API_KEY}", self.api_key or "")
        )

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.api_key and "{API_KEY}" not in self.url_template:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _host(self) -> str:
        return urlsplit(self.url_template.replace("{BASE}", "X")).hostname or "the provider"

    def _get(self, url: str, base: str) -> bytes:
        """The body of the first good answer, within the deadline for the whole fetch."""
        host = self._host()
        deadline = time.monotonic() + self.deadline_seconds
        problem = ""
        for attempt in range(1, self.max_attempts + 1):
            delay = self._backoff(attempt)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            timeout = (min(self.timeout[0], remaining), min(self.timeout[1], remaining))
            try:
                response = self.session.get(
                    url, headers=self._headers(), timeout=timeout, stream=True
                )
            except requests.Timeout:
                problem = f"{host} did not answer in time"
            except requests.ConnectionError:
                problem = f"could not connect to {host}"
            except requests.RequestException as error:
                # Not worth retrying (bad URL, too many redirects...); the class name only,
                # since requests' messages contain the URL and with it possibly the key.
                raise ExchangeProviderError(
                    f"Request to {host} failed ({type(error).__name__})."
                ) from None
            else:
                with response:
                    if response.status_code < 400:
                        return self._read_body(response, base=base, deadline=deadline)
                problem = f"{host} answered HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    hint = (
                        " (check EXCHANGE_RATES_API_KEY)"
                        if response.status_code in (401, 403)
                        else ""
                    )
                    raise ExchangeProviderError(f"{problem} for {base}{hint}.")
                if response.status_code == 429:
                    delay = self._retry_after(response) or delay
            # DEBUG: the caller reports the final failure in one line; attempts are detail.
            logger.debug(
                "exchange provider attempt failed",
                extra={"base": base, "attempt": attempt, "problem": problem},
            )
            if attempt < self.max_attempts:
                self.sleep(delay)
        else:
            raise ExchangeProviderError(f"{problem} for {base} (gave up after {attempt} attempts).")
        raise self._too_slow(host, base, problem)

    def _too_slow(self, host: str, base: str, problem: str = "") -> ExchangeProviderError:
        detail = f" ({problem})" if problem else ""
        return ExchangeProviderError(
            f"{host} did not finish within {self.deadline_seconds:g} s for {base}{detail}."
        )

    def _read_body(self, response: requests.Response, *, base: str, deadline: float) -> bytes:
        """The body, read a piece at a time (decompressed as it comes) until it ends, passes
        MAX_BODY_BYTES or the deadline; never more than the cap plus one piece in memory."""
        host = self._host()
        too_large = ExchangeProviderError(
            f"{host} sent unusable rates for {base}: the answer is too large."
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise too_large
        body = bytearray()
        try:
            while True:
                if time.monotonic() > deadline:
                    raise self._too_slow(host, base, "the answer kept coming")
                # read1: whatever arrived (at most one socket read), not a full chunk.
                piece = response.raw.read1(READ_CHUNK_BYTES, decode_content=True)
                if not piece:
                    return bytes(body)
                body += piece
                if len(body) > MAX_BODY_BYTES:
                    raise too_large
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as error:
            # A read timeout, a connection cut mid-body, or a broken gzip stream.
            raise ExchangeProviderError(
                f"{host} broke off its answer for {base} ({type(error).__name__})."
            ) from None

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)

    def _retry_after(self, response: requests.Response) -> float | None:
        value = (response.headers.get("Retry-After") or "").strip()
        if not value.isdigit():
            return None  # an HTTP-date or garbage: fall back to our own back-off
        return min(int(value), self.max_retry_after_seconds)

    # -- payload ----------------------------------------------------------------------------

    def _parse(self, content: bytes, *, base: str, on_date: date | None):
        def fail(reason: str):
            return ExchangeProviderError(
                f"{self._host()} sent unusable rates for {base}: {reason}."
            )

        try:
            payload = json.loads(
                content.decode("utf-8"),
                parse_float=Decimal,
                parse_int=Decimal,
                parse_constant=_reject_constant,
            )
        except (UnicodeDecodeError, ValueError, RecursionError):
            # RecursionError: JSON nested deeper than Python's stack (a hostile payload).
            raise fail("the answer is not valid JSON") from None
        if not isinstance(payload, dict):
            raise fail("the answer is not a JSON object")
        if payload.get("result") == "error":
            raise fail(f"the provider reported {str(payload.get('error-type', 'an error'))[:60]}")

        payload_base = payload.get("base")
        if not isinstance(payload_base, str) or payload_base.upper() != base:
            raise fail(f"it is for base {str(payload_base)[:10]!r}, not {base}")

        amount = payload.get("amount", Decimal(1))
        if not isinstance(amount, Decimal) or amount != 1:
            raise fail("rates are not per one unit of the base currency")

        rate_date = self._parse_date(payload.get("date"), fail)
        latest_allowed = on_date or (timezone.localdate() + timedelta(days=1))
        if rate_date > latest_allowed:
            raise fail(f"its date {rate_date} is later than {latest_allowed}")

        rates = payload.get("rates")
        if not isinstance(rates, dict) or not rates:
            raise fail("“rates” is missing or empty")
        parsed: dict[str, Decimal] = {}
        for code, value in rates.items():
            if not isinstance(code, str) or not CODE_RE.match(code):
                raise fail(f"{str(code)[:10]!r} is not a currency code")
            # bool is not Decimal: with parse_int/parse_float every JSON number is a Decimal.
            if not isinstance(value, Decimal) or not value.is_finite():
                raise fail(f"the rate for {code} is not a number")
            if value <= 0:
                raise fail(f"the rate for {code} ({value}) is not positive")
            if not SMALLEST_RATE <= value < LARGEST_RATE:
                raise fail(f"the rate for {code} ({value}) is out of range")
            parsed[code] = value
        if base in parsed and parsed[base] != 1:
            raise fail(f"it says 1 {base} = {parsed[base]} {base}")
        parsed.pop(base, None)
        if not parsed:
            raise fail("it holds no rates for other currencies")
        return FetchedRates(
            base=base, rate_date=rate_date, rates=parsed, provider=self.provider_name
        )

    @staticmethod
    def _parse_date(value, fail) -> date:
        if not isinstance(value, str) or not DATE_RE.match(value):
            raise fail("“date” is missing or not YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise fail(f"“date” {value!r} is not a real date") from None
