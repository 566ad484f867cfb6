"""The API's accounts side: the token flow, personal access tokens (page and API), bearer and
session authentication, read-only tokens, the household, the rate limit."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, Membership, hash_api_token
from accounts.services import remove_member
from accounts.tests.factories import TEST_PASSWORD, api_client, make_api_token, make_owner

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
HOUSEHOLD_URL = "/api/v1/household"
CATEGORIES_URL = "/api/v1/categories"


def error_of(response) -> dict:
    body = response.json()
    assert body["success"] is False
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


# --- POST /auth/token -------------------------------------------------------------------------


def test_token_flow_returns_a_working_token_shown_once_and_stored_hashed(client, owner):
    response = client.post(
        TOKEN_URL,
        {"email": "OWNER@example.com", "password": TEST_PASSWORD, "name": "script"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "script" and body["read_only"] is True
    token = ApiToken.objects.get(pk=body["id"])
    assert token.token_hash == hash_api_token(body["token"])
    assert body["token"] not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert bearer(body["token"]).get(HOUSEHOLD_URL).json()["name"] == "The Smiths"
    listed = bearer(body["token"]).get("/api/v1/tokens").content.decode()
    assert body["token"] not in listed


def test_token_flow_refuses_a_wrong_password_with_401(client, owner):
    response = client.post(
        TOKEN_URL, {"email": owner.email, "password": "nope-nope"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert error_of(response)["code"] == "INVALID_CREDENTIALS"
    assert not ApiToken.objects.exists()


def test_token_flow_is_throttled_like_the_log_in_form(client, owner, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            TOKEN_URL, {"email": owner.email, "password": "wrong!"}, content_type="application/json"
        )
    # Locked: even the right password is refused until the cool-off ends.
    response = client.post(
        TOKEN_URL,
        {"email": owner.email, "password": TEST_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert error_of(response)["code"] == "TOO_MANY_ATTEMPTS"
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert not ApiToken.objects.exists()
    # The log-in form shares the lock (same counters).
    page = client.post(reverse("accounts:login"), {"username": owner.email, "password": "x"})
    assert page.status_code == 429


def test_token_flow_is_audited_like_the_log_in_form(client, owner, caplog):
    with caplog.at_level(logging.INFO, logger="colony.auth"):
        client.post(
            TOKEN_URL,
            {"email": owner.email, "password": "guess-123"},
            content_type="application/json",
            REMOTE_ADDR="192.0.2.9",
        )
        client.post(
            TOKEN_URL,
            {"email": owner.email, "password": TEST_PASSWORD},
            content_type="application/json",
            REMOTE_ADDR="192.0.2.9",
        )
    events = [
        (r.outcome, getattr(r, "ip", None)) for r in caplog.records if r.name == "colony.auth"
    ]
    assert events == [("failure", "192.0.2.9"), ("success", "192.0.2.9")]
    assert all("guess-123" not in r.getMessage() for r in caplog.records)


def test_token_flow_validates_its_body(client):
    response = client.post(TOKEN_URL, {"email": "x@example.com"}, content_type="application/json")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert "password" in error["details"]["fields"]


# --- bearer tokens ----------------------------------------------------------------------------


def test_an_expired_token_is_401(owner):
    token, secret = make_api_token(owner)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(secret).get(HOUSEHOLD_URL)
    assert response.status_code == 401
    assert error_of(response)["code"] == "NOT_AUTHENTICATED"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(owner):
    token, secret = make_api_token(owner)
    assert bearer(secret).delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    response = bearer(secret).get(HOUSEHOLD_URL)
    assert response.status_code == 401
    assert error_of(response)["code"] == "NOT_AUTHENTICATED"


def test_an_unknown_token_is_401_even_with_a_session(owner_client):
    response = owner_client.get(HOUSEHOLD_URL, headers={"Authorization": "Bearer colony_nope"})
    assert response.status_code == 401


def test_a_removed_members_tokens_stop_working(owner, member):
    _, secret = make_api_token(member)
    assert bearer(secret).get(HOUSEHOLD_URL).status_code == 200
    remove_member(household=owner.membership.household, by=owner, membership=member.membership)
    assert bearer(secret).get(HOUSEHOLD_URL).status_code == 401


def test_a_token_does_not_follow_its_user_into_another_household(owner, member, other_household):
    _, secret = make_api_token(member)
    Membership.objects.filter(user=member).update(household=other_household)
    assert bearer(secret).get(HOUSEHOLD_URL).status_code == 401


def test_a_read_only_token_reads_but_every_write_is_403(owner):
    client = api_client(owner, read_only=True)
    assert client.get(CATEGORIES_URL).status_code == 200
    for method, url in (
        (client.post, CATEGORIES_URL),
        (client.patch, HOUSEHOLD_URL),
        (client.delete, "/api/v1/payment-methods/1"),
    ):
        response = method(url, {"name": "x"}, content_type="application/json")
        assert response.status_code == 403
        assert error_of(response)["code"] == "READ_ONLY"


def test_a_token_records_when_and_from_where_it_was_last_used(owner):
    token, secret = make_api_token(owner)
    assert token.last_used_at is None
    bearer(secret).get(HOUSEHOLD_URL, REMOTE_ADDR="198.51.100.4")
    token.refresh_from_db()
    assert token.last_used_ip == "198.51.100.4"
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_tokens_list_shows_only_your_own_tokens(owner, member):
    make_api_token(member, name="member's")
    client = api_client(owner)
    names = [item["name"] for item in client.get("/api/v1/tokens").json()["items"]]
    assert names == ["test"]


def test_revoking_someone_elses_token_is_404(owner, member):
    token, _ = make_api_token(member)
    response = api_client(owner).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- session auth -----------------------------------------------------------------------------


def test_session_reads_without_csrf_but_writes_need_the_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get(CATEGORIES_URL).status_code == 200
    refused = client.post(CATEGORIES_URL, {"name": "Pets"}, content_type="application/json")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "CSRF_FAILED"
    client.get(reverse("accounts:api_tokens"))  # sets the CSRF cookie, like any page
    csrf = client.cookies["csrftoken"].value
    allowed = client.post(
        CATEGORIES_URL, {"name": "Pets"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert allowed.status_code == 201


def test_anonymous_is_401_not_a_csrf_error(client):
    response = client.post(CATEGORIES_URL, {"name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert error_of(response)["code"] == "NOT_AUTHENTICATED"


def test_a_user_without_a_household_is_403(client):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(HOUSEHOLD_URL)
    assert response.status_code == 403
    assert error_of(response)["code"] == "NOT_HOUSEHOLD_MEMBER"


# --- household --------------------------------------------------------------------------------


def test_household_lists_members_read_only(member_api, owner, member):
    body = member_api.get(HOUSEHOLD_URL).json()
    assert body["your_role"] == "member"
    assert {m["email"] for m in body["members"]} == {owner.email, member.email}


def test_an_owner_renames_the_household(owner_api, household):
    response = owner_api.patch(HOUSEHOLD_URL, {"name": "  Casa  "}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["name"] == "Casa"
    household.refresh_from_db()
    assert household.name == "Casa"


def test_a_member_renaming_the_household_gets_the_domain_error(member_api, household):
    response = member_api.patch(HOUSEHOLD_URL, {"name": "Mine"}, content_type="application/json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "NOT_HOUSEHOLD_OWNER"


# --- the rate limit ---------------------------------------------------------------------------


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(owner, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    client = api_client(owner)
    statuses = [client.get(HOUSEHOLD_URL).status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    response = client.get(HOUSEHOLD_URL)
    assert response.status_code == 429
    assert error_of(response)["code"] == "RATE_LIMITED"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_all_tokens_and_the_session_of_one_person_share_one_limit(owner, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 4
    tokens = [api_client(owner) for _ in range(3)]
    session = Client()
    session.force_login(owner)
    statuses = [client.get(HOUSEHOLD_URL).status_code for client in [*tokens, session]]
    assert statuses == [200, 200, 200, 200]

    assert api_client(owner).get(HOUSEHOLD_URL).status_code == 429  # a fresh token too
    assert session.get(HOUSEHOLD_URL).status_code == 429


def test_another_person_has_their_own_limit(owner, member, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    assert api_client(owner).get(HOUSEHOLD_URL).status_code == 200
    assert api_client(owner).get(HOUSEHOLD_URL).status_code == 429
    assert api_client(member).get(HOUSEHOLD_URL).status_code == 200


def test_refused_credentials_count_per_client_address(owner, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    guesses = [bearer("guess-1"), bearer("guess-2"), Client()]  # the last sends none
    assert [c.get(HOUSEHOLD_URL).status_code for c in guesses] == [401, 401, 401]
    response = bearer("guess-4").get(HOUSEHOLD_URL)
    assert response.status_code == 429
    assert error_of(response)["code"] == "RATE_LIMITED"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another address is not affected, nor is a person with a working token.
    assert bearer("guess-5").get(HOUSEHOLD_URL, REMOTE_ADDR="198.51.100.7").status_code == 401
    assert api_client(owner).get(HOUSEHOLD_URL).status_code == 200


# --- the API tokens page ----------------------------------------------------------------------


def test_tokens_page_creates_a_token_and_shows_its_secret_once(owner_client, owner):
    response = owner_client.post(
        reverse("accounts:api_tokens"),
        {"name": "Home Assistant", "expires_in_days": "30", "access": "write"},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=owner)
    assert token.name == "Home Assistant" and token.read_only is False
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert token.token_hash == hash_api_token(secret)
    assert "no-store" in response["Cache-Control"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    again = owner_client.get(reverse("accounts:api_tokens")).content.decode()
    assert secret not in again
    assert "Home Assistant" in again


def test_the_new_token_is_a_selectable_field_with_a_copy_button_for_js(owner_client):
    response = owner_client.post(
        reverse("accounts:api_tokens"),
        {"name": "Spreadsheet", "expires_in_days": "30", "access": "read"},
    )
    html = " ".join(response.content.decode().split())
    secret = response.context["secret"]
    # Without JS: a read-only field holding the whole token, to select and copy by hand.
    assert f'<input class="copy" id="new-api-token" type="text" readonly value="{secret}"' in html
    # With JS: the button (hidden until the script shows it) and where "Copied" is announced.
    assert '<button type="button" class="copy-button" data-copy="new-api-token" hidden>' in html
    assert '<span class="sr-only" role="status" id="new-api-token-copied"></span>' in html


def test_tokens_page_refuses_an_empty_name_with_422(owner_client):
    response = owner_client.post(
        reverse("accounts:api_tokens"), {"name": "  ", "expires_in_days": "30", "access": "read"}
    )
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_tokens_page_revokes_a_token(owner_client, owner):
    token, secret = make_api_token(owner)
    response = owner_client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(secret).get(HOUSEHOLD_URL).status_code == 401


def test_tokens_page_cannot_revoke_another_users_token(member_client, owner):
    token, _ = make_api_token(owner)
    response = member_client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404


def test_a_token_cannot_outlive_the_maximum():
    from accounts.exceptions import TokenExpiryInvalid
    from accounts.services import create_api_token

    user = make_owner()
    with pytest.raises(TokenExpiryInvalid):
        create_api_token(user=user, name="x", expires_in_days=366, read_only=True)


def test_a_viewers_read_write_token_only_reads(household, owner):
    from accounts.tests.factories import make_viewer

    viewer = make_viewer(household)
    client = api_client(viewer, read_only=False)
    assert client.get(CATEGORIES_URL).status_code == 200
    response = client.post(CATEGORIES_URL, {"name": "Mine"}, content_type="application/json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "READ_ONLY_ROLE"


def test_a_viewer_can_still_create_and_revoke_tokens_on_the_page(household, owner):
    from accounts.tests.factories import make_viewer

    viewer = make_viewer(household)
    client = Client()
    client.force_login(viewer)
    response = client.post(
        reverse("accounts:api_tokens"), {"name": "dash", "expires_in_days": "7", "access": "read"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=viewer)
    client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


# --- two-factor log-in and the token flow -----------------------------------------------------


def _enrol(user) -> tuple[str, list[str]]:
    from accounts.tests.test_two_factor import enrol

    return enrol(user)


def test_with_two_factor_the_password_alone_gets_no_token(client, owner):
    _enrol(owner)
    body = {"email": owner.email, "password": TEST_PASSWORD}
    response = client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 401
    assert error_of(response)["code"] == "TWO_FACTOR_CODE_REQUIRED"
    wrong = client.post(TOKEN_URL, {**body, "code": "000000"}, content_type="application/json")
    assert error_of(wrong)["code"] == "INVALID_TWO_FACTOR_CODE"
    assert not ApiToken.objects.exists()


def test_with_two_factor_a_recovery_code_gets_a_token_once(client, owner):
    _, codes = _enrol(owner)
    body = {"email": owner.email, "password": TEST_PASSWORD, "code": codes[0]}
    assert client.post(TOKEN_URL, body, content_type="application/json").status_code == 201
    again = client.post(TOKEN_URL, body, content_type="application/json")
    assert error_of(again)["code"] == "INVALID_TWO_FACTOR_CODE"


def test_a_household_requiring_two_factor_refuses_tokens_without_it(client, owner, household):
    household.require_two_factor = True
    household.save(update_fields=["require_two_factor"])
    body = {"email": owner.email, "password": TEST_PASSWORD}
    response = client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "TWO_FACTOR_SETUP_REQUIRED"


@pytest.mark.django_db(transaction=True)
def test_the_rate_counter_commits_without_waiting_for_the_disk(owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client(owner)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOUSEHOLD_URL).status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    counter = next(i for i, sql in enumerate(statements) if "apirequestcounter" in sql.lower())
    assert statements[counter - 1] == "SET LOCAL synchronous_commit TO OFF"
