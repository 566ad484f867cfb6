"""The API's cycles: create (from templates), change, activate, complete, delete and totals,
through budget.services with its domain errors in the envelope; money exact in JPY and BHD."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.tests.factories import HouseholdFactory, api_client, make_owner
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import ExpenseFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cycles"
JSON = "application/json"


def error_code(response, status: int) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    return body["error"]["code"]


def test_a_cycle_is_created_from_templates_and_read_back(owner_api, household):
    ExpenseTemplateFactory(household=household, amount=Decimal("900.00"), day_of_month=3)
    response = owner_api.post(
        URL,
        {
            "start_date": "2026-03-01",
            "end_date": "2026-04-11",
            "income": "4000.00",
            "generate_from_templates": True,
        },
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["income"] == "4000.00"
    assert body["name"] == "Mar 1, 2026 – Apr 11, 2026"
    assert body["planned_total"] == "1800.00"  # March 3 and April 3
    assert body["balance"] == "2200.00"
    assert Cycle.objects.get(pk=body["id"]).expenses.count() == 2
    assert owner_api.get(f"{URL}/{body['id']}").json() == body


def test_a_cycle_goes_from_draft_to_active_to_completed(owner_api, household):
    cycle = CycleFactory(household=household)
    assert owner_api.post(f"{URL}/{cycle.pk}/activate").json()["status"] == "active"
    done = owner_api.post(f"{URL}/{cycle.pk}/complete").json()
    assert done["status"] == "completed" and done["completed_at"]
    again = owner_api.post(f"{URL}/{cycle.pk}/complete")
    assert error_code(again, 409) == "INVALID_STATUS_TRANSITION"
    changed = owner_api.patch(f"{URL}/{cycle.pk}", {"name": "Late"}, content_type=JSON)
    assert error_code(changed, 409) == "CYCLE_ALREADY_COMPLETED"


def test_only_one_cycle_is_active(owner_api, household):
    CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    draft = CycleFactory(household=household)
    response = owner_api.post(f"{URL}/{draft.pk}/activate")
    assert error_code(response, 409) == "ACTIVE_CYCLE_EXISTS"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, 422, "INVALID_CYCLE_DATES"),
        ({"start_date": "2026-03-01", "end_date": "2026-05-01"}, 422, "MAX_CYCLE_DURATION_DAYS"),
        ({"start_date": "2026-03-01", "income": "-1.00"}, 422, "VALIDATION_ERROR"),  # pattern
        ({"start_date": "2026-03-01", "income": "10.005"}, 422, "INVALID_INCOME"),
        ({"start_date": "2026-01-20"}, 409, "CYCLE_OVERLAP"),
        ({"start_date": "2027-01-01", "name": "taken"}, 409, "CYCLE_NAME_EXISTS"),
    ],
)
def test_cycle_rules_answer_with_their_domain_error(owner_api, household, body, status, code):
    CycleFactory(household=household, name="Taken", start_date=datetime.date(2026, 1, 1))
    response = owner_api.post(URL, {"income": "1000.00", **body}, content_type=JSON)
    assert error_code(response, status) == code


def test_cycle_input_is_validated_per_field(owner_api):
    response = owner_api.post(
        URL, {"start_date": "2026-02-30", "income": 1000.5}, content_type=JSON
    )
    fields = response.json()["error"]["details"]["fields"]
    assert error_code(response, 422) == "VALIDATION_ERROR"
    assert {"start_date", "income"} <= set(fields)


def test_changing_dates_away_from_its_expenses_is_refused(owner_api, household):
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 3, 1))
    ExpenseFactory(cycle=cycle, date=datetime.date(2026, 4, 10))
    response = owner_api.patch(f"{URL}/{cycle.pk}", {"end_date": "2026-04-01"}, content_type=JSON)
    assert error_code(response, 422) == "EXPENSES_OUTSIDE_CYCLE"


def test_only_a_draft_cycle_is_deleted(owner_api, household):
    draft = CycleFactory(household=household)
    active = CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    assert owner_api.delete(f"{URL}/{draft.pk}").status_code == 204
    assert error_code(owner_api.delete(f"{URL}/{active.pk}"), 409) == "CYCLE_NOT_DELETABLE"


def test_generate_adds_each_occurrence_once(owner_api, household):
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 3, 1))
    ExpenseTemplateFactory(household=household, day_of_month=5)
    first = owner_api.post(f"{URL}/{cycle.pk}/generate").json()
    second = owner_api.post(f"{URL}/{cycle.pk}/generate").json()
    assert (first["added"], second["added"]) == (2, 0)


def test_totals_are_strings_in_the_base_currency(owner_api, household):
    cycle = CycleFactory(household=household, income=Decimal("1000.00"))
    ExpenseFactory(cycle=cycle, amount=Decimal("12.30"))
    totals = owner_api.get(f"{URL}/{cycle.pk}/totals").json()
    assert totals["planned"] == "12.30" and totals["balance"] == "987.70"
    assert totals["currency"] == "USD" and totals["expense_count"] == 1


def test_list_filters_by_status_and_counts_constant_queries(
    owner_api, household, django_assert_max_num_queries
):
    for _ in range(12):
        ExpenseFactory(cycle=CycleFactory(household=household))
    CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    with django_assert_max_num_queries(6):
        small = owner_api.get(f"{URL}?limit=2").json()
    with django_assert_max_num_queries(6):
        large = owner_api.get(f"{URL}?limit=200").json()
    assert len(small["items"]) == 2 and len(large["items"]) == 13 == large["count"]
    active = owner_api.get(f"{URL}?status=active").json()
    assert [c["status"] for c in active["items"]] == ["active"]


@pytest.mark.parametrize(("currency", "income"), [("JPY", "250000"), ("BHD", "1234.567")])
def test_income_round_trips_exactly_in_jpy_and_bhd(currency, income):
    client = api_client(make_owner(HouseholdFactory(base_currency=currency)))
    created = client.post(
        URL, {"start_date": "2026-03-01", "income": income}, content_type=JSON
    ).json()
    assert created["income"] == income
    assert client.get(f"{URL}/{created['id']}").json()["income"] == income
    assert Cycle.objects.get(pk=created["id"]).income == Decimal(income)


def test_jpy_income_with_decimals_is_refused(db):
    client = api_client(make_owner(HouseholdFactory(base_currency="JPY")))
    response = client.post(URL, {"start_date": "2026-03-01", "income": "10.5"}, content_type=JSON)
    assert error_code(response, 422) == "INVALID_INCOME"


def test_patching_a_cycles_income_is_refused_since_income_is_its_lines(owner_api, household):
    cycle = CycleFactory(household=household, income=Decimal("1000.00"), name="March")
    # Refused even unchanged: `income` is not a field of a PATCH (the description says so).
    for income in ("5.00", "1000.00"):
        response = owner_api.patch(
            f"{URL}/{cycle.pk}", {"income": income, "name": "Renamed"}, content_type=JSON
        )
        assert error_code(response, 422) == "INCOME_IS_LINES"
        assert response.json()["error"]["details"]["fields"] == {
            "income": [response.json()["error"]["message"]]
        }
    cycle.refresh_from_db()
    assert (cycle.income, cycle.name) == (Decimal("1000.00"), "March")
