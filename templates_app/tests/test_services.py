"""Rules for expense templates, through the services."""

import datetime
from decimal import Decimal

import pytest

from colony.names import NameRequired
from cycles.tests.factories import CycleFactory
from exchange.exceptions import UnknownCurrency
from exchange.money import InvalidAmount
from expenses.exceptions import CategoryNotAvailable, PaymentMethodNotAvailable
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app import services
from templates_app.exceptions import InvalidTemplateSchedule
from templates_app.models import ExpenseTemplate
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing(household):
    return CategoryFactory(household=household, name="Housing")


def _values(category, **overrides):
    return {
        "name": "Rent",
        "amount": Decimal("1200.00"),
        "currency": "USD",
        "category": category,
        "frequency": "monthly",
        "day_of_month": 31,
        "start_date": datetime.date(2026, 1, 1),
        **overrides,
    }


def test_creating_a_monthly_template(household, housing):
    method = PaymentMethodFactory(household=household)
    template = services.create_template(
        household=household, payment_method=method, note=" keys ", **_values(housing)
    )
    template.refresh_from_db()
    assert (template.name, template.amount, template.day_of_month, template.payment_method) == (
        "Rent",
        Decimal("1200.000"),
        31,
        method,
    )
    assert template.is_active and template.note == "keys"


def test_day_of_month_is_dropped_for_other_frequencies(household, housing):
    template = services.create_template(
        household=household, **_values(housing, frequency="weekly", day_of_month=12)
    )
    assert template.day_of_month is None


@pytest.mark.parametrize(
    "amount",
    [Decimal("0"), Decimal("-1"), Decimal("1000000000000"), Decimal("NaN"), Decimal("Inf")],
)
def test_amount_out_of_range_is_refused(household, housing, amount):
    with pytest.raises(InvalidAmount) as error:
        services.create_template(household=household, **_values(housing, amount=amount))
    assert error.value.status == 422
    assert not ExpenseTemplate.objects.filter(household=household).exists()


@pytest.mark.parametrize(
    ("currency", "amount"), [("JPY", "1.5"), ("USD", "1.001"), ("BHD", "0.0001")]
)
def test_amount_with_more_decimals_than_the_currency_has_is_refused(
    household, housing, currency, amount
):
    with pytest.raises(InvalidAmount):
        services.create_template(
            household=household, **_values(housing, currency=currency, amount=Decimal(amount))
        )


@pytest.mark.parametrize(("currency", "amount"), [("JPY", "1500"), ("BHD", "0.375")])
def test_amount_in_the_currency_minor_units_is_fine(household, housing, currency, amount):
    template = services.create_template(
        household=household, **_values(housing, currency=currency, amount=Decimal(amount))
    )
    assert template.amount == Decimal(amount)


def test_unknown_currency_is_refused(household, housing):
    with pytest.raises(UnknownCurrency):
        services.create_template(household=household, **_values(housing, currency="XXX"))


def test_end_before_start_is_refused(household, housing):
    with pytest.raises(InvalidTemplateSchedule):
        services.create_template(
            household=household, **_values(housing, end_date=datetime.date(2025, 12, 31))
        )


def test_monthly_without_a_day_is_refused(household, housing):
    with pytest.raises(InvalidTemplateSchedule):
        services.create_template(household=household, **_values(housing, day_of_month=None))


def test_category_of_another_household_is_refused(household, other_household):
    foreign = CategoryFactory(household=other_household, name="Housing")
    with pytest.raises(CategoryNotAvailable):
        services.create_template(household=household, **_values(foreign))


def test_archived_category_is_refused_for_a_new_template(household, housing):
    housing.is_archived = True
    housing.save()
    with pytest.raises(CategoryNotAvailable):
        services.create_template(household=household, **_values(housing))


def test_template_keeps_its_archived_category_when_edited(household, housing):
    template = ExpenseTemplateFactory(household=household, category=housing)
    housing.is_archived = True
    housing.save()
    services.update_template(template=template, **_values(housing, name="Rent 2"))
    template.refresh_from_db()
    assert (template.name, template.category) == ("Rent 2", housing)


def test_inactive_or_foreign_payment_method_is_refused(household, housing, other_household):
    inactive = PaymentMethodFactory(household=household, is_active=False)
    foreign = PaymentMethodFactory(household=other_household)
    for method in (inactive, foreign):
        with pytest.raises(PaymentMethodNotAvailable):
            services.create_template(household=household, payment_method=method, **_values(housing))


def test_pausing_and_resuming(household):
    template = ExpenseTemplateFactory(household=household)
    services.set_template_active(template=template, is_active=False)
    template.refresh_from_db()
    assert template.is_active is False
    services.set_template_active(template=template, is_active=True)
    template.refresh_from_db()
    assert template.is_active is True


def test_deleting_a_template_keeps_its_expenses(household):
    template = ExpenseTemplateFactory(household=household)
    cycle = CycleFactory(household=household)
    expenses = [ExpenseFactory(cycle=cycle, template=template) for _ in range(2)]
    kept = services.delete_template(template=template)
    assert kept == 2
    assert not ExpenseTemplate.objects.filter(pk=template.pk).exists()
    for expense in expenses:
        expense.refresh_from_db()
        assert expense.template is None
    assert Expense.objects.filter(cycle=cycle).count() == 2


def test_blank_template_name_is_refused_like_every_name(household, housing):
    with pytest.raises(NameRequired):
        services.create_template(household=household, **_values(housing, name="   "))
    assert not ExpenseTemplate.objects.filter(household=household).exists()


def test_template_amount_is_refused_with_the_money_rule_wording(household, housing):
    with pytest.raises(InvalidAmount, match=r"USD amounts have at most 2 decimals\.$"):
        services.create_template(household=household, **_values(housing, amount=Decimal("10.005")))
