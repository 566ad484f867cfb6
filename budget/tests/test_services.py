import datetime
from decimal import Decimal

import pytest

from budget import services
from cycles.exceptions import (
    ActiveCycleExists,
    CycleAlreadyCompleted,
    CycleNameExists,
    CycleNotDeletable,
    CycleOverlap,
    CycleTooLong,
    ExpensesOutsideCycle,
    InvalidCycleDates,
    InvalidStatusTransition,
)
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from exchange.models import ExchangeRate
from exchange.money import InvalidIncome
from expenses.models import Expense
from expenses.tests.factories import ExpenseFactory, PaymentMethodFactory
from templates_app.models import ExpenseTemplate
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

JAN_1 = datetime.date(2026, 1, 1)


def _create(household, **overrides):
    fields = {
        "household": household,
        "name": "",
        "start_date": JAN_1,
        "end_date": None,
        "income": Decimal("3000.00"),
        "generate_from_templates": False,
        "created_by": None,
    }
    fields.update(overrides)
    return services.create_cycle(**fields)


def test_new_cycle_is_a_draft_of_42_days_named_after_its_dates(household):
    cycle = _create(household)
    assert cycle.status == Cycle.Status.DRAFT
    # Jan 1 to Feb 11 is 42 days, both ends counted.
    assert cycle.end_date == datetime.date(2026, 2, 11)
    assert cycle.days == 42
    assert cycle.name == "Jan 1, 2026 – Feb 11, 2026"


def test_end_before_or_on_start_is_invalid_cycle_dates(household):
    with pytest.raises(InvalidCycleDates) as error:
        _create(household, end_date=JAN_1)
    assert error.value.code == "INVALID_CYCLE_DATES"
    assert error.value.status == 422
    assert not Cycle.objects.exists()


def test_cycle_longer_than_45_days_is_refused(household):
    longest = _create(household, end_date=JAN_1 + datetime.timedelta(days=44), name="Longest")
    assert longest.days == 45
    # Mar 1 to Apr 15 is 46 days counting both ends: one too many (it used to be accepted).
    with pytest.raises(CycleTooLong) as error:
        _create(
            household, start_date=datetime.date(2026, 3, 1), end_date=datetime.date(2026, 4, 15)
        )
    assert error.value.code == "MAX_CYCLE_DURATION_DAYS"


def test_cycle_name_is_unique_per_household_ignoring_case(household, other_household):
    _create(household, name="Spring")
    with pytest.raises(CycleNameExists) as error:
        _create(household, name="  SPRING ", start_date=datetime.date(2026, 3, 1))
    assert error.value.code == "CYCLE_NAME_EXISTS"
    assert _create(other_household, name="Spring").name == "Spring"


def test_overlapping_cycles_are_refused(household):
    _create(household)
    with pytest.raises(CycleOverlap) as error:
        _create(household, start_date=datetime.date(2026, 2, 11))
    assert error.value.code == "CYCLE_OVERLAP"
    assert error.value.status == 409
    # The day after the end is free.
    assert _create(household, start_date=datetime.date(2026, 2, 12)).pk


def test_cycles_of_another_household_do_not_overlap_ours(household, other_household):
    _create(other_household)
    assert _create(household).pk


def test_update_changes_name_and_dates_and_keeps_the_income_lines(household):
    cycle = _create(household)
    services.update_cycle(
        cycle=cycle, name="Renamed", start_date=JAN_1, end_date=datetime.date(2026, 1, 31)
    )
    cycle.refresh_from_db()
    assert (cycle.name, cycle.end_date, cycle.income) == (
        "Renamed",
        datetime.date(2026, 1, 31),
        Decimal("3000.00"),
    )
    assert list(cycle.income_lines.values_list("description", "amount")) == [
        ("Income", Decimal("3000.00"))
    ]


def test_update_cannot_leave_expenses_outside_the_dates(household):
    cycle = _create(household)
    ExpenseFactory(cycle=cycle, date=datetime.date(2026, 2, 10))
    with pytest.raises(ExpensesOutsideCycle):
        services.update_cycle(
            cycle=cycle,
            name=cycle.name,
            start_date=JAN_1,
            end_date=datetime.date(2026, 1, 31),
        )


def test_update_of_completed_cycle_is_refused(household):
    cycle = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    with pytest.raises(CycleAlreadyCompleted) as error:
        services.update_cycle(
            cycle=cycle,
            name="x",
            start_date=cycle.start_date,
            end_date=cycle.end_date,
        )
    assert error.value.status == 409
    cycle.refresh_from_db()
    assert cycle.name != "x"


def test_draft_becomes_active_then_completed(household):
    cycle = _create(household)
    services.activate_cycle(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.ACTIVE and cycle.activated_at
    services.complete_cycle(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.COMPLETED and cycle.completed_at


def test_only_one_cycle_is_active(household):
    CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    draft = CycleFactory(household=household)
    with pytest.raises(ActiveCycleExists) as error:
        services.activate_cycle(cycle=draft)
    assert error.value.code == "ACTIVE_CYCLE_EXISTS"
    draft.refresh_from_db()
    assert draft.status == Cycle.Status.DRAFT


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Cycle.Status.DRAFT, "complete_cycle"),
        (Cycle.Status.ACTIVE, "activate_cycle"),
        (Cycle.Status.COMPLETED, "activate_cycle"),
        (Cycle.Status.COMPLETED, "complete_cycle"),
    ],
)
def test_status_moves_only_forward_one_step(household, status, action):
    cycle = CycleFactory(household=household, status=status)
    with pytest.raises(InvalidStatusTransition) as error:
        getattr(services, action)(cycle=cycle)
    assert error.value.code == "INVALID_STATUS_TRANSITION"
    cycle.refresh_from_db()
    assert cycle.status == status


def test_draft_cycle_is_deleted_with_its_expenses(household):
    expense = ExpenseFactory(cycle=CycleFactory(household=household))
    services.delete_cycle(cycle=expense.cycle)
    assert not Cycle.objects.exists() and not Expense.objects.exists()


@pytest.mark.parametrize(
    ("status", "error"),
    [(Cycle.Status.ACTIVE, CycleNotDeletable), (Cycle.Status.COMPLETED, CycleAlreadyCompleted)],
)
def test_only_draft_cycles_can_be_deleted(household, status, error):
    cycle = CycleFactory(household=household, status=status)
    with pytest.raises(error):
        services.delete_cycle(cycle=cycle)
    assert Cycle.objects.filter(pk=cycle.pk).exists()


# -- generation from templates -------------------------------------------------------------------


def _template(household, **fields):
    return ExpenseTemplateFactory(
        household=household, start_date=datetime.date(2025, 12, 1), **fields
    )


@pytest.mark.parametrize(
    ("frequency", "extra", "expected"),
    [
        ("weekly", {}, 6),  # anchored on Mon Dec 1: Jan 5, 12, 19, 26, Feb 2, 9
        ("biweekly", {}, 3),  # Jan 12, Jan 26, Feb 9
        ("monthly", {"day_of_month": 15}, 1),
        ("per_cycle", {}, 1),
        ("yearly", {"start_date": datetime.date(2025, 1, 20)}, 1),
    ],
)
def test_generation_makes_one_expense_per_occurrence(household, owner, frequency, extra, expected):
    from templates_app.occurrences import occurrence_dates

    fields = {"frequency": frequency, "day_of_month": None, **extra}
    start = fields.pop("start_date", datetime.date(2025, 12, 1))
    template = ExpenseTemplateFactory(household=household, start_date=start, **fields)
    cycle = _create(household)
    dates = occurrence_dates(template, cycle.start_date, cycle.end_date)
    assert dates, frequency

    added = services.generate_expenses_from_templates(cycle=cycle, created_by=owner)

    expenses = list(cycle.expenses.order_by("date"))
    assert added == len(dates) == len(expenses) == expected
    assert [e.date for e in expenses] == dates
    assert all(e.template == template and e.occurrence_date == e.date for e in expenses)
    assert all(e.base_amount == template.amount and e.rate == 1 for e in expenses)
    assert all(e.created_by == owner and e.status == Expense.Status.PLANNED for e in expenses)


def test_generation_skips_paused_and_ended_templates(household):
    _template(household, name="Paused", is_active=False)
    _template(household, name="Ended", end_date=datetime.date(2025, 12, 31))
    live = _template(household, name="Rent")
    cycle = _create(household)
    services.generate_expenses_from_templates(cycle=cycle)
    assert set(cycle.expenses.values_list("template", flat=True)) == {live.pk}


def test_generation_ignores_other_households_templates(household, other_household):
    _template(other_household)
    cycle = _create(household)
    assert services.generate_expenses_from_templates(cycle=cycle) == 0


def test_regenerating_does_not_duplicate(household):
    _template(household, frequency=ExpenseTemplate.Frequency.WEEKLY, day_of_month=None)
    cycle = _create(household)
    first = services.generate_expenses_from_templates(cycle=cycle)
    again = services.generate_expenses_from_templates(cycle=cycle)
    assert first > 0 and again == 0
    assert cycle.expenses.count() == first


def test_regenerating_restores_only_a_deleted_occurrence(household):
    _template(household)  # monthly on the 1st: Jan 1 and Feb 1
    cycle = _create(household)
    services.generate_expenses_from_templates(cycle=cycle)
    cycle.expenses.filter(date=datetime.date(2026, 2, 1)).delete()
    assert services.generate_expenses_from_templates(cycle=cycle) == 1
    assert cycle.expenses.count() == 2


def test_create_cycle_can_generate_from_templates(household, owner):
    _template(household)
    cycle = _create(household, generate_from_templates=True, created_by=owner)
    assert cycle.expenses.count() == 2


def test_generation_is_all_or_nothing(household, monkeypatch):
    _template(household, name="A rent")
    _template(household, name="B gym")
    calls = []

    def failing(template, start, end):
        calls.append(template.name)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return [start]

    monkeypatch.setattr(services, "occurrence_dates", failing)
    with pytest.raises(RuntimeError):
        _create(household, generate_from_templates=True)
    assert not Cycle.objects.exists()
    assert not Expense.objects.exists()


def test_generation_into_completed_cycle_is_refused(household):
    _template(household)
    cycle = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    with pytest.raises(CycleAlreadyCompleted):
        services.generate_expenses_from_templates(cycle=cycle)
    assert not Expense.objects.exists()


def test_generation_converts_foreign_templates_with_a_rate_snapshot(household):
    ExchangeRate.objects.create(
        base_currency="EUR",
        quote_currency="USD",
        rate=Decimal("1.1"),
        rate_date=datetime.date(2025, 12, 31),
        provider="test",
    )
    _template(household, currency="EUR", amount=Decimal("100.00"))
    cycle = _create(household)
    services.generate_expenses_from_templates(cycle=cycle)
    expense = cycle.expenses.first()
    assert expense.base_amount == Decimal("110.00")
    assert expense.rate == Decimal("1.1")
    assert expense.rate_source == Expense.RateSource.STORED


def test_generation_without_a_rate_leaves_expenses_awaiting_it(household):
    _template(household, currency="JPY", amount=Decimal("5000"))
    cycle = _create(household)
    services.generate_expenses_from_templates(cycle=cycle)
    assert cycle.expenses.count() == 2
    assert all(e.awaits_rate and e.rate is None for e in cycle.expenses.all())


def test_generation_drops_an_inactive_payment_method(household):
    method = PaymentMethodFactory(household=household, is_active=False)
    _template(household, payment_method=method)
    cycle = _create(household)
    services.generate_expenses_from_templates(cycle=cycle)
    assert not cycle.expenses.filter(payment_method__isnull=False).exists()


# --- the service is the authority: what the form refuses, the service refuses too -------------


@pytest.mark.parametrize(
    ("income", "message"),
    [
        ("-1", "Income cannot be negative."),
        ("1000000000000", "That is more than Colony can hold."),
        ("10.005", "USD amounts have at most 2 decimals."),
    ],
)
def test_create_cycle_refuses_an_income_its_form_refuses(household, income, message):
    with pytest.raises(InvalidIncome) as error:
        _create(household, income=Decimal(income))
    assert error.value.status == 422
    assert error.value.message == message
    assert not Cycle.objects.filter(household=household).exists()


def test_cycle_name_is_cleaned_up_like_every_name(household):
    cycle = _create(household, name="  Spring   budget ")
    assert cycle.name == "Spring budget"
