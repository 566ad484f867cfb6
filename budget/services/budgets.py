"""Writes and rules for category budgets: an amount per (cycle, category) in the base currency."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from cycles.exceptions import BudgetCategoryNotAvailable, BudgetsChanged, NoPreviousBudgets
from cycles.models import CategoryBudget, Cycle
from cycles.services import lock_open_cycle
from exchange.money import validate_budget
from expenses.models import Category

from ..selectors.budgets import usual_budgets


def check_budget_amount(amount: Decimal, *, currency: str) -> Decimal:
    """A budget is ≥ 0 with at most the base currency's decimals (exchange.money's rule)."""
    return validate_budget(amount, currency)


def _categories_by_pk(cycle: Cycle, category_ids) -> dict[int, Category]:
    found = Category.objects.filter(household_id=cycle.household_id, pk__in=list(category_ids))
    return {category.pk: category for category in found}


def _check_unchanged(
    existing: dict[int, CategoryBudget],
    categories: dict[int, Category],
    expected: Mapping[int, Decimal | None],
    expected_rolls_over: Mapping[int, bool],
) -> None:
    """Raise BudgetsChanged when a saved budget or roll-over flag is not what the writer saw
    (called with the cycle locked: every budget write takes that lock)."""

    def amount(category_id: int) -> Decimal | None:
        budget = existing.get(category_id)
        return None if budget is None else budget.amount

    def flag(category_id: int) -> bool | None:
        category = categories.get(category_id)
        return None if category is None else category.rolls_over

    changed = {pk for pk, seen in expected.items() if amount(pk) != seen}
    changed |= {pk for pk, seen in expected_rolls_over.items() if flag(pk) != bool(seen)}
    if changed:
        raise BudgetsChanged(current={pk: (amount(pk), flag(pk)) for pk in sorted(changed)})


@transaction.atomic
def set_budgets(
    *,
    cycle: Cycle,
    amounts: Mapping[int, Decimal | None],
    rolls_over: Mapping[int, bool] | None = None,
    expected: Mapping[int, Decimal | None] | None = None,
    expected_rolls_over: Mapping[int, bool] | None = None,
    by: User | None = None,
) -> Cycle:
    """Set the budgets of an open cycle: category id → amount (None removes the budget), each
    ≥ 0 in the base currency's decimals; a new budget needs an active category of the household.
    `rolls_over` (category id → bool) sets which categories carry what is left into the next
    cycle. With `expected` (category id → the amount the writer saw, None: no budget) and
    `expected_rolls_over`, nothing is written when what is saved differs (BudgetsChanged, 409):
    no write is lost to another made meanwhile."""
    cycle = lock_open_cycle(cycle)
    currency = cycle.household.base_currency
    rolls_over = rolls_over or {}
    wanted = set(amounts) | set(rolls_over)
    categories = _categories_by_pk(cycle, wanted | set(expected_rolls_over or {}))
    if not wanted <= categories.keys():
        raise BudgetCategoryNotAvailable()
    existing = {b.category_id: b for b in CategoryBudget.objects.filter(cycle=cycle)}
    _check_unchanged(existing, categories, expected or {}, expected_rolls_over or {})
    to_create, to_update, to_delete = [], [], []
    for category_id, amount in amounts.items():
        budget = existing.get(category_id)
        if amount is None:
            if budget is not None:
                to_delete.append(budget.pk)
            continue
        check_budget_amount(amount, currency=currency)
        if budget is None:
            # Archived categories keep the budgets they had; they get no new one.
            if categories[category_id].is_archived:
                raise BudgetCategoryNotAvailable()
            to_create.append(CategoryBudget(cycle=cycle, category_id=category_id, amount=amount))
        elif budget.amount != amount:
            budget.amount = amount
            to_update.append(budget)
    CategoryBudget.objects.filter(pk__in=to_delete).delete()
    CategoryBudget.objects.bulk_create(to_create)
    CategoryBudget.objects.bulk_update(to_update, ["amount", "updated_at"])
    for flag in (True, False):
        changed = [pk for pk, value in rolls_over.items() if bool(value) is flag]
        Category.objects.filter(pk__in=changed).exclude(rolls_over=flag).update(rolls_over=flag)
    return cycle


def set_budget(
    *, cycle: Cycle, category: Category, amount: Decimal | None, by: User | None = None
) -> Cycle:
    """Set (or with None remove) one category's budget in an open cycle; see set_budgets."""
    if category.household_id != cycle.household_id:
        raise BudgetCategoryNotAvailable()
    return set_budgets(cycle=cycle, amounts={category.pk: amount}, by=by)


def previous_budgeted_cycle(cycle: Cycle) -> Cycle | None:
    """The latest cycle before this one that has budgets."""
    return (
        Cycle.objects.filter(
            household_id=cycle.household_id,
            start_date__lt=cycle.start_date,
            budgets__isnull=False,
        )
        .order_by("-start_date")
        .first()
    )


@transaction.atomic
def copy_budgets_from_previous(*, cycle: Cycle, by: User | None = None) -> int:
    """Give an open cycle the budgets of the latest earlier cycle that has any (active
    categories only), replacing its own for those categories; returns how many were copied."""
    cycle = lock_open_cycle(cycle)
    source = previous_budgeted_cycle(cycle)
    if source is None:
        raise NoPreviousBudgets()
    amounts = dict(
        CategoryBudget.objects.filter(cycle=source, category__is_archived=False).values_list(
            "category_id", "amount"
        )
    )
    set_budgets(cycle=cycle, amounts=amounts, by=by)
    return len(amounts)


@transaction.atomic
def apply_usual_budgets(*, cycle: Cycle, by: User | None = None) -> int:
    """Give each active category without a budget in this open cycle its usual amount (see
    selectors.budgets.usual_budgets); returns how many budgets were set."""
    cycle = lock_open_cycle(cycle)
    have = set(CategoryBudget.objects.filter(cycle=cycle).values_list("category_id", flat=True))
    amounts = {
        category_id: amount
        for category_id, amount in usual_budgets(cycle).items()
        if category_id not in have
    }
    set_budgets(cycle=cycle, amounts=amounts, by=by)
    return len(amounts)
