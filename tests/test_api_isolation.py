"""Every API route and method, filled with household B's ids, called with household A's
read-write token: 404 in the error envelope, B's data unchanged and never in the answer.
Anonymous: 401 for every route and method. The walker (tests/apiwalk.py) reads the NinjaAPI,
so a new route is covered automatically; one whose parameters it cannot fill fails
`test_every_api_route_is_covered` until apiwalk learns it."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client

from accounts.tests.factories import HouseholdFactory, api_client, make_owner
from tests.apiwalk import body_schema, scoped_operations, upload_fields, url_for, valid_body
from tests.urlwalk import build_household, household_snapshot

pytestmark = pytest.mark.django_db

SECRET = "SECRET-B-api-51c"


@pytest.fixture
def world(db):
    return build_household(SECRET)


@pytest.fixture
def client_a(db):
    return api_client(make_owner(HouseholdFactory(name="Household A")))


def _send(client: Client, op, url: str, body: dict | None):
    upload = upload_fields(op)
    if upload is not None:
        return client.post(url, upload)  # multipart, as a file is sent
    return client.generic(
        op.method,
        url,
        "" if body is None else json.dumps(body),
        content_type="application/json",
    )


def _assert_envelope(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert body["success"] is False
    if code:
        assert body["error"]["code"] == code


def test_every_api_route_is_covered(world):
    unfilled = [str(op) for op in scoped_operations() if op.params and url_for(op, world) is None]
    assert not unfilled, f"Teach tests/apiwalk.py how to fill: {unfilled}"


@pytest.mark.parametrize("op", scoped_operations(), ids=str)
def test_household_a_gets_404_envelope_for_household_b_objects(op, world, client_a):
    url = url_for(op, world)
    assert url is not None, f"Cannot fill {op}: teach tests/apiwalk.py"
    before = household_snapshot(world)
    schema = body_schema(op)
    body = valid_body(schema, world, day=datetime.date(2026, 3, 5)) if schema else None
    response = _send(client_a, op, url, body)
    if op.params:
        _assert_envelope(response, 404)
    else:
        # Household A's own collections: they answer, but never with B's data.
        assert response.status_code < 500, (str(op), response.status_code)
    assert SECRET not in response.content.decode(errors="replace"), f"{op} leaked B's data"
    assert household_snapshot(world) == before, f"{op} changed household B's data"


@pytest.mark.parametrize("op", scoped_operations(), ids=str)
def test_anonymous_gets_401_envelope_everywhere(op, world, client):
    url = url_for(op, world)
    before = household_snapshot(world)
    schema = body_schema(op)
    body = valid_body(schema, world, day=datetime.date(2026, 3, 5)) if schema else None
    response = _send(client, op, url, body)
    _assert_envelope(response, 401, "NOT_AUTHENTICATED")
    assert SECRET not in response.content.decode(errors="replace")
    assert household_snapshot(world) == before
