"""Reads for the cycle page: the expense rows, and the category and payment-method choices."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, F, QuerySet, Value

from accounts.models import Household
from cycles.models import Cycle

from .models import Category, Expense, PaymentMethod

SORT_ASCENDING = "date"
SORT_DESCENDING = "-date"
SORTS = (SORT_ASCENDING, SORT_DESCENDING)


@dataclass(frozen=True)
class ExpenseChoices:
    """Every category and payment method of a household (archived and inactive ones too, for
    filtering old expenses); forms offer only the open ones."""

    categories: list[Category]
    payment_methods: list[PaymentMethod]

    @property
    def open_categories(self) -> list[Category]:
        return [category for category in self.categories if not category.is_archived]

    @property
    def active_payment_methods(self) -> list[PaymentMethod]:
        return [method for method in self.payment_methods if method.is_active]


def _choice_rows(queryset: QuerySet, kind: str, flag: str, last4) -> QuerySet:
    # Same columns, same order on both sides of the UNION.
    return queryset.annotate(
        choice_kind=Value(kind, output_field=CharField()),
        choice_pk=F("pk"),
        choice_name=F("name"),
        choice_household=F("household_id"),
        choice_flag=F(flag),
        choice_last4=last4,
    ).values_list(
        "choice_kind", "choice_pk", "choice_name", "choice_household", "choice_flag", "choice_last4"
    )


def expense_choices(household: Household) -> ExpenseChoices:
    """The household's categories and payment methods, in one query (they are a few rows each)."""
    categories = _choice_rows(
        Category.objects.filter(household=household).order_by(),
        "category",
        "is_archived",
        Value("", output_field=CharField()),
    )
    methods = _choice_rows(
        PaymentMethod.objects.filter(household=household).order_by(),
        "payment_method",
        "is_active",
        F("last4"),
    )
    rows = sorted(categories.union(methods, all=True), key=lambda row: (row[0], row[2].lower()))
    found = ExpenseChoices(categories=[], payment_methods=[])
    # from_db takes the values in the model's field order.
    for kind, pk, name, household_id, flag, last4 in rows:
        if kind == "category":
            found.categories.append(
                Category.from_db(
                    "default",
                    ["id", "household_id", "name", "is_archived"],
                    [pk, household_id, name, flag],
                )
            )
        else:
            found.payment_methods.append(
                PaymentMethod.from_db(
                    "default",
                    ["id", "household_id", "name", "last4", "is_active"],
                    [pk, household_id, name, last4, flag],
                )
            )
    return found


def cycle_expenses(
    cycle: Cycle,
    *,
    category: int | None = None,
    payment_method: int | None = None,
    status: str | None = None,
    member: int | None = None,
    sort: str = SORT_ASCENDING,
) -> QuerySet[Expense]:
    """A cycle's expenses with what each row shows, filtered and sorted by date."""
    expenses = Expense.objects.filter(cycle_id=cycle.pk).select_related(
        "category", "payment_method", "created_by", "updated_by"
    )
    if category:
        expenses = expenses.filter(category_id=category)
    if payment_method:
        expenses = expenses.filter(payment_method_id=payment_method)
    if status:
        expenses = expenses.filter(status=status)
    if member:
        expenses = expenses.filter(created_by_id=member)
    if sort == SORT_DESCENDING:
        return expenses.order_by("-date", "-id")
    return expenses.order_by("date", "id")


def expenses_for_rows() -> QuerySet[Expense]:
    """Expenses with what a row shows and its cycle (scope it with get_for_household)."""
    return Expense.objects.select_related(
        "cycle__household", "category", "payment_method", "created_by", "updated_by"
    )


def upcoming_planned_expenses(cycle: Cycle, *, limit: int = 8) -> list[Expense]:
    """The next planned (unpaid) expenses of a cycle, by date."""
    return list(
        Expense.objects.filter(cycle_id=cycle.pk, status=Expense.Status.PLANNED)
        .select_related("category", "payment_method")
        .order_by("date", "id")[:limit]
    )
