"""The API's expense templates: list with the next occurrence, create, change, pause, delete and
preview, through templates_app.services with its domain errors in the envelope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.models import ExpenseTemplate
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/templates"
JSON = "application/json"


def error_code(response, status: int) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    return body["error"]["code"]


@pytest.fixture
def rent(household):
    return CategoryFactory(household=household, name="Housing")


def body(category, **fields):
    return {
        "name": "Rent",
        "amount": "1200.00",
        "currency": "USD",
        "category_id": category.pk,
        "frequency": "monthly",
        "day_of_month": 1,
        "start_date": "2026-01-01",
        **fields,
    }


def test_a_template_is_created_read_changed_paused_and_deleted(owner_api, rent):
    created = owner_api.post(URL, body(rent), content_type=JSON)
    assert created.status_code == 201
    template = created.json()
    assert template["amount"] == "1200.00" and template["monthly_equivalent"] == "1200.00"
    assert template["next_occurrence"] is not None
    pk = template["id"]
    changed = owner_api.patch(
        f"{URL}/{pk}", {"amount": "1250.00", "frequency": "per_cycle"}, content_type=JSON
    ).json()
    assert (changed["amount"], changed["frequency"], changed["day_of_month"]) == (
        "1250.00",
        "per_cycle",
        None,
    )
    paused = owner_api.patch(f"{URL}/{pk}", {"is_active": False}, content_type=JSON).json()
    assert paused["is_active"] is False and paused["next_occurrence"] is None
    assert owner_api.delete(f"{URL}/{pk}").status_code == 204
    assert not ExpenseTemplate.objects.filter(pk=pk).exists()


def test_deleting_a_template_keeps_its_expenses(owner_api, household, rent):
    template = ExpenseTemplateFactory(household=household, category=rent)
    expense = ExpenseFactory(cycle__household=household, category=rent, template=template)
    owner_api.delete(f"{URL}/{template.pk}")
    expense.refresh_from_db()
    assert expense.template_id is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"amount": "10.005"}, "INVALID_AMOUNT"),
        ({"currency": "JPY", "amount": "10.5"}, "INVALID_AMOUNT"),
        ({"day_of_month": None}, "INVALID_TEMPLATE_SCHEDULE"),
        ({"end_date": "2025-01-01"}, "INVALID_TEMPLATE_SCHEDULE"),
    ],
)
def test_template_rules_answer_with_their_domain_error(owner_api, rent, fields, code):
    response = owner_api.post(URL, body(rent, **fields), content_type=JSON)
    assert error_code(response, 422) == code


@pytest.mark.parametrize(
    ("fields", "field"), [({"currency": "ZZZ"}, "currency"), ({"name": "  "}, "name")]
)
def test_what_the_schema_refuses_is_a_validation_error_on_the_field(owner_api, rent, fields, field):
    # The description lists the currencies and says a name is not blank, so these never
    # reach the service's UNKNOWN_CURRENCY and NAME_REQUIRED.
    response = owner_api.post(URL, body(rent, **fields), content_type=JSON)
    assert error_code(response, 422) == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]["fields"]) == [field]
    assert not ExpenseTemplate.objects.exists()


def test_an_archived_category_or_another_households_is_not_selectable(
    owner_api, household, rent, other_household
):
    archived = CategoryFactory(household=household, name="Old", is_archived=True)
    theirs = CategoryFactory(household=other_household, name="Theirs")
    for category in (archived, theirs):
        response = owner_api.post(URL, body(category), content_type=JSON)
        assert error_code(response, 422) == "CATEGORY_NOT_AVAILABLE"
    method = PaymentMethodFactory(household=other_household)
    response = owner_api.post(URL, body(rent, payment_method_id=method.pk), content_type=JSON)
    assert error_code(response, 422) == "PAYMENT_METHOD_NOT_AVAILABLE"


def test_the_frequency_is_validated_per_field(owner_api, rent):
    response = owner_api.post(URL, body(rent, frequency="daily"), content_type=JSON)
    assert error_code(response, 422) == "VALIDATION_ERROR"
    assert "frequency" in response.json()["error"]["details"]["fields"]


def test_preview_counts_the_next_cycles_occurrences(owner_api, household, rent):
    template = ExpenseTemplateFactory(
        household=household,
        category=rent,
        frequency="weekly",
        amount=Decimal("10.00"),
        start_date=datetime.date(2026, 1, 1),
    )
    preview = owner_api.get(f"{URL}/{template.pk}/preview").json()
    assert preview["count"] == 6 and preview["total"] == "60.00" and preview["currency"] == "USD"


def test_template_list_is_paged_with_constant_queries(
    owner_api, household, rent, django_assert_max_num_queries
):
    for n in range(25):
        ExpenseTemplateFactory(household=household, category=rent, name=f"Bill {n:02}")
    with django_assert_max_num_queries(6):
        small = owner_api.get(f"{URL}?limit=1").json()
    with django_assert_max_num_queries(6):
        large = owner_api.get(f"{URL}?limit=200").json()
    assert len(small["items"]) == 1 and len(large["items"]) == 25 == large["count"]


def test_a_bhd_template_keeps_three_decimals(db):
    from accounts.tests.factories import HouseholdFactory, api_client, make_owner

    household = HouseholdFactory(base_currency="BHD")
    client = api_client(make_owner(household))
    category = CategoryFactory(household=household, name="Housing")
    created = client.post(
        URL, body(category, amount="350.125", currency="BHD"), content_type=JSON
    ).json()
    assert created["amount"] == "350.125"
    assert ExpenseTemplate.objects.get(pk=created["id"]).amount == Decimal("350.125")


# --- income templates -----------------------------------------------------------------------


def test_income_templates_are_listed_and_read_without_a_category(owner_api, household, rent):
    salary = ExpenseTemplateFactory(
        household=household, name="Salary", is_income=True, category=None, payment_method=None
    )
    ExpenseTemplateFactory(household=household, name="Rent", category=rent)
    listed = owner_api.get(URL)
    assert listed.status_code == 200
    rows = {row["name"]: row for row in listed.json()["items"]}
    assert (rows["Salary"]["is_income"], rows["Salary"]["category_id"]) == (True, None)
    assert (rows["Rent"]["is_income"], rows["Rent"]["category_id"]) == (False, rent.pk)
    detail = owner_api.get(f"{URL}/{salary.pk}")
    assert detail.status_code == 200 and detail.json()["category_id"] is None


def test_an_income_template_is_created_and_stays_income_when_changed(owner_api, household):
    created = owner_api.post(
        URL,
        {
            "name": "Salary",
            "amount": "3000.00",
            "currency": "USD",
            "is_income": True,
            "frequency": "monthly",
            "day_of_month": 25,
            "start_date": "2026-01-01",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created["Location"] == f"{URL}/{pk}"
    changed = owner_api.patch(f"{URL}/{pk}", {"amount": "3100.00"}, content_type=JSON)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["is_income"], changed.json()["amount"]) == (True, "3100.00")
    template = ExpenseTemplate.objects.get(pk=pk)
    assert (template.is_income, template.category_id, template.amount) == (
        True,
        None,
        Decimal("3100.000"),
    )


def test_an_expense_template_without_a_category_is_refused_on_the_field(owner_api):
    response = owner_api.post(
        URL,
        {
            "name": "Rent",
            "amount": "1200.00",
            "currency": "USD",
            "frequency": "per_cycle",
            "start_date": "2026-01-01",
        },
        content_type=JSON,
    )
    assert error_code(response, 422) == "CATEGORY_NOT_AVAILABLE"
    assert list(response.json()["error"]["details"]["fields"]) == ["category_id"]
    assert not ExpenseTemplate.objects.exists()
