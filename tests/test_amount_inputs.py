"""Every amount input reads the household's number format through one field class
(exchange.forms.LocalizedDecimalField): each form with an amount field is found here and posted
through its real view in de_DE and en_US, and the database must hold the amount meant."""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
import re
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from cycles.models import CategoryBudget, Cycle, IncomeLine
from cycles.tests.factories import CycleFactory
from exchange.forms import LocalizedDecimalField
from expenses.imports.models import ImportRule
from expenses.models import Category, Expense
from expenses.tests.factories import ExpenseFactory
from templates_app.models import ExpenseTemplate

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 1)

# (household format, what a person types, the amount meant). "1.000" is a thousand in de_DE:
# a group mark followed by three digits, as formats.numbers reads it (and "1,000" in en_US).
TYPED = [
    ("de_DE", "2.500,00", "2500.00"),
    ("de_DE", "255,00", "255.00"),
    ("de_DE", "1.000", "1000"),
    ("en_US", "2,500.00", "2500.00"),
    ("en_US", "255.00", "255.00"),
    ("en_US", "1,000", "1000"),
]
# Not a number in that format: an exponent, or a mark in the other locale's place (ambiguous).
REFUSED = [
    ("de_DE", "1e3", "1.234,56"),
    ("de_DE", "12.50", "1.234,56"),
    ("de_DE", "2,500.00", "1.234,56"),
    ("en_US", "1e3", "1,234.56"),
    ("en_US", "12,50", "1,234.56"),
    ("en_US", "1.000,00", "1,234.56"),
]


# --- discovery ------------------------------------------------------------------------------


def _project_form_classes() -> set[type[forms.BaseForm]]:
    """Every Form/ModelForm class defined in a `forms` module of the project's own apps."""
    found = set()
    root = str(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if not config.path.startswith(root) or ".venv" in config.path:
            continue
        modules = [config.name]
        package = importlib.import_module(config.name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{config.name}."):
            if ".tests" not in info.name and info.name.rsplit(".", 1)[-1] == "forms":
                modules.append(info.name)
        for name in modules:
            if not name.endswith(".forms"):
                continue
            module = importlib.import_module(name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    found.add(cls)
    return found


_BUILDS_AN_AMOUNT = re.compile(r"\b(?:forms\.)?(?:\w*DecimalField|AmountField)\(")


def _amount_fields(cls) -> list[str]:
    return [n for n, f in cls.base_fields.items() if isinstance(f, forms.DecimalField)]


def _has_amount_field(cls) -> bool:
    # Declared fields, and fields a form builds in __init__ (the budget form, per category).
    return bool(_amount_fields(cls)) or bool(_BUILDS_AN_AMOUNT.search(inspect.getsource(cls)))


def _form_name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


COVERED = {
    "budget.forms.NewCycleForm",
    "budget.forms.BudgetForm",
    "budget.forms.IncomeLineForm",
    "budget.forms.ExpenseSearchForm",
    "expenses.forms.ExpenseForm",
    "expenses.forms.PaymentForm",
    "templates_app.forms.TemplateForm",
    "expenses.imports.forms.ImportRuleForm",
    "sharing.forms.SettleForm",
}


def test_every_form_with_an_amount_field_is_posted_here():
    with_amounts = {_form_name(cls) for cls in _project_form_classes() if _has_amount_field(cls)}
    assert with_amounts == COVERED


def test_no_app_form_reads_an_amount_with_a_plain_decimal_field():
    for cls in _project_form_classes():
        for name in _amount_fields(cls):
            assert isinstance(cls.base_fields[name], LocalizedDecimalField), (cls, name)
        assert "forms.DecimalField(" not in inspect.getsource(cls), cls


# --- households in a format, set as their owner sets it --------------------------------------


@pytest.fixture
def in_format(owner_client, household):
    def use(locale: str):
        response = owner_client.post(
            reverse("accounts:household_formats"), {"format_locale": locale}
        )
        assert response.status_code < 400
        household.refresh_from_db()
        assert household.format_locale == locale
        return owner_client

    return use


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, start_date=START, status=Cycle.Status.ACTIVE)


@pytest.fixture
def food(household):
    return Category.objects.get_or_create(household=household, name="Food")[0]


# --- one poster per form: post `typed` through the real view, return what was stored ----------


def _new_cycle(client, household, cycle, food, typed):
    client.post(
        reverse("cycles:new"),
        {
            "name": "Spring",
            "start_date": "2026-03-01",
            "end_date": "2026-04-01",
            "income": typed,
        },
    )
    line = IncomeLine.objects.filter(cycle__household=household, cycle__name="Spring").first()
    return line and line.amount


def _budgets(client, household, cycle, food, typed):
    client.post(reverse("cycles:budgets", args=[cycle.pk]), {f"amount_{food.pk}": typed})
    budget = CategoryBudget.objects.filter(cycle=cycle, category=food).first()
    return budget and budget.amount


def _income(client, household, cycle, food, typed):
    client.post(
        reverse("cycles:income_add", args=[cycle.pk]),
        {
            "description": "Salary",
            "amount": typed,
            "currency": "USD",
            "expected_date": START.isoformat(),
            "member": "",
        },
    )
    line = IncomeLine.objects.filter(cycle=cycle, description="Salary").first()
    return line and line.amount


def _expense_data(food, typed, **more):
    return {
        "date": START.isoformat(),
        "description": "Groceries",
        "category": str(food.pk),
        "payment_method": "",
        "amount": typed,
        "currency": "USD",
        "status": "planned",
        "note": "",
        **more,
    }


def _expense_add(client, household, cycle, food, typed):
    client.post(reverse("cycles:expense_add", args=[cycle.pk]), _expense_data(food, typed))
    expense = Expense.objects.filter(cycle=cycle, description="Groceries").first()
    return expense and expense.amount


def _expense_edit(client, household, cycle, food, typed):
    expense = ExpenseFactory(cycle=cycle, category=food, description="Rent", date=START)
    planned = expense.amount
    client.post(
        reverse("cycles:expense_edit", args=[expense.pk]),
        _expense_data(food, typed, description="Rent", version=str(expense.version)),
    )
    expense.refresh_from_db()
    return expense.amount if expense.amount != planned else None


def _pay(client, household, cycle, food, typed):
    expense = ExpenseFactory(cycle=cycle, category=food, description="Rent", date=START)
    client.post(
        reverse("cycles:expense_toggle_paid", args=[expense.pk]),
        {"amount": typed, "version": str(expense.version)},
    )
    expense.refresh_from_db()
    return expense.amount if expense.is_paid else None


def _template(client, household, cycle, food, typed):
    client.post(
        reverse("templates_app:template_create"),
        {
            "name": "Gym",
            "amount": typed,
            "currency": "USD",
            "category": food.pk,
            "payment_method": "",
            "frequency": "weekly",
            "day_of_month": "",
            "start_date": START.isoformat(),
            "end_date": "",
            "is_active": "on",
            "note": "",
        },
    )
    template = ExpenseTemplate.objects.filter(household=household, name="Gym").first()
    return template and template.amount


def _import_rule(client, household, cycle, food, typed):
    client.post(
        reverse("expenses:import_rule_create"),
        {
            "match": "contains",
            "pattern": "LIDL",
            "category": food.pk,
            "position": 100,
            "min_amount": typed,
            "max_amount": "",
            "currency": "",
        },
    )
    rule = ImportRule.objects.filter(household=household, pattern="LIDL").first()
    return rule and rule.min_amount


def _search(client, household, cycle, food, typed):
    # The search reads the stored amounts: the expense at the amount meant is found, the one a
    # cent below is not.
    meant = Decimal(_meant(typed))
    at = ExpenseFactory(cycle=cycle, category=food, amount=meant, base_amount=meant)
    below = meant - Decimal("0.01")
    ExpenseFactory(cycle=cycle, category=food, amount=below, base_amount=below)
    body = client.get(reverse("cycles:search"), {"amount_min": typed}).content.decode()
    found = re.findall(r'id="search-expense-(\d+)"', body)
    return meant if found == [str(at.pk)] else None


_TYPED_VALUES = {typed: value for _locale, typed, value in TYPED}


def _settle(client, household, cycle, food, typed):
    """A settlement of `typed`, against the payer's balance of minus `typed` (one paid-for
    expense of twice the amount, split equally), both as the page writes them."""
    from accounts.tests.factories import make_member
    from expenses import services as expense_services
    from sharing.models import Settlement

    owner = household.memberships.get(role="owner").user
    member = make_member(household)
    expense_services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="Shared",
        amount=2 * Decimal(_meant(typed)),
        currency="USD",
        date=START,
        category=food,
        status="paid",
    )
    client.post(
        reverse("sharing:settle"),
        {"from_user": member.pk, "to_user": owner.pk, "amount": typed, "balance": f"-{typed}"},
    )
    settlement = Settlement.objects.filter(household=household).first()
    return settlement and settlement.amount


def _meant(typed: str) -> str:
    return _TYPED_VALUES[typed]


POSTERS = {
    "budget.forms.NewCycleForm": _new_cycle,
    "budget.forms.BudgetForm": _budgets,
    "budget.forms.IncomeLineForm": _income,
    "budget.forms.ExpenseSearchForm": _search,
    "expenses.forms.ExpenseForm": _expense_add,
    "expenses.forms.ExpenseForm (edit)": _expense_edit,
    "expenses.forms.PaymentForm": _pay,
    "templates_app.forms.TemplateForm": _template,
    "expenses.imports.forms.ImportRuleForm": _import_rule,
    "sharing.forms.SettleForm": _settle,
}


def test_every_covered_form_has_a_poster():
    assert {name.split(" (")[0] for name in POSTERS} == COVERED


@pytest.mark.parametrize("form", sorted(POSTERS))
@pytest.mark.parametrize(("locale", "typed", "value"), TYPED)
def test_an_amount_typed_in_the_households_format_is_stored_exactly(
    in_format, household, cycle, food, form, locale, typed, value
):
    client = in_format(locale)
    stored = POSTERS[form](client, household, cycle, food, typed)
    assert stored == Decimal(value)


@pytest.mark.parametrize(
    ("locale", "typed", "value"),
    [("de_DE", "0,9250", "0.9250"), ("de_DE", "1,5", "1.5"), ("en_US", "0.9250", "0.9250")],
)
def test_a_rate_typed_by_hand_is_read_in_the_households_format(
    in_format, cycle, food, locale, typed, value
):
    client = in_format(locale)
    expense = ExpenseFactory(cycle=cycle, category=food, description="Rent", date=START)
    client.post(
        reverse("cycles:expense_edit", args=[expense.pk]),
        _expense_data(
            food, "10", description="Rent", currency="EUR", rate=typed, version=expense.version
        ),
    )
    expense.refresh_from_db()
    assert (expense.rate, expense.rate_source) == (Decimal(value), Expense.RateSource.MANUAL)


# --- refused input: the field's error in the household's format, nothing stored, never a 500 --


def _refused_posts(client, cycle, food, typed):
    """(name, response, whether anything was stored) per form, for an input that is refused."""
    expense = ExpenseFactory(cycle=cycle, category=food, description="Rent", date=START)
    planned = expense.amount
    yield (
        "new cycle",
        client.post(
            reverse("cycles:new"),
            {
                "name": "Spring",
                "start_date": "2026-03-01",
                "end_date": "2026-04-01",
                "income": typed,
            },
        ),
        lambda: Cycle.objects.filter(name="Spring").exists(),
    )
    yield (
        "budgets",
        client.post(reverse("cycles:budgets", args=[cycle.pk]), {f"amount_{food.pk}": typed}),
        lambda: CategoryBudget.objects.filter(cycle=cycle, category=food).exists(),
    )
    yield (
        "income",
        client.post(
            reverse("cycles:income_add", args=[cycle.pk]),
            {
                "description": "Salary",
                "amount": typed,
                "currency": "USD",
                "expected_date": START.isoformat(),
            },
        ),
        lambda: IncomeLine.objects.filter(description="Salary").exists(),
    )
    yield (
        "expense",
        client.post(reverse("cycles:expense_add", args=[cycle.pk]), _expense_data(food, typed)),
        lambda: Expense.objects.filter(description="Groceries").exists(),
    )
    yield (
        "rate",
        client.post(
            reverse("cycles:expense_edit", args=[expense.pk]),
            _expense_data(
                food,
                "10",
                description="Rent",
                currency="EUR",
                rate=typed,
                version=str(expense.version),
            ),
        ),
        lambda: Expense.objects.get(pk=expense.pk).currency == "EUR",
    )
    yield (
        "edit",
        client.post(
            reverse("cycles:expense_edit", args=[expense.pk]),
            _expense_data(food, typed, description="Rent", version=str(expense.version)),
        ),
        lambda: Expense.objects.get(pk=expense.pk).amount != planned,
    )
    yield (
        "pay",
        client.post(
            reverse("cycles:expense_toggle_paid", args=[expense.pk]),
            {"amount": typed, "version": str(expense.version)},
        ),
        lambda: Expense.objects.get(pk=expense.pk).is_paid,
    )
    yield (
        "template",
        client.post(
            reverse("templates_app:template_create"),
            {
                "name": "Gym",
                "amount": typed,
                "currency": "USD",
                "category": food.pk,
                "frequency": "weekly",
                "start_date": START.isoformat(),
                "is_active": "on",
            },
        ),
        lambda: ExpenseTemplate.objects.filter(name="Gym").exists(),
    )
    yield (
        "import rule",
        client.post(
            reverse("expenses:import_rule_create"),
            {
                "match": "contains",
                "pattern": "LIDL",
                "category": food.pk,
                "position": 100,
                "min_amount": typed,
            },
        ),
        lambda: ImportRule.objects.filter(pattern="LIDL").exists(),
    )


@pytest.mark.parametrize(("locale", "typed", "shown"), REFUSED)
def test_an_amount_not_in_the_households_format_is_a_field_error(
    in_format, cycle, food, locale, typed, shown
):
    client = in_format(locale)
    for name, response, stored in _refused_posts(client, cycle, food, typed):
        body = response.content.decode()
        assert response.status_code in (200, 422), (name, response.status_code)
        # A rate's example has four decimals (1.234,5678): the same marks in the same places.
        assert f"like {shown}" in body, name
        assert not stored(), name


@pytest.mark.parametrize(("locale", "typed", "shown"), REFUSED)
def test_a_refused_search_amount_is_shown_and_lists_nothing(
    in_format, cycle, food, locale, typed, shown
):
    ExpenseFactory(cycle=cycle, category=food, description="Anything", date=START)
    client = in_format(locale)
    response = client.get(reverse("cycles:search"), {"amount_min": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Enter an amount like {shown}." in body
    assert "0 expenses" in body
    assert 'id="search-expense-' not in body


# --- placeholders show the format, with the currency's decimals ------------------------------


@pytest.mark.parametrize(("locale", "shown"), [("de_DE", "1.234,56"), ("en_US", "1,234.56")])
def test_amount_inputs_show_the_households_format_as_placeholder(
    in_format, cycle, food, locale, shown
):
    client = in_format(locale)
    pages = [
        reverse("cycles:search"),
        reverse("cycles:new"),
        reverse("cycles:budgets", args=[cycle.pk]),
        reverse("templates_app:template_create"),
        reverse("cycles:detail", args=[cycle.pk]),  # the add-expense and income forms
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert f'placeholder="{shown}"' in body, url


def test_placeholders_follow_the_currencys_decimals(in_format, household, cycle):
    household.base_currency = "JPY"
    household.save(update_fields=["base_currency"])
    client = in_format("de_DE")
    body = client.get(reverse("cycles:search")).content.decode()
    assert 'placeholder="1.234"' in body
