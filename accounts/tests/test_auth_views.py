import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse

from accounts.models import Household, Membership, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory, make_owner
from colony.settings import base as base_settings

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")


def signup_data(**overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "Ada@Example.com",
        "password1": "plum-tree-under-snow",
        "password2": "plum-tree-under-snow",
        "household_name": "Lovelace home",
        "base_currency": "EUR",
    }
    data.update(overrides)
    return data


def test_sign_up_creates_user_household_and_owner_then_lands_on_dashboard(client):
    response = client.post(SIGNUP, signup_data(), follow=True)
    # With email, sign-up answers alike for taken addresses (test_enumeration): log in next.
    assert response.redirect_chain[-1][0] == LOGIN
    response = client.post(
        LOGIN, {"username": "ada@example.com", "password": "plum-tree-under-snow"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Lovelace home" in response.content.decode()
    user = User.objects.get()
    assert user.email == "ada@example.com"
    membership = Membership.objects.select_related("household").get(user=user)
    assert membership.role == Membership.Role.OWNER
    assert membership.household.base_currency == "EUR"
    assert response.context["user"].is_authenticated


def test_sign_up_without_household_name_names_it_after_the_person(client):
    client.post(SIGNUP, signup_data(household_name=""))
    assert Household.objects.get().name == "Ada’s household"


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"password2": "something-else-entirely"}, "password2", "do not match"),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password1": "lovelace-ada", "password2": "lovelace-ada"}, "password1", "too similar"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"base_currency": "XXX"}, "base_currency", "valid choice"),
    ],
)
def test_sign_up_with_bad_input_shows_field_error_and_creates_nothing(
    client, overrides, field, text
):
    response = client.post(SIGNUP, signup_data(**overrides))

    assert response.status_code == 422
    assert text in " ".join(response.context["form"].errors[field])
    assert not User.objects.exists()
    assert not Household.objects.exists()


@override_settings(EMAIL_ENABLED=False)
def test_sign_up_with_existing_email_in_other_case_is_refused(client):
    # Without email nobody could be told otherwise; with it see test_enumeration.
    UserFactory(email="ada@example.com")
    response = client.post(SIGNUP, signup_data(email="ADA@example.com"))
    assert response.status_code == 422
    assert "already exists" in response.content.decode()


def test_password_is_stored_with_argon2(client):
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        client.post(SIGNUP, signup_data())
    assert User.objects.get().password.startswith("argon2")


def test_log_in_with_right_password_in_any_case_redirects_to_dashboard(client):
    make_owner(email="olive@example.com")
    response = client.post(LOGIN, {"username": "OLIVE@example.com ", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert SESSION_KEY in client.session


def test_log_in_with_wrong_password_shows_error(client):
    make_owner(email="olive@example.com")
    response = client.post(LOGIN, {"username": "olive@example.com", "password": "wrong-one"})
    assert response.status_code == 422
    assert "Wrong email or password." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_log_in_follows_a_safe_next_but_never_an_outside_one(client):
    make_owner(email="olive@example.com")
    creds = {"username": "olive@example.com", "password": TEST_PASSWORD}
    response = client.post(LOGIN + "?next=/accounts/household/", creds)
    assert response["Location"] == "/accounts/household/"
    client.post(LOGOUT)
    response = client.post(LOGIN, {**creds, "next": "https://evil.example.com/"})
    assert response["Location"] == reverse("dashboard")


def test_log_out_ends_the_session_on_the_server(client):
    make_owner(email="olive@example.com")
    client.post(LOGIN, {"username": "olive@example.com", "password": TEST_PASSWORD})
    old_cookie = client.cookies["sessionid"].value

    response = client.post(LOGOUT)
    assert response.status_code == 302

    replay = client.__class__()
    replay.cookies["sessionid"] = old_cookie
    response = replay.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_log_out_refuses_get(owner_client):
    assert owner_client.get(LOGOUT).status_code == 405


def test_password_change_replaces_password_and_keeps_session(client):
    user = make_owner(email="olive@example.com")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "fresh-tulips-in-april",
            "new_password2": "fresh-tulips-in-april",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    user.refresh_from_db()
    assert user.check_password("fresh-tulips-in-april")


def test_password_change_requires_the_current_password(client):
    user = make_owner(email="olive@example.com")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "not-my-password",
            "new_password1": "fresh-tulips-in-april",
            "new_password2": "fresh-tulips-in-april",
        },
    )
    assert response.status_code == 422
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_login_is_throttled_after_five_failures_for_one_account(client):
    make_owner(email="olive@example.com")
    for _ in range(5):
        client.post(LOGIN, {"username": "olive@example.com", "password": "guess"})

    # Even the right password is refused while the lock lasts, and the page says why.
    response = client.post(LOGIN, {"username": "olive@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_is_throttled_per_address_across_accounts(client):
    make_owner(email="olive@example.com")
    for n in range(10):
        client.post(LOGIN, {"username": f"nobody{n}@example.com", "password": "guess"})
    response = client.post(LOGIN, {"username": "olive@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_login_from_another_address_is_not_locked_by_someone_elses_failures(client):
    make_owner(email="olive@example.com")
    for n in range(5):
        client.post(
            LOGIN, {"username": f"nobody{n}@example.com", "password": "x"}, REMOTE_ADDR="10.0.0.9"
        )
    response = client.post(LOGIN, {"username": "olive@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_logged_out_visitor_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"


def test_logged_out_htmx_request_gets_hx_redirect_not_the_login_page(client, htmx_headers):
    response = client.get(reverse("accounts:household"), **htmx_headers)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_user_without_household_is_asked_to_create_one(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response["Location"] == reverse("accounts:household_setup")

    response = client.post(
        reverse("accounts:household_setup"), {"name": "New nest", "base_currency": "GBP"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=user).household.name == "New nest"


def test_dashboard_shows_household_and_members(owner_client, member):
    response = owner_client.get(reverse("dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "The Smiths" in body
    assert "Max" in body


@pytest.mark.parametrize("target", ["evil", "x", "dashboard", "accounts:login", "evil.html"])
def test_log_in_with_a_next_that_is_not_a_path_lands_on_the_dashboard(client, target):
    make_owner(email="olive@example.com")
    response = client.post(
        f"{LOGIN}?next={target}", {"username": "olive@example.com", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert SESSION_KEY in client.session


@pytest.mark.parametrize("target", ["x", "//evil.example.com/", "/\\\\evil.example.com"])
def test_logged_in_visit_to_log_in_with_a_bad_next_goes_to_the_dashboard(owner_client, target):
    response = owner_client.get(LOGIN, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_logged_in_visit_to_log_in_follows_a_path_next(owner_client):
    response = owner_client.get(LOGIN, {"next": "/accounts/household/"})
    assert response["Location"] == "/accounts/household/"
