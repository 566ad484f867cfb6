"""The filtered totals in a real browser: filtering the cycle page's table shows what the
filtered rows add up to beside the cycle's totals, and paying a row while filtered updates
them in place (out of band, no reload) — htmx sends the page's filtered URL with the click."""

import datetime
from decimal import Decimal

import pytest

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_owner
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory, ExpenseFactory
from tests.test_browser_budgeting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paying_while_filtered_updates_the_filtered_totals_in_place(browser_page):
    household = HouseholdFactory(name="Filtered")
    make_owner(household, email="fay@example.com", first_name="Fay")
    cycle = CycleFactory(
        household=household, start_date=datetime.date.today(), status=Cycle.Status.ACTIVE
    )
    food = CategoryFactory(household=household, name="Food")
    rent = CategoryFactory(household=household, name="Rent")
    bread = ExpenseFactory(cycle=cycle, category=food, description="Bread", amount=Decimal("4"))
    ExpenseFactory(cycle=cycle, category=food, description="Milk", amount=Decimal("2"))
    ExpenseFactory(cycle=cycle, category=rent, description="Flat", amount=Decimal("900"))
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_username", "fay@example.com")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/cycles/{cycle.pk}/")
    assert page.locator("#filtered-totals[hidden]").count() == 1
    page.evaluate("window.__marker = 1")

    page.select_option("#expense-table select[name=category]", str(food.pk))
    wait_until(page, "!!document.querySelector('#filtered-totals [data-filtered=count]')")
    assert page.inner_text("[data-filtered=count]") == "2 expenses"
    assert page.inner_text("[data-filtered=paid]") == "0.00 USD"

    page.click(f"#expense-{bread.pk} .pay button")
    wait_until(
        page,
        "document.querySelector('[data-filtered=paid]').textContent.trim() === '4.00 USD'",
    )
    assert page.inner_text("[data-filtered=planned]") == "6.00 USD"
    assert page.inner_text("[data-filtered=remaining]") == "2.00 USD"
    # The cycle's own totals stay the whole cycle's.
    assert page.inner_text("#cycle-totals [data-total=planned]") == "906.00 USD"
    assert page.evaluate("window.__marker") == 1  # no reload
