import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cycles.exceptions import CycleAlreadyCompleted
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from exchange.exceptions import UnknownCurrency
from exchange.models import ExchangeRate
from exchange.money import InvalidAmount
from expenses import services
from expenses.exceptions import (
    CategoryNotAvailable,
    ExpenseDateOutsideCycle,
    OneOffExpenseNotSkippable,
    PaymentMethodNotAvailable,
)
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

JAN_10 = datetime.date(2026, 1, 10)


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, start_date=datetime.date(2026, 1, 1))


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


@pytest.fixture
def eur_rate():
    return ExchangeRate.objects.create(
        base_currency="EUR",
        quote_currency="USD",
        rate=Decimal("1.10"),
        rate_date=datetime.date(2026, 1, 5),
        provider="test",
    )


def _add(cycle, food, owner, **overrides):
    fields = {
        "cycle": cycle,
        "created_by": owner,
        "description": "  Groceries ",
        "amount": Decimal("12.50"),
        "currency": "USD",
        "date": JAN_10,
        "category": food,
        # Planned, as most tests here need; status=None asks the service's default (the date's).
        "status": Expense.Status.PLANNED,
    }
    fields.update(overrides)
    return services.add_expense(**fields)


def test_expense_in_base_currency_has_rate_one(cycle, food, owner):
    expense = _add(cycle, food, owner)
    expense.refresh_from_db()
    assert expense.description == "Groceries"
    assert expense.base_amount == Decimal("12.50")
    assert expense.rate == 1
    assert expense.rate_source == Expense.RateSource.SAME_CURRENCY
    assert expense.created_by == owner == expense.updated_by


def test_foreign_expense_stores_base_amount_and_rate(cycle, food, owner, eur_rate):
    expense = _add(cycle, food, owner, currency="EUR", amount=Decimal("10.00"))
    expense.refresh_from_db()
    assert expense.base_amount == Decimal("11.00")
    assert expense.rate == Decimal("1.10")
    assert expense.rate_date == datetime.date(2026, 1, 5)
    assert expense.rate_source == Expense.RateSource.STORED


def test_foreign_expense_without_rate_awaits_one_never_one_point_oh(cycle, food, owner):
    expense = _add(cycle, food, owner, currency="JPY", amount=Decimal("1500"))
    expense.refresh_from_db()
    assert expense.awaits_rate
    assert expense.base_amount is None and expense.rate is None
    assert expense.rate_source == ""


def test_editing_the_amount_recomputes_the_snapshot(cycle, food, owner, eur_rate):
    expense = _add(cycle, food, owner, currency="EUR", amount=Decimal("10.00"))
    services.update_expense(expense=expense, updated_by=owner, amount=Decimal("20.00"))
    expense.refresh_from_db()
    assert expense.base_amount == Decimal("22.00")


def test_editing_currency_to_base_gives_rate_one(cycle, food, owner, eur_rate):
    expense = _add(cycle, food, owner, currency="EUR", amount=Decimal("10.00"))
    services.update_expense(expense=expense, updated_by=owner, currency="USD")
    expense.refresh_from_db()
    assert (expense.base_amount, expense.rate) == (Decimal("10.00"), 1)


def test_editing_other_fields_keeps_the_snapshot(cycle, food, owner, eur_rate, member):
    expense = _add(cycle, food, owner, currency="EUR", amount=Decimal("10.00"))
    ExchangeRate.objects.filter(pk=eur_rate.pk).update(rate=Decimal("2"))
    services.update_expense(expense=expense, updated_by=member, description="Market", note="n")
    expense.refresh_from_db()
    assert expense.description == "Market"
    assert expense.base_amount == Decimal("11.00")
    assert expense.updated_by == member


def test_marking_paid_sets_the_paid_date(cycle, food, owner):
    expense = _add(cycle, food, owner)
    services.toggle_paid(expense=expense, by=owner)
    expense.refresh_from_db()
    assert expense.is_paid
    assert expense.paid_on == min(JAN_10, timezone.localdate())
    services.toggle_paid(expense=expense, by=owner)
    expense.refresh_from_db()
    assert not expense.is_paid and expense.paid_on is None


def test_adding_as_paid_sets_the_paid_date(cycle, food, owner):
    expense = _add(cycle, food, owner, status=Expense.Status.PAID)
    assert expense.paid_on is not None


@pytest.mark.parametrize("day", [datetime.date(2025, 12, 31), datetime.date(2026, 2, 13)])
def test_date_outside_the_cycle_is_refused(cycle, food, owner, day):
    with pytest.raises(ExpenseDateOutsideCycle):
        _add(cycle, food, owner, date=day)
    assert not Expense.objects.exists()


def test_cycle_bounds_are_inclusive(cycle, food, owner):
    _add(cycle, food, owner, date=cycle.start_date)
    _add(cycle, food, owner, date=cycle.end_date)
    assert Expense.objects.count() == 2


def test_another_households_category_is_refused(cycle, owner, other_household):
    with pytest.raises(CategoryNotAvailable):
        _add(cycle, CategoryFactory(household=other_household, name="Theirs"), owner)


def test_archived_category_is_refused(cycle, owner, household):
    with pytest.raises(CategoryNotAvailable):
        _add(cycle, CategoryFactory(household=household, name="Old", is_archived=True), owner)


@pytest.mark.parametrize("foreign", [True, False])
def test_unavailable_payment_method_is_refused(
    cycle, food, owner, household, other_household, foreign
):
    method = (
        PaymentMethodFactory(household=other_household)
        if foreign
        else PaymentMethodFactory(household=household, is_active=False)
    )
    with pytest.raises(PaymentMethodNotAvailable):
        _add(cycle, food, owner, payment_method=method)


def test_unknown_currency_is_refused(cycle, food, owner):
    with pytest.raises(UnknownCurrency):
        _add(cycle, food, owner, currency="XXX")


# -- completed cycles are read-only --------------------------------------------------------------


@pytest.fixture
def completed_expense(household):
    return ExpenseFactory(cycle=CycleFactory(household=household, status=Cycle.Status.COMPLETED))


def test_adding_to_completed_cycle_is_refused_with_409(completed_expense, food, owner):
    with pytest.raises(CycleAlreadyCompleted) as error:
        _add(completed_expense.cycle, food, owner, date=completed_expense.date)
    assert error.value.status == 409
    assert Expense.objects.count() == 1


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        ("update_expense", {"updated_by": None, "description": "changed"}),
        ("toggle_paid", {"by": None}),
        ("delete_expense", {"by": None}),
    ],
)
def test_changing_expense_of_completed_cycle_is_refused(completed_expense, action, kwargs):
    before = Expense.objects.values().get()
    with pytest.raises(CycleAlreadyCompleted):
        getattr(services, action)(expense=completed_expense, **kwargs)
    assert Expense.objects.values().get() == before


def test_cycle_completed_after_the_expense_was_loaded_is_still_refused(household, food, owner):
    expense = ExpenseFactory(cycle=CycleFactory(household=household, status=Cycle.Status.ACTIVE))
    Cycle.objects.filter(pk=expense.cycle_id).update(status=Cycle.Status.COMPLETED)
    with pytest.raises(CycleAlreadyCompleted):
        services.toggle_paid(expense=expense, by=owner)


# --- the service is the authority: what the form refuses, the service refuses too -------------


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("10.005", "USD", "USD amounts have at most 2 decimals."),
        ("10.5", "JPY", "JPY amounts have no decimals."),
        ("0.0005", "BHD", "BHD amounts have at most 3 decimals."),
        ("0", "USD", "The amount must be more than zero."),
        ("-3", "USD", "The amount must be more than zero."),
        ("1000000000000", "USD", "The largest amount is 999,999,999,999."),
    ],
)
def test_add_expense_refuses_an_amount_its_form_refuses(
    cycle, food, owner, amount, currency, message
):
    with pytest.raises(InvalidAmount) as error:
        _add(cycle, food, owner, amount=Decimal(amount), currency=currency)
    assert error.value.status == 422
    assert error.value.message == message
    assert not Expense.objects.filter(cycle=cycle).exists()


def test_update_expense_refuses_an_amount_with_too_many_decimals(cycle, food, owner):
    expense = _add(cycle, food, owner)
    with pytest.raises(InvalidAmount):
        services.update_expense(expense=expense, updated_by=owner, amount=Decimal("10.005"))
    expense.refresh_from_db()
    assert expense.amount == Decimal("12.50")


def test_update_expense_refuses_a_currency_the_amount_does_not_fit(cycle, food, owner):
    expense = _add(cycle, food, owner)  # 12.50 USD
    with pytest.raises(InvalidAmount, match="JPY amounts have no decimals"):
        services.update_expense(expense=expense, updated_by=owner, currency="JPY")
    expense.refresh_from_db()
    assert expense.currency == "USD"


@pytest.mark.parametrize("amount", ["10.005", "0", "1000000000000"])
def test_paying_refuses_an_actual_amount_its_form_refuses(cycle, food, owner, amount):
    expense = _add(cycle, food, owner)
    with pytest.raises(InvalidAmount):
        services.toggle_paid(expense=expense, by=owner, actual_amount=Decimal(amount))
    expense.refresh_from_db()
    assert expense.status == Expense.Status.PLANNED
    assert expense.amount == Decimal("12.50")


# The skip rule lives in the service (Expense.can_skip), not in the row template: every way of
# asking is refused for a one-off expense, and a template's occurrence can be skipped.


def test_a_one_off_expense_cannot_be_skipped_whichever_way_it_is_asked(cycle, food, owner):
    one_off = _add(cycle, food, owner)
    assert not one_off.can_skip
    with pytest.raises(OneOffExpenseNotSkippable):
        services.skip_expense(expense=one_off, by=owner)
    with pytest.raises(OneOffExpenseNotSkippable):
        services.update_expense(expense=one_off, updated_by=owner, status=Expense.Status.SKIPPED)
    with pytest.raises(OneOffExpenseNotSkippable):
        _add(cycle, food, owner, status=Expense.Status.SKIPPED)
    one_off.refresh_from_db()
    assert one_off.is_planned
    assert Expense.objects.count() == 1


def test_a_templates_planned_occurrence_can_be_skipped(cycle, food, owner):
    template = ExpenseTemplateFactory(household=cycle.household, category=food)
    occurrence = ExpenseFactory(
        cycle=cycle, category=food, template=template, occurrence_date=JAN_10
    )
    assert occurrence.can_skip
    services.skip_expense(expense=occurrence, by=owner)
    occurrence.refresh_from_db()
    assert occurrence.is_skipped and not occurrence.can_skip


def test_an_external_id_the_database_refuses_is_409_and_keeps_nothing(household):
    """The unique constraint has the last word (two writers that both passed the look-up): its
    refusal is ExternalIdExists, and the savepoint leaves the transaction usable."""
    from expenses.exceptions import ExternalIdExists
    from expenses.models import ExpenseExternalId

    cycle = CycleFactory(household=household)
    first, second = ExpenseFactory(cycle=cycle), ExpenseFactory(cycle=cycle)
    with pytest.raises(ExternalIdExists):
        services.keep_external_ids(
            household_id=household.pk, expenses=[(first, "same"), (second, "same")]
        )
    assert not ExpenseExternalId.objects.exists()
    services.keep_external_ids(household_id=household.pk, expenses=[(first, "same")])
    assert ExpenseExternalId.objects.get().expense == first


# --- A new expense's status follows its date when none is given (issue 25, item 8) ----------


@pytest.fixture
def running_cycle(household):
    """A cycle that started a week ago and runs for five more weeks: today is inside it."""
    today = timezone.localdate()
    return CycleFactory(
        household=household,
        start_date=today - datetime.timedelta(days=7),
        end_date=today + datetime.timedelta(days=35),
    )


@pytest.mark.parametrize("days_ago", [0, 1, 7])
def test_an_expense_dated_today_or_earlier_is_paid_when_no_status_is_given(
    running_cycle, food, owner, days_ago
):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    expense = _add(running_cycle, food, owner, date=day, status=None)
    expense.refresh_from_db()
    assert expense.status == Expense.Status.PAID
    assert expense.paid_on == day  # paid on its own day, which has come
    assert services.status_for_date(day) == Expense.Status.PAID


def test_a_later_expense_is_planned_when_no_status_is_given(running_cycle, food, owner):
    day = timezone.localdate() + datetime.timedelta(days=1)
    expense = _add(running_cycle, food, owner, date=day, status=None)
    expense.refresh_from_db()
    assert expense.status == Expense.Status.PLANNED
    assert expense.paid_on is None
    assert services.status_for_date(day) == Expense.Status.PLANNED


def test_a_status_chosen_wins_over_the_date(running_cycle, food, owner):
    today = timezone.localdate()
    kept_planned = _add(running_cycle, food, owner, date=today, status=Expense.Status.PLANNED)
    paid_ahead = _add(
        running_cycle, food, owner, date=today + datetime.timedelta(days=3), status="paid"
    )
    assert Expense.objects.get(pk=kept_planned.pk).status == Expense.Status.PLANNED
    paid_ahead.refresh_from_db()
    assert paid_ahead.status == Expense.Status.PAID
    assert paid_ahead.paid_on == today  # paid today, before its date
