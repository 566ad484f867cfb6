"""Oversized text is refused with a short field error and never echoed back in full (issue
24, item 8 / #3): a form re-rendered after an error must not send 880 KB back."""

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

HUGE = "A" * (880 * 1024)


def test_anonymous_sign_up_with_an_880_kb_first_name_is_a_short_form_error(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "first_name": HUGE,
            "last_name": "Lovelace",
            "email": "not-an-email",
            "password1": "plum-tree-under-snow",
            "password2": "plum-tree-under-snow",
            "household_name": "Home",
            "base_currency": "EUR",
        },
    )
    body = response.content.decode()
    assert response.status_code in (200, 422)
    assert len(response.content) < 50_000
    assert "at most 150 characters" in body
    assert "Enter a valid email address." in body
    assert not User.objects.exists()


def test_an_880_kb_email_on_the_log_in_page_is_not_echoed_back(client):
    response = client.post(reverse("accounts:login"), {"username": HUGE, "password": "x"})
    assert response.status_code in (200, 422)
    assert len(response.content) < 50_000
