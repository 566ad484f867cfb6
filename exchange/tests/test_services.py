import contextlib
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, FloatOperation, localcontext

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import HouseholdFactory
from exchange import services
from exchange.client import FetchedRates
from exchange.exceptions import (
    ExchangeProviderError,
    RatesRefreshFailed,
    RateUnavailable,
    UnknownCurrency,
)
from exchange.models import ExchangeRate
from exchange.services import RateBook, convert, convert_with_quote, get_rate
from exchange.signals import rates_refreshed
from formats.currencies import get_currency

from .conftest import USD_URL, sample, usd_payload
from .factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)
TEN_PLACES = Decimal("1E-10")


def _fetched(rates, *, base="USD", rate_date=DAY, provider="test-provider"):
    return FetchedRates(
        base=base,
        rate_date=rate_date,
        rates={code: Decimal(value) for code, value in rates.items()},
        provider=provider,
    )


def _rows():
    return list(
        ExchangeRate.objects.order_by("base_currency", "quote_currency", "rate_date").values_list(
            "base_currency", "quote_currency", "rate_date", "rate", "provider", "fetched_at"
        )
    )


# -- store_rates -------------------------------------------------------------------------------


def test_storing_a_fetch_writes_one_row_per_known_currency():
    result = services.store_rates(
        fetched=_fetched({"EUR": "0.9234", "JPY": "154.12", "BHD": "0.376", "XAU": "0.0004"})
    )

    assert result.created == ("BHD", "EUR", "JPY")
    assert result.ignored == ("XAU",)
    assert dict(ExchangeRate.objects.values_list("quote_currency", "rate")) == {
        "EUR": Decimal("0.9234"),
        "JPY": Decimal("154.12"),
        "BHD": Decimal("0.376"),
    }
    row = ExchangeRate.objects.get(quote_currency="JPY")
    assert (row.base_currency, row.rate_date, row.provider) == ("USD", DAY, "test-provider")


def test_storing_the_same_fetch_again_changes_nothing():
    fetched = _fetched({"EUR": "0.9234", "JPY": "154.12"})
    services.store_rates(fetched=fetched)
    before = _rows()

    result = services.store_rates(fetched=fetched)

    assert result.created == ()
    assert result.unchanged == ("EUR", "JPY")
    assert result.skipped == ()
    assert _rows() == before


def test_a_different_value_for_a_stored_date_is_skipped_and_the_stored_one_kept():
    services.store_rates(fetched=_fetched({"EUR": "0.9234", "JPY": "154.12"}))

    result = services.store_rates(
        fetched=_fetched({"EUR": "0.9300", "JPY": "154.12", "GBP": "0.7871"}, provider="other")
    )

    assert result.skipped == ("EUR",)
    assert result.unchanged == ("JPY",)
    assert result.created == ("GBP",)
    assert ExchangeRate.objects.get(quote_currency="EUR").rate == Decimal("0.9234")
    assert ExchangeRate.objects.get(quote_currency="EUR").provider == "test-provider"


def test_a_new_date_adds_history_and_keeps_the_old_rows():
    services.store_rates(fetched=_fetched({"EUR": "0.9234"}))
    services.store_rates(fetched=_fetched({"EUR": "0.9301"}, rate_date=DAY + timedelta(days=1)))

    assert list(ExchangeRate.objects.order_by("rate_date").values_list("rate_date", "rate")) == [
        (DAY, Decimal("0.9234")),
        (DAY + timedelta(days=1), Decimal("0.9301")),
    ]


def test_stored_rates_are_rounded_half_even_to_ten_places():
    services.store_rates(fetched=_fetched({"EUR": "0.12345678905", "GBP": "0.12345678915"}))

    rates = dict(ExchangeRate.objects.values_list("quote_currency", "rate"))
    assert rates == {"EUR": Decimal("0.1234567890"), "GBP": Decimal("0.1234567892")}


def test_storing_for_an_unknown_base_is_refused():
    with pytest.raises(UnknownCurrency):
        services.store_rates(fetched=_fetched({"EUR": "1.1"}, base="XAU"))
    assert not ExchangeRate.objects.exists()


# -- refresh_rates -----------------------------------------------------------------------------


@pytest.fixture
def refreshed():
    calls = []

    def receiver(sender, results, **kwargs):
        calls.append(results)

    rates_refreshed.connect(receiver)
    yield calls
    rates_refreshed.disconnect(receiver)


def test_refresh_fetches_every_household_base_currency(provider, client_factory, refreshed):
    HouseholdFactory(base_currency="USD")
    HouseholdFactory(base_currency="EUR")
    HouseholdFactory(base_currency="USD")
    provider.get(USD_URL, body=usd_payload())
    provider.get(
        "https://rates.example.test/v4/latest/EUR", body=sample("rates-eur-frankfurter.json")
    )

    results = services.refresh_rates(client=client_factory())

    assert [r.base for r in results] == ["EUR", "USD"]
    assert ExchangeRate.objects.filter(base_currency="USD").count() == 16
    assert ExchangeRate.objects.filter(base_currency="EUR").count() == 7
    assert refreshed == [results]


def test_refresh_without_households_fetches_usd(provider, client_factory):
    provider.get(USD_URL, body=usd_payload())

    results = services.refresh_rates(client=client_factory())

    assert [r.base for r in results] == ["USD"]


def test_refresh_for_given_bases_only(provider, client_factory):
    HouseholdFactory(base_currency="EUR")
    provider.get(USD_URL, body=usd_payload())

    results = services.refresh_rates(bases=["usd"], client=client_factory())

    assert [r.base for r in results] == ["USD"]
    assert not ExchangeRate.objects.filter(base_currency="EUR").exists()


def test_refresh_for_an_unknown_currency_is_refused(client_factory):
    with pytest.raises(UnknownCurrency):
        services.refresh_rates(bases=["XYZ"], client=client_factory())


def test_failed_refresh_leaves_stored_rates_untouched(provider, client_factory, refreshed):
    ExchangeRateFactory(quote_currency="EUR", rate=Decimal("0.91"), rate_date=DAY)
    before = _rows()
    provider.get(USD_URL, body=requests.exceptions.ConnectionError("refused"))

    with pytest.raises(ExchangeProviderError) as error:
        services.refresh_rates(client=client_factory())

    assert "could not connect" in error.value.message
    assert _rows() == before
    assert refreshed == []


def test_one_failing_base_does_not_stop_the_others(provider, client_factory, refreshed):
    provider.get(USD_URL, body=usd_payload())
    provider.get("https://rates.example.test/v4/latest/EUR", status=500)

    with pytest.raises(RatesRefreshFailed) as error:
        services.refresh_rates(bases=["EUR", "USD"], client=client_factory())

    assert error.value.failed == ["EUR"]
    assert [r.base for r in error.value.results] == ["USD"]
    assert error.value.message.startswith("No rates stored for EUR: ")
    assert ExchangeRate.objects.filter(base_currency="USD").count() == 16
    assert not ExchangeRate.objects.filter(base_currency="EUR").exists()
    assert len(refreshed) == 1


# -- get_rate ----------------------------------------------------------------------------------


def test_same_currency_is_identity_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        quote = get_rate("EUR", "eur", DAY)
    assert (quote.rate, quote.rate_date, quote.source) == (Decimal(1), DAY, "identity")


def test_direct_rate():
    ExchangeRateFactory(base_currency="USD", quote_currency="EUR", rate=Decimal("0.9234"))

    quote = get_rate("USD", "EUR", DAY)

    assert (quote.rate, quote.rate_date, quote.source) == (Decimal("0.9234"), DAY, "direct")


def test_inverse_rate_when_only_the_reverse_pair_is_stored():
    ExchangeRateFactory(base_currency="USD", quote_currency="EUR", rate=Decimal("0.9234"))

    quote = get_rate("EUR", "USD", DAY)

    assert quote.source == "inverse"
    assert quote.rate == (Decimal(1) / Decimal("0.9234")).quantize(TEN_PLACES, ROUND_HALF_EVEN)
    assert quote.rate == Decimal("1.0829542993")


def test_cross_rate_through_a_common_base():
    ExchangeRateFactory(base_currency="USD", quote_currency="EUR", rate=Decimal("0.9234"))
    ExchangeRateFactory(base_currency="USD", quote_currency="JPY", rate=Decimal("154.12"))

    quote = get_rate("EUR", "JPY", DAY)

    assert (quote.source, quote.via, quote.rate_date) == ("cross", "USD", DAY)
    expected = (Decimal("154.12") / Decimal("0.9234")).quantize(TEN_PLACES, ROUND_HALF_EVEN)
    assert quote.rate == expected == Decimal("166.9049166125")


def test_cross_rate_is_as_old_as_its_older_leg():
    ExchangeRateFactory(quote_currency="EUR", rate=Decimal("0.9"), rate_date=DAY)
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("150"), rate_date=DAY - timedelta(2))

    assert get_rate("EUR", "JPY", DAY).rate_date == DAY - timedelta(2)


def test_latest_rate_on_or_before_the_date_is_used_never_a_later_one():
    for offset, rate in [(-2, "0.90"), (0, "0.92"), (5, "0.99")]:
        ExchangeRateFactory(rate=Decimal(rate), rate_date=DAY + timedelta(days=offset))

    assert get_rate("USD", "EUR", DAY + timedelta(days=1)).rate == Decimal("0.92")
    assert get_rate("USD", "EUR", DAY - timedelta(days=1)).rate == Decimal("0.90")
    assert get_rate("USD", "EUR", DAY).rate_date == DAY
    with pytest.raises(RateUnavailable):
        get_rate("USD", "EUR", DAY - timedelta(days=3))


def test_direct_rate_wins_over_equally_fresh_inverse():
    ExchangeRateFactory(base_currency="USD", quote_currency="EUR", rate=Decimal("0.9"))
    ExchangeRateFactory(base_currency="EUR", quote_currency="USD", rate=Decimal("1.2"))

    assert get_rate("USD", "EUR", DAY).source == "direct"
    assert get_rate("EUR", "USD", DAY).rate == Decimal("1.2")


def test_fresher_inverse_wins_over_a_stale_direct_rate():
    ExchangeRateFactory(
        base_currency="USD",
        quote_currency="EUR",
        rate=Decimal("0.8"),
        rate_date=DAY - timedelta(30),
    )
    ExchangeRateFactory(base_currency="EUR", quote_currency="USD", rate=Decimal("1.25"))

    quote = get_rate("USD", "EUR", DAY)

    assert (quote.source, quote.rate, quote.rate_date) == ("inverse", Decimal("0.8"), DAY)


def test_missing_rate_is_a_422_domain_error():
    ExchangeRateFactory(base_currency="USD", quote_currency="EUR")

    with pytest.raises(RateUnavailable) as error:
        get_rate("GBP", "JPY", DAY)

    assert error.value.status == 422
    assert error.value.code == "RATE_UNAVAILABLE"
    assert error.value.message == (
        "No exchange rate from GBP to JPY is stored for 2026-11-20 or earlier."
    )


def test_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrency, match="XYZ"):
        get_rate("XYZ", "USD", DAY)


# -- convert -----------------------------------------------------------------------------------


def test_convert_to_yen_rounds_half_even_to_whole_yen():
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("150"))

    # 0.03 * 150 = 4.5: half-even gives 4 where half-up would give 5.
    assert convert(Decimal("0.03"), "USD", "JPY", DAY) == Decimal("4")
    assert convert(Decimal("0.05"), "USD", "JPY", DAY) == Decimal("8")  # 7.5 → 8
    assert convert(Decimal("0.03"), "USD", "JPY", DAY).as_tuple().exponent == 0


def test_convert_to_bahraini_dinar_rounds_half_even_to_three_places():
    ExchangeRateFactory(quote_currency="BHD", rate=Decimal("0.3765"))

    # 1.00 * 0.3765 = 0.3765: half-even 0.376, half-up would be 0.377.
    assert str(convert(Decimal("1.00"), "USD", "BHD", DAY)) == "0.376"
    assert str(convert(Decimal("3.00"), "USD", "BHD", DAY)) == "1.130"  # 1.1295 → 1.130


def test_convert_from_yen_to_dollars_keeps_cents():
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("154.12"))

    # 1000 / 154.12 at 10 places = 0.0064884506, * 1000 = 6.4884506 → 6.49.
    assert str(convert(Decimal("1000"), "JPY", "USD", DAY)) == "6.49"


def test_identity_conversion_still_rounds_to_the_currency():
    assert str(convert(Decimal("12.345"), "USD", "USD", DAY)) == "12.34"
    assert str(convert(10, "USD", "USD", DAY)) == "10.00"


def test_convert_with_quote_returns_the_snapshot_used():
    ExchangeRateFactory(quote_currency="EUR", rate=Decimal("0.9234"))

    amount, quote = convert_with_quote(Decimal("10.00"), "USD", "EUR", DAY + timedelta(days=2))

    assert amount == Decimal("9.23")
    assert (quote.rate, quote.rate_date, quote.source) == (Decimal("0.9234"), DAY, "direct")
    assert services.apply_rate(Decimal("10.00"), quote.rate, "EUR") == amount


@pytest.mark.parametrize("amount", [1.5, "1.50", None, True])
def test_non_decimal_amounts_are_refused(amount):
    with pytest.raises(TypeError):
        convert(amount, "USD", "USD", DAY)


def test_nan_amount_is_refused():
    with pytest.raises(ValueError):
        convert(Decimal("NaN"), "USD", "USD", DAY)


def test_converting_without_a_rate_raises_rate_unavailable():
    with pytest.raises(RateUnavailable):
        convert(Decimal("1.00"), "USD", "EUR", DAY)


def test_negative_amounts_round_symmetrically():
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("150"))
    assert convert(Decimal("-0.03"), "USD", "JPY", DAY) == Decimal("-4")
    assert str(convert(Decimal("-0.001"), "USD", "USD", DAY)) == "0.00"


# -- RateBook: many conversions, few queries ---------------------------------------------------


def test_converting_a_thousand_amounts_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    start = DAY - timedelta(days=29)
    for offset in range(30):
        day = start + timedelta(days=offset)
        for quote, rate in [("EUR", "0.92"), ("JPY", "150"), ("BHD", "0.376")]:
            ExchangeRateFactory(quote_currency=quote, rate=Decimal(rate), rate_date=day)

    book = RateBook(on_or_before=DAY, since=start)
    currencies = ["EUR", "JPY", "BHD", "USD"]
    with django_assert_max_num_queries(2):
        total = Decimal(0)
        for n in range(1000):
            source = currencies[n % 4]
            total += book.convert(Decimal("12.34"), source, "EUR", start + timedelta(n % 30))

    assert isinstance(total, Decimal)


def test_rate_book_answers_like_get_rate_inside_and_outside_its_window(
    django_assert_max_num_queries,
):
    for offset, rate in [(-10, "0.80"), (-1, "0.90"), (0, "0.92"), (3, "0.95")]:
        ExchangeRateFactory(rate=Decimal(rate), rate_date=DAY + timedelta(days=offset))
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("150"), rate_date=DAY - timedelta(9))
    book = RateBook(on_or_before=DAY, since=DAY - timedelta(days=1))

    days = [DAY + timedelta(days=offset) for offset in range(-12, 6)]
    for day in days:
        for pair in [("USD", "EUR"), ("EUR", "USD"), ("EUR", "JPY")]:
            try:
                expected = get_rate(*pair, day)
            except RateUnavailable:
                with pytest.raises(RateUnavailable):
                    book.rate(*pair, day)
            else:
                assert book.rate(*pair, day) == expected, (pair, day)

    # Asked again, the book answers from memory (missing rates included).
    with django_assert_max_num_queries(0):
        for day in days:
            with contextlib.suppress(RateUnavailable):
                book.rate("EUR", "JPY", day)


def test_single_conversion_is_one_query(django_assert_num_queries):
    ExchangeRateFactory(quote_currency="EUR")
    with django_assert_num_queries(1):
        convert(Decimal("1.00"), "USD", "EUR", DAY)


def test_request_rate_book_is_shared_within_a_request(rf):
    request = rf.get("/")
    assert services.rate_book_for_request(request) is services.rate_book_for_request(request)


# -- property: exact Decimal arithmetic, one rounding ------------------------------------------

TARGETS = ["JPY", "USD", "BHD", "KWD", "EUR"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    amounts=st.lists(
        st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
        min_size=1,
        max_size=8,
    ),
    rate=st.decimals(
        min_value=Decimal("0.0000000001"), max_value=Decimal("99999"), places=10, allow_nan=False
    ),
    target=st.sampled_from(TARGETS),
)
def test_conversion_is_exact_decimal_rounded_once(db, amounts, rate, target):
    source = "GBP"
    ExchangeRate.objects.update_or_create(
        base_currency=source,
        quote_currency=target,
        rate_date=DAY,
        defaults={"rate": rate, "provider": "hypothesis"},
    )
    quantum = get_currency(target).quantum
    book = RateBook(on_or_before=DAY)

    with localcontext() as context:
        # Any float mixed into Decimal arithmetic now raises instead of passing silently.
        context.traps[FloatOperation] = True
        converted = [book.convert(amount, source, target, DAY) for amount in amounts]
        total = sum(converted, Decimal(0))

    with localcontext() as exact:
        exact.prec = 100
        expected = [
            (amount * rate).quantize(quantum, rounding=ROUND_HALF_EVEN) for amount in amounts
        ]
    for value, want in zip(converted, expected, strict=True):
        assert type(value) is Decimal
        assert value.as_tuple().exponent == -get_currency(target).minor_units
        assert value == want
    assert type(total) is Decimal
    assert total == sum(expected, Decimal(0))


def test_a_datetime_is_not_a_date():
    from datetime import datetime

    with pytest.raises(TypeError, match="on_date must be a date"):
        get_rate("USD", "EUR", datetime(2026, 11, 20, 12))
