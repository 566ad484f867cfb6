"""Occurrence rules: pure functions, so these tests need no database."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from templates_app.models import ExpenseTemplate
from templates_app.occurrences import (
    monthly_equivalent,
    next_occurrence,
    occurrence_dates,
    preview_for_cycle,
)

F = ExpenseTemplate.Frequency


@dataclass
class Plan:
    """Stands in for an unsaved template: only the attributes the rules read."""

    frequency: str
    start_date: date
    end_date: date | None = None
    day_of_month: int | None = None
    amount: Decimal = Decimal("10.00")
    currency: str = "USD"


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- weekly / every 2 weeks ---------------------------------------------------------------


def test_weekly_steps_seven_days_from_the_start_date():
    plan = Plan(F.WEEKLY, d("2026-01-05"))
    assert occurrence_dates(plan, d("2026-01-01"), d("2026-01-31")) == [
        d("2026-01-05"),
        d("2026-01-12"),
        d("2026-01-19"),
        d("2026-01-26"),
    ]


def test_weekly_stays_anchored_on_start_date_when_range_starts_later():
    plan = Plan(F.WEEKLY, d("2026-01-05"))  # a Monday
    dates = occurrence_dates(plan, d("2026-03-01"), d("2026-03-15"))
    assert dates == [d("2026-03-02"), d("2026-03-09")]
    assert all(x.weekday() == 0 for x in dates)


def test_biweekly_is_anchored_on_start_date_across_range_start():
    plan = Plan(F.BIWEEKLY, d("2026-01-01"))
    # Jan 1, 15, 29, Feb 12, 26 … the range starts between two occurrences.
    assert occurrence_dates(plan, d("2026-01-20"), d("2026-02-28")) == [
        d("2026-01-29"),
        d("2026-02-12"),
        d("2026-02-26"),
    ]


def test_biweekly_range_starting_on_an_off_week_skips_it():
    plan = Plan(F.BIWEEKLY, d("2026-01-01"))
    assert occurrence_dates(plan, d("2026-01-08"), d("2026-01-14")) == []


# --- monthly ------------------------------------------------------------------------------


def test_monthly_falls_on_day_of_month():
    plan = Plan(F.MONTHLY, d("2026-01-01"), day_of_month=15)
    assert occurrence_dates(plan, d("2026-01-01"), d("2026-03-31")) == [
        d("2026-01-15"),
        d("2026-02-15"),
        d("2026-03-15"),
    ]


def test_monthly_day_31_falls_on_last_day_of_february_and_april():
    plan = Plan(F.MONTHLY, d("2026-01-01"), day_of_month=31)
    assert occurrence_dates(plan, d("2026-01-01"), d("2026-05-31")) == [
        d("2026-01-31"),
        d("2026-02-28"),
        d("2026-03-31"),
        d("2026-04-30"),
        d("2026-05-31"),
    ]


def test_monthly_day_30_falls_on_feb_29_in_a_leap_year():
    plan = Plan(F.MONTHLY, d("2028-01-01"), day_of_month=30)
    assert occurrence_dates(plan, d("2028-02-01"), d("2028-03-31")) == [
        d("2028-02-29"),
        d("2028-03-30"),
    ]


def test_monthly_day_29_in_february_of_a_common_year_is_the_28th():
    plan = Plan(F.MONTHLY, d("2027-01-01"), day_of_month=29)
    assert occurrence_dates(plan, d("2027-02-01"), d("2027-02-28")) == [d("2027-02-28")]


def test_monthly_without_day_uses_the_start_date_day():
    plan = Plan(F.MONTHLY, d("2026-01-20"))
    assert occurrence_dates(plan, d("2026-01-01"), d("2026-02-28")) == [
        d("2026-01-20"),
        d("2026-02-20"),
    ]


def test_monthly_day_before_template_start_in_first_month_is_skipped():
    plan = Plan(F.MONTHLY, d("2026-01-20"), day_of_month=5)
    assert occurrence_dates(plan, d("2026-01-01"), d("2026-02-28")) == [d("2026-02-05")]


# --- once per cycle -----------------------------------------------------------------------


def test_per_cycle_makes_one_expense_on_the_range_start():
    plan = Plan(F.PER_CYCLE, d("2026-01-01"))
    assert occurrence_dates(plan, d("2026-03-01"), d("2026-04-11")) == [d("2026-03-01")]


def test_per_cycle_starting_mid_range_falls_on_its_start_date():
    plan = Plan(F.PER_CYCLE, d("2026-03-10"))
    assert occurrence_dates(plan, d("2026-03-01"), d("2026-04-11")) == [d("2026-03-10")]


def test_per_cycle_ended_before_range_makes_nothing():
    plan = Plan(F.PER_CYCLE, d("2026-01-01"), end_date=d("2026-02-28"))
    assert occurrence_dates(plan, d("2026-03-01"), d("2026-04-11")) == []


def test_per_cycle_starting_after_range_makes_nothing():
    plan = Plan(F.PER_CYCLE, d("2026-05-01"))
    assert occurrence_dates(plan, d("2026-03-01"), d("2026-04-11")) == []


# --- yearly -------------------------------------------------------------------------------


def test_yearly_repeats_the_start_month_and_day():
    plan = Plan(F.YEARLY, d("2025-03-15"))
    assert occurrence_dates(plan, d("2025-01-01"), d("2027-12-31")) == [
        d("2025-03-15"),
        d("2026-03-15"),
        d("2027-03-15"),
    ]


def test_yearly_feb_29_falls_on_feb_28_in_common_years():
    plan = Plan(F.YEARLY, d("2024-02-29"))
    assert occurrence_dates(plan, d("2026-01-01"), d("2028-12-31")) == [
        d("2026-02-28"),
        d("2027-02-28"),
        d("2028-02-29"),
    ]


def test_yearly_feb_29_in_2027_range_is_feb_28_and_in_2028_is_feb_29():
    plan = Plan(F.YEARLY, d("2024-02-29"))
    assert occurrence_dates(plan, d("2027-02-01"), d("2027-03-31")) == [d("2027-02-28")]
    assert occurrence_dates(plan, d("2028-02-01"), d("2028-03-31")) == [d("2028-02-29")]


# --- bounds -------------------------------------------------------------------------------


def test_range_boundaries_are_inclusive():
    plan = Plan(F.WEEKLY, d("2026-01-01"))
    assert occurrence_dates(plan, d("2026-01-08"), d("2026-01-15")) == [
        d("2026-01-08"),
        d("2026-01-15"),
    ]


def test_single_day_range_on_an_occurrence():
    plan = Plan(F.MONTHLY, d("2026-01-01"), day_of_month=10)
    assert occurrence_dates(plan, d("2026-02-10"), d("2026-02-10")) == [d("2026-02-10")]


def test_template_end_date_is_inclusive_and_stops_occurrences():
    plan = Plan(F.WEEKLY, d("2026-01-01"), end_date=d("2026-01-15"))
    assert occurrence_dates(plan, d("2026-01-01"), d("2026-03-01")) == [
        d("2026-01-01"),
        d("2026-01-08"),
        d("2026-01-15"),
    ]


def test_ended_template_makes_nothing():
    plan = Plan(F.MONTHLY, d("2025-01-01"), end_date=d("2025-12-31"), day_of_month=1)
    assert occurrence_dates(plan, d("2026-01-01"), d("2026-06-30")) == []


def test_template_starting_mid_range_begins_on_its_start_date():
    plan = Plan(F.WEEKLY, d("2026-01-20"))
    assert occurrence_dates(plan, d("2026-01-01"), d("2026-02-05")) == [
        d("2026-01-20"),
        d("2026-01-27"),
        d("2026-02-03"),
    ]


def test_empty_range_makes_nothing():
    plan = Plan(F.WEEKLY, d("2026-01-01"))
    assert occurrence_dates(plan, d("2026-02-01"), d("2026-01-01")) == []


def test_unknown_frequency_is_a_programming_error():
    with pytest.raises(ValueError):
        occurrence_dates(Plan("hourly", d("2026-01-01")), d("2026-01-01"), d("2026-01-31"))


def test_works_on_an_unsaved_model_instance():
    template = ExpenseTemplate(
        frequency=F.MONTHLY, day_of_month=31, start_date=d("2026-01-01"), amount=Decimal("5")
    )
    assert occurrence_dates(template, d("2026-02-01"), d("2026-02-28")) == [d("2026-02-28")]


# --- preview / next / monthly equivalent ----------------------------------------------------


def test_preview_counts_42_calendar_days_and_totals_amounts():
    plan = Plan(F.WEEKLY, d("2026-01-01"), amount=Decimal("12.50"))
    # Jan 1 … Feb 11 inclusive: exactly six weekly occurrences.
    assert preview_for_cycle(plan, d("2026-01-01")) == (6, Decimal("75.00"))


def test_preview_of_a_monthly_template_on_day_31():
    plan = Plan(F.MONTHLY, d("2026-01-01"), day_of_month=31, amount=Decimal("100"))
    assert preview_for_cycle(plan, d("2026-01-15")) == (1, Decimal("100"))  # Jan 31 only


def test_preview_with_custom_length():
    plan = Plan(F.PER_CYCLE, d("2026-01-01"), amount=Decimal("3"))
    assert preview_for_cycle(plan, d("2026-01-01"), days=10) == (1, Decimal("3"))


def test_next_occurrence_of_a_yearly_template():
    plan = Plan(F.YEARLY, d("2024-02-29"))
    assert next_occurrence(plan, d("2027-03-01")) == d("2028-02-29")


def test_next_occurrence_of_an_ended_template_is_none():
    plan = Plan(F.WEEKLY, d("2026-01-01"), end_date=d("2026-01-31"))
    assert next_occurrence(plan, d("2026-02-01")) is None


@pytest.mark.parametrize(
    ("frequency", "amount", "currency", "expected"),
    [
        (F.WEEKLY, "12", "USD", "52.00"),
        (F.BIWEEKLY, "12", "USD", "26.00"),
        (F.MONTHLY, "12", "USD", "12.00"),
        (F.YEARLY, "1200", "JPY", "100"),
        (F.YEARLY, "1", "BHD", "0.083"),
    ],
)
def test_monthly_equivalent_rounds_to_the_currency(frequency, amount, currency, expected):
    plan = Plan(frequency, d("2026-01-01"), amount=Decimal(amount), currency=currency)
    assert monthly_equivalent(plan) == Decimal(expected)


# --- properties ---------------------------------------------------------------------------

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@st.composite
def plans(draw):
    frequency = draw(st.sampled_from(F.values))
    start_date = draw(dates)
    end_date = draw(st.none() | st.dates(min_value=start_date, max_value=date(2061, 12, 31)))
    day = draw(st.integers(1, 31)) if frequency == F.MONTHLY else None
    return Plan(frequency, start_date, end_date, day)


@given(plan=plans(), start=dates, length=st.integers(0, 800))
def test_occurrences_are_sorted_unique_and_inside_both_ranges(plan, start, length):
    end = start + timedelta(days=length)
    result = occurrence_dates(plan, start, end)
    assert result == sorted(set(result))
    for day in result:
        assert start <= day <= end
        assert plan.start_date <= day
        assert plan.end_date is None or day <= plan.end_date


@given(anchor=dates, start=dates, length=st.integers(0, 800), step=st.sampled_from([7, 14]))
def test_weekly_count_matches_the_floor_formula(anchor, start, length, step):
    frequency = F.WEEKLY if step == 7 else F.BIWEEKLY
    plan = Plan(frequency, anchor)
    end = start + timedelta(days=length)
    result = occurrence_dates(plan, start, end)
    lo = max(start, anchor)
    # Occurrences k·step days after the anchor with lo ≤ date ≤ end.
    expected = 0 if lo > end else (end - anchor).days // step - -((anchor - lo).days // step) + 1
    assert len(result) == max(expected, 0)
    assert all((day - anchor).days % step == 0 for day in result)


@given(plan=plans(), start=dates, length=st.integers(0, 400))
def test_splitting_a_range_in_two_changes_nothing(plan, start, length):
    # Except once-per-cycle, which by definition happens once in each range it is asked about.
    if plan.frequency == F.PER_CYCLE:
        return
    end = start + timedelta(days=length)
    middle = start + timedelta(days=length // 2)
    whole = occurrence_dates(plan, start, end)
    split = occurrence_dates(plan, start, middle) + occurrence_dates(
        plan, middle + timedelta(days=1), end
    )
    assert whole == split


@given(start=dates, day=st.integers(1, 31), months=st.integers(1, 36))
def test_monthly_makes_one_expense_in_each_calendar_month_clamped_to_its_end(start, day, months):
    first = start.replace(day=1)
    plan = Plan(F.MONTHLY, first, day_of_month=day)
    years, month_index = divmod(first.month - 1 + months, 12)
    last = date(first.year + years, month_index + 1, 1) - timedelta(days=1)
    result = occurrence_dates(plan, first, last)
    assert len(result) == months
    for occurrence in result:
        month_length = calendar.monthrange(occurrence.year, occurrence.month)[1]
        assert occurrence.day == min(day, month_length)
