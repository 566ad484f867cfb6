"""The API holds requests to what its OpenAPI description says and describes what it answers
(colony.api_contract): a body is a JSON object with only the fields its schema names, of their
types; a query holds only the parameters the operation lists; a body in another media type is
415, an unreadable one 400, an oversized one 413; every error with field problems names them in
details.fields; 201 says where the new object lives; the description lists every status and
header the request layer answers with.

The operations come from the API walker (tests/apiwalk.py), so a new route is held to this as
soon as it exists."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from accounts.tests.factories import api_client
from colony.api_schemas import DAY_PATTERN, MONEY_PATTERN, NAME_PATTERN
from cycles.tests.factories import CycleFactory
from expenses.models import Category, Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory
from tests.apiwalk import body_schema, openapi, operations, scoped_operations, url_for
from tests.urlwalk import build_household, household_snapshot

pytestmark = pytest.mark.django_db

JSON = "application/json"
BODY_OPERATIONS = [op for op in scoped_operations() if body_schema(op)]


@pytest.fixture
def world(db):
    return build_household("Contract")


@pytest.fixture
def api(world):
    client = api_client(world.owner)
    # The token's first use is recorded (last used at, from where); later requests within
    # the minute write nothing, so snapshots taken after this compare the household alone.
    client.get("/api/v1/me")
    return client


def refused_fields(response, status: int = 422) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR", error
    return error["details"]["fields"]


# --- bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("op", BODY_OPERATIONS, ids=str)
def test_a_body_that_is_not_a_json_object_is_refused_and_changes_nothing(op, world, api):
    before = household_snapshot(world)
    for body in ("[null, null]", '"text"', "12", "null", "[]", "true"):
        response = api.generic(op.method, url_for(op, world), body, content_type=JSON)
        assert refused_fields(response) == {"body": ["Send a JSON object."]}, body
    assert household_snapshot(world) == before


def test_toggle_paid_with_a_list_no_longer_marks_an_expense_paid(world, api):
    expense = world.objects["expense"]
    response = api.post(
        f"/api/v1/expenses/{expense.pk}/toggle-paid", "[null, null]", content_type=JSON
    )
    assert refused_fields(response) == {"body": ["Send a JSON object."]}
    expense.refresh_from_db()
    assert expense.status == Expense.Status.PLANNED


@pytest.mark.parametrize("op", BODY_OPERATIONS, ids=str)
def test_an_unknown_body_field_is_refused_by_name(op, world, api):
    before = household_snapshot(world)
    response = api.generic(
        op.method,
        url_for(op, world),
        json.dumps({"household_id": 1, "colour": "red"}),
        content_type=JSON,
    )
    fields = refused_fields(response)
    assert {"household_id", "colour"} <= set(fields), fields
    assert fields["colour"] == ["Unknown field: this operation does not take it."]
    assert household_snapshot(world) == before


def test_json_types_are_the_schemas_own(world, api):
    category = world.objects["category"]
    for value in (0, 1, "true", "false"):
        response = api.patch(
            f"/api/v1/categories/{category.pk}", {"is_archived": value}, content_type=JSON
        )
        assert "is_archived" in refused_fields(response)
    response = api.post(
        "/api/v1/expenses",
        {
            "cycle_id": str(world.objects["cycle"].pk),
            "description": "Bread",
            "amount": "2.50",
            "currency": "USD",
            "date": "2026-03-02",
            "category_id": category.pk,
        },
        content_type=JSON,
    )
    assert "cycle_id" in refused_fields(response)
    category.refresh_from_db()
    assert category.is_archived is False


@pytest.mark.parametrize(
    ("amount", "accepted"),
    [
        ("12.50", True),
        ("0.001", True),
        ("999999999999", True),
        ("0", False),
        ("0.00", False),
        ("-5.00", False),
        (" 12.50", False),
        ("12.5000", False),
        ("1e3", False),
        ("1000000000000", False),
    ],
)
def test_money_is_refused_by_its_anchored_pattern_like_the_schema_says(amount, accepted, world):
    import re

    assert bool(re.fullmatch(MONEY_PATTERN, amount)) is accepted
    response = api_client(world.owner).post(
        f"/api/v1/expenses/{world.objects['expense'].pk}/toggle-paid",
        {"amount": amount},
        content_type=JSON,
    )
    if accepted:
        # Past the schema; BHD-style three decimals are the currency's rule (USD: two).
        assert response.status_code in (200, 422), response.content
        if response.status_code == 422:
            assert response.json()["error"]["code"] == "INVALID_AMOUNT"
    else:
        assert "amount" in refused_fields(response)


@pytest.mark.parametrize("name", ["", " ", "\t\n", "\u3000", "\x1c"])
def test_a_blank_name_is_refused_by_the_schema(name, world, api):
    response = api.post("/api/v1/categories", {"name": name}, content_type=JSON)
    assert "name" in refused_fields(response)
    assert not Category.objects.filter(name=name).exists()


@pytest.mark.parametrize("day", ["1999-12-31", "2200-01-01", "20260302", "2026-02-30", "2026-3-2"])
def test_a_date_outside_the_planning_years_or_not_iso_is_refused(day, world, api):
    response = api.patch(
        f"/api/v1/expenses/{world.objects['expense'].pk}", {"date": day}, content_type=JSON
    )
    assert "date" in refused_fields(response)


def test_a_cycles_income_is_not_offered_on_patch_and_is_refused_with_its_reason(world, api):
    schema = openapi()["components"]["schemas"]["CycleUpdate"]
    assert "income" not in schema["properties"]
    cycle = world.objects["cycle"]
    response = api.patch(f"/api/v1/cycles/{cycle.pk}", {"income": "1.00"}, content_type=JSON)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "INCOME_IS_LINES"
    assert list(error["details"]["fields"]) == ["income"]


def test_a_body_in_another_media_type_is_415(api):
    response = api.post("/api/v1/categories", "name=Zebra", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert not Category.objects.filter(name="Zebra").exists()


def test_a_body_that_is_not_json_is_400(api):
    response = api.post("/api/v1/categories", "{", content_type=JSON)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"


def test_a_body_over_the_upload_limit_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "Food", "note": "x" * 2000})
    response = api.post("/api/v1/categories", body, content_type=JSON)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


# --- query parameters -----------------------------------------------------------------------


def test_an_unknown_query_parameter_is_refused_instead_of_listing_every_row(household, owner):
    cycle = CycleFactory(household=household)
    ExpenseFactory.create_batch(3, cycle=cycle, amount=Decimal("10.00"))
    api = api_client(owner)
    response = api.get("/api/v1/expenses?amount_exactly=42.80&limit=5&colour=red")
    assert refused_fields(response) == {
        "amount_exactly": ["Unknown query parameter: this operation does not take it."],
        "colour": ["Unknown query parameter: this operation does not take it."],
    }
    assert api.get("/api/v1/expenses?limit=5").json()["count"] == 3


@pytest.mark.parametrize("op", [op for op in scoped_operations() if op.method == "GET"], ids=str)
def test_every_read_refuses_a_query_parameter_it_does_not_list(op, world, api):
    url = url_for(op, world)
    if url is None:
        pytest.skip(f"no object for {op}")
    response = api.get(url, {"no_such_filter": "1"})
    assert refused_fields(response) == {
        "no_such_filter": ["Unknown query parameter: this operation does not take it."]
    }


# --- field problems -------------------------------------------------------------------------


def test_a_domain_error_names_its_field_in_details_fields_as_the_client_sent_it(world, api):
    foreign = CategoryFactory()
    response = api.post(
        "/api/v1/expenses",
        {
            "cycle_id": world.objects["cycle"].pk,
            "description": "Bread",
            "amount": "2.50",
            "currency": "USD",
            "date": "2026-03-02",
            "category_id": foreign.pk,
        },
        content_type=JSON,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "CATEGORY_NOT_AVAILABLE"
    assert error["details"] == {"fields": {"category_id": [error["message"]]}}


# --- what answers say -----------------------------------------------------------------------


def test_a_201_says_where_the_new_object_lives(api):
    response = api.post("/api/v1/categories", {"name": "Pets"}, content_type=JSON)
    assert response.status_code == 201
    location = response["Location"]
    assert location == f"/api/v1/categories/{response.json()['id']}"
    assert api.get(location).json()["name"] == "Pets"


def test_new_income_lives_at_its_own_route(world, api):
    cycle = world.objects["cycle"]
    response = api.post(
        f"/api/v1/cycles/{cycle.pk}/income",
        {
            "description": "Bonus",
            "amount": "100.00",
            "currency": "USD",
            "expected_date": "2026-03-05",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert response["Location"] == f"/api/v1/income/{response.json()['id']}"


# --- the description ------------------------------------------------------------------------


def _statuses(op) -> set[int]:
    return {int(status) for status in op.schema["responses"]}


def _error_ref(response: dict) -> str:
    return response["content"]["application/json"]["schema"]["$ref"]


def test_every_operation_lists_the_request_layers_statuses_in_the_envelope():
    for op in operations():
        statuses = _statuses(op)
        assert {414, 422, 429} <= statuses, op
        if op.schema.get("requestBody"):
            assert {400, 413, 415} <= statuses, op
        if op.schema.get("security"):
            assert 401 in statuses, op
        for status, response in op.schema["responses"].items():
            if int(status) >= 400:
                assert _error_ref(response).endswith("/ErrorResponse"), (op, status)
        assert "Retry-After" in op.schema["responses"][429]["headers"], op


def test_the_description_declares_etag_if_match_and_location():
    ops = {str(op): op.schema for op in operations()}
    detail = ops["GET /api/v1/expenses/{pk}"]
    assert "ETag" in detail["responses"][200]["headers"]
    for name in (
        "PATCH /api/v1/expenses/{pk}",
        "DELETE /api/v1/expenses/{pk}",
        "POST /api/v1/expenses/{pk}/toggle-paid",
        "POST /api/v1/expenses/{pk}/skip",
        "POST /api/v1/expenses/{pk}/restore",
    ):
        headers = {p["name"] for p in ops[name].get("parameters", []) if p["in"] == "header"}
        expected = {"If-Match", "Idempotency-Key"} if name.startswith("POST") else {"If-Match"}
        assert headers == expected, name
    # Every POST a person makes may be retried with a key; /auth/token has no person yet.
    for name, schema in ops.items():
        declared = {p["name"] for p in schema.get("parameters", []) if p["in"] == "header"}
        if name.startswith("POST ") and name != "POST /api/v1/auth/token":
            assert "Idempotency-Key" in declared, name
    assert not ops["POST /api/v1/auth/token"].get("parameters")
    assert "If-Match" not in str(ops["PATCH /api/v1/categories/{pk}"].get("parameters", []))
    assert "Location" in ops["POST /api/v1/expenses"]["responses"][201]["headers"]
    assert "Location" in ops["POST /api/v1/cycles/{pk}/income"]["responses"][201]["headers"]
    assert "headers" not in ops["POST /api/v1/auth/token"]["responses"][201]


def test_the_description_carries_the_constraints_the_server_applies():
    schemas = openapi()["components"]["schemas"]
    expense = schemas["ExpenseCreate"]
    assert expense["additionalProperties"] is False
    assert expense["properties"]["amount"]["pattern"] == MONEY_PATTERN
    assert expense["properties"]["date"]["pattern"] == DAY_PATTERN
    assert "USD" in expense["properties"]["currency"]["enum"]
    assert expense["properties"]["description"]["pattern"] == NAME_PATTERN
    # Empty (null): the status follows the date (expenses.services.status_for_date).
    assert {"enum": ["planned", "paid"], "type": "string"} in expense["properties"]["status"][
        "anyOf"
    ]
    assert schemas["CategoryCreate"]["properties"]["name"]["minLength"] == 1
    assert schemas["TemplateResponse"]["properties"]["category_id"]["anyOf"] == [
        {"type": "integer"},
        {"type": "null"},
    ]
