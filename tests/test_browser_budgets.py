"""Budgets in a real browser: set them by keyboard, add expenses, and watch a category's bar
pass 100 % and the category turn over budget, all without a reload."""

import datetime
import time
from decimal import Decimal

import pytest

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_owner
from cycles.models import CategoryBudget, Cycle
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_until(page, expression: str, timeout: float = 10.0):
    """Poll a JS expression with page.evaluate: the CSP forbids wait_for_function's eval."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        page.wait_for_timeout(50)


def _bar(category_pk: int) -> str:
    return f"document.querySelector('#budget-line-{category_pk} .progress > span').style.width"


def _percent(category_pk: int) -> str:
    return (
        f"document.querySelector('#budget-line-{category_pk} [data-budget=percent]')"
        ".textContent.trim()"
    )


def test_set_budgets_by_keyboard_and_watch_a_category_go_over(browser_page):
    household = HouseholdFactory(name="Budget home")
    make_owner(household, email="bo@example.com", first_name="Bo")
    food = CategoryFactory(household=household, name="Food")
    fun = CategoryFactory(household=household, name="Fun")
    today = datetime.date.today()
    cycle = CycleFactory(
        household=household,
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=30),
        status=Cycle.Status.ACTIVE,
        income=Decimal(0),
    )
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_username", "bo@example.com")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#active-cycle")
    page.goto(f"/cycles/{cycle.pk}/")
    page.evaluate("window.__marker = 1")

    # The budget form opens in place with the first category focused; Tab moves to the next.
    page.click("#cycle-budgets a:has-text('Set budgets')")
    page.wait_for_selector("#budget-form")
    wait_until(
        page, f"document.activeElement && document.activeElement.id === 'budget-amount_{food.pk}'"
    )
    page.keyboard.type("50")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"budget-amount_{fun.pk}"
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#budget-line-{food.pk}")
    assert page.inner_text(f"#budget-line-{food.pk} [data-budget=budget]") == "50.00 USD"
    assert page.inner_text(f"#budget-line-{fun.pk} [data-budget=budget]") == "20.00 USD"
    assert dict(CategoryBudget.objects.values_list("category__name", "amount")) == {
        "Food": Decimal("50"),
        "Fun": Decimal("20"),
    }

    # Expenses in Food, planned: 30 of 50 is 60 % with planned (nothing paid: the bar, what was
    # spent, stays empty), then 25 more passes 100 % and goes over budget.
    page.select_option("#expense-add-form-category", label="Food")
    for description, amount in [("Groceries", "30.00"), ("Market", "25.00")]:
        # Dated today, a new expense is paid unless chosen otherwise (the status follows the
        # date, and a new row follows it again): plan each one.
        page.select_option("#expense-add-form-status", "planned")
        page.click("#expense-add-form-description")
        page.keyboard.type(description)
        page.fill("#expense-add-form-amount", amount)
        page.press("#expense-add-form-amount", "Enter")
        page.wait_for_selector(f"tr[id^=expense-]:has-text('{description}')")
        if description == "Groceries":
            wait_until(page, f"{_percent(food.pk)} === '0% paid · 60% with planned'")
            assert page.evaluate(_bar(food.pk)) == "0%"
            assert page.get_attribute(f"#budget-line-{food.pk}", "data-over") == "false"
    wait_until(page, f"{_percent(food.pk)} === '0% paid · 110% with planned'")
    row = f"#budget-line-{food.pk}"
    assert page.get_attribute(row, "data-over") == "true"
    # htmx settles a swapped row's class a moment after the swap (the bar is sized at once).
    wait_until(page, f"document.querySelector('{row}').classList.contains('over')")
    assert page.inner_text(f"{row} [data-budget=available]") == "-5.00 USD"
    assert page.locator(f"{row} .badge.over").count() == 1
    # Paying the groceries fills the bar: 30 of 50 spent.
    page.get_by_role("button", name="Mark as paid: Groceries", exact=True).click()
    wait_until(page, f"{_bar(food.pk)} === '60%'")
    assert page.inner_text(f"{row} [data-budget=percent]") == "60% paid · 110% with planned"
    # Every change came back over HTMX: the page was never reloaded.
    assert page.evaluate("window.__marker") == 1


def test_saving_over_budgets_changed_meanwhile_shows_them_in_place(browser_page):
    from budget.services import budgets as budget_services

    household = HouseholdFactory(name="Two editors")
    make_owner(household, email="eve@example.com", first_name="Eve")
    food = CategoryFactory(household=household, name="Food")
    cycle = CycleFactory(
        household=household, start_date=datetime.date.today(), status=Cycle.Status.ACTIVE
    )
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("100")})
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_username", "eve@example.com")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/cycles/{cycle.pk}/")
    page.evaluate("window.__marker = 1")
    page.click("#cycle-budgets a:has-text('Set budgets')")
    page.wait_for_selector("#budget-form")

    # Someone else saves while the form is open.
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("150")})
    page.fill(f"#budget-amount_{food.pk}", "120")
    page.click("#budget-form button[type=submit]")
    page.wait_for_selector("#budget-form [data-error-code=BUDGETS_CHANGED]")
    assert "Someone else saved these budgets" in page.inner_text("#cycle-budgets")
    assert page.input_value(f"#budget-amount_{food.pk}") == "150.00"
    assert CategoryBudget.objects.get(cycle=cycle).amount == Decimal("150")
    assert page.evaluate("window.__marker") == 1  # swapped in place, no reload

    page.fill(f"#budget-amount_{food.pk}", "120")
    page.click("#budget-form button[type=submit]")
    page.wait_for_selector("#budget-form", state="detached")
    assert CategoryBudget.objects.get(cycle=cycle).amount == Decimal("120")
