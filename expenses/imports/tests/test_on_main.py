"""The import under main's rules: a viewer reads but never imports or changes a rule; a rule's
amounts are typed in the household's number format and judged by the money rule; a planned
expense deleted meanwhile is ExpenseNotFound; dates in the household's format."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import make_viewer
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses import services as expense_services
from expenses.exceptions import ExpenseNotFound, InvalidRuleAmount, UnknownRuleCurrency
from expenses.imports import services
from expenses.imports.models import ImportRule, PendingImport
from expenses.models import Category, Expense
from expenses.tests.factories import ExpenseFactory

from .test_import_features import confirm, open_preview, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(household):
    return CycleFactory(
        household=household,
        name="November",
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 12),
        status=Cycle.Status.ACTIVE,
    )


@pytest.fixture
def food(household):
    return Category.objects.get(household=household, name="Food")


@pytest.fixture
def viewer_client(household, owner):
    client = Client()
    client.force_login(make_viewer(household))
    return client


STATEMENT = b"Date,Description,Amount\n2026-11-03,LIDL 1234,-20.00\n"


# -- viewers -------------------------------------------------------------------------------------


def test_a_viewer_cannot_upload_a_statement(viewer_client, cycle):
    response = upload(viewer_client, cycle, STATEMENT)
    assert response.status_code == 403
    assert "your role is viewer" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_a_viewer_cannot_confirm_an_import_even_with_a_members_preview(
    owner_client, viewer_client, cycle
):
    page = open_preview(owner_client, cycle, STATEMENT)
    response = confirm(viewer_client, cycle, page)
    assert response.status_code == 403
    htmx = viewer_client.post(
        reverse("expenses:import_confirm", args=[cycle.pk]),
        {"token": page.context["token"]},
        HTTP_HX_REQUEST="true",
    )
    assert htmx.status_code == 403
    assert htmx["HX-Retarget"] == "#messages"
    assert not Expense.objects.filter(cycle=cycle).exists()


def test_a_viewer_reads_the_rules_but_cannot_add_change_or_delete_one(
    viewer_client, household, food
):
    rule = services.create_rule(household=household, pattern="LIDL", category=food)
    page = viewer_client.get(reverse("expenses:import_rule_list"))
    assert page.status_code == 200 and "contains “LIDL”" in page.content.decode()
    # No write control is offered: no "New rule", no edit link, no delete form.
    for write in ("import_rule_create", "import_rule_delete", "import_rule_edit"):
        args = [] if write == "import_rule_create" else [rule.pk]
        assert reverse(f"expenses:{write}", args=args) not in page.content.decode()
    refused = [
        viewer_client.post(
            reverse("expenses:import_rule_create"),
            {"match": "contains", "pattern": "ALDI", "category": food.pk, "position": 1},
        ),
        viewer_client.post(
            reverse("expenses:import_rule_edit", args=[rule.pk]),
            {"match": "contains", "pattern": "ALDI", "ignore": "on", "position": 1},
        ),
        viewer_client.post(reverse("expenses:import_rule_delete", args=[rule.pk])),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403]
    assert list(ImportRule.objects.values_list("pattern", "ignore")) == [("LIDL", False)]


# -- a rule's amounts ----------------------------------------------------------------------------


def test_a_rules_amounts_are_typed_in_the_households_number_format(owner_client, household, food):
    household.format_locale = "de_DE"
    household.save(update_fields=["format_locale"])
    response = owner_client.post(
        reverse("expenses:import_rule_create"),
        {
            "match": "contains",
            "pattern": "Miete",
            "min_amount": "1.000,50",
            "max_amount": "2.000",
            "category": food.pk,
            "position": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = ImportRule.objects.get(household=household)
    assert (rule.min_amount, rule.max_amount) == (Decimal("1000.50"), Decimal("2000"))
    assert "1.000,50" in owner_client.get(reverse("expenses:import_rule_list")).content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"max_amount": "1000000000000"}, "max_amount", "The largest amount is 999,999,999,999."),
        ({"min_amount": "1.5", "currency": "JPY"}, "min_amount", "JPY amounts have no decimals."),
        ({"min_amount": "50", "max_amount": "10"}, "max_amount", "more than the largest"),
    ],
)
def test_a_rules_amounts_follow_the_money_rule_next_to_their_field(
    owner_client, household, food, fields, field, message
):
    response = owner_client.post(
        reverse("expenses:import_rule_create"),
        {"match": "contains", "pattern": "x", "category": food.pk, "position": 1, **fields},
    )
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not ImportRule.objects.exists()


def test_the_rule_service_holds_the_money_rule_whoever_calls_it(household, food):
    with pytest.raises(InvalidRuleAmount) as refused:
        services.create_rule(
            household=household,
            pattern="x",
            category=food,
            min_amount=Decimal("0.001"),
            currency="EUR",
        )
    assert refused.value.field == "min_amount"
    with pytest.raises(InvalidRuleAmount):
        services.create_rule(
            household=household, pattern="x", category=food, max_amount=Decimal("NaN")
        )
    with pytest.raises(UnknownRuleCurrency):
        services.create_rule(household=household, pattern="x", category=food, currency="XXQ")
    assert not ImportRule.objects.exists()


# -- paying a planned expense ------------------------------------------------------------------


def test_paying_a_planned_expense_deleted_meanwhile_is_expense_not_found(cycle, owner):
    planned = ExpenseFactory(cycle=cycle, date=datetime.date(2026, 11, 2))
    Expense.objects.filter(pk=planned.pk).delete()
    with pytest.raises(ExpenseNotFound):
        expense_services.record_payment(
            expense=planned,
            by=owner,
            actual_amount=Decimal("10.00"),
            paid_on=datetime.date(2026, 11, 3),
        )


# -- dates ---------------------------------------------------------------------------------------


def test_the_preview_writes_dates_in_the_households_format(owner_client, household, cycle):
    household.format_locale = "de_DE"
    household.save(update_fields=["format_locale"])
    page = open_preview(
        owner_client, cycle, b"Date,Description,Amount\n2026-11-03,LIDL,-20.00\n2026-10-03,X,-1\n"
    )
    body = page.content.decode()
    assert "03.11.2026" in body
    # The cycles the rows fall in, with their dates in the household's format too.
    assert "(1. Nov. – 12.12.2026):" in body
