"""Fixtures shared by every app's tests: two households, their people, logged-in clients."""

import os
import shutil

import pytest
from django.test import Client

from accounts.tests.factories import HouseholdFactory, api_client, make_member, make_owner


@pytest.fixture
def household(db):
    return HouseholdFactory(name="The Smiths")


@pytest.fixture
def owner(household):
    return make_owner(household, email="owner@example.com", first_name="Olive")


@pytest.fixture
def member(household, owner):
    return make_member(household, email="member@example.com", first_name="Max")


@pytest.fixture
def other_household(db):
    return HouseholdFactory(name="The Joneses")


@pytest.fixture
def stranger(other_household):
    """Owner of another household: must never see or touch `household`'s data."""
    return make_owner(other_household, email="stranger@example.com", first_name="Sam")


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return _logged_in(owner)


@pytest.fixture
def member_client(member):
    return _logged_in(member)


@pytest.fixture
def stranger_client(stranger):
    return _logged_in(stranger)


@pytest.fixture
def owner_api(owner):
    """The owner's read-write API token client (JSON API, /api/v1/)."""
    return api_client(owner)


@pytest.fixture
def member_api(member):
    return api_client(member)


@pytest.fixture
def stranger_api(stranger):
    return api_client(stranger)


@pytest.fixture
def htmx_headers():
    return {"HTTP_HX_REQUEST": "true"}


CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A Playwright page in Debian's chromium. Fails (not skips) in CI when chromium is missing."""
    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} is missing: install Debian's chromium package"
        if os.environ.get("CI") or os.environ.get("COLONY_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
    # synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture(scope="session", autouse=True)
def _end_leftover_test_database_sessions(django_db_setup, django_db_blocker):
    """Playwright's sync API runs test code in a greenlet with its own context, so an ORM call
    made there opens a connection Django never closes; end such sessions so the test database
    can be dropped."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
