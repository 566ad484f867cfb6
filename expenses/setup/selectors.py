"""Reads for the household set-up pages: payment methods and categories, and the choices other
forms offer from them."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Household, User

from ..models import Category, ExpenseTotal, PaymentMethod


def count_related(queryset: QuerySet, field: str) -> Coalesce:
    # A correlated COUNT per row: one query for the whole list, no join fan-out.
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def count_expenses(field: str) -> Coalesce:
    """How many expenses (skipped ones too) use the row, from the trigger totals: a few rows per
    cycle, not a count over every expense of the household's history."""
    counted = (
        ExpenseTotal.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Sum("expense_count"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def payment_methods_for_list(household: Household) -> QuerySet[PaymentMethod]:
    """The household's payment methods, active first, with owner and how often each is used."""
    return (
        PaymentMethod.objects.filter(household=household)
        .select_related("owner")
        .annotate(
            expense_count=count_expenses("payment_method"),
            template_count=Count("templates"),  # the one join: the other counts are subqueries
        )
        .order_by("-is_active", "name")
    )


def payment_method_for_row(household: Household, pk: int) -> PaymentMethod:
    """One row of the list, annotated the same way (for HTMX row swaps)."""
    return payment_methods_for_list(household).get(pk=pk)


def categories_for_list(household: Household) -> QuerySet[Category]:
    """The household's categories, archived last, with how often each is used."""
    return (
        Category.objects.filter(household=household)
        .annotate(
            expense_count=count_expenses("category"),
            template_count=Count("templates"),
        )
        .order_by("is_archived", "name")
    )


def category_for_row(household: Household, pk: int) -> Category:
    return categories_for_list(household).get(pk=pk)


def household_member_users(household: Household) -> QuerySet[User]:
    """The people who can own a payment method: the household's members."""
    return User.objects.filter(membership__household=household).order_by(
        "first_name", "last_name", "email"
    )


def selectable_categories(household: Household, keep=None) -> QuerySet[Category]:
    """Categories offered for a new or edited expense/template: not archived, plus `keep` (the
    row's current category) so editing an old row does not lose it."""
    condition = Q(is_archived=False)
    if keep is not None:
        condition |= Q(pk=getattr(keep, "pk", keep))
    return Category.objects.filter(household=household).filter(condition).order_by("name")


def selectable_payment_methods(household: Household, keep=None) -> QuerySet[PaymentMethod]:
    """Active payment methods, plus `keep` (the row's current one) when editing."""
    condition = Q(is_active=True)
    if keep is not None:
        condition |= Q(pk=getattr(keep, "pk", keep))
    return PaymentMethod.objects.filter(household=household).filter(condition).order_by("name")
