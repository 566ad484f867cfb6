import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import HouseholdFactory
from cycles.models import Cycle


class CycleFactory(DjangoModelFactory):
    class Meta:
        model = Cycle

    household = factory.SubFactory(HouseholdFactory)
    start_date = factory.Sequence(
        lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=43 * n)
    )
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=42))
    name = factory.LazyAttribute(lambda o: f"{o.start_date:%b %d} – {o.end_date:%b %d, %Y}")
    income = Decimal("4000.00")
    status = Cycle.Status.DRAFT
