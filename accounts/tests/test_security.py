import importlib
import sys
import time

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.middleware import SessionLifetimeMiddleware
from accounts.tests.factories import make_owner

pytestmark = pytest.mark.django_db


def test_pages_send_a_csp_that_allows_only_our_own_files(owner_client):
    response = owner_client.get(reverse("dashboard"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts_or_handlers(owner_client, member):
    body = owner_client.get(reverse("accounts:household")).content.decode()
    assert "onsubmit=" not in body
    assert "onclick=" not in body
    assert "<script>" not in body


def test_session_cookie_is_httponly_and_samesite_lax(client):
    make_owner(email="olive@example.com")
    client.post(
        reverse("accounts:login"),
        {"username": "olive@example.com", "password": "correct-horse-battery-staple"},
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_session_ends_after_its_absolute_lifetime_even_when_active(owner_client):
    session = owner_client.session
    session[SessionLifetimeMiddleware.STARTED] = int(time.time()) - (
        settings.SESSION_ABSOLUTE_LIFETIME + 60
    )
    session.save()

    response = owner_client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_active_session_is_refreshed_at_most_once_an_hour(owner_client):
    owner_client.get(reverse("dashboard"))
    first = owner_client.session[SessionLifetimeMiddleware.REFRESHED]
    owner_client.get(reverse("dashboard"))
    assert owner_client.session[SessionLifetimeMiddleware.REFRESHED] == first


def test_a_64_character_password_is_accepted_as_typed(client):
    password = "a long passphrase: " + "x7-" * 15
    password = password[:64]
    assert len(password) == 64
    response = client.post(
        reverse("accounts:signup"),
        {
            "first_name": "Lin",
            "email": "lin@example.com",
            "password1": password,
            "password2": password,
            "base_currency": "USD",
        },
    )
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    response = client.post(
        reverse("accounts:login"), {"username": "lin@example.com", "password": password}
    )
    assert response.status_code == 302


def test_production_cookies_use_the_host_prefix(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 60)
    monkeypatch.setenv("PASSWORD_RESET_BY_EMAIL", "false")
    monkeypatch.delitem(sys.modules, "colony.settings.production", raising=False)
    production = importlib.import_module("colony.settings.production")

    assert production.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert production.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
