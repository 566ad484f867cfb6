"""A fixed household budget with several currencies, for the report tests.

Base currency USD. One cycle (income 3,000.00) with:
  Rent       1,200.00 USD  Housing    Olive's card  paid     → 1,200.00
  Groceries    100.00 EUR  Food       Max's card    paid     → 110.00 (rate 1.1)
  Dinner        50.00 EUR  Food       Olive's card  planned  →  55.00 (rate 1.1)
  Train         30.00 USD  Transport  Cash (nobody) planned  →  30.00
  Bus           20.00 GBP  Transport  —             paid     →  25.40 (rate 1.27)
  Sushi      2,000 JPY     Food       Max's card    planned  → awaiting a rate
"""

import datetime
from decimal import Decimal

import pytest

from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory

D = Decimal
PAID = Expense.Status.PAID
PLANNED = Expense.Status.PLANNED


def make_expense(cycle, *, amount, currency="USD", base_amount=None, rate=None, **fields):
    """An expense with an explicit rate snapshot; `base_amount=None` with a foreign currency
    means awaiting a rate."""
    if currency == cycle.household.base_currency:
        base_amount, rate, source = amount, D("1"), Expense.RateSource.SAME_CURRENCY
    elif base_amount is not None:
        source = Expense.RateSource.STORED
    else:
        source = ""
    if fields.get("status") == PAID:
        fields.setdefault("paid_on", fields.get("date", cycle.start_date))
    return ExpenseFactory(
        cycle=cycle,
        amount=amount,
        currency=currency,
        base_amount=base_amount,
        rate=rate,
        rate_date=None if base_amount is None else cycle.start_date,
        rate_source=source,
        **fields,
    )


@pytest.fixture
def budget(household, owner, member):
    cycle = CycleFactory(
        household=household,
        name="January",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 2, 12),
        income=D("3000.00"),
    )
    housing = CategoryFactory(household=household, name="Housing")
    food = CategoryFactory(household=household, name="Food")
    transport = CategoryFactory(household=household, name="Transport")
    olive_card = PaymentMethodFactory(household=household, name="Olive's card", owner=owner)
    max_card = PaymentMethodFactory(household=household, name="Max's card", owner=member)
    cash = PaymentMethodFactory(household=household, name="Cash", owner=None)

    def day(n):
        return cycle.start_date + datetime.timedelta(days=n)

    make_expense(
        cycle,
        description="Rent",
        amount=D("1200.00"),
        category=housing,
        payment_method=olive_card,
        status=PAID,
        date=day(0),
    )
    make_expense(
        cycle,
        description="Groceries",
        amount=D("100.00"),
        currency="EUR",
        base_amount=D("110.00"),
        rate=D("1.1"),
        category=food,
        payment_method=max_card,
        status=PAID,
        date=day(3),
    )
    make_expense(
        cycle,
        description="Dinner",
        amount=D("50.00"),
        currency="EUR",
        base_amount=D("55.00"),
        rate=D("1.1"),
        category=food,
        payment_method=olive_card,
        status=PLANNED,
        date=day(5),
    )
    make_expense(
        cycle,
        description="Train",
        amount=D("30.00"),
        category=transport,
        payment_method=cash,
        status=PLANNED,
        date=day(7),
    )
    make_expense(
        cycle,
        description="Bus",
        amount=D("20.00"),
        currency="GBP",
        base_amount=D("25.40"),
        rate=D("1.27"),
        category=transport,
        payment_method=None,
        status=PAID,
        date=day(9),
    )
    make_expense(
        cycle,
        description="Sushi",
        amount=D("2000"),
        currency="JPY",
        category=food,
        payment_method=max_card,
        status=PLANNED,
        date=day(11),
    )
    return cycle
