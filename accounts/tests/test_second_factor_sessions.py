"""Every way in passes the same second step (issue 24, item 1): a session is verified only when
it passed the code step itself; a password log-in anywhere else (the admin's form, any other
path) leaves a two-factor user logged out. Also: the admin needs a verified session, and an API
request with a session that still owes the household's two-factor gets the API's JSON error."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken
from accounts.tests.factories import TEST_PASSWORD, make_member, make_owner, verified_client
from accounts.tests.test_two_factor import CODE, LOGIN, code_for, enrol, password_step

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
ADMIN_LOGIN = reverse("admin:login")
DASHBOARD = reverse("dashboard")
TOKENS = reverse("accounts:api_tokens")
SETUP = reverse("accounts:two_factor_setup")


@pytest.fixture
def staff_with_two_factor(household):
    user = make_owner(household, email="staff@example.com", is_staff=True, is_superuser=True)
    key, _ = enrol(user)
    return user, key


def _admin_password_log_in(client, user):
    return client.post(
        ADMIN_LOGIN, {"username": user.email, "password": TEST_PASSWORD, "next": ADMIN}
    )


def _assert_logged_out_everywhere(client):
    assert client.get(ADMIN).status_code == 302
    for url in (DASHBOARD, reverse("accounts:household"), TOKENS):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url
    response = client.post(TOKENS, {"name": "x", "expires_in_days": 7, "access": "write"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    api = client.get("/api/v1/household")
    assert api.status_code == 401
    assert api.json()["success"] is False
    assert SESSION_KEY not in client.session


def test_admin_password_log_in_skips_no_second_factor(staff_with_two_factor):
    user, _ = staff_with_two_factor
    client = Client()
    _admin_password_log_in(client, user)
    _assert_logged_out_everywhere(client)


def test_admin_password_log_in_in_a_household_requiring_two_factor(
    staff_with_two_factor, household
):
    household.require_two_factor = True
    household.save()
    user, _ = staff_with_two_factor
    client = Client()
    _admin_password_log_in(client, user)
    _assert_logged_out_everywhere(client)


def test_the_admin_log_in_page_sends_to_colonys_log_in(client):
    response = client.get(ADMIN_LOGIN, {"next": "/admin/accounts/user/"})
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_a_password_only_session_of_a_two_factor_user_is_logged_out(owner):
    # Any log-in path that checks only the password, whatever it is.
    enrol(owner)
    client = Client()
    client.force_login(owner)
    _assert_logged_out_everywhere(client)


def test_staff_who_passed_the_code_step_get_the_admin(staff_with_two_factor):
    user, key = staff_with_two_factor
    client = Client()
    password_step(client, user)
    response = client.post(CODE, {"code": code_for(key, 1), "next": ADMIN})
    assert response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200
    assert client.get(DASHBOARD).status_code == 200


def test_staff_without_two_factor_are_sent_to_set_it_up_for_the_admin(household):
    user = make_owner(household, email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    password_step(client, user)
    assert client.get(DASHBOARD).status_code == 200
    response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0] == SETUP
    assert "The admin needs two-factor log-in" in response.content.decode()


def test_verified_staff_session_gets_the_admin(household):
    user = make_owner(household, is_staff=True, is_superuser=True)
    assert verified_client(user).get(ADMIN).status_code == 200


def test_session_api_request_owing_the_households_two_factor_gets_the_json_error(member, household):
    household.require_two_factor = True
    household.save()
    client = Client()
    client.force_login(member)
    response = client.get("/api/v1/household")
    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "error": {
            "code": "TWO_FACTOR_SETUP_REQUIRED",
            "message": "Your household requires two-factor log-in: set it up in Colony first.",
            "details": {},
        },
    }


def test_a_member_who_passed_the_code_step_uses_the_api_with_the_session(household):
    household.require_two_factor = True
    household.save()
    user = make_member(household)
    key, _ = enrol(user)
    client = Client()
    password_step(client, user)
    client.post(CODE, {"code": code_for(key, 1)})
    assert client.get("/api/v1/household").status_code == 200
