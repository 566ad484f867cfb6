"""The trigger totals (read by the cycles list, the reports and the usage counts) equal a
fresh aggregation of the expenses after any sequence of writes, whoever makes them; the check
command finds a drift and repairs it."""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from accounts.tests.factories import HouseholdFactory, make_owner
from budget import services as cycle_services
from colony.errors import DomainError
from cycles.tests.factories import CycleFactory
from exchange.models import ExchangeRate
from expenses import services, totals
from expenses.imports import services as import_services
from expenses.imports.rows import IMPORT, ImportRow
from expenses.models import Expense, ExpenseTotal
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 3, 1)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
# USD is the base currency; EUR has no stored rate until a rule stores one (awaiting rate).
currencies = st.sampled_from(["USD", "USD", "EUR"])
days = st.integers(min_value=0, max_value=40)


class ExpenseWrites(RuleBasedStateMachine):
    """Random adds, edits, pays, skips, restores, deletes, imports, template generation and rate
    fills on two cycles of one household; after each, the trigger totals equal a recount."""

    expenses = Bundle("expenses")

    def __init__(self):
        super().__init__()
        household = HouseholdFactory()
        self.user = make_owner(household)
        self.cycles = [
            CycleFactory(
                household=household, start_date=start, end_date=start + datetime.timedelta(42)
            )
            for start in (START, START + datetime.timedelta(days=43))
        ]
        self.categories = [CategoryFactory(household=household) for _ in range(2)]
        self.methods = [None, PaymentMethodFactory(household=household)]
        ExpenseTemplateFactory(
            household=household,
            category=self.categories[0],
            payment_method=self.methods[1],
            amount=Decimal("800.00"),
            currency="USD",
        )

    @rule(
        target=expenses,
        cycle=st.integers(0, 1),
        amount=amounts,
        currency=currencies,
        day=days,
        category=st.integers(0, 1),
        method=st.integers(0, 1),
        paid=st.booleans(),
    )
    def add(self, cycle, amount, currency, day, category, method, paid):
        cycle = self.cycles[cycle]
        return services.add_expense(
            cycle=cycle,
            created_by=self.user,
            description="Groceries",
            amount=amount,
            currency=currency,
            date=cycle.start_date + datetime.timedelta(days=day),
            category=self.categories[category],
            payment_method=self.methods[method],
            status=Expense.Status.PAID if paid else Expense.Status.PLANNED,
        )

    @rule(
        expense=expenses,
        amount=amounts,
        currency=currencies,
        category=st.integers(0, 1),
        method=st.integers(0, 1),
    )
    def edit(self, expense, amount, currency, category, method):
        expense = Expense.objects.get(pk=expense.pk) if _exists(expense) else None
        if expense is None:
            return
        _refused_is_fine(
            services.update_expense,
            expense=expense,
            updated_by=self.user,
            amount=amount,
            currency=currency,
            category=self.categories[category],
            payment_method=self.methods[method],
        )

    @rule(expense=expenses, actual=st.none() | amounts)
    def toggle_paid(self, expense, actual):
        if _exists(expense):
            _refused_is_fine(
                services.toggle_paid,
                expense=Expense.objects.get(pk=expense.pk),
                by=self.user,
                actual_amount=actual,
            )

    @rule(expense=expenses)
    def skip(self, expense):
        if _exists(expense):
            _refused_is_fine(
                services.skip_expense, expense=Expense.objects.get(pk=expense.pk), by=self.user
            )

    @rule(expense=expenses)
    def restore(self, expense):
        if _exists(expense):
            _refused_is_fine(
                services.restore_expense, expense=Expense.objects.get(pk=expense.pk), by=self.user
            )

    @rule(expense=consumes(expenses))
    def delete(self, expense):
        if _exists(expense):
            services.delete_expense(expense=Expense.objects.get(pk=expense.pk), by=self.user)

    @rule(
        cycle=st.integers(0, 1),
        rows=st.lists(st.tuples(amounts, currencies, days), min_size=1, max_size=8),
        category=st.integers(0, 1),
    )
    def import_statement(self, cycle, rows, category):
        cycle = self.cycles[cycle]
        decisions = [
            import_services.RowDecision(
                row=ImportRow(
                    line=n + 2,
                    cells=(),
                    status=IMPORT,
                    date=cycle.start_date + datetime.timedelta(days=day),
                    description=f"Shop {n}",
                    amount=amount,
                    currency=currency,
                ),
                action=import_services.NEW,
                category=self.categories[category],
            )
            for n, (amount, currency, day) in enumerate(rows)
        ]
        import_services.import_statement(cycle=cycle, decisions=decisions, created_by=self.user)

    @rule(cycle=st.integers(0, 1))
    def generate_from_templates(self, cycle):
        cycle_services.generate_expenses_from_templates(
            cycle=self.cycles[cycle], created_by=self.user
        )

    @rule(rate=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2"), places=4))
    def fill_rates(self, rate):
        ExchangeRate.objects.update_or_create(
            base_currency="USD",
            quote_currency="EUR",
            rate_date=START,
            defaults={"rate": rate, "provider": "test"},
        )
        services.fill_awaiting_rates(today=START)

    @invariant()
    def kept_totals_equal_a_recount(self):
        assert totals.find_drift([cycle.pk for cycle in self.cycles]) == []


def _exists(expense) -> bool:
    return Expense.objects.filter(pk=expense.pk).exists()


def _refused_is_fine(service, **arguments):
    # A refused change (a rule says no) must leave the totals alone as well.
    with contextlib.suppress(DomainError):
        service(**arguments)


def test_kept_totals_equal_a_fresh_aggregation_after_any_writes():
    run_state_machine_as_test(
        ExpenseWrites,
        settings=settings(
            max_examples=15,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# -- the check command -------------------------------------------------------------------------


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, start_date=START)


def test_check_command_finds_an_injected_drift_and_repairs_it(cycle, capsys):
    ExpenseFactory.create_batch(3, cycle=cycle)
    call_command("check_expense_totals")
    assert "match" in capsys.readouterr().out

    ExpenseTotal.objects.filter(cycle=cycle).update(base_total=F("base_total") + 1)
    with pytest.raises(CommandError, match="differ from the expenses"):
        call_command("check_expense_totals")
    assert f"drift: cycle {cycle.pk}" in capsys.readouterr().out

    call_command("check_expense_totals", "--repair")
    assert "Repaired" in capsys.readouterr().out
    assert totals.find_drift() == []


def test_check_command_finds_a_missing_total(cycle):
    ExpenseFactory(cycle=cycle)
    ExpenseTotal.objects.filter(cycle=cycle).delete()
    with pytest.raises(CommandError):
        call_command("check_expense_totals")


def test_a_bulk_update_outside_any_service_keeps_totals_exact(cycle):
    ExpenseFactory.create_batch(5, cycle=cycle, status=Expense.Status.PLANNED)
    Expense.objects.filter(cycle=cycle).update(
        status=Expense.Status.PAID, paid_on=START, base_amount=Decimal("2.000")
    )
    kept = ExpenseTotal.objects.get(cycle=cycle)
    assert (kept.status, kept.expense_count, kept.base_total) == ("paid", 5, Decimal("10.000"))


def test_deleting_a_cycle_or_household_leaves_no_totals(household, owner, cycle):
    other = CycleFactory(household=household, start_date=START + datetime.timedelta(days=50))
    ExpenseFactory.create_batch(2, cycle=cycle)
    ExpenseFactory.create_batch(2, cycle=other)
    cycle_services.delete_cycle(cycle=cycle, by=owner)
    assert not ExpenseTotal.objects.filter(cycle_id=cycle.pk).exists()
    household.delete()
    assert not ExpenseTotal.objects.exists()
