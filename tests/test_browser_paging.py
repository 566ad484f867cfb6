"""The cycle page's "show more" row in a real browser: the next rows come in over HTMX in
place of the row, without a reload, and the last page leaves no "show more" behind."""

import datetime
from decimal import Decimal

import pytest

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_owner
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Category, Expense
from expenses.selectors import EXPENSES_PER_PAGE
from tests.test_browser_budgeting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_show_more_appends_the_next_rows_in_place(browser_page):
    household = HouseholdFactory(name="Many bills")
    owner = make_owner(household, email="max@example.com", first_name="Max")
    start = datetime.date.today()
    cycle = CycleFactory(household=household, start_date=start, status=Cycle.Status.ACTIVE)
    category = Category.objects.filter(household=household).first() or Category.objects.create(
        household=household, name="Food"
    )
    total = EXPENSES_PER_PAGE + 30
    Expense.objects.bulk_create(
        Expense(
            cycle=cycle,
            description=f"Bill {n}",
            amount=Decimal("1.00"),
            planned_amount=Decimal("1.00"),
            currency="USD",
            date=start + datetime.timedelta(days=n % 30),
            category=category,
            base_amount=Decimal("1.00"),
            rate=Decimal(1),
            rate_source="same",
            created_by=owner,
        )
        for n in range(total)
    )
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_username", "max@example.com")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/cycles/{cycle.pk}/")
    rows = "#expense-rows tr[id^=expense-]:not(#expense-add-row):not(#expense-more)"
    assert page.locator(rows).count() == EXPENSES_PER_PAGE
    assert f"Showing {EXPENSES_PER_PAGE} of {total} expenses" in page.inner_text("#expense-more")
    page.evaluate("window.__marker = 1")

    page.click("#expense-more a[data-show-more]")
    wait_until(page, f"document.querySelectorAll('{rows}').length === {total}")
    assert page.locator("#expense-more").count() == 0
    assert page.locator("#expense-add-row").count() == 1
    assert page.evaluate("window.__marker") == 1  # no reload
