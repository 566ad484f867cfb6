"""Logged-in responses are never cached; a server error answers HTMX with a message, not a page."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses import services as expense_services
from expenses.tests.factories import ExpenseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(household):
    cycle = CycleFactory(
        household=household, start_date=datetime.date(2026, 1, 1), status=Cycle.Status.ACTIVE
    )
    ExpenseFactory(cycle=cycle, description="Water bill", amount=Decimal("50.00"), currency="USD")
    return cycle


def _urls(cycle):
    return [
        reverse("dashboard"),
        reverse("cycles:detail", args=[cycle.pk]),
        reverse("accounts:household"),
        reverse("reports:cycle_export", args=[cycle.pk]),
        reverse("reports:range_export") + "?start=2026-01-01&end=2026-12-31",
        reverse("reports:household_export"),
    ]


def test_logged_in_pages_and_downloads_are_never_stored(owner_client, cycle):
    for url in _urls(cycle):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, (url, cache_control)
        assert "Cookie" in response["Vary"], url


def test_htmx_fragments_are_never_stored_either(owner_client, cycle, htmx_headers):
    expense = cycle.expenses.get()
    response = owner_client.get(reverse("cycles:expense_row", args=[expense.pk]), **htmx_headers)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def broken_toggle(monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(expense_services, "toggle_paid", boom)


def test_a_server_error_on_an_htmx_request_is_a_message_in_the_banner(owner, cycle, broken_toggle):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    expense = cycle.expenses.get()

    response = client.post(
        reverse("cycles:expense_toggle_paid", args=[expense.pk]),
        {"amount": ""},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 500
    assert response["HX-Retarget"] == "#messages"
    assert response["HX-Reswap"] == "innerHTML"
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert 'data-error-code="SERVER_ERROR"' in body
    assert "<html" not in body and "<body" not in body


def test_a_server_error_on_a_plain_request_is_the_error_page(owner, cycle, broken_toggle):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    expense = cycle.expenses.get()

    response = client.post(reverse("cycles:expense_toggle_paid", args=[expense.pk]))

    assert response.status_code == 500
    assert "HX-Retarget" not in response
    assert "<html" in response.content.decode()
    assert "Something went wrong on our side" in response.content.decode()
