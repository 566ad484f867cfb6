"""The main screen in a real browser: a cycle generated from a template, expenses typed in by
keyboard one after another, one marked paid — totals and progress update without a reload."""

import datetime
import time
from decimal import Decimal

import pytest

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_owner
from cycles.models import Cycle
from expenses.models import Expense
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_until(page, expression: str, timeout: float = 10.0):
    """Poll a JS expression with page.evaluate: the CSP forbids wait_for_function's eval."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        page.wait_for_timeout(50)


def test_plan_a_cycle_and_type_expenses_by_keyboard(browser_page):
    household = HouseholdFactory(name="Keyboard home")
    make_owner(household, email="kim@example.com", first_name="Kim")
    ExpenseTemplateFactory(
        household=household,
        name="Rent",
        amount=Decimal("900.00"),
        frequency="weekly",
        day_of_month=None,
        start_date=datetime.date(2020, 1, 6),
    )
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_username", "kim@example.com")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#no-active-cycle")

    # A new cycle, pre-filled, generating the template's expenses.
    page.click("#no-active-cycle a.button")
    page.wait_for_url("**/cycles/new/")
    assert page.is_checked("#id_generate_from_templates")
    page.fill("#id_income", "5000")
    page.click("button:has-text('Create cycle')")
    page.wait_for_url("**/cycles/*/")
    cycle = Cycle.objects.get(household=household)
    generated = cycle.expenses.count()
    assert generated >= 6
    assert page.locator("tr:has-text('Rent')").count() == generated

    page.evaluate("window.__marker = 1")
    planned_before = page.inner_text("[data-total=planned]")

    page.select_option("#expense-add-form-category", label="Food")
    for description, amount in [("Coffee", "3.50"), ("Bread", "2.20"), ("Cinema", "12.00")]:
        page.click("#expense-add-form-description")
        page.keyboard.type(description)
        page.keyboard.press("Tab")  # the amount, right after the description
        assert page.evaluate("document.activeElement.name") == "amount"
        page.fill("#expense-add-form-amount", amount)
        page.press("#expense-add-form-amount", "Enter")
        page.wait_for_selector(f"tr[id^=expense-]:has-text('{description}')")
        wait_until(page, "document.activeElement && document.activeElement.name === 'description'")
        assert page.evaluate("document.activeElement.name") == "description"
        assert page.input_value("#expense-add-form-description") == ""

    assert Expense.objects.filter(cycle=cycle, template__isnull=True).count() == 3
    assert page.inner_text("[data-total=planned]") != planned_before
    # Typed in on the day they were bought: paid, without touching the status.
    assert page.inner_text("[data-total=paid]") == "17.70 USD"

    page.click("tr:has-text('Cinema') button:has-text('Paid')")  # back to planned
    wait_until(
        page, "document.querySelector('[data-total=paid]').textContent.trim() === '5.70 USD'"
    )
    page.click("tr:has-text('Cinema') .pay button")  # and paid again
    wait_until(
        page, "document.querySelector('[data-total=paid]').textContent.trim() === '17.70 USD'"
    )
    assert page.locator("tr:has-text('Cinema') button:has-text('Paid')").count() == 1
    # 17.70 of 5,000 rounds to 0 % (the bar is swapped in with the totals): now make it visible.
    wait_until(page, "document.querySelector('.progress > span').style.width === '0%'")
    page.click("tr:has-text('Rent') >> nth=0 >> .pay button")
    wait_until(page, "document.querySelector('.progress > span').style.width === '18%'")
    # Every change came back over HTMX: the page was never reloaded.
    assert page.evaluate("window.__marker") == 1
    assert Expense.objects.filter(cycle=cycle, status=Expense.Status.PAID).count() == 4
