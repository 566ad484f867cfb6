"""Writes and rules for expense templates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import Household, User
from colony.names import clean_name
from exchange.money import validate_amount
from expenses.exceptions import CategoryNotAvailable
from expenses.models import Category, Expense, PaymentMethod
from expenses.setup.services import check_selectable
from sharing import services as sharing

from .exceptions import InvalidTemplateSchedule
from .models import ExpenseTemplate

Frequency = ExpenseTemplate.Frequency


def _check_schedule(
    frequency: str, day_of_month: int | None, start_date: date, end_date: date | None
) -> None:
    if frequency not in Frequency.values:
        raise InvalidTemplateSchedule("Choose how often the expense repeats.")
    if frequency == Frequency.MONTHLY and not (day_of_month and 1 <= day_of_month <= 31):
        raise InvalidTemplateSchedule(
            "A monthly template needs a day of the month, 1 to 31.", field="day_of_month"
        )
    if end_date is not None and end_date < start_date:
        raise InvalidTemplateSchedule(
            "The end date cannot be before the start date.", field="end_date"
        )


# update_template without `paid_by` (the API's PATCH): the template's payer stays.
UNCHANGED = object()


def _check_choices(
    *,
    household_id: int,
    category: Category,
    payment_method: PaymentMethod | None,
    template: ExpenseTemplate | None = None,
) -> None:
    # What a template already uses may stay even once archived/deactivated.
    check_selectable(
        household_id=household_id,
        category=category,
        payment_method=payment_method,
        current_category_id=getattr(template, "category_id", None),
        current_payment_method_id=getattr(template, "payment_method_id", None),
    )


def create_template(
    *,
    household: Household,
    name: str,
    amount: Decimal,
    currency: str,
    category: Category | None,
    frequency: str,
    start_date: date,
    payment_method: PaymentMethod | None = None,
    day_of_month: int | None = None,
    end_date: date | None = None,
    is_active: bool = True,
    note: str = "",
    is_income: bool = False,
    paid_by: User | None = None,
) -> ExpenseTemplate:
    """Add a recurring expense (or income) to the household: a positive amount in the currency's
    units, a category (an expense only) and payment method of its own, and a schedule that ends
    no earlier than it starts."""
    template = ExpenseTemplate(household=household)
    return _apply(
        template,
        name=name,
        amount=amount,
        currency=currency,
        category=category,
        payment_method=payment_method,
        frequency=frequency,
        day_of_month=day_of_month,
        start_date=start_date,
        end_date=end_date,
        is_active=is_active,
        note=note,
        is_income=is_income,
        paid_by=paid_by,
    )


def update_template(
    *,
    template: ExpenseTemplate,
    name: str,
    amount: Decimal,
    currency: str,
    category: Category | None,
    frequency: str,
    start_date: date,
    payment_method: PaymentMethod | None = None,
    day_of_month: int | None = None,
    end_date: date | None = None,
    is_active: bool = True,
    note: str = "",
    is_income: bool = False,
    paid_by: User | object | None = UNCHANGED,
) -> ExpenseTemplate:
    """Change a template under the same rules as creating one; expenses it already made stay
    as they are. Without `paid_by` its payer stays."""
    return _apply(
        template,
        name=name,
        amount=amount,
        currency=currency,
        category=category,
        payment_method=payment_method,
        frequency=frequency,
        day_of_month=day_of_month,
        start_date=start_date,
        end_date=end_date,
        is_active=is_active,
        note=note,
        is_income=is_income,
        paid_by=paid_by,
    )


def _apply(template: ExpenseTemplate, **values) -> ExpenseTemplate:
    name = clean_name(values["name"])
    validate_amount(values["amount"], values["currency"])
    frequency = values["frequency"]
    day_of_month = values["day_of_month"] if frequency == Frequency.MONTHLY else None
    _check_schedule(frequency, day_of_month, values["start_date"], values["end_date"])
    is_income = bool(values["is_income"])
    if is_income:
        # Income has no category nor payment method: it is not spending.
        values["category"] = values["payment_method"] = None
    elif values["category"] is None:
        raise CategoryNotAvailable()
    else:
        _check_choices(
            household_id=template.household_id,
            category=values["category"],
            payment_method=values["payment_method"],
            template=template if template.pk else None,
        )
    # Who pays each generated expense (empty: the payment method's owner): a member.
    if values["paid_by"] is not UNCHANGED:
        sharing.check_payer(
            values["paid_by"],
            household_id=template.household_id,
            current_payer_id=template.paid_by_id if template.pk else None,
        )
        template.paid_by = values["paid_by"]
    if is_income:
        template.paid_by = None
    template.is_income = is_income
    template.name = name
    template.amount = values["amount"]
    template.currency = values["currency"].upper()
    template.category = values["category"]
    template.payment_method = values["payment_method"]
    template.frequency = frequency
    template.day_of_month = day_of_month
    template.start_date = values["start_date"]
    template.end_date = values["end_date"]
    template.is_active = values["is_active"]
    template.note = values["note"].strip()
    template.save()
    return template


def set_template_active(*, template: ExpenseTemplate, is_active: bool) -> ExpenseTemplate:
    """Pause or resume: a paused template makes no expenses when cycles are generated."""
    template.is_active = is_active
    template.save(update_fields=["is_active", "updated_at"])
    return template


@transaction.atomic
def delete_template(*, template: ExpenseTemplate) -> int:
    """Delete a template; the expenses it already made are kept (they just lose the link).
    Returns how many were kept."""
    kept = Expense.objects.filter(template=template).count()
    template.delete()
    return kept
