import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import HouseholdFactory
from cycles.tests.factories import CycleFactory
from expenses.models import Category, Expense, PaymentMethod


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("household", "name")

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class PaymentMethodFactory(DjangoModelFactory):
    class Meta:
        model = PaymentMethod

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"Card {n}")
    kind = PaymentMethod.Kind.CARD


class ExpenseFactory(DjangoModelFactory):
    """An expense in the household's base currency with its identity rate snapshot."""

    class Meta:
        model = Expense

    cycle = factory.SubFactory(CycleFactory)
    description = factory.Sequence(lambda n: f"Expense {n}")
    amount = Decimal("10.00")
    currency = factory.LazyAttribute(lambda o: o.cycle.household.base_currency)
    date = factory.LazyAttribute(lambda o: o.cycle.start_date + datetime.timedelta(days=1))
    category = factory.LazyAttribute(
        lambda o: CategoryFactory(household=o.cycle.household, name="Food")
    )
    status = Expense.Status.PLANNED
    planned_amount = factory.LazyAttribute(lambda o: o.amount)
    base_amount = factory.LazyAttribute(lambda o: o.amount)
    rate = Decimal("1")
    rate_date = factory.LazyAttribute(lambda o: o.date)
    rate_source = Expense.RateSource.SAME_CURRENCY
