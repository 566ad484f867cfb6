"""GET /api/v1/me: who is calling — the person, their role and household, the language of
Colony's messages, the household's number and date format, the token used."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.factories import make_api_token, make_viewer

pytestmark = pytest.mark.django_db

URL = "/api/v1/me"


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_me_answers_the_owner_their_household_role_and_token(owner, household):
    token, secret = make_api_token(owner, name="Laptop script")
    response = bearer(secret).get(URL)
    assert response.status_code == 200
    me = response.json()
    assert me["user"] == {
        "id": owner.pk,
        "email": "owner@example.com",
        "name": owner.display_name,
    }
    assert me["user"]["name"].startswith("Olive")
    assert me["role"] == "owner" and me["can_write"] is True
    assert me["household"] == {
        "id": household.pk,
        "name": "The Smiths",
        "base_currency": household.base_currency,
        "require_two_factor": False,
    }
    assert me["language"] == "en-us"
    assert (me["token"]["id"], me["token"]["name"]) == (token.pk, "Laptop script")
    assert "token_hash" not in me["token"] and secret not in response.content.decode()


def test_me_shows_the_households_number_and_date_format(owner, household):
    household.format_locale = "de_DE"
    household.save(update_fields=["format_locale"])
    _, secret = make_api_token(owner)
    number_format = bearer(secret).get(URL).json()["number_format"]
    assert number_format["locale"] == "de_DE"
    assert (number_format["group"], number_format["decimal"]) == (".", ",")
    assert number_format["example"] == "1.234,56"
    assert number_format["date_example"] == "31.12.2026"
    assert number_format["label"].startswith("German (Germany)")


def test_a_read_only_token_or_a_viewer_cannot_write(owner, household):
    _, read_only = make_api_token(owner, read_only=True)
    assert bearer(read_only).get(URL).json()["can_write"] is False
    viewer = make_viewer(household, email="viewer@example.com")
    _, secret = make_api_token(viewer, read_only=False)
    me = bearer(secret).get(URL).json()
    assert (me["role"], me["can_write"]) == ("viewer", False)


def test_me_with_the_session_has_no_token(owner_client, owner):
    me = owner_client.get(URL).json()
    assert me["user"]["id"] == owner.pk and me["token"] is None


def test_me_without_a_credential_is_401(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"


# --- CORS ---------------------------------------------------------------------------------------


def test_cors_is_off_by_default(owner):
    _, secret = make_api_token(owner)
    response = bearer(secret).get(URL, headers={"Origin": "https://app.example.com"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_an_allowed_origin_may_call_the_api_and_read_its_etag(owner, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    _, secret = make_api_token(owner)
    response = bearer(secret).get(URL, headers={"Origin": "https://app.example.com"})
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert {"etag", "location", "retry-after"} <= {
        name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")
    }
    assert "Access-Control-Allow-Credentials" not in response
    other = bearer(secret).get(URL, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other


def test_a_preflight_from_an_allowed_origin_may_send_if_match(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = Client().options(
        "/api/v1/expenses/1",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, if-match",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "if-match" in response["Access-Control-Allow-Headers"]


def test_cors_never_reaches_the_pages(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = Client().get("/accounts/login/", headers={"Origin": "https://app.example.com"})
    assert "Access-Control-Allow-Origin" not in response
