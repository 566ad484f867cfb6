import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import HouseholdFactory
from expenses.tests.factories import CategoryFactory
from templates_app.models import ExpenseTemplate


class ExpenseTemplateFactory(DjangoModelFactory):
    class Meta:
        model = ExpenseTemplate

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"Bill {n}")
    amount = Decimal("50.00")
    currency = factory.LazyAttribute(lambda o: o.household.base_currency)
    category = factory.LazyAttribute(
        lambda o: CategoryFactory(household=o.household, name="Housing")
    )
    frequency = ExpenseTemplate.Frequency.MONTHLY
    day_of_month = 1
    start_date = datetime.date(2026, 1, 1)
    is_active = True
