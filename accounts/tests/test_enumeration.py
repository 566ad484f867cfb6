"""Nobody learns whether an address has an account (issue 24, item 4): sign-up and the
password-reset request answer the same for existing and unknown addresses, and their email
goes out after the response, so the answer takes as long either way."""

import re
import threading

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Household, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password_reset")


def signup_data(email):
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": email,
        "password1": "plum-tree-under-snow",
        "password2": "plum-tree-under-snow",
        "household_name": "Lovelace home",
        "base_currency": "EUR",
    }


def _page(response) -> str:
    body = response.content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "", body)


def _answer(email):
    client = Client()
    response = client.post(SIGNUP, signup_data(email))
    followed = client.get(response["Location"]) if response.status_code == 302 else None
    return response, followed


def test_sign_up_answers_the_same_for_a_new_and_a_taken_address():
    UserFactory(email="taken@example.com")

    taken, taken_page = _answer("Taken@Example.com")
    new, new_page = _answer("new@example.com")

    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"] == LOGIN
    assert taken.content == new.content
    assert _page(taken_page) == _page(new_page)
    assert "We sent an email to that address" in _page(new_page)


def test_a_taken_address_gets_an_email_saying_someone_tried_to_sign_up():
    owner = UserFactory(email="taken@example.com")
    _answer("taken@example.com")

    assert User.objects.count() == 1
    assert not Household.objects.exists()
    owner.refresh_from_db()
    assert owner.check_password(TEST_PASSWORD)
    [message] = mail.outbox
    assert message.to == ["taken@example.com"]
    assert "Someone tried to sign up" in message.body
    assert f"http://testserver{LOGIN}" in message.body
    assert "http://testserver/accounts/password/reset/" in message.body


def test_a_new_address_gets_its_account_and_a_welcome_email_then_logs_in():
    _answer("new@example.com")

    user = User.objects.get(email="new@example.com")
    assert user.membership.household.name == "Lovelace home"
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert "Your Colony account is ready" in message.body
    client = Client()
    client.post(LOGIN, {"username": "new@example.com", "password": "plum-tree-under-snow"})
    assert client.get(reverse("dashboard")).status_code == 200


@override_settings(EMAIL_ENABLED=False)
def test_without_email_sign_up_logs_in_at_once_and_says_an_address_is_taken(client):
    UserFactory(email="taken@example.com")
    assert client.post(SIGNUP, signup_data("new@example.com"))["Location"] == reverse("dashboard")
    taken = Client().post(SIGNUP, signup_data("taken@example.com"))
    assert taken.status_code == 422
    assert "already exists" in taken.content.decode()


def _join_mail_threads():
    for thread in threading.enumerate():
        if thread.name.startswith("colony-mail"):
            thread.join(timeout=10)


@override_settings(EMAIL_AFTER_RESPONSE=True)
@pytest.mark.parametrize("email", ["owner@example.com", "nobody@example.com"])
def test_the_reset_email_goes_after_the_response(owner, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = Client().post(RESET, {"email": email})
    assert response.status_code == 302
    assert mail.outbox == []  # nothing was rendered or sent while answering

    for callback in callbacks:
        callback()
    _join_mail_threads()
    assert [m.to for m in mail.outbox] == ([[email]] if email == owner.email else [])


@override_settings(EMAIL_AFTER_RESPONSE=True)
def test_the_sign_up_email_goes_after_the_response(django_capture_on_commit_callbacks):
    UserFactory(email="taken@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(SIGNUP, signup_data("taken@example.com"))
    _join_mail_threads()
    assert [m.to for m in mail.outbox] == [["taken@example.com"]]
