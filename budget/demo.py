"""Sample budget for the demo household that `manage.py seed_demo` (and so `make run`) loads.

Built through the same services a person's clicks go through, so the demo obeys every rule.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Household, User
from cycles.models import Cycle, IncomeLine
from exchange.client import FetchedRates
from exchange.services import store_rates
from expenses import services as expense_services
from expenses.models import Category, Expense
from expenses.setup import services as setup_services
from templates_app import services as template_services
from templates_app.models import ExpenseTemplate

from . import services
from .services import budgets as budget_services
from .services import income as income_services

# Sample rates (units per one US dollar), stored as a fetch would store them so that the demo's
# euro and yen expenses convert without a network connection. Not market data.
DEMO_RATES_PROVIDER = "Colony demo (sample rates)"
DEMO_RATES_PER_USD = {
    "EUR": Decimal("0.9200"),
    "GBP": Decimal("0.7900"),
    "JPY": Decimal("151.40"),
    "CAD": Decimal("1.3600"),
}


def store_demo_rates(*, base_currency: str, on: date) -> None:
    """Store the sample rates for `base_currency` dated `on` (every later day uses them until
    `refresh_rates` stores real ones); a rate already stored for that day is kept."""
    per_usd = {"USD": Decimal(1), **DEMO_RATES_PER_USD}
    base_per_usd = per_usd.get(base_currency)
    if base_per_usd is None:
        return  # a base we have no sample for: its foreign expenses await a real rate
    store_rates(
        fetched=FetchedRates(
            base=base_currency,
            rate_date=on,
            rates={code: rate / base_per_usd for code, rate in per_usd.items()},
            provider=DEMO_RATES_PROVIDER,
        )
    )


@transaction.atomic
def seed_demo_budget(*, household: Household, owner: User) -> bool:
    """Give an empty household payment methods, templates, a finished and an active cycle;
    returns False (and changes nothing) when the household already has cycles."""
    if Cycle.objects.filter(household=household).exists():
        return False
    categories = {c.name: c for c in Category.objects.filter(household=household)}
    card = setup_services.create_payment_method(
        household=household, name="Visa", kind="card", owner=owner, last4="4242"
    )
    bank = setup_services.create_payment_method(
        household=household, name="Checking account", kind="bank_account", owner=owner
    )
    setup_services.create_payment_method(household=household, name="Cash", kind="cash", owner=owner)

    today = timezone.localdate()
    active_start = today - timedelta(days=10)
    previous_start = active_start - timedelta(days=43)
    # Before the first expense, so every demo expense in another currency converts.
    store_demo_rates(base_currency=household.base_currency, on=previous_start - timedelta(days=1))
    monthly = ExpenseTemplate.Frequency.MONTHLY
    for name, amount, category, method, frequency, day in [
        ("Rent", "1450.00", "Housing", bank, monthly, 1),
        ("Electricity", "85.00", "Utilities", bank, monthly, 15),
        ("Streaming", "15.49", "Fun", card, monthly, 20),
        ("Groceries", "120.00", "Food", card, ExpenseTemplate.Frequency.WEEKLY, None),
        ("Bus pass", "60.00", "Transport", card, ExpenseTemplate.Frequency.PER_CYCLE, None),
    ]:
        template_services.create_template(
            household=household,
            name=name,
            amount=Decimal(amount),
            currency=household.base_currency,
            category=categories[category],
            payment_method=method,
            frequency=frequency,
            day_of_month=day,
            start_date=previous_start,
        )

    template_services.create_template(
        household=household,
        name="Salary",
        amount=Decimal("4400.00"),
        currency=household.base_currency,
        category=None,
        frequency=ExpenseTemplate.Frequency.PER_CYCLE,
        start_date=previous_start,
        is_income=True,
    )
    budgets = {
        "Housing": "2900.00",  # two rents fall in a six-week cycle
        "Food": "900.00",
        "Utilities": "120.00",
        "Transport": "80.00",
        "Fun": "150.00",
        "Health": "100.00",
    }
    categories["Food"].rolls_over = True
    categories["Food"].save(update_fields=["rolls_over"])

    previous = services.create_cycle(
        household=household,
        start_date=previous_start,
        generate_from_templates=True,
        created_by=owner,
    )
    _budget_and_side_income(previous, owner, categories, budgets, received=True)
    for expense in Expense.objects.filter(cycle=previous):
        expense_services.toggle_paid(expense=expense, by=owner)
    _add(
        previous,
        owner,
        "Dentist",
        "180.00",
        categories["Health"],
        card,
        previous_start + timedelta(days=12),
    )
    _add(
        previous,
        owner,
        "Museum tickets in Paris",
        "36.00",
        categories["Fun"],
        card,
        previous_start + timedelta(days=20),
        currency="EUR",
    )
    services.activate_cycle(cycle=previous, by=owner)
    services.complete_cycle(cycle=previous, by=owner)

    # Its dates include today, so it starts on its own.
    active = services.create_cycle(
        household=household,
        start_date=active_start,
        generate_from_templates=True,
        created_by=owner,
    )
    if active.status == Cycle.Status.DRAFT:
        services.activate_cycle(cycle=active, by=owner)
    _budget_and_side_income(active, owner, categories, budgets, received=False)
    for expense in Expense.objects.filter(cycle=active, date__lte=today):
        expense_services.toggle_paid(expense=expense, by=owner)
    _add(
        active,
        owner,
        "Pizza night",
        "32.50",
        categories["Fun"],
        card,
        active_start + timedelta(days=3),
    )
    _add(
        active,
        owner,
        "Ramen in Tokyo",
        "1850",
        categories["Food"],
        card,
        active_start + timedelta(days=5),
        currency="JPY",
    )
    return True


def _budget_and_side_income(cycle, owner, categories, budgets, *, received: bool) -> None:
    budget_services.set_budgets(
        cycle=cycle,
        amounts={categories[name].pk: Decimal(amount) for name, amount in budgets.items()},
        by=owner,
    )
    side_job = income_services.add_income_line(
        cycle=cycle,
        description="Side job",
        amount=Decimal("650.00"),
        currency=cycle.household.base_currency,
        expected_date=cycle.start_date + timedelta(days=20),
        member=owner,
        created_by=owner,
    )
    if received:
        for line in IncomeLine.objects.filter(cycle=cycle):
            income_services.set_income_received(line=line, is_received=True, by=owner)
    else:
        salary = IncomeLine.objects.filter(cycle=cycle).exclude(pk=side_job.pk).first()
        if salary is not None:
            income_services.set_income_received(line=salary, is_received=True, by=owner)


def _add(cycle, owner, description, amount, category, method, on: date, currency=None):
    expense_services.add_expense(
        cycle=cycle,
        created_by=owner,
        description=description,
        amount=Decimal(amount),
        currency=currency or cycle.household.base_currency,
        date=on,
        category=category,
        payment_method=method,
        status=Expense.Status.PAID,
    )
